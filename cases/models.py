"""Dossiers (hồ sơ TTHC) and everything the law asks us to keep about them.

A dossier stores what queries need (status, legal_due_at, appointment_at, resolved_at; the scan's marks are in
cases.marks) so that lists, scans and reports are indexed SQL; its history is the append-only DossierEvent table.
"""
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import JSONField, Q, Value
from django.utils.translation import gettext_lazy as _

from core.models import HistoryEvent
from .choices import ApplicantKind, Channel, ContactChannel, DueState, Outcome  # noqa: F401 - importable here
from .choices import RatingLevel, ResultDelivery, Source, TimeLimitUnit  # noqa: F401
from .search import normalise


class Procedure(models.Model):
    class SupplementClock(models.TextChoices):
        RESTART = "restart", _("Tính lại từ đầu")
        RESUME = "resume", _("Tiếp tục thời gian còn lại")

    code = models.CharField(_("mã TTHC"), max_length=30, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=400)
    field = models.CharField(_("lĩnh vực"), max_length=120)
    processing_days = models.PositiveSmallIntegerField(_("thời hạn giải quyết (ngày làm việc)"))
    is_covid_support = models.BooleanField(_("hỗ trợ COVID-19"), default=False)
    channels = models.JSONField(_("kênh tiếp nhận"), default=list,
                                help_text=_('Danh sách kênh: "online", "direct", "postal"'))
    same_day_cutoff = models.TimeField(_("giờ chốt nhận trong ngày"), null=True, blank=True,
                                       help_text=_("Chỉ cho thủ tục giải quyết trong ngày; để trống = 15:00"))
    supplement_clock = models.CharField(_("thời hạn sau bổ sung"), max_length=8, choices=SupplementClock.choices,
                                        default=SupplementClock.RESTART)
    max_supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung tối đa"), default=1)
    max_reschedules = models.PositiveSmallIntegerField(_("số lần hẹn lại tối đa"), default=1)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")
        ordering = ["field", "code"]

    def __str__(self):
        return f"{self.code} – {self.name}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang giải quyết")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Chờ bổ sung")
    RESOLVED = "resolved", _("Đã có kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


# The national portal's status codes (CONTRACTS.md §1.3).
NATIONAL_STATUS = {
    Status.SUBMITTED: 1, Status.RECEIVED: 2, Status.REFUSED: 3, Status.PROCESSING: 4,
    Status.AWAITING_SUPPLEMENT: 5, Status.WITHDRAWN: 7, Status.RESOLVED: 9, Status.RETURNED: 10,
}
OPEN_STATUSES = (Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT)
CLOCK_RUNNING = (Status.RECEIVED, Status.PROCESSING)  # the legal clock runs (accepted, not finished, not paused)


from .deadlines import DossierQuerySet, is_overdue_or_late  # noqa: E402 - reads Status and CLOCK_RUNNING above
# the scan's marks (Dossier.due_state reads them) and where its last run stood
from .marks import DueMark, MarkedDossier, ScanState  # noqa: E402,F401


class Dossier(MarkedDossier, models.Model):
    code = models.CharField(_("mã hồ sơ"), max_length=60, unique=True)
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="dossiers", verbose_name=_("đơn vị"),
                               db_index=False)  # the indexes below that start with the office serve its lookups
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="dossiers", verbose_name=_("thủ tục"))
    # The rule version in force when the dossier was received (DOMAIN.md §8): every deadline reads it.
    rule_version = models.ForeignKey("cases.ProcedureVersion", models.PROTECT, null=True, blank=True,
                                     related_name="dossiers", verbose_name=_("phiên bản quy định"))
    status = models.CharField(_("trạng thái"), max_length=20, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices, default=Channel.DIRECT)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices, default=Source.DESK)

    applicant_name = models.CharField(_("người nộp / chủ hồ sơ"), max_length=200)
    # cases.search.normalise(applicant_name), kept by save() and by every set-based writer (portal pull).
    search_name = models.CharField(_("tên không dấu (tìm kiếm)"), max_length=200, blank=True, default="",
                                   db_default="", editable=False)
    applicant_kind = models.CharField(_("loại đối tượng"), max_length=12, choices=ApplicantKind.choices,
                                      default=ApplicantKind.CITIZEN)
    applicant_id_number = models.CharField(_("số giấy tờ / mã số thuế"), max_length=20)  # indexed below
    applicant_phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    summary = models.TextField(_("trích yếu"), blank=True)
    # Taken at intake (issue 12): the papers handed in, ticked from the rule version's checklist (cases.checklist).
    documents = models.JSONField(_("thành phần hồ sơ đã nộp"), default=list, blank=True,
                                 db_default=Value([], JSONField()))
    social_insurance_number = models.CharField(_("mã số BHXH"), max_length=10, blank=True, default="", db_default="")
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    postal_address = models.CharField(_("địa chỉ nhận kết quả qua bưu chính"), max_length=300, blank=True,
                                      default="", db_default="")
    # The applicant's messages (cases.contact): the preferred channel and an opt-out, taken at intake.
    contact_channel = models.CharField(_("kênh nhận thông báo"), max_length=8, choices=ContactChannel.choices,
                                       blank=True, default="", db_default="")
    messages_opt_out = models.BooleanField(_("không nhận thông báo"), default=False, db_default=False)

    submitted_at = models.DateTimeField(_("ngày nộp"), null=True, blank=True)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    clock_started_at = models.DateTimeField(_("bắt đầu tính thời hạn"), null=True, blank=True)
    legal_due_at = models.DateTimeField(_("hạn giải quyết theo quy định"), null=True, blank=True)
    appointment_at = models.DateTimeField(_("ngày hẹn trả"), null=True, blank=True)
    apologise_by = models.DateTimeField(_("hạn gửi phiếu xin lỗi"), null=True, blank=True)
    paused_at = models.DateTimeField(_("tạm dừng từ"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("ngày có kết quả"), null=True, blank=True)
    returned_at = models.DateTimeField(_("ngày trả kết quả"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày kết thúc"), null=True, blank=True)

    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    result_summary = models.TextField(_("nội dung kết quả / lý do"), blank=True)
    returned_to = models.CharField(_("trả cho"), max_length=200, blank=True)

    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("cán bộ tiếp nhận"))
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                 related_name="assigned_dossiers", verbose_name=_("cán bộ xử lý"))
    supplement_count = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    reschedule_count = models.PositiveSmallIntegerField(_("số lần hẹn lại"), default=0)
    # The applicant's visits for this matter (DOMAIN.md §2.6), kept by the services: see cases.visits.
    trip_count = models.PositiveSmallIntegerField(_("số lần đến của người nộp"), default=0)
    result_delivery = models.CharField(_("hình thức nhận kết quả"), max_length=8, choices=ResultDelivery.choices,
                                       blank=True, default="", db_default="",
                                       help_text=_("Để trống = theo kênh nộp hồ sơ"))
    portal_payload = models.JSONField(_("dữ liệu gốc từ Cổng DVCQG"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        ordering = [models.F("received_at").desc(nulls_first=True), "-id"]
        indexes = [
            # Lists: newest first (waiting, not yet received, on top); the first page is an index range scan.
            # (PostgreSQL sorts NULLs first in a DESC index, as the list's ORDER BY asks.)
            models.Index(fields=["-received_at", "-id"], name="dossier_list_order"),
            # (A code prefix rides PostgreSQL's LIKE index of the unique code; the ID number is searched exactly.)
            # The applicant's matters: the exact ID search, and whether a dossier "came back" (cases.visits, the
            # tally's triggers) reads only the applicant's dossiers of that procedure closed in the window.
            models.Index(fields=["applicant_id_number", "procedure", "closed_at"], name="dossier_applicant_matter"),
            models.Index(fields=["office", "status", "-received_at"], name="dossier_office_status_recv"),
            models.Index(fields=["office", "received_at"], name="dossier_office_received"),
            models.Index(fields=["office", "resolved_at"], name="dossier_office_resolved"),
            models.Index(fields=["closed_at"], name="dossier_closed"),  # form 06: open or closed since the start
            # The overdue scan and "due soon" lists: one indexed query over open dossiers only.
            models.Index(fields=["legal_due_at"], name="dossier_open_due",
                         condition=Q(status__in=["received", "processing", "awaiting_supplement"])),
            # (legal_due_at second: "due soon" leaves out the overdue dossiers in the index, not in the heap.)
            models.Index(fields=["apologise_by", "legal_due_at"], name="dossier_open_apologise_by",
                         condition=Q(status__in=["received", "processing"])),
            models.Index(fields=["appointment_at"], name="dossier_open_rescheduled", condition=Q(reschedule_count__gt=0)),
            models.Index(fields=["applicant_phone"], name="dossier_phone"),
            # The scan's late-to-accept stage: online dossiers still waiting (a few rows).
            models.Index(fields=["submitted_at"], name="dossier_waiting_submitted", condition=Q(status="submitted")),
        ]

    def __str__(self):
        return self.code

    def save(self, *args, **kwargs):
        self.search_name = normalise(self.applicant_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "applicant_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self):
        """The API's `is_overdue` and the lists' badge: cases.deadlines.is_overdue_or_late now."""
        from django.utils import timezone

        return is_overdue_or_late(self, timezone.now())

    @property
    def national_status(self):
        return NATIONAL_STATUS[self.status]


class DossierEvent(HistoryEvent):
    """One row per change of a dossier: who, when, from which status to which, why. Never edited or deleted."""

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="events")
    from_status = models.CharField(_("từ trạng thái"), max_length=20, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=20, blank=True)
    # The legal due moment in force once this event happened (null before the clock starts): with `to_status`
    # it makes the history a ledger, so "status and legal due moment at T" is read from the last event before T.
    legal_due_at = models.DateTimeField(_("hạn giải quyết sau thay đổi"), null=True, blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("nhật ký hồ sơ")
        verbose_name_plural = _("nhật ký hồ sơ")
        indexes = [models.Index(fields=["dossier", "at", "id"], name="dossier_event_ledger")]


class SupplementRequest(models.Model):
    """Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Form 02) issued during processing."""

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="supplement_requests")
    number = models.PositiveSmallIntegerField()
    requested_at = models.DateTimeField()
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    reason = models.TextField(_("lý do"))
    documents = models.JSONField(_("giấy tờ cần bổ sung"), default=list)
    clock_used = models.DurationField(_("thời gian đã dùng"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dossier", "number"]
        constraints = [models.UniqueConstraint(fields=["dossier", "number"], name="supplement_number_uniq")]


class IntakeGuidance(models.Model):
    """Form 02 at the desk (incomplete papers) or Form 03 (not eligible): nothing is received, but the slip is
    issued, kept and counted as a trip of the applicant."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")
        REFUSAL = "refusal", _("Phiếu từ chối tiếp nhận giải quyết hồ sơ")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    number = models.CharField(max_length=40, unique=True)
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    applicant_name = models.CharField(max_length=200)
    applicant_id_number = models.CharField(max_length=20, db_index=True)
    applicant_phone = models.CharField(max_length=16, blank=True)
    applicant_email = models.EmailField(blank=True)
    applicant_address = models.CharField(max_length=300, blank=True)
    reason = models.TextField()
    documents = models.JSONField(default=list)

    class Meta:
        verbose_name = verbose_name_plural = _("phiếu hướng dẫn, từ chối tại quầy")
        ordering = ["-issued_at"]


class ProcessStep(models.Model):
    """One row of the process-control slip (Phiếu kiểm soát quá trình giải quyết hồ sơ)."""

    class Result(models.TextChoices):
        EARLY = "early", _("Trước hạn")
        ON_TIME = "on_time", _("Đúng hạn")
        LATE = "late", _("Quá hạn")

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="steps")
    seq = models.PositiveSmallIntegerField()
    unit = models.CharField(_("đơn vị / bộ phận"), max_length=200)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    handler_name = models.CharField(max_length=200, blank=True)
    given_at = models.DateTimeField(_("thời gian giao"))
    due_at = models.DateTimeField(_("hạn của bước"), null=True, blank=True)
    done_at = models.DateTimeField(_("thời gian hoàn thành"), null=True, blank=True)
    result = models.CharField(_("kết quả bước"), max_length=8, choices=Result.choices, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["dossier", "seq"]
        constraints = [models.UniqueConstraint(fields=["dossier", "seq"], name="process_step_uniq")]


class Trip(models.Model):
    """A time the applicant had to come to the office for this dossier (Decree 63/2010 Art. 20(4))."""

    class Purpose(models.TextChoices):
        INTAKE = "intake", _("Nộp hồ sơ")
        SUPPLEMENT = "supplement", _("Bổ sung hồ sơ")
        COLLECTION = "collection", _("Nhận kết quả")
        GUIDANCE = "guidance", _("Được hướng dẫn, chưa tiếp nhận")

    dossier = models.ForeignKey(Dossier, models.CASCADE, null=True, blank=True, related_name="trips")
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="+")
    applicant_id_number = models.CharField(max_length=20)
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    purpose = models.CharField(max_length=12, choices=Purpose.choices)

    class Meta:
        indexes = [models.Index(fields=["applicant_id_number", "procedure", "at"], name="trip_applicant")]


class ApologySlip(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (Decision 2192/QĐ-BHXH Art. 13.6)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Dự thảo")
        ISSUED = "issued", _("Đã ký, phát hành")

    dossier = models.ForeignKey(Dossier, models.PROTECT, related_name="apology_slips")
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    state = models.CharField(max_length=8, choices=State.choices, default=State.DRAFT)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    number = models.PositiveIntegerField(null=True, blank=True)
    reason = models.TextField(_("lý do chậm"))
    original_appointment_at = models.DateTimeField()
    new_appointment_at = models.DateTimeField()
    legal_due_at = models.DateTimeField()
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField()
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    issued_at = models.DateTimeField(null=True, blank=True)
    is_late = models.BooleanField(_("xin lỗi muộn"), default=False)

    class Meta:
        verbose_name = verbose_name_plural = _("phiếu xin lỗi và hẹn lại ngày trả kết quả")
        ordering = ["-drafted_at"]
        constraints = [models.UniqueConstraint(fields=["office", "year", "number"], name="apology_number_uniq")]

    @property
    def number_label(self):  # 12/2026/PXL-BHXH-HN (cases.numbering)
        return slip_label("apology", self.number, self.year, self.office)


class ProcedureVersion(models.Model):
    """One version of a procedure's rules (DOMAIN.md §8), in force from `valid_from` (a local date) until the
    next version's. A dossier keeps the version it was received under; a version in use is never edited
    (cases.versions, cases.admin): a change of rules is a new version from a date."""

    class Original(models.TextChoices):
        ORIGINAL = "original", _("Bản chính")
        COPY = "copy", _("Bản sao")
        EITHER = "either", _("Bản chính hoặc bản sao")

    procedure = models.ForeignKey(Procedure, models.PROTECT, related_name="versions", verbose_name=_("thủ tục"))
    valid_from = models.DateField(_("áp dụng từ ngày"))
    time_limit_value = models.DecimalField(_("thời hạn giải quyết"), max_digits=6, decimal_places=2)
    time_limit_unit = models.CharField(_("đơn vị thời hạn"), max_length=14, choices=TimeLimitUnit.choices,
                                       default=TimeLimitUnit.WORKING_DAYS)
    supplement_clock = models.CharField(_("thời hạn sau bổ sung"), max_length=8,
                                        choices=Procedure.SupplementClock.choices,
                                        default=Procedure.SupplementClock.RESTART)
    supplement_window_days = models.PositiveSmallIntegerField(_("hạn yêu cầu bổ sung (ngày làm việc từ khi nhận)"),
                                                              default=3)
    max_supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung tối đa"), default=1)
    max_reschedules = models.PositiveSmallIntegerField(_("số lần hẹn lại tối đa"), default=1)
    max_returns = models.PositiveSmallIntegerField(_("số lần người nộp phải quay lại tối đa"), default=2)
    same_day_cutoff = models.TimeField(_("giờ chốt nhận trong ngày"), null=True, blank=True,
                                       help_text=_("Chỉ cho thủ tục giải quyết trong ngày; để trống = 15:00"))
    # Step budgets of the process-control slip (DOMAIN.md §2.2, our defaults): the desk hands over the same
    # working day, by the next working day's opening when received after `desk_handover_cutoff`; returning a
    # result to the desk takes `return_to_desk_days` working days; the processing unit has the rest.
    desk_handover_cutoff = models.TimeField(_("giờ chốt chuyển hồ sơ trong ngày"), default=time(15, 0))
    return_to_desk_days = models.DecimalField(_("thời gian trả kết quả về bộ phận một cửa (ngày làm việc)"),
                                              max_digits=4, decimal_places=2, default=Decimal("0.5"))
    documents = models.JSONField(_("thành phần hồ sơ"), default=list, blank=True,
                                 help_text=_('Danh sách {"name", "original": original/copy/either, "quantity", '
                                             '"required"}'))
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    stops_taking_at = models.DateTimeField(_("ngừng tiếp nhận từ"), null=True, blank=True)
    # Separation of duties (core.permissions.can_resolve): the officer who received a dossier does not resolve it
    # (unless the office allows it); a result may need the approval of the head of the processing unit first.
    separate_duties = models.BooleanField(_("tách bạch tiếp nhận và giải quyết"), default=True)
    result_approval_required = models.BooleanField(_("kết quả phải được trưởng phòng duyệt"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản quy định của thủ tục")
        verbose_name_plural = _("phiên bản quy định của thủ tục")
        ordering = ["procedure", "valid_from"]
        constraints = [models.UniqueConstraint(fields=["procedure", "valid_from"], name="procedure_version_uniq")]

    def __str__(self):
        return f"{self.procedure.code} từ {self.valid_from:%d/%m/%Y}"

    @property
    def time_limit_label(self) -> str:
        """“10 ngày làm việc”, “1 buổi làm việc”, “Trong ngày làm việc” (0 working days)."""
        value = self.time_limit_value.normalize() if self.time_limit_value is not None else Decimal(0)
        if not value and self.time_limit_unit == TimeLimitUnit.WORKING_DAYS:
            return str(_("Trong ngày làm việc"))
        text = f"{value:f}".replace(".", ",")
        return f"{text} {TimeLimitUnit(self.time_limit_unit).label}"


# Models of this app kept in modules of their own.
from .numbering import DailySequence, SlipNumber, label as slip_label  # noqa: E402,F401
from .rating import Rating  # noqa: E402,F401
