import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.text import format_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import uploads
from core.errors import DomainError
from core.models import Office
from core.scoping import visible_offices

from . import checklist
from .limits import MAX_NOTE, MAX_TEXT, MAX_UNIT, check_documents
from .models import ApplicantKind, Channel, ContactChannel, Outcome, Procedure, ProcedureVersion, ResultDelivery
from .models import Status
from .validators import validate_applicant_id, validate_date_of_birth, validate_phone, validate_si_number


def checklists_today() -> dict[int, list[dict]]:
    """{procedure id: the documents of its version in force today}, in one query (the intake form's ticks)."""
    out: dict[int, list[dict]] = {}
    for version in (ProcedureVersion.objects.filter(valid_from__lte=timezone.localdate(), procedure__active=True)
                    .only("procedure_id", "documents").order_by("procedure_id", "valid_from")):
        out[version.procedure_id] = checklist.items_of(version)  # the latest valid_from wins
    return out


class IntakeForm(forms.Form):
    """The desk's intake form: the same checks as the API, with messages next to each field."""

    DECISIONS = [("receive", _("Hồ sơ đầy đủ – tiếp nhận")),
                 ("supplement", _("Chưa đầy đủ – yêu cầu bổ sung (Mẫu 02)")),
                 ("refusal", _("Không đủ điều kiện – từ chối tiếp nhận (Mẫu 03)"))]

    procedure = forms.ModelChoiceField(Procedure.objects.filter(active=True).order_by("field", "code"),
                                       label=_("Thủ tục"), empty_label=_("— Chọn thủ tục —"),
                                       widget=forms.Select(attrs={"autofocus": True}),
                                       error_messages={"required": _("Vui lòng chọn thủ tục."),
                                                       "invalid_choice": _("Thủ tục không hợp lệ.")})
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.DIRECT, label=_("Kênh tiếp nhận"))
    applicant_kind = forms.ChoiceField(choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN,
                                       label=_("Loại đối tượng"))
    applicant_name = forms.CharField(max_length=200, label=_("Họ tên người nộp / tên tổ chức"),
                                     error_messages={"required": _("Vui lòng nhập họ tên.")})
    applicant_id_number = forms.CharField(max_length=20, label=_("Số CCCD/CMND hoặc mã số thuế"),
                                          error_messages={"required": _("Vui lòng nhập số giấy tờ.")})
    applicant_phone = forms.CharField(max_length=20, required=False, label=_("Điện thoại"))
    applicant_email = forms.EmailField(required=False, label=_("Thư điện tử"),
                                       error_messages={"invalid": _("Địa chỉ thư điện tử không hợp lệ.")})
    applicant_address = forms.CharField(max_length=300, required=False, label=_("Địa chỉ"))
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=MAX_TEXT,
                              label=_("Trích yếu, thành phần hồ sơ"))
    decision = forms.ChoiceField(choices=DECISIONS, initial="receive", widget=forms.RadioSelect,
                                 label=_("Kết quả kiểm tra"))
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=MAX_TEXT,
                             label=_("Lý do (khi bổ sung / từ chối)"))
    documents = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                label=_("Giấy tờ cần bổ sung (mỗi dòng một loại)"))
    # The rule version's papers ticked as handed in: values "<procedure id>:<index>" (cases.checklist).
    checklist = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple,
                                          label=_("Thành phần hồ sơ đã nộp"))
    social_insurance_number = forms.CharField(max_length=14, required=False, label=_("Mã số BHXH"))
    date_of_birth = forms.DateField(required=False, label=_("Ngày sinh"), input_formats=["%Y-%m-%d", "%d/%m/%Y"],
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                    error_messages={"invalid": _("Ngày sinh không hợp lệ (dd/mm/yyyy).")})
    result_delivery = forms.ChoiceField(choices=ResultDelivery.choices, initial=ResultDelivery.COUNTER,
                                        required=False, widget=forms.RadioSelect, label=_("Hình thức nhận kết quả"))
    postal_address = forms.CharField(max_length=300, required=False, label=_("Địa chỉ nhận kết quả qua bưu chính"))
    # Scanned copies of the ticked papers: file inputs "paper-<procedure id>:<index>" on the checklist's rows
    # (read from self.files); a refused file is reported next to its row, everything typed is kept.
    papers = forms.Field(required=False, label=_("Bản chụp giấy tờ"))
    # The form's own idempotency key (core.idempotency): a new one each time the empty form is shown, so sending
    # the same form twice (a double click, the browser resending after a dropped answer) receives once.
    intake_token = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    PAPER_PREFIX = "paper-"
    # The applicant's messages (issue 12, cases.contact).
    contact_channel = forms.ChoiceField(choices=ContactChannel.choices, required=False, initial="",
                                        label=_("Kênh nhận thông báo"),
                                        help_text=_("SMS và Zalo chỉ gửi tới số di động, từ 07:00 đến 21:00."))
    messages_opt_out = forms.BooleanField(required=False, label=_("Người nộp không muốn nhận thông báo"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.paper_errors: dict[str, str] = {}
        if not self.is_bound:
            self.initial.setdefault("intake_token", uuid.uuid4().hex)
        self.checklists = checklists_today()
        self.fields["checklist"].choices = [(f"{pk}:{i}", item["name"]) for pk, items in self.checklists.items()
                                            for i, item in enumerate(items)]

    def checklist_groups(self):
        """[(procedure id, [(value, item, ticked, paper error)])] for the template: one group per procedure."""
        ticked = set(self.data.getlist("checklist")) if self.is_bound else set()
        return [(pk, [(f"{pk}:{i}", item, f"{pk}:{i}" in ticked, self.paper_errors.get(f"{pk}:{i}", ""))
                      for i, item in enumerate(items)])
                for pk, items in self.checklists.items() if items]

    def papers_of_procedure(self, procedure) -> list[tuple[int, object]]:
        """[(checklist index, uploaded file)] of the file inputs of `procedure`'s rows."""
        if procedure is None or not self.files:
            return []
        prefix = f"{self.PAPER_PREFIX}{procedure.pk}:"
        out = []
        for key in sorted(self.files):
            index = key[len(prefix):]
            if key.startswith(prefix) and index.isdigit() and int(index) < len(self.checklists.get(procedure.pk, [])):
                out += [(int(index), f) for f in self.files.getlist(key)]
        return out

    def intake_papers(self) -> list[tuple[int, object]]:
        """The scanned papers to store with the received dossier (the service's `papers`)."""
        return self.papers_of_procedure(self.cleaned_data.get("procedure"))

    def ticked_documents(self) -> list[int]:
        """The 0-based indexes ticked for the chosen procedure (the service's `documents`); a paper with a
        scanned copy attached counts as handed in."""
        procedure = self.cleaned_data.get("procedure")
        prefix = f"{procedure.pk}:" if procedure else None
        ticked = {int(v.split(":", 1)[1]) for v in self.cleaned_data.get("checklist") or [] if prefix and
                  v.startswith(prefix)}
        return sorted(ticked | {index for index, _ in self.papers_of_procedure(procedure)})

    def _check_papers(self, procedure):
        """Each file's type (sniffed) and size (core.uploads): a refused one is named next to its row."""
        for index, upload in self.papers_of_procedure(procedure):
            try:
                uploads.check_uploaded(upload)
            except DomainError as exc:
                value = f"{procedure.pk}:{index}"
                message = exc.message + " " + gettext("Vui lòng chọn lại tệp.")
                self.paper_errors[value] = (self.paper_errors.get(value, "") + " " + message).strip()
                self.add_error("papers", message)

    def details(self) -> dict:
        d = self.cleaned_data
        return {"social_insurance_number": d.get("social_insurance_number", ""),
                "date_of_birth": d.get("date_of_birth"), "result_delivery": d.get("result_delivery", ""),
                "postal_address": d.get("postal_address", ""), "contact_channel": d.get("contact_channel") or "",
                "messages_opt_out": bool(d.get("messages_opt_out"))}

    def clean(self):
        data = super().clean()
        for name, validate in (("social_insurance_number", validate_si_number),
                               ("date_of_birth", validate_date_of_birth)):
            if data.get(name):
                try:
                    data[name] = validate(data[name])
                except ValidationError as exc:
                    self.add_error(name, exc)
        if data.get("result_delivery") == ResultDelivery.POSTAL and not (data.get("postal_address") or "").strip():
            self.add_error("postal_address", gettext("Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính."))
        if data.get("procedure"):
            self._check_papers(data["procedure"])
        if data.get("decision") == "receive" and data.get("procedure") and "checklist" in data:
            try:
                checklist.check(self.checklists.get(data["procedure"].pk, []), self.ticked_documents())
            except ValidationError as exc:
                self.add_error("checklist", exc)
        if "applicant_id_number" in data and "applicant_kind" in data:
            try:
                data["applicant_id_number"] = validate_applicant_id(data["applicant_kind"], data["applicant_id_number"])
            except ValidationError as exc:
                self.add_error("applicant_id_number", exc)
        if data.get("applicant_phone"):
            try:
                data["applicant_phone"] = validate_phone(data["applicant_phone"])
            except ValidationError as exc:
                self.add_error("applicant_phone", exc)
        procedure, channel = data.get("procedure"), data.get("channel")
        if procedure and channel and procedure.channels and channel not in procedure.channels:
            self.add_error("channel", gettext("Thủ tục này không tiếp nhận qua kênh đã chọn."))
        decision = data.get("decision")
        if decision in ("supplement", "refusal") and not (data.get("reason") or "").strip():
            self.add_error("reason", gettext("Vui lòng ghi rõ lý do."))
        if decision == "supplement" and not self.supplement_documents():
            self.add_error("documents", gettext("Vui lòng đánh dấu hoặc liệt kê các giấy tờ cần bổ sung."))
        try:
            check_documents(self.document_list())
        except ValidationError as exc:
            self.add_error("documents", exc)
        return data

    def document_list(self):
        return [line.strip() for line in (self.cleaned_data.get("documents") or "").splitlines() if line.strip()]

    def submitted(self) -> dict:
        """What was sent, as the fingerprint of the form's token (everything but the CSRF token and itself)."""
        return {key: self.data.getlist(key) for key in sorted(self.data)
                if key not in ("csrfmiddlewaretoken", "intake_token")}

    def renew_token(self):
        """A new token in the re-shown form: sending it again is a new intake, knowingly."""
        self.data = self.data.copy()
        self.data["intake_token"] = uuid.uuid4().hex

    def supplement_documents(self) -> list:
        """Form 02 at the desk: the required papers of the checklist that were not ticked as handed in (their
        0-based indexes, cases.checklist.pick), then the ones typed, one a line."""
        procedure = self.cleaned_data.get("procedure")
        items = self.checklists.get(procedure.pk, []) if procedure else []
        ticked = set(self.ticked_documents()) if procedure else set()
        return [i for i, item in enumerate(items) if item.get("required") and i not in ticked] + self.document_list()

    def applicant(self):
        d = self.cleaned_data
        return {"name": d["applicant_name"], "kind": d["applicant_kind"], "id_number": d["applicant_id_number"],
                "phone": d.get("applicant_phone", ""), "email": d.get("applicant_email", ""),
                "address": d.get("applicant_address", "")}


def _too_long(label, limit):
    return {"max_length": format_lazy(_("{label} tối đa {limit} ký tự."), label=label, limit=limit)}


class ActionForm(forms.Form):
    """The dossier page's action buttons; the bounds of the API's ActionIn (cases.limits)."""

    assignee = forms.CharField(required=False, max_length=150)
    reason = forms.CharField(required=False, max_length=MAX_TEXT, error_messages=_too_long(_("Lý do"), MAX_TEXT))
    documents = forms.CharField(required=False)
    outcome = forms.ChoiceField(choices=[("", "")] + list(Outcome.choices), required=False)
    result_summary = forms.CharField(required=False, max_length=MAX_TEXT,
                                     error_messages=_too_long(_("Tóm tắt kết quả"), MAX_TEXT))
    returned_to = forms.CharField(required=False, max_length=MAX_UNIT,
                                  error_messages=_too_long(_("Nơi trả về"), MAX_UNIT))
    unit = forms.CharField(required=False, max_length=MAX_UNIT,
                           error_messages=_too_long(_("Tên đơn vị nhận bàn giao"), MAX_UNIT))
    note = forms.CharField(required=False, max_length=MAX_NOTE, error_messages=_too_long(_("Ghi chú"), MAX_NOTE))
    channel = forms.ChoiceField(choices=[("", "")] + list(ResultDelivery.choices), required=False)

    def document_list(self) -> list[str]:
        """The papers asked for: the checklist items picked (their 0-based indexes, resolved by the service
        against the dossier's rule version, cases.checklist.pick), then the ones typed, one a line."""
        picked = [v for v in self.data.getlist("picked") if v.isdigit()] if hasattr(self.data, "getlist") else []
        return picked + [x.strip() for x in (self.cleaned_data.get("documents") or "").splitlines() if x.strip()]

    def clean_documents(self):
        value = self.cleaned_data.get("documents") or ""
        check_documents([x.strip() for x in value.splitlines() if x.strip()])
        return value


class SearchForm(forms.Form):
    q = forms.CharField(required=False, label=_("Tìm kiếm"))
    status = forms.ChoiceField(choices=[("", _("Mọi trạng thái"))] + list(Status.choices), required=False)
    overdue = forms.ChoiceField(choices=[("", _("Mọi hạn")), ("1", _("Quá hạn")), ("0", _("Chưa quá hạn"))],
                                required=False)


# --- the tracking book's query (GET from, to, office, format) ------------------------------------------------

BOOK_MAX_DAYS = 366
BOOK_FORMATS = ("html", "pdf", "xlsx")


class BookError(ValueError):
    """A bad request for the book; the message is shown to the user (Vietnamese)."""


@dataclass
class BookQuery:
    office: Office
    start: date
    end: date
    format: str = "html"

    @property
    def period(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


def parse_day(value: str, label: str) -> date:
    value = (value or "").strip()
    for parse in (lambda v: datetime.strptime(v, "%d/%m/%Y").date(), date.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    raise BookError(f"{label} “{value}” không hợp lệ; vui lòng nhập theo dạng dd/mm/yyyy.")


def parse_query(params, user) -> BookQuery:
    """Validate the GET parameters against the user's scope; raises BookError with a message for the page."""
    fmt = (params.get("format") or "html").strip().lower()
    if fmt not in BOOK_FORMATS:
        raise BookError(f"Định dạng “{fmt}” không được hỗ trợ; chọn html, pdf hoặc xlsx.")
    today = timezone.localdate()
    start = parse_day(params["from"], "Từ ngày") if params.get("from") else today.replace(day=1)
    end = parse_day(params["to"], "Đến ngày") if params.get("to") else today
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise BookError("Ngày phải trong các năm 2000–2100.")
    if start > end:
        raise BookError("“Từ ngày” phải trước hoặc bằng “Đến ngày”.")
    if (end - start).days + 1 > BOOK_MAX_DAYS:
        raise BookError(f"Mỗi lần chỉ xem tối đa {BOOK_MAX_DAYS} ngày; vui lòng chọn khoảng thời gian ngắn hơn.")
    code = (params.get("office") or "").strip()
    offices = visible_offices(user)
    if code:
        office = offices.filter(code=code).current().select_related("parent").first() or \
            offices.filter(code=code).select_related("parent").order_by("-valid_from").first()
        if office is None:
            raise BookError(f"Không tìm thấy đơn vị “{code}” trong phạm vi bạn được xem.")
    else:
        office = offices.filter(pk=user.office_id).select_related("parent").first() if user.office_id else None
        if office is None:
            raise BookError("Vui lòng chọn đơn vị.")
    return BookQuery(office=office, start=start, end=end, format=fmt)
