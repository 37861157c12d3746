"""The append-only history of a dossier (Saleor's `events.py`): one function per kind of event.

Each function writes one `DossierEvent` row and queues its side effects in the same transaction: the
progress sent back to the national portal for portal dossiers, and the message to the applicant on the
events they must hear about. The `action` values are part of the API (`GET /dossiers/{code}/events/`).
"""
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from notifications.services import outbox_enqueue

from .contact import citizen_channels
from .links import public_rating_url
from .models import DossierEvent, Outcome, Status
from .signals import dossier_event_recorded

SYSTEM_ACTOR = "Hệ thống"
_replaying: ContextVar[bool] = ContextVar("dossier_history_replaying", default=False)


@contextmanager
def replaying():
    """Events written inside the block are a record of the past (the history import): they are stored with
    their moments, but nobody is told now — no message to the applicant, no progress to the national portal."""
    token = _replaying.set(True)
    try:
        yield
    finally:
        _replaying.reset(token)


def is_replaying() -> bool:
    return _replaying.get()


class DossierAction(models.TextChoices):
    """Every kind of dossier event; the lifecycle actions are also the URL segments of CONTRACTS.md §1.3.
    The label is how the event reads in the history (and, for lifecycle actions, on the buttons)."""

    RECEIVE = "receive", _("Tiếp nhận hồ sơ")
    PULL = "pull", _("Nhận từ Cổng DVCQG")
    ACCEPT = "accept", pgettext_lazy("action", "Tiếp nhận")
    START = "start", pgettext_lazy("action", "Chuyển xử lý")
    HANDOVER = "handover", pgettext_lazy("action", "Chuyển bước xử lý")
    REQUEST_SUPPLEMENT = "request-supplement", pgettext_lazy("action", "Yêu cầu bổ sung")
    SUPPLEMENT_RECEIVED = "supplement-received", pgettext_lazy("action", "Nhận bổ sung")
    RESOLVE = "resolve", pgettext_lazy("action", "Có kết quả")
    RETURN = "return", pgettext_lazy("action", "Trả kết quả")
    REFUSE = "refuse", pgettext_lazy("action", "Từ chối")
    WITHDRAW = "withdraw", pgettext_lazy("action", "Rút hồ sơ")
    APOLOGY_DRAFT = "apology-draft", _("Dự thảo phiếu xin lỗi")
    APOLOGY = "apology", _("Phát hành phiếu xin lỗi")
    RECOMPUTE_DEADLINE = "recompute-deadline", _("Tính lại hạn giải quyết")
    ATTACH = "attach", _("Đính kèm tệp")
    ATTACH_FAILED = "attach-failed", _("Không tải được tệp đính kèm")
    APPROVE_RESULT = "approve-result", pgettext_lazy("action", "Duyệt kết quả")
    RATE = "rate", _("Người nộp đánh giá mức độ hài lòng")
    MESSAGE_RETRY = "message-retry", _("Gửi lại thông báo cho người nộp")
    PORTAL_UPDATE = "portal-update", _("Cổng DVCQG báo thay đổi")


def event_label(action: str) -> str:
    """How an event of the history reads on the dossier page (the raw value for an unknown one)."""
    return DossierAction(action).label if action in DossierAction.values else action


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


# --- the writer -----------------------------------------------------------------------------------------

def _record(dossier, *, actor, action: DossierAction, from_status="", to_status="", note="", data=None, at=None,
            actor_name=None):
    event = DossierEvent.objects.create(
        dossier=dossier, at=at or timezone.now(), actor=actor,
        actor_name=actor_name or (actor.display_name if actor else SYSTEM_ACTOR), action=DossierAction(action).value,
        from_status=from_status, to_status=to_status or dossier.status, note=note, data=data or {},
        legal_due_at=dossier.legal_due_at,  # the ledger: the legal due moment in force once this happened
    )
    _after_event(dossier, event)
    return event


def _after_event(dossier, event):
    """Side effects of a change, queued in the same transaction: the subscribers of `dossier_event_recorded`
    (the national-portal adapter pushes the progress), and a message to the applicant on the events they must
    hear about. None while the history is replayed (`replaying`)."""
    if is_replaying():
        return
    dossier_event_recorded.send(sender=type(dossier), dossier=dossier, event=event)
    text = _applicant_message(dossier, event)
    if text:
        from .signatures import slip_spec

        slip = slip_spec(dossier, event.action)  # the e-mail attaches the office-sealed slip
        for channel, recipient in citizen_channels(dossier, ("sms", "email")):
            outbox_enqueue(channel=channel, kind=f"dossier.{event.action}", recipient=recipient,
                               idempotency_key=f"dossier-event:{event.pk}:{channel}", office=dossier.office,
                               dossier_code=dossier.code, subject=f"Hồ sơ {dossier.code}", body=text,
                               payload={"documents": [slip]} if slip else None,  # attached, or linked by SMS
                               fresh=True)  # the key names this new event: no row can have it yet


def _applicant_message(dossier, event) -> str:
    """The SMS/e-mail text (without diacritics) of the events the applicant is told about."""
    action = event.action
    if action in (DossierAction.RECEIVE, DossierAction.ACCEPT):
        return (f"BHXH: Ho so {dossier.code} da duoc tiep nhan. Hen tra ket qua: "
                f"{_local(dossier.appointment_at)}.")
    if action == DossierAction.REQUEST_SUPPLEMENT:
        return f"BHXH: Ho so {dossier.code} can bo sung giay to. Vui long xem phieu yeu cau bo sung."
    if action == DossierAction.RESOLVE:
        return (f"BHXH: Ho so {dossier.code} da co ket qua. Vui long nhan ket qua theo hen. "
                f"Danh gia muc do hai long: {public_rating_url(dossier.code)}")
    if action == DossierAction.REFUSE:
        return f"BHXH: Ho so {dossier.code} bi tu choi. Ly do: {event.note[:80]}"
    return ""


# --- one function per kind of event ---------------------------------------------------------------------

def _handled_by(unit, handler) -> str:
    return f"Chuyển {unit}" + (f" – {handler.display_name}" if handler else "")


def dossier_received(dossier, *, actor, at, channel):
    return _record(dossier, actor=actor, action=DossierAction.RECEIVE, to_status=Status.RECEIVED,
                   note="Tiếp nhận hồ sơ", at=at,
                   data={"legal_due_at": dossier.legal_due_at.isoformat(), "channel": channel})


def dossier_pulled_row() -> dict:
    """The fields of the "pull" event of each dossier stored from the national portal (written in bulk)."""
    return {"action": DossierAction.PULL.value, "from_status": "", "to_status": Status.SUBMITTED,
            "note": "Nhận hồ sơ nộp trực tuyến từ Cổng DVCQG", "data": {}}


def dossier_submitted(dossier, *, actor, at):
    """An online dossier, filed on the national portal, brought in by the history import as `submitted`."""
    return _record(dossier, actor=actor, action=DossierAction.PULL, to_status=Status.SUBMITTED, at=at,
                   note="Hồ sơ nộp trực tuyến (nhập từ phần mềm một cửa trước đây)")


def dossier_accepted(dossier, *, actor, from_status, at):
    return _record(dossier, actor=actor, action=DossierAction.ACCEPT, from_status=from_status,
                   note="Tiếp nhận hồ sơ trực tuyến", at=at, data={"legal_due_at": dossier.legal_due_at.isoformat()})


def dossier_started(dossier, *, actor, from_status, unit, handler, at=None):
    return _record(dossier, actor=actor, action=DossierAction.START, from_status=from_status, at=at,
                   note=_handled_by(unit, handler), data={"assignee": handler.username if handler else None})


def dossier_handed_over(dossier, *, actor, unit, handler, note="", at=None):
    return _record(dossier, actor=actor, action=DossierAction.HANDOVER, from_status=dossier.status, at=at,
                   note=_handled_by(unit, handler) + (f": {note}" if note else ""),
                   data={"assignee": handler.username if handler else None})


def supplement_requested(dossier, *, actor, from_status, reason, documents, at=None):
    return _record(dossier, actor=actor, action=DossierAction.REQUEST_SUPPLEMENT, from_status=from_status, at=at,
                   note=reason, data={"documents": documents})


def supplement_received(dossier, *, actor, from_status, at=None):
    return _record(dossier, actor=actor, action=DossierAction.SUPPLEMENT_RECEIVED, from_status=from_status, at=at,
                   note="Nhận hồ sơ bổ sung", data={"legal_due_at": dossier.legal_due_at.isoformat(),
                                                    "clock": dossier.rule_version.supplement_clock})


def dossier_resolved(dossier, *, actor, from_status, timeliness, at=None):
    note = f"{Outcome(dossier.outcome).label}" + (f": {dossier.result_summary}" if dossier.result_summary else "")
    return _record(dossier, actor=actor, action=DossierAction.RESOLVE, from_status=from_status, note=note, at=at,
                   data={"outcome": dossier.outcome, "timeliness": timeliness})


def dossier_returned(dossier, *, actor, from_status, channel="", at=None):
    return _record(dossier, actor=actor, action=DossierAction.RETURN, from_status=from_status, at=at,
                   note=f"Trả kết quả cho {dossier.returned_to}", data={"channel": channel} if channel else None)


def dossier_refused(dossier, *, actor, from_status, reason, at=None):
    return _record(dossier, actor=actor, action=DossierAction.REFUSE, from_status=from_status, note=reason, at=at,
                   data={"at_intake": from_status == Status.SUBMITTED})


def dossier_withdrawn(dossier, *, actor, from_status, reason, at=None, actor_name=None, data=None):
    return _record(dossier, actor=actor, action=DossierAction.WITHDRAW, from_status=from_status, note=reason,
                   at=at, actor_name=actor_name, data=data)


def dossier_changed_elsewhere(dossier, *, actor_name, note, data, at=None):
    """A change made outside our desks that leaves our status as it is (the national portal asked the applicant
    for a payment, or saw it made): an event of the history, `data` says what the outside system reported."""
    return _record(dossier, actor=None, action=DossierAction.PORTAL_UPDATE, from_status=dossier.status, note=note,
                   data=data, at=at, actor_name=actor_name)


def apology_drafted(dossier, *, actor, slip, at):
    return _record(dossier, actor=actor, action=DossierAction.APOLOGY_DRAFT, from_status=dossier.status, at=at,
                   note=f"Dự thảo phiếu xin lỗi, đề xuất hẹn lại {_local(slip.new_appointment_at)}",
                   data={"slip": slip.pk})


def apology_issued(dossier, *, actor, slip, old_appointment, at):
    return _record(
        dossier, actor=actor, action=DossierAction.APOLOGY, from_status=dossier.status, at=at,
        note=(f"Phiếu xin lỗi và hẹn lại ngày trả kết quả số {slip.number_label}: hẹn lại từ "
              f"{_local(old_appointment)} sang {_local(slip.new_appointment_at)}. Lý do: {slip.reason}"),
        data={"slip": slip.pk, "number": slip.number_label, "old_appointment_at": old_appointment.isoformat(),
              "new_appointment_at": slip.new_appointment_at.isoformat(), "is_late": slip.is_late},
    )


def deadline_recomputed(dossier, *, old_due, new_due):
    return _record(dossier, actor=None, action=DossierAction.RECOMPUTE_DEADLINE, from_status=dossier.status,
                   note="Lịch làm việc thay đổi: tính lại hạn giải quyết",
                   data={"old": old_due.isoformat(), "new": new_due.isoformat()})


def attachment_added(dossier, *, actor, attachment, note, actor_name=""):
    """A paper or result document stored with the dossier (desk upload, a file fetched from the national portal,
    a generated result): `attachment` is the stored row (attachments.models.Attachment)."""
    return _record(dossier, actor=actor, action=DossierAction.ATTACH, from_status=dossier.status, note=note,
                   actor_name=actor_name, data={"attachment": attachment.pk, "kind": attachment.kind,
                                                "source": attachment.source, "name": attachment.name,
                                                "sha256": attachment.sha256})


def attachment_fetch_failed(dossier, *, attachment, note, actor_name=""):
    """A paper of the national portal could not be fetched and will not be tried again by itself."""
    return _record(dossier, actor=None, action=DossierAction.ATTACH_FAILED, from_status=dossier.status, note=note,
                   actor_name=actor_name, data={"attachment": attachment.pk, "name": attachment.name,
                                                "error": attachment.last_error_code})


def result_approved(dossier, *, actor, note="", at=None):
    return _record(dossier, actor=actor, action=DossierAction.APPROVE_RESULT, from_status=dossier.status, at=at,
                   note=note or "Trưởng phòng nghiệp vụ duyệt kết quả giải quyết")


def dossier_rated(dossier, *, actor, rating):
    return _record(dossier, actor=actor, action=DossierAction.RATE, from_status=dossier.status, at=rating.at,
                   actor_name="Người nộp hồ sơ",
                   note=f"{rating.get_level_display()}" + (f": {rating.comment}" if rating.comment else ""),
                   data={"level": rating.level, "source": rating.source})


def message_retried(dossier, *, actor, message):
    return _record(dossier, actor=actor, action=DossierAction.MESSAGE_RETRY, from_status=dossier.status,
                   note=f"Gửi lại {message.get_channel_display()} tới {message.recipient}",
                   data={"message": message.pk, "channel": message.channel})
