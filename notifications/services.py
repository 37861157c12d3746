from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage


def outbox_enqueue(*, channel, kind, idempotency_key, recipient="", recipient_user=None, office=None,
                   dossier_code="", subject="", body="", payload=None) -> tuple[OutboxMessage, bool]:
    """Write one outbox row (inside the caller's transaction). The same key twice creates nothing new, so a
    scan or a retried request never notifies twice. Delivery is triggered after commit."""
    message, created = OutboxMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults=dict(channel=channel, kind=kind, recipient=recipient, recipient_user=recipient_user,
                      office=office, dossier_code=dossier_code, subject=subject, body=body,
                      payload=payload or {}, next_attempt_at=timezone.now()),
    )
    if created:
        transaction.on_commit(lambda: _kick(message.pk))
    return message, created


def _kick(message_id):
    from .tasks import deliver_message

    try:
        deliver_message.delay(message_id)
    except Exception:  # noqa: BLE001 - the periodic delivery picks it up if the broker is down
        pass
