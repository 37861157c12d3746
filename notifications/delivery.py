"""Delivery of outbox rows. Each channel has a sender; a sender raises on failure. Every attempt is logged;
failures back off exponentially up to OUTBOX_BACKOFF_MAX; after MAX_ATTEMPTS a message to a citizen is dead (it
shows on the pages), while a push to the national portal is retried until the portal accepts it.

Each channel is delivered by a Celery task whose name routes it to its queue (CELERY_TASK_ROUTES): messages to
citizens by `notifications.tasks.deliver_message` (queue `messages`); a channel may name its own task when it is
registered (the national portal's pushes go to `sync`), so a stalled destination never holds up another's.
When a delivery to a destination succeeds after an outage, the rows for the same destination still waiting out
their back-off are released at once (`release_waiting`)."""
import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import quiet_hours
from .models import DUE_STATES, DeliveryAttempt, OutboxMessage

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 12
SENDERS = {}
# channel → the Celery task (by name) that delivers its rows; channels not named here use DEFAULT_TASK.
DELIVERY_TASKS = {}
DEFAULT_TASK = "notifications.tasks.deliver_message"
RELEASE_LIMIT = 500  # rows released at once after a success (the periodic sweep takes the rest)
# Where an e-mail's documents come from, by the payload's "documents": [{"source": name, ...}]: a function
# spec -> (filename, bytes) registered by the app that owns them (cases registers "slip": the office-sealed
# slips), so this app imports none of them. A source that fails fails the delivery (retried), never sends less.
ATTACHMENT_SOURCES = {}
# The same documents as links for the texts (SMS): source name -> function spec -> URL of the signed PDF.
LINK_SOURCES = {}


def with_document_links(message) -> str:
    """The message's text with a download link for each document its payload names (an SMS cannot carry the
    PDF): " Tai phieu: <url>". A document that cannot be had now (its seal key missing, the token absent) leaves
    the text without its link: the citizen's notice is not held back for it (the e-mail, which carries the
    document itself, waits and retries instead), and nothing unsigned is ever linked."""
    text = message.body or ""
    for spec in (message.payload or {}).get("documents", []):
        if spec.get("source") in LINK_SOURCES:
            try:
                text += f" Tai phieu: {LINK_SOURCES[spec['source']](spec)}"
            except Exception:  # noqa: BLE001 - logged; the text goes without the link
                log.warning("no link to %s for %s", spec, message, exc_info=True)
    return text


# Kinds of rows an app delivers itself, in batches and in its own order (the national portal's dossier changes,
# portal.push): the one-by-one delivery below never takes them.
BATCHED_KINDS: set[str] = set()


def batched(kind: str):
    BATCHED_KINDS.add(kind)


def sender(channel, *, task: str | None = None):
    """Register the sender of `channel`; `task` names the Celery task delivering its rows (its queue)."""
    if task:
        DELIVERY_TASKS[channel] = task

    def register(func):
        SENDERS[channel] = func
        return func

    return register


def task_for(channel: str) -> str:
    return DELIVERY_TASKS.get(channel, DEFAULT_TASK)


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
    from django.core.mail import EmailMessage

    email = EmailMessage(message.subject or "Bảo hiểm xã hội", message.body, settings.DEFAULT_FROM_EMAIL,
                         [message.recipient])
    for item in (message.payload or {}).get("attachments", []):
        email.attach(item["filename"], _stored_bytes(item), "application/pdf")
    for spec in (message.payload or {}).get("documents", []):
        filename, data = ATTACHMENT_SOURCES[spec["source"]](spec)
        email.attach(filename, data, "application/pdf")
    email.send()
    return "sent"


def _stored_bytes(item) -> bytes:
    """An attachment as stored (a signed document): the exact bytes whose sha256 the row recorded, or a failure
    (retried), never other bytes."""
    import hashlib

    from django.core.files.storage import default_storage

    with default_storage.open(item["name"], "rb") as fh:
        data = fh.read()
    if item.get("sha256") and hashlib.sha256(data).hexdigest() != item["sha256"]:
        raise ValueError(f"attachment {item['name']} does not match its recorded sha256")
    return data


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at OUTBOX_BACKOFF_MAX (5 min by default): after a long outage every row is
    tried again within the cap, not hours later."""
    return timedelta(seconds=min(30 * 2 ** min(max(attempts - 1, 0), 20), settings.OUTBOX_BACKOFF_MAX))


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
        now = timezone.now()
        held_until = quiet_hours.next_allowed(message.channel, now)
        if held_until is None and message.not_before and message.not_before > now:
            held_until = message.not_before
        if held_until is not None:
            # Outside the citizen message hours (or before the row's not-before): wait for the opening, no attempt.
            message.next_attempt_at = message.not_before = held_until
            message.save(update_fields=["next_attempt_at", "not_before"])
            return None
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
        release_waiting(message.channel)
    return True


def release_waiting(channel: str) -> list[int]:
    """The destination of `channel` answers again: its failed rows waiting out their back-off are due now, and
    each is handed to its delivery task after commit (in creation order). Returns their ids."""
    from .services import dispatch

    now = timezone.now()
    waiting = OutboxMessage.objects.filter(channel=channel, state=OutboxMessage.State.FAILED, next_attempt_at__gt=now)
    ids = list(waiting.order_by("pk").values_list("pk", flat=True)[:RELEASE_LIMIT])
    if ids:
        OutboxMessage.objects.filter(pk__in=ids, state=OutboxMessage.State.FAILED).update(next_attempt_at=now)
        transaction.on_commit(lambda: [dispatch(pk, channel) for pk in ids])
    return ids


def due_ids(*, channels=None, exclude=(), limit: int = 500) -> list[int]:
    """Rows pending or failed whose next attempt is due, and sends whose worker died (lease run out), oldest
    first; only `channels` (default: every channel with a sender but the officer alerts), minus `exclude`, never
    the kinds an app delivers in its own batches (BATCHED_KINDS)."""
    wanted = [c for c in (channels or SENDERS) if c != "officer" and c not in exclude]
    return list(OutboxMessage.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=timezone.now(),
                                             channel__in=wanted).exclude(kind__in=BATCHED_KINDS)
                .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
