"""The apology and reschedule slip (Phiếu xin lỗi và hẹn lại ngày trả kết quả; DOMAIN.md §2.5,
Decision 2192/QĐ-BHXH Art. 13.6).

An officer drafts it from the dossier page (reason, proposed new appointment) → a `draft` ApologySlip; the
director or a deputy of the dossier's office (or of the province above it) signs and issues it. A signer may
also issue directly (the API does). Rules, each a coded DomainError (cases/errors.py):

* only for an open dossier (received / processing / awaiting_supplement) → APOLOGY_NOT_ALLOWED (409);
* the new appointment is later than the current appointment and than now, and falls on a working day
  (workcal.calendar.is_working_day of its local date) → APOLOGY_DATE_INVALID (400, field new_appointment_at);
* at most `dossier.rule_version.max_reschedules` (default 1) issued slips per dossier → APOLOGY_LIMIT_REACHED (409);
* only a director or deputy of the office issues → APOLOGY_SIGNER_REQUIRED (403);
* issued after the must-apologise-by moment (1 working day before the legal due moment): allowed, flagged
  `is_late`.

Issuing changes `appointment_at`, never `legal_due_at`; increments `reschedule_count`; appends the
DossierEvent "apology" (which also queues the national-portal progress of a portal dossier); numbers the slip
gap-free per office and year (`Số: 12/PXL-BHXH`) under a row lock of the office; and queues the message to the
applicant on every channel we have (sms and zalo for a phone, email for an e-mail), idempotent per slip and
channel.
"""
from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core import permissions
from core.models import Office, User
from notifications.services import outbox_enqueue
from workcal import calendar

from .. import events
from ..contact import citizen_channels
from ..deadlines import is_apology_late
from ..errors import CoreError, DomainError, DossierError
from ..models import ApologySlip, Dossier, Status
from .common import _lock, _moment

APOLOGY_STATUSES = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT)
NUMBER_SUFFIX = "PXL-BHXH"


# --- who may (core.permissions) and whether the dossier may still be rescheduled --------------------------

def may_reschedule(dossier) -> bool:
    """The dossier is open and has not used up its reschedules (the rule `_check_dossier` enforces)."""
    return dossier.status in APOLOGY_STATUSES and dossier.reschedule_count < _max_reschedules(dossier)


# --- rules ----------------------------------------------------------------------------------------------

def _max_reschedules(dossier) -> int:
    """From the dossier's rule version (DOMAIN.md §8), never the live procedure row."""
    from ..versions import version_of

    return version_of(dossier).max_reschedules if dossier.received_at else 0


def _require_drafter(actor, dossier):
    permissions.require(actor, "write", error=CoreError.READ_ONLY_ROLE)
    if not permissions.can_draft_apology(actor, dossier):
        raise DomainError(DossierError.OFFICE_NOT_HANDLING)


def _require_signer(actor, dossier):
    permissions.require(actor, "sign_apology", dossier, error=DossierError.APOLOGY_SIGNER_REQUIRED)


def _check_dossier(dossier):
    if dossier.status not in APOLOGY_STATUSES:
        raise DomainError(DossierError.APOLOGY_NOT_ALLOWED, status=Status(dossier.status).label,
                          extra={"current_status": dossier.status})
    limit = _max_reschedules(dossier)
    if dossier.reschedule_count >= limit:
        raise DomainError(DossierError.APOLOGY_LIMIT_REACHED, count=dossier.reschedule_count, limit=limit)


def _check_reason(reason) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(DossierError.APOLOGY_REASON_REQUIRED, extra={"field": "reason"})
    return reason


def _date_error(error: DossierError, **params):
    return DomainError(error, extra={"field": "new_appointment_at"}, **params)


def _check_new_appointment(dossier, new_appointment_at, now) -> datetime:
    if new_appointment_at is None:
        raise _date_error(DossierError.APOLOGY_DATE_REQUIRED)
    if timezone.is_naive(new_appointment_at):
        new_appointment_at = timezone.make_aware(new_appointment_at)  # read as local time (Asia/Ho_Chi_Minh)
    current = dossier.appointment_at or dossier.legal_due_at
    if current and new_appointment_at <= current:
        raise _date_error(DossierError.APOLOGY_DATE_NOT_LATER, current=f"{timezone.localtime(current):%d/%m/%Y %H:%M}")
    if new_appointment_at <= now:
        raise _date_error(DossierError.APOLOGY_DATE_PAST)
    local_day = timezone.localtime(new_appointment_at).date()
    try:
        working = calendar.is_working_day(local_day)
    except calendar.CalendarRangeError as exc:
        raise _date_error(DossierError.APOLOGY_DATE_OUT_OF_CALENDAR, day=f"{local_day:%d/%m/%Y}") from exc
    if not working:
        raise _date_error(DossierError.APOLOGY_DATE_NOT_WORKING, day=f"{local_day:%d/%m/%Y}")
    return new_appointment_at


# --- services -------------------------------------------------------------------------------------------

@transaction.atomic
def apology_slip_draft(*, actor: User, dossier: Dossier, reason: str, new_appointment_at: datetime,
                       at: datetime | None = None) -> ApologySlip:
    """An officer drafts the slip from the dossier page; a director or deputy signs it later."""
    _require_drafter(actor, dossier)
    dossier = _lock(dossier)
    now = _moment(at, dossier)
    _check_dossier(dossier)
    reason = _check_reason(reason)
    new_appointment_at = _check_new_appointment(dossier, new_appointment_at, now)
    # One pending draft per dossier: drafting again revises it (a draft has no number, so nothing is lost).
    slip = _pending_draft(dossier) or ApologySlip(dossier=dossier, office=dossier.office)
    slip.state, slip.reason, slip.new_appointment_at = ApologySlip.State.DRAFT, reason, new_appointment_at
    slip.original_appointment_at = dossier.appointment_at or dossier.legal_due_at
    slip.legal_due_at, slip.drafted_by, slip.drafted_at = dossier.legal_due_at, actor, now
    slip.save()
    events.apology_drafted(dossier, actor=actor, slip=slip, at=now)
    return slip


@transaction.atomic
def apology_slip_sign(*, actor: User, slip: ApologySlip, at: datetime | None = None) -> ApologySlip:
    """The director or a deputy signs and issues a draft in one click. Every rule is checked again now."""
    dossier = _lock(slip.dossier)
    _require_signer(actor, dossier)
    slip = ApologySlip.objects.select_for_update().get(pk=slip.pk)
    if slip.state != ApologySlip.State.DRAFT:
        raise DomainError(DossierError.APOLOGY_ALREADY_ISSUED, number=slip.number_label)
    return _issue(actor=actor, dossier=dossier, slip=slip, now=_moment(at, dossier))


@transaction.atomic
def apology_slip_issue(*, actor: User, dossier: Dossier, reason: str, new_appointment_at: datetime,
                       at: datetime | None = None) -> ApologySlip:
    """A director or deputy drafts and issues in one step (the API, the "Ký và phát hành" of the draft form)."""
    dossier = _lock(dossier)
    _require_signer(actor, dossier)
    now = _moment(at, dossier)
    _check_dossier(dossier)
    reason = _check_reason(reason)
    new_appointment_at = _check_new_appointment(dossier, new_appointment_at, now)
    # A pending draft of the dossier is the one signed (with the signer's text), so no stale draft is left.
    slip = _pending_draft(dossier) or ApologySlip(dossier=dossier, office=dossier.office, drafted_by=actor,
                                                  drafted_at=now)
    slip.reason, slip.new_appointment_at = reason, new_appointment_at
    return _issue(actor=actor, dossier=dossier, slip=slip, now=now)


def _pending_draft(dossier):
    return (ApologySlip.objects.select_for_update().filter(dossier=dossier, state=ApologySlip.State.DRAFT)
            .order_by("pk").first())


def _issue(*, actor, dossier, slip, now) -> ApologySlip:
    _check_dossier(dossier)
    new_appointment_at = _check_new_appointment(dossier, slip.new_appointment_at, now)
    apologise_by = dossier.apologise_by or calendar.apologise_by(dossier.legal_due_at, dossier.office)
    year = timezone.localtime(now).year
    slip.year, slip.number = year, next_apology_number(dossier.office, year)
    slip.state, slip.signed_by, slip.issued_at = ApologySlip.State.ISSUED, actor, now
    slip.is_late = is_apology_late(now, apologise_by)
    # The slip records the appointment it replaces and the legal due moment at the time of signing.
    slip.original_appointment_at = dossier.appointment_at or dossier.legal_due_at
    slip.legal_due_at = dossier.legal_due_at
    slip.new_appointment_at = new_appointment_at
    slip.save()
    signed = _sign(slip, dossier, actor, now)

    old_appointment = slip.original_appointment_at
    dossier.appointment_at = new_appointment_at
    dossier.reschedule_count += 1
    dossier.save(update_fields=["appointment_at", "reschedule_count", "updated_at"])
    events.apology_issued(dossier, actor=actor, slip=slip, old_appointment=old_appointment, at=now)
    _notify_applicant(dossier, slip, old_appointment, signed)
    return slip


def _sign(slip, dossier, actor, now):
    """The signer's own signature on the slip (PAdES, cases.signatures): inside this transaction, so a key that
    cannot sign (token absent, wrong passphrase, expired or revoked certificate) leaves the slip unissued with a
    coded error (signing.errors). A slip of the past (the history import) was signed in the old software."""
    if events.is_replaying():
        return None
    from ..signatures import apology_sign

    slip.dossier = dossier
    return apology_sign(slip=slip, actor=actor, at=now)


def next_apology_number(office: Office, year: int) -> int:
    """MAX(number) + 1 for the office and year, under a row lock of the office: concurrent issues at one office
    are serialised until commit, and a rolled-back issue gives its number back (gap-free)."""
    Office.objects.select_for_update().only("pk").get(pk=office.pk)
    last = (ApologySlip.objects.filter(office=office, year=year, state=ApologySlip.State.ISSUED)
            .aggregate(m=Max("number"))["m"])
    return (last or 0) + 1


# --- the message to the applicant -----------------------------------------------------------------------

def _ascii(text: str) -> str:
    """SMS text without diacritics (one SMS segment holds 160 GSM characters, 70 Unicode ones)."""
    import unicodedata

    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def apology_messages(dossier, slip, old_appointment, number_label: str | None = None, signed=None) -> list[dict]:
    """What the applicant is sent when the slip is issued, one dict per channel ({"channel", "recipient",
    "subject", "body", "payload"}), by the applicant's choices (cases.contact). The signer reads the same list on the
    confirmation page before signing (`number_label` is then the number the slip will get). `signed` is the
    signed slip (signing.SignedDocument): what is sent is what was signed, attached to the e-mail and linked."""
    local = timezone.localtime
    number = number_label if number_label is not None else slip.number_label
    new, old = f"{local(slip.new_appointment_at):%d/%m/%Y %H:%M}", f"{local(old_appointment):%d/%m/%Y %H:%M}"
    office = dossier.office
    text = (f"{office.name} xin lỗi Ông/Bà vì hồ sơ {dossier.code} chưa có kết quả đúng hẹn ({old}). "
            f"Lý do: {slip.reason} Ngày hẹn trả kết quả mới: {new}.")
    sms = _ascii(f"BHXH: Xin loi Ong/Ba, ho so {dossier.code} chua co ket qua dung hen. Hen tra ket qua moi: {new}. "
                 f"Phieu so {number}.")
    subject = f"Phiếu xin lỗi và hẹn lại ngày trả kết quả – hồ sơ {dossier.code}"
    payload = {"slip": slip.pk, "number": number, "dossier_code": dossier.code,
               "old_appointment_at": old_appointment.isoformat(), "new_appointment_at": slip.new_appointment_at.isoformat()}
    link = ""
    if signed is not None:  # what is sent is what was signed: the stored bytes, attached or linked
        from signing.services import download_url

        link = download_url(signed)
        payload["attachments"] = [{"name": signed.file.name, "sha256": signed.sha256, "filename": signed.filename}]
        payload["document_url"] = link
        text += f" Phiếu đã ký số: {link}"
        sms += f" Tai phieu: {link}"
    zalo = {"template_data": {"ma_ho_so": dossier.code, "ngay_hen_cu": old, "ngay_hen_moi": new,
                              "ly_do": slip.reason[:200], "so_phieu": number, "link_phieu": link}}
    bodies = {"sms": (sms, {}), "email": (text, {}), "zalo": (text, zalo)}
    return [{"channel": channel, "recipient": recipient, "subject": subject, "body": bodies[channel][0],
             "payload": {**payload, **bodies[channel][1]}}
            for channel, recipient in citizen_channels(dossier, ("sms", "email", "zalo"))]


def _notify_applicant(dossier, slip, old_appointment, signed=None):
    if events.is_replaying():
        return  # a slip of the past (the history import): the applicant was told then
    for m in apology_messages(dossier, slip, old_appointment, signed=signed):
        outbox_enqueue(channel=m["channel"], kind="dossier.apology", idempotency_key=f"apology:{slip.pk}:{m['channel']}",
                       recipient=m["recipient"], office=dossier.office, dossier_code=dossier.code,
                       subject=m["subject"], body=m["body"], payload=m["payload"])


def apology_preview(*, dossier, reason: str, new_appointment_at, slip: ApologySlip | None = None) -> dict:
    """What signing will issue and send, for the signer's confirmation page (issue 12): the number the slip will
    get now, the appointment it replaces and the message to the applicant on each channel. Reads only; the rules
    are checked as signing checks them, so that a slip that cannot be issued is refused before the confirmation."""
    now = timezone.now()
    _check_dossier(dossier)
    reason = _check_reason(reason)
    new_appointment_at = _check_new_appointment(dossier, new_appointment_at, now)
    year = timezone.localtime(now).year
    last = (ApologySlip.objects.filter(office=dossier.office, year=year, state=ApologySlip.State.ISSUED)
            .aggregate(m=Max("number"))["m"])
    draft = ApologySlip(dossier=dossier, office=dossier.office, year=year, number=(last or 0) + 1,
                        reason=(reason or "").strip(), new_appointment_at=new_appointment_at)
    if slip is not None:
        draft.pk = slip.pk
    old = dossier.appointment_at or dossier.legal_due_at
    return {"number_label": draft.number_label, "old_appointment_at": old, "slip": draft,
            "messages": apology_messages(dossier, draft, old, number_label=draft.number_label)}
