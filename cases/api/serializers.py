from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.api.fields import DateTimeField
from workcal import years

from ..links import slip_url
from .. import checklist
from ..limits import MAX_DOCUMENT_CHARS, MAX_DOCUMENTS, MAX_NOTE, MAX_TEXT, MAX_UNIT, check_documents
from ..models import ApplicantKind, Channel, ContactChannel, Dossier, DossierEvent, Procedure, ResultDelivery
from ..privacy import applicant_for, intake_details_for
from ..services.common import CLOCK_SKEW
from .outputs import (
    ApologySlipBrief,
    ApplicantOut,
    ChecklistItemOut,
    PublicApplicantOut,
    RuleVersionBrief,
    SupplementRequestOut,
)
from ..validators import (
    mask_phone,
    validate_applicant_id,
    validate_date_of_birth,
    validate_phone,
    validate_si_number,
)


class ProcedureSerializer(serializers.ModelSerializer):
    """The catalogue; the rule fields are those of the version in force today (prefetched `versions`)."""

    processing_days = serializers.SerializerMethodField()
    same_day_cutoff = serializers.SerializerMethodField()
    supplement_clock = serializers.SerializerMethodField()
    max_supplement_requests = serializers.SerializerMethodField()

    class Meta:
        model = Procedure
        fields = ["code", "name", "field", "processing_days", "is_covid_support", "active", "channels",
                  "same_day_cutoff", "supplement_clock", "max_supplement_requests"]

    def _current(self, obj):
        today = timezone.localdate()
        current = [v for v in obj.versions.all() if v.valid_from <= today]
        return max(current, key=lambda v: v.valid_from) if current else None

    def get_processing_days(self, obj) -> float:
        from ..versions import time_limit_in_days

        current = self._current(obj)
        return time_limit_in_days(current) if current is not None else obj.processing_days

    def get_same_day_cutoff(self, obj) -> str | None:
        value = getattr(self._current(obj) or obj, "same_day_cutoff")
        return value.isoformat() if value else None

    def get_supplement_clock(self, obj) -> str:
        return (self._current(obj) or obj).supplement_clock

    def get_max_supplement_requests(self, obj) -> int:
        return (self._current(obj) or obj).max_supplement_requests


class ApplicantIn(serializers.Serializer):
    name = serializers.CharField(max_length=200, error_messages={"blank": "Vui lòng nhập họ tên người nộp.",
                                                                "required": "Vui lòng nhập họ tên người nộp."})
    kind = serializers.ChoiceField(choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN,
                                   error_messages={"invalid_choice": "Loại đối tượng phải là citizen, enterprise "
                                                   "hoặc organisation."})
    id_number = serializers.CharField(max_length=20, error_messages={"blank": "Vui lòng nhập số giấy tờ.",
                                                                     "required": "Vui lòng nhập số giấy tờ."})
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="",
                                   error_messages={"invalid": "Địa chỉ thư điện tử không hợp lệ."})
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")

    def validate(self, data):
        errors = {}
        try:
            data["id_number"] = validate_applicant_id(data["kind"], data["id_number"])
        except DjangoValidationError as exc:
            errors["id_number"] = exc.messages
        if data.get("phone"):
            try:
                data["phone"] = validate_phone(data["phone"])
            except DjangoValidationError as exc:
                errors["phone"] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        return data


class DossierIn(serializers.Serializer):
    procedure = serializers.SlugRelatedField(slug_field="code", queryset=Procedure.objects.all(),
                                             error_messages={"does_not_exist": "Không có thủ tục mã “{value}”.",
                                                             "required": "Vui lòng chọn thủ tục."})
    applicant = ApplicantIn()
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.DIRECT,
                                      error_messages={"invalid_choice": "Kênh phải là direct, online hoặc postal."})
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)
    office = serializers.CharField(required=False, allow_blank=True, default="")
    received_at = DateTimeField(required=False, allow_null=True, default=None,
                                help_text="Now, give or take 5 minutes (the default); dossiers of the past come in "
                                          "through `manage.py import_history`.",
                                error_messages={"invalid": "Thời điểm không đúng định dạng ISO 8601."})

    documents = serializers.ListField(
        child=serializers.JSONField(), required=False, allow_null=True, default=None, max_length=MAX_DOCUMENTS,
        help_text="The checklist items handed in: each the item's `name` as in the rule version's documents or its "
                  "0-based index in that list; every required item must be there. Omitted = not checked.")
    social_insurance_number = serializers.CharField(required=False, allow_blank=True, default="", max_length=14)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None,
                                          error_messages={"invalid": "Ngày sinh phải theo dạng YYYY-MM-DD."})
    result_delivery = serializers.ChoiceField(choices=ResultDelivery.choices, required=False, allow_blank=True,
                                              default="", error_messages={"invalid_choice": "Hình thức nhận kết quả "
                                                                          "phải là counter, postal hoặc online."})
    postal_address = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    contact_channel = serializers.ChoiceField(choices=ContactChannel.choices, required=False, allow_blank=True,
                                              default="", help_text="The applicant's preferred channel for messages "
                                              "(sms/zalo/email; blank = every channel we have an address for).")
    messages_opt_out = serializers.BooleanField(required=False, default=False,
                                                help_text="The applicant wants no SMS, Zalo or e-mail at all.")

    def validate_social_insurance_number(self, value):
        try:
            return validate_si_number(value) if value else ""
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate_date_of_birth(self, value):
        try:
            return validate_date_of_birth(value) if value else None
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, data):
        errors = {}
        if data.get("result_delivery") == ResultDelivery.POSTAL and not data.get("postal_address", "").strip():
            errors["postal_address"] = [_("Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính.")]
        if data.get("documents") is not None:
            try:
                check_documents(data["documents"])
            except DjangoValidationError as exc:
                raise serializers.ValidationError({"documents": exc.messages}) from exc
            from ..versions import version_in_force

            version = version_in_force(data["procedure"], data.get("received_at") or timezone.now())
            try:
                checklist.check(checklist.items_of(version), data["documents"])
            except DjangoValidationError as exc:
                errors["documents"] = exc.messages
        if errors:
            raise serializers.ValidationError(errors)
        return data

    def validate_received_at(self, value):
        """The API records intake as it happens: at most CLOCK_SKEW off now either way. History (dossiers of
        the past) comes in through `manage.py import_history` (CONTRACTS.md §1.1)."""
        if value is not None and abs(value - timezone.now()) > CLOCK_SKEW:
            raise serializers.ValidationError(_(
                "Thời điểm tiếp nhận chỉ được lệch tối đa %(minutes)s phút so với hiện tại; hồ sơ đã tiếp nhận "
                "trước đây được nhập bằng lệnh import_history.") % {"minutes": int(CLOCK_SKEW.total_seconds() // 60)})
        return value


class DossierSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.code")
    procedure_name = serializers.CharField(source="procedure.name")
    office = serializers.CharField(source="office.code")
    applicant = serializers.SerializerMethodField()
    is_overdue = serializers.SerializerMethodField()
    national_status = serializers.IntegerField()
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    supplement_requests = serializers.SerializerMethodField()
    apology_slips = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField()
    provisional_calendar = serializers.SerializerMethodField()
    rule_version = serializers.SerializerMethodField()
    # The deadline stage the last scan marked (CONTRACTS.md: "", due_soon, apology_due, overdue,
    # appointment_missed, late_to_accept).
    due_stage = serializers.CharField(source="due_state", read_only=True)
    visits = serializers.IntegerField(source="trip_count", read_only=True)
    over_visit_limit = serializers.SerializerMethodField()
    documents = ChecklistItemOut(many=True, read_only=True)  # the checklist as ticked at intake (cases.checklist)
    social_insurance_number = serializers.SerializerMethodField()
    date_of_birth = serializers.SerializerMethodField()
    postal_address = serializers.SerializerMethodField()
    attachments = serializers.SerializerMethodField()  # the papers (cases.papers; CONTRACTS.md §1.2)
    rating = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = ["code", "status", "national_status", "procedure", "procedure_name", "office", "channel", "source",
                  "applicant", "summary", "submitted_at", "received_at", "legal_due_at", "appointment_at",
                  "is_overdue", "due_state", "due_stage", "resolved_at", "returned_at", "outcome", "result_summary", "assignee",
                  "trip_count", "supplement_requests", "apology_slips", "receipt_url", "rule_version"]
        fields += ["provisional_calendar"]  # the legal due moment falls in a year not announced yet (DOMAIN.md §3)
        fields += ["visits", "over_visit_limit"]  # DOMAIN.md §2.6, cases.visits
        fields += ["documents", "social_insurance_number", "date_of_birth", "result_delivery", "postal_address"]
        fields += ["attachments"]
        fields += ["rating", "contact_channel", "messages_opt_out"]  # issue 12: satisfaction, the applicant's messages

    mask = False  # lists mask personal data; the detail view turns this off for the handling office

    @extend_schema_field(ApplicantOut)
    def get_applicant(self, obj):
        request = self.context.get("request")
        return applicant_for(getattr(request, "user", None), obj, masked=self.mask)

    def _details(self, obj) -> dict:
        request = self.context.get("request")
        return intake_details_for(getattr(request, "user", None), obj, masked=self.mask)

    def get_social_insurance_number(self, obj) -> str:
        return self._details(obj)["social_insurance_number"]

    def get_date_of_birth(self, obj) -> str | None:
        return self._details(obj)["date_of_birth"]

    def get_postal_address(self, obj) -> str:
        return self._details(obj)["postal_address"]

    def get_attachments(self, obj) -> list[dict]:
        from .. import papers

        return papers.api_list(obj, self.context.get("request"))
    def get_rating(self, obj) -> dict | None:
        from ..services.rating import rating_summary

        return rating_summary(getattr(obj, "rating", None))

    def get_is_overdue(self, obj) -> bool:
        return obj.is_overdue

    @extend_schema_field(SupplementRequestOut(many=True))
    def get_supplement_requests(self, obj):
        return [{"number": s.number, "requested_at": _iso(s.requested_at), "reason": s.reason,
                 "documents": s.documents, "fulfilled_at": _iso(s.fulfilled_at)}
                for s in obj.supplement_requests.all()]

    @extend_schema_field(ApologySlipBrief(many=True))
    def get_apology_slips(self, obj):
        return [{"number": a.number_label, "state": a.state, "issued_at": _iso(a.issued_at),
                 "new_appointment_at": _iso(a.new_appointment_at), "is_late": a.is_late, "reason": a.reason}
                for a in obj.apology_slips.all()]

    def get_over_visit_limit(self, obj) -> bool:
        from ..visits import is_over_visit_limit

        return is_over_visit_limit(obj)

    def get_provisional_calendar(self, obj) -> bool:
        return years.is_provisional(obj.legal_due_at)

    @extend_schema_field(RuleVersionBrief(allow_null=True))
    def get_rule_version(self, obj):
        from .versions import rule_version_summary

        return rule_version_summary(obj.rule_version)

    def get_receipt_url(self, obj) -> str | None:
        if obj.received_at is None:
            return None
        return slip_url("receipt", obj)


class DossierListSerializer(DossierSerializer):
    mask = True

    class Meta(DossierSerializer.Meta):
        fields = ["code", "status", "national_status", "procedure", "procedure_name", "office", "channel", "source",
                  "applicant", "submitted_at", "received_at", "legal_due_at", "appointment_at", "is_overdue",
                  "due_state", "due_stage", "resolved_at", "returned_at", "assignee"]


def _iso(value):
    return timezone.localtime(value).isoformat() if value else None


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = DossierEvent
        fields = ["at", "actor", "action", "from_status", "to_status", "note"]


class ActionIn(serializers.Serializer):
    """Bodies of the lifecycle actions (CONTRACTS.md §1.3); each action reads the fields it needs."""

    assignee = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=150)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)
    documents = serializers.ListField(
        child=serializers.CharField(max_length=MAX_DOCUMENT_CHARS), required=False, default=list,
        max_length=MAX_DOCUMENTS,
        help_text="request-supplement: the papers to supplement, each a 0-based index of the rule version's "
                  "checklist (`GET /procedures/{code}/versions/` `documents`), an item's `name`, or another paper "
                  "in words; an index outside the checklist is a 400 DOCUMENT_NOT_IN_CHECKLIST.")
    outcome = serializers.CharField(required=False, allow_blank=True, default="", max_length=10)
    result_summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_TEXT)
    returned_to = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_UNIT)
    unit = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_UNIT)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE)
    in_person = serializers.BooleanField(required=False, allow_null=True, default=None)
    channel = serializers.ChoiceField(choices=["counter", "postal", "online"], required=False, allow_blank=True,
                                      allow_null=True, default=None)


class PublicDossierSerializer(serializers.ModelSerializer):
    procedure = serializers.CharField(source="procedure.name")
    office = serializers.CharField(source="office.name")
    status_label = serializers.CharField(source="get_status_display")
    applicant = serializers.SerializerMethodField()

    class Meta:
        model = Dossier
        fields = ["code", "status", "status_label", "procedure", "office", "received_at", "appointment_at",
                  "resolved_at", "returned_at", "applicant"]

    @extend_schema_field(PublicApplicantOut)
    def get_applicant(self, obj):
        name = obj.applicant_name.split()
        return {"name": " ".join([w[0] + "." for w in name[:-1]] + name[-1:]) if name else "",
                "phone": mask_phone(obj.applicant_phone)}

