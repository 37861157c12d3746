"""Delivery of outbox rows. Each channel has a sender; a sender raises on failure. Every attempt is logged;
failures back off exponentially; after MAX_ATTEMPTS the row is dead and shows on the sync/notification pages."""
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from .models import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
SENDERS = {}


def sender(channel):
    def register(func):
        SENDERS[channel] = func
        return func

    return register


@sender("officer")
def _in_app(message):
    """In-app notifications are delivered by being stored; the officer sees them on the desk."""
    return "stored"


@sender("email")
def _email(message):
    """E-mail through Django's backend (EMAIL_URL; by default files under var/outbox-mail)."""
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(message.subject or "Bảo hiểm xã hội", message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    return "sent"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


def deliver(message_id: int) -> bool:
    with transaction.atomic():
        message = (OutboxMessage.objects.select_for_update(skip_locked=True)
                   .filter(pk=message_id, state__in=["pending", "failed"]).first())
        if message is None:
            return False  # delivered already, or another worker holds it
        send = SENDERS.get(message.channel)
        if send is None:
            # No gateway configured for this channel yet: keep it pending, look again later.
            message.next_attempt_at = timezone.now() + timedelta(minutes=10)
            message.save(update_fields=["next_attempt_at"])
            return False
        message.attempts += 1
        try:
            detail = send(message) or ""
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            log.warning("delivery of %s failed: %s", message, exc)
            message.state = OutboxMessage.State.DEAD if message.attempts >= MAX_ATTEMPTS else OutboxMessage.State.FAILED
            message.last_error = str(exc)[:2000]
            message.next_attempt_at = timezone.now() + backoff(message.attempts)
            message.save(update_fields=["state", "attempts", "last_error", "next_attempt_at"])
            DeliveryAttempt.objects.create(message=message, ok=False, detail=str(exc)[:2000])
            return False
        message.state = OutboxMessage.State.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["state", "attempts", "sent_at", "last_error"])
        DeliveryAttempt.objects.create(message=message, ok=True, detail=str(detail)[:2000])
        return True
