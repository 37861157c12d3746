"""Officer alerts raised by dossier events (the deadline stages are alerted by the scan, cases.services.scan).

Subscribed to `cases.signals.dossier_event_recorded` (connected in cases.apps), so the lifecycle services do not
know about them; each alert is an outbox row of channel "officer" written in the event's transaction, keyed by
the event, so a replay alerts nobody twice.

* assigned (`dossier.assigned`): a `start` or `handover` that names a handling officer other than the actor
  tells that officer the dossier is now theirs.
* waiting for signature (`dossier.awaiting_signature`): an `apology-draft` tells the directors and deputies who
  may sign it (of the dossier's office and of its parent office, as `can_sign_apology`) except the drafter.
"""
from django.utils import timezone

from core.models import Role, User
from notifications import kinds
from notifications.services import outbox_enqueue

from .events import DossierAction

ASSIGNING = {DossierAction.START.value, DossierAction.HANDOVER.value}


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}" if moment else "—"


def dossier_event_recorded(sender, *, dossier, event, **kwargs):
    if event.action in ASSIGNING:
        alert_assigned(dossier, event)
    elif event.action == DossierAction.APOLOGY_DRAFT:
        alert_awaiting_signature(dossier, event)


def alert_assigned(dossier, event) -> bool:
    """The handling officer named by a start / hand-over, unless they handed it to themselves."""
    handler = dossier.assignee
    named = (event.data or {}).get("assignee")
    if handler is None or not named or handler.username != named or handler.pk == event.actor_id:
        return False
    _, created = outbox_enqueue(
        channel="officer", kind=kinds.ASSIGNED, idempotency_key=f"alert-assigned:{event.pk}",
        recipient_user=handler, office=dossier.office, dossier_code=dossier.code,
        subject=f"Hồ sơ {dossier.code} được giao cho bạn xử lý",
        body=(f"{event.actor_name}: {event.note}. Người nộp: {dossier.applicant_name}. "
              f"Hạn giải quyết: {_local(dossier.legal_due_at)}."),
        payload={"event": event.pk, "action": event.action},
    )
    return created


def signers_of(dossier) -> list[User]:
    """The active directors and deputies who may sign the dossier's apology slip (one query)."""
    offices = {dossier.office_id, dossier.office.parent_id} - {None}
    return list(User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.DEPUTY], office_id__in=offices)
                .order_by("pk"))


def alert_awaiting_signature(dossier, event) -> int:
    """A drafted (or revised) apology slip waits for a signature: each possible signer but the drafter."""
    sent = 0
    for user in signers_of(dossier):
        if user.pk == event.actor_id:
            continue
        _, created = outbox_enqueue(
            channel="officer", kind=kinds.AWAITING_SIGNATURE,
            idempotency_key=f"alert-sign:{event.pk}:{user.pk}", recipient_user=user, office=dossier.office,
            dossier_code=dossier.code, subject=f"Phiếu xin lỗi hồ sơ {dossier.code} chờ ký",
            body=(f"{event.actor_name}: {event.note}. Hạn giải quyết theo quy định: "
                  f"{_local(dossier.legal_due_at)}. Vui lòng xem và ký phát hành phiếu."),
            payload={"event": event.pk, "slip": (event.data or {}).get("slip")},
        )
        sent += created
    return sent
