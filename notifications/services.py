import logging
from importlib import import_module

from django.db import transaction
from django.utils import timezone

from . import quiet_hours
from .models import Channel, OutboxMessage
from .selectors import alert_get, alert_list

log = logging.getLogger(__name__)


def outbox_enqueue(*, channel, kind, idempotency_key, recipient="", recipient_user=None, office=None,
                   dossier_code="", subject="", body="", payload=None, fresh=False) -> tuple[OutboxMessage, bool]:
    """Write one outbox row (inside the caller's transaction). The same key twice creates nothing new, so a
    scan or a retried request never notifies twice. Delivery is triggered after commit.

    An officer alert (channel "officer") is delivered by being stored: the bell and /thong-bao/ show it. It is
    written `sent` at once, with nothing for a worker to do; rows inserted in bulk as `pending` (the deadline
    scan) are marked sent by the next delivery sweep (notifications.tasks.deliver_pending) in one UPDATE."""
    now = timezone.now()
    in_app = channel == Channel.OFFICER
    held_until = quiet_hours.next_allowed(channel, now)  # SMS/Zalo to a citizen at night wait for the morning
    fields = dict(channel=channel, kind=kind, recipient=recipient, recipient_user=recipient_user,
                  office=office, dossier_code=dossier_code, subject=subject, body=body,
                  payload=payload or {}, next_attempt_at=None if in_app else (held_until or now),
                  not_before=held_until,
                  state=OutboxMessage.State.SENT if in_app else OutboxMessage.State.PENDING,
                  sent_at=now if in_app else None)
    if fresh:  # the key names a row written in this transaction (a new event): it cannot exist yet, one INSERT
        message, created = OutboxMessage.objects.create(idempotency_key=idempotency_key, **fields), True
    else:
        message, created = OutboxMessage.objects.get_or_create(idempotency_key=idempotency_key, defaults=fields)
    if created and not in_app and held_until is None:
        transaction.on_commit(lambda: dispatch(message.pk, channel))
    return message, created


RETRYABLE = (OutboxMessage.State.DEAD, OutboxMessage.State.FAILED)


def outbox_retry(message: OutboxMessage) -> OutboxMessage:
    """Send a message that failed once more, by hand (inside the caller's transaction): a fresh round of attempts,
    from now (or from the next opening of the citizen message hours), delivered after commit."""
    now = timezone.now()
    held_until = quiet_hours.next_allowed(message.channel, now)
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxMessage.State.PENDING, attempts=0, next_attempt_at=held_until or now, not_before=held_until)
    message.refresh_from_db()
    if held_until is None:
        transaction.on_commit(lambda: dispatch(message.pk, message.channel))
    return message


def dispatch(message_id: int, channel: str) -> bool:
    """Hand one row to the Celery task of its channel (its queue, CELERY_TASK_ROUTES). With the broker down the
    row stays due in the database and the periodic sweep delivers it: False, never an exception."""
    from .delivery import task_for

    module, _, name = task_for(channel).rpartition(".")
    try:
        getattr(import_module(module), name).delay(message_id)
    except Exception:  # noqa: BLE001 - the periodic delivery picks it up if the broker is down
        log.warning("could not queue outbox row %s (%s): the periodic sweep will deliver it", message_id, channel,
                    exc_info=True)
        return False
    return True


# --- officer alerts -------------------------------------------------------------------------------------

def alert_mark_read(*, user, pk: int) -> OutboxMessage:
    """Mark one of the user's own alerts read (DoesNotExist for someone else's). Reading it twice keeps the
    first moment."""
    alert = alert_get(user=user, pk=pk)
    if alert.read_at is None:
        now = timezone.now()
        if OutboxMessage.objects.filter(pk=alert.pk, read_at__isnull=True).update(read_at=now):
            alert.read_at = now
        else:  # read at the same moment in another tab: keep that moment
            alert.refresh_from_db(fields=["read_at"])
    return alert


def alert_mark_all_read(*, user) -> int:
    """Mark every unread alert of the user read, in one UPDATE; how many were unread."""
    return alert_list(user=user, unread=True).order_by().update(read_at=timezone.now())
