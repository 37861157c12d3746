"""Delivery of outbox rows. Each channel has a sender; a sender raises on failure. Every attempt is logged;
failures back off exponentially; after MAX_ATTEMPTS a message to a citizen is dead (it shows on the pages), while
a push to the national portal is retried until the portal accepts it."""
import logging
from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
SENDERS = {}


# Kinds of rows an app delivers itself, in batches and in its own order (the national portal's dossier changes,
# portal.push): the one-by-one delivery below never takes them.
BATCHED_KINDS: set[str] = set()


def batched(kind: str):
    BATCHED_KINDS.add(kind)


def sender(channel):
    def register(func):
        SENDERS[channel] = func
        return func

    return register


@sender("officer")
def _in_app(message):
    """An officer alert is delivered by being stored: the bell and /thong-bao/ show it (never retried, never
    dead). `outbox_enqueue` writes it `sent` at once; this sender serves a row inserted in bulk as pending."""
    return "stored"


def deliver_in_app() -> int:
    """Mark every officer alert still pending as delivered, in one UPDATE (the scan inserts its alerts in bulk
    as pending rows). No DeliveryAttempt is logged: there was no attempt, the row itself is the delivery."""
    return OutboxMessage.objects.filter(channel="officer", state__in=["pending", "failed", "sending"]).update(
        state=OutboxMessage.State.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="")


@sender("email")
def _email(message):
    """E-mail through Django's backend (EMAIL_URL; by default files under var/outbox-mail)."""
    from django.conf import settings
    from django.core.mail import send_mail

    send_mail(message.subject or "Bảo hiểm xã hội", message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
    return "sent"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


# Channels whose messages are retried until accepted, never given up on (CONTRACTS.md §2: every push to the
# national portal is retried with back-off until the portal accepts it).
NEVER_GIVE_UP = {"portal"}
LEASE = timedelta(minutes=5)  # how long a claimed row is left to the worker sending it


def _claim(message_id: int):
    """Take the row for one attempt in a short transaction: no lock is held during the network call (SQLite
    would otherwise block every writer for as long as a gateway takes to answer)."""
    with transaction.atomic():
        claimable = Q(state__in=["pending", "failed"]) | Q(state="sending", next_attempt_at__lte=timezone.now())
        message = (OutboxMessage.objects.select_for_update(skip_locked=True).filter(claimable, pk=message_id)
                   .exclude(kind__in=BATCHED_KINDS).first())
        if message is None:
            return None  # delivered already, or another worker is sending it
        if message.channel not in SENDERS:
            # No gateway configured for this channel yet: keep it pending, look again later.
            message.next_attempt_at = timezone.now() + timedelta(minutes=10)
            message.save(update_fields=["next_attempt_at"])
            return None
        # While it is being sent no other worker takes it; if this worker dies, the lease runs out and it is retried.
        message.attempts += 1
        message.state, message.next_attempt_at = OutboxMessage.State.SENDING, timezone.now() + LEASE
        message.save(update_fields=["attempts", "state", "next_attempt_at"])
        return message


def deliver(message_id: int) -> bool:
    message = _claim(message_id)
    if message is None:
        return False
    try:
        detail = SENDERS[message.channel](message) or ""
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        log.warning("delivery of %s failed: %s", message, exc)
        give_up = message.attempts >= MAX_ATTEMPTS and message.channel not in NEVER_GIVE_UP
        with transaction.atomic():
            OutboxMessage.objects.filter(pk=message.pk).update(
                state=OutboxMessage.State.DEAD if give_up else OutboxMessage.State.FAILED,
                last_error=str(exc)[:2000], next_attempt_at=timezone.now() + backoff(message.attempts))
            DeliveryAttempt.objects.create(message=message, ok=False, detail=str(exc)[:2000])
        return False
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(state=OutboxMessage.State.SENT, sent_at=timezone.now(),
                                                           last_error="")
        DeliveryAttempt.objects.create(message=message, ok=True, detail=str(detail)[:2000])
    return True
