"""The official slips of the one-stop desk as documents (core.documents.Document), built from rows:

receipt (on the received date)       Form 01     supplement request (request date)  Form 02
refusal (refusal date)               Form 03     guidance at the desk (issue date)  Form 02/03
apology (issue date, else draft date) Form 04    process control (received date)    Form 05
Form numbers, titles and citations come from legal.selectors.slip_form(kind, day): the set in force on that day.
The same Document is rendered as HTML (templates/cases/slips/) or as PDF (core.documents.pdf).
"""
from urllib.parse import quote

from django.conf import settings
from django.utils import timezone

from core.phones import display_phone
from core.documents import KV, QR, Document, Items, Para, Signature, Table, fmt_date, fmt_dt
from legal.selectors import slip_form

from .. import checklist, numbering, papers
from ..deadlines import is_step_overdue
from ..events import DossierAction
from ..models import (
    ApologySlip,
    ApplicantKind,
    Channel,
    Dossier,
    IntakeGuidance,
    Procedure,
    ProcessStep,
    Status,
    SupplementRequest,
)


DESK_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"


# --- shared pieces ----------------------------------------------------------------------------------------

def _salutation(kind=ApplicantKind.CITIZEN) -> str:
    return "Ông/Bà" if kind == ApplicantKind.CITIZEN else "Quý đơn vị"


def _applicant_lines(*, name, id_number, address, phone, email) -> list:
    lines = [KV("Ông/Bà/Tổ chức", name), KV("Số giấy tờ tùy thân/Mã số thuế", id_number)]
    if address:
        lines.append(KV("Địa chỉ", address))
    contact = " – ".join(x for x in (display_phone(phone), email) if x)
    if contact:
        lines.append(KV("Điện thoại/Thư điện tử", contact))
    return lines


def _dossier_applicant(d: Dossier) -> list:
    return _applicant_lines(name=d.applicant_name, id_number=d.applicant_id_number, address=d.applicant_address,
                            phone=d.applicant_phone, email=d.applicant_email)


def _procedure_line(procedure: Procedure) -> KV:
    return KV("Nội dung yêu cầu giải quyết", f"{procedure.name} (mã TTHC {procedure.code})")


def _time_limit(procedure: Procedure, version=None) -> str:  # the dossier's rule version's, when it has one
    if version is not None:
        return version.time_limit_label
    return f"{procedure.processing_days} ngày làm việc" if procedure.processing_days else "Trong ngày làm việc"


def _person(user, fallback="") -> str:
    return user.display_name if user is not None else fallback


def public_status_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/tra-cuu/?ma={quote(code, safe='')}"


def _filename(prefix: str, ident: str, ext="pdf") -> str:
    safe = "".join(ch if ch.isalnum() or ch in ".-_" else "-" for ch in ident)
    return f"{prefix}-{safe}.{ext}"


def _scanned_rows(d: Dossier) -> list[list[str]]:
    """Form 01's table of papers handed in, each marked "Có" when a scanned copy is attached (cases.papers)."""
    items = checklist.items_of(d.rule_version)
    names = {items[i]["name"] for i in papers.scanned_documents(d) if 0 <= i < len(items)}
    return [row + ["Có" if doc["name"] in names else ""] for row, doc in zip(checklist.rows(d.documents), d.documents)]


# --- the documents ----------------------------------------------------------------------------------------

def receipt_document(d: Dossier) -> Document:
    """Form 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả."""
    office = d.office
    blocks = [Para(f"{DESK_UNIT} – {office.name} tiếp nhận hồ sơ của:"), *_dossier_applicant(d),
              _procedure_line(d.procedure)]
    if d.documents:  # the checklist ticked at intake (cases.checklist), and which have a scanned copy
        blocks += [Para("1. Thành phần hồ sơ nộp gồm:", bold=True),
                   Table(["STT", "Tên giấy tờ", "Bản chính/bản sao", "Số lượng", "Bản chụp"],
                         _scanned_rows(d), widths=[1, 9, 3, 2, 2])]
        if d.summary:
            blocks.append(KV("Trích yếu", d.summary))
    else:
        blocks.append(KV("1. Thành phần hồ sơ nộp gồm", d.summary or "Theo quy định của thủ tục hành chính"))
    blocks += [
        KV("2. Thời gian giải quyết hồ sơ theo quy định", _time_limit(d.procedure, d.rule_version)),
        KV("3. Hình thức tiếp nhận", Channel(d.channel).label),
        KV("4. Thời gian nhận hồ sơ", fmt_dt(d.received_at)),
        KV("5. Ngày hẹn trả kết quả", fmt_dt(d.appointment_at)),
        KV("6. Cán bộ tiếp nhận", _person(d.received_by)),
    ]
    if d.reschedule_count:
        blocks.append(Para("Ngày hẹn trả kết quả đã được điều chỉnh theo Phiếu xin lỗi và hẹn lại ngày trả kết quả.",
                           italic=True))
    blocks.append(QR(public_status_url(d.code), "Tra cứu tình trạng hồ sơ: quét mã QR hoặc truy cập địa chỉ dưới đây."))
    form = slip_form("receipt", d.received_at)
    return Document(
        office=office, title=form.heading, subtitle=f"Mã hồ sơ: {d.code}", form=form.label, day=d.received_at,
        number=numbering.lookup(kind="receipt", key=f"receipt:{d.pk}"),
        blocks=blocks, signatures=[Signature("Người nộp hồ sơ", d.applicant_name),
                                   Signature("Người tiếp nhận hồ sơ", _person(d.received_by))],
        filename=_filename("giay-tiep-nhan", d.code),
    )


def _supplement_document(*, office, procedure, number, day, intro, applicant, code, documents, reason, officer,
                         kind, clock_note, filename) -> Document:
    blocks = [Para(intro), *applicant]
    if code:
        blocks.append(KV("Mã hồ sơ", code))
    blocks += [
        _procedure_line(procedure),
        Para(f"Yêu cầu {_salutation(kind)} bổ sung, hoàn thiện hồ sơ gồm những nội dung sau:", bold=True),
        Items(list(documents)),
        KV("Lý do", reason),
    ]
    if clock_note:
        blocks.append(Para(clock_note, italic=True))
    contact = f"{officer}, {office.name}" + (f", số điện thoại {office.phone}" if office.phone else "")
    blocks.append(Para(f"Trong quá trình bổ sung, hoàn thiện hồ sơ nếu có vướng mắc, {_salutation(kind)} liên hệ "
                       f"{contact} để được hướng dẫn."))
    form = slip_form("supplement", day)
    return Document(office=office, title=form.heading, subtitle=f"Mã hồ sơ: {code}" if code else "", number=number,
                    form=form.label, day=day, blocks=blocks,
                    signatures=[Signature("Người hướng dẫn", officer)], filename=filename)


def supplement_document(req: SupplementRequest) -> Document:
    """Form 02 during processing: every paper required, and why; the legal clock stops until they arrive."""
    d = req.dossier
    clock = ("Thời hạn giải quyết tạm dừng kể từ ngày ban hành phiếu này và được tính lại từ đầu khi nhận đủ hồ sơ "
             "bổ sung." if (d.rule_version or d.procedure).supplement_clock == Procedure.SupplementClock.RESTART else
             "Thời hạn giải quyết tạm dừng kể từ ngày ban hành phiếu này và được tính tiếp thời gian còn lại khi "
             "nhận đủ hồ sơ bổ sung.")
    return _supplement_document(
        office=d.office, procedure=d.procedure, day=req.requested_at,
        number=numbering.lookup(kind="supplement", key=f"supplement:{req.pk}") or f"{req.number}/YCBS",
        intro=f"{d.office.name} đã tiếp nhận hồ sơ của:", applicant=_dossier_applicant(d), code=d.code,
        documents=req.documents, reason=req.reason, officer=_person(req.requested_by), kind=d.applicant_kind,
        clock_note=clock, filename=_filename("phieu-yeu-cau-bo-sung", f"{d.code}-{req.number}"),
    )


def _guidance_applicant(g: IntakeGuidance) -> list:
    return _applicant_lines(name=g.applicant_name, id_number=g.applicant_id_number, address=g.applicant_address,
                            phone=g.applicant_phone, email=g.applicant_email)


def _refusal_document(*, office, procedure, number, code, day, applicant, reason, documents, officer, signer_caption,
                      kind, filename) -> Document:
    blocks = [Para(f"{DESK_UNIT} – {office.name} tiếp nhận hồ sơ của:"), *applicant]
    if code:
        blocks.append(KV("Mã hồ sơ", code))
    blocks += [
        _procedure_line(procedure),
        Para(f"Qua xem xét, {office.name} thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:",
             bold=True),
        Para(reason or "…"),
    ]
    if documents:
        blocks += [Para("Giấy tờ liên quan:"), Items(list(documents))]
    blocks.append(Para(f"Xin thông báo để {_salutation(kind)} được biết và thực hiện./."))
    form = slip_form("refusal", day)
    return Document(office=office, title=form.heading, subtitle=f"Mã hồ sơ: {code}" if code else "", number=number,
                    form=form.label, day=day, blocks=blocks,
                    signatures=[Signature(signer_caption, officer)], filename=filename)


def guidance_document(g: IntakeGuidance) -> Document:
    """Form 02 or Form 03 issued at the desk when nothing was received."""
    if g.kind == IntakeGuidance.Kind.SUPPLEMENT:
        return _supplement_document(
            office=g.office, procedure=g.procedure, number=g.number, day=g.issued_at,
            intro=f"{DESK_UNIT} – {g.office.name} nhận được hồ sơ của:", applicant=_guidance_applicant(g), code="",
            documents=g.documents, reason=g.reason, officer=_person(g.issued_by), kind=ApplicantKind.CITIZEN,
            clock_note="Hồ sơ chưa được tiếp nhận; thời hạn giải quyết được tính khi hồ sơ đầy đủ được tiếp nhận.",
            filename=_filename("phieu-yeu-cau-bo-sung", g.number),
        )
    return _refusal_document(
        office=g.office, procedure=g.procedure, number=g.number, code="", day=g.issued_at,
        applicant=_guidance_applicant(g), reason=g.reason, documents=g.documents, officer=_person(g.issued_by),
        signer_caption="Người tiếp nhận hồ sơ", kind=ApplicantKind.CITIZEN,
        filename=_filename("phieu-tu-choi", g.number),
    )


def refusal_document(d: Dossier) -> Document:
    """Form 03 for a refused dossier; the reason is the refusal event's note (or the dossier's result summary)."""
    event = d.events.filter(action=DossierAction.REFUSE).select_related("actor").order_by("-at", "-id").first()
    at_intake = bool(event and event.data.get("at_intake"))
    reason = d.result_summary or (event.note if event else "")
    officer = "" if event is None else _person(event.actor, event.actor_name)
    return _refusal_document(
        office=d.office, procedure=d.procedure, code=d.code, day=event.at if event else d.closed_at,
        number=numbering.lookup(kind="refusal", key=f"refusal:{d.pk}"),
        applicant=_dossier_applicant(d), reason=reason, documents=[], officer=officer,
        signer_caption="Người tiếp nhận hồ sơ" if at_intake else "Người giải quyết hồ sơ", kind=d.applicant_kind,
        filename=_filename("phieu-tu-choi", d.code),
    )


def step_result_label(step: ProcessStep) -> str:
    if step.result:
        return ProcessStep.Result(step.result).label
    if step.done_at is None:
        return "Đang xử lý (đã quá hạn)" if is_step_overdue(step, timezone.now()) else "Đang xử lý"
    return ""


def control_document(d: Dossier) -> Document:
    """Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per hand-over between units, each with its own deadline
    (cases.budgets) and the giver's and the receiver's signature."""
    steps = list(d.steps.select_related("handler").order_by("seq"))
    rows = []
    for i, s in enumerate(steps):
        receiver = s.handler_name or _person(s.handler)
        giver = (steps[i - 1].handler_name or _person(steps[i - 1].handler)) if i else d.applicant_name
        rows.append([str(s.seq), s.unit, fmt_dt(s.given_at), fmt_dt(s.due_at), fmt_dt(s.done_at),
                     step_result_label(s), giver, receiver, s.note])
    blocks = [
        KV("Người nộp hồ sơ", d.applicant_name),
        _procedure_line(d.procedure),
        KV("Cơ quan giải quyết hồ sơ", d.office.name),
        KV("Thời gian tiếp nhận", fmt_dt(d.received_at)),
        KV("Hạn giải quyết theo quy định", fmt_dt(d.legal_due_at)),
        KV("Ngày hẹn trả kết quả", fmt_dt(d.appointment_at)),
        KV("Trạng thái", Status(d.status).label),
        Table(["STT", "Đơn vị / bộ phận", "Thời gian giao", "Hạn của bước", "Thời gian hoàn thành",
               "Kết quả (Trước hạn / Đúng hạn / Quá hạn)", "Bên giao (ký, ghi rõ họ tên)",
               "Bên nhận (ký, ghi rõ họ tên)", "Ghi chú"],
              rows or [["", "Chưa có bước xử lý", "", "", "", "", "", "", ""]],
              widths=[5, 13, 13, 13, 13, 10, 15, 15, 4], size=8),
    ]
    form = slip_form("control", d.received_at)  # opened at intake; its rows are added under the same form
    return Document(office=d.office, title=form.heading, subtitle=f"Mã hồ sơ: {d.code}",
                    form=form.label, day=timezone.localdate(), blocks=blocks,
                    filename=_filename("phieu-kiem-soat", d.code))


def apology_signature(slip: ApologySlip) -> Signature:
    signer = slip.signed_by
    hint = "(Ký, ghi rõ họ tên và đóng dấu)"
    if signer is None:
        return Signature("Giám đốc", "", hint=hint)
    title = signer.title or signer.get_role_display()
    prefix = "KT. Giám đốc" if signer.role == "deputy" and title.lower().startswith("phó") else ""
    return Signature(title, signer.display_name, hint=hint, prefix=prefix)


def apology_document(slip: ApologySlip) -> Document:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả: renders the row; the issuing rules live in the service."""
    d = slip.dossier
    office = slip.office
    you = _salutation(d.applicant_kind)
    blocks = [
        Para(f"Kính gửi: {you} {d.applicant_name}", bold=True, center=True),
        Para(f"Ngày {fmt_date(d.received_at)}, {office.name} tiếp nhận giải quyết hồ sơ của {you} {d.applicant_name}:"),
        KV("Mã hồ sơ", d.code),
        _procedure_line(d.procedure),
        KV("Ngày tiếp nhận", fmt_dt(d.received_at)),
        KV("Ngày hẹn trả kết quả", fmt_dt(slip.original_appointment_at)),
        Para(f"Tuy nhiên đến nay, {office.name} chưa trả kết quả giải quyết hồ sơ của {you} đúng hẹn ghi trên Giấy "
             "tiếp nhận hồ sơ và hẹn trả kết quả."),
        KV("Lý do", slip.reason),
        Para(f"Sự chậm trễ này đã gây phiền hà cho {you}. {office.name} thành thật xin lỗi {you} về sự bất tiện này."),
        KV("Ngày hẹn trả kết quả mới", fmt_dt(slip.new_appointment_at)),
        Para(f"Xin trân trọng cảm ơn sự hợp tác của {you}./."),
    ]
    draft = slip.state != ApologySlip.State.ISSUED
    form = slip_form("apology", slip.issued_at or slip.drafted_at)
    return Document(
        office=office, title=form.heading, subtitle=f"Mã hồ sơ: {d.code}", form=form.label,
        number=slip.number_label or f"……/{timezone.localtime(slip.drafted_at).year}/PXL-BHXH", day=slip.issued_at or slip.drafted_at, blocks=blocks,
        signatures=[apology_signature(slip)], draft=draft,
        filename=_filename("phieu-xin-loi", f"{d.code}-{slip.pk}"),
    )
