from celery import shared_task
from django.utils import timezone

from .delivery import BATCHED_KINDS, SENDERS, deliver, deliver_in_app
from .models import DUE_STATES, OutboxMessage


@shared_task(name="notifications.tasks.deliver_message", ignore_result=True)
def deliver_message(message_id: int):
    deliver(message_id)


@shared_task(name="notifications.tasks.deliver_pending", ignore_result=True)
def deliver_pending(limit: int = 500):
    """Periodic sweep: every officer alert still pending is marked delivered (one UPDATE); then everything
    pending or failed whose next attempt is due, and sends whose worker died."""
    deliver_in_app()
    ids = list(OutboxMessage.objects.filter(state__in=DUE_STATES, next_attempt_at__lte=timezone.now(),
                                            channel__in=[c for c in SENDERS if c != "officer"])
               .exclude(kind__in=BATCHED_KINDS).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    for message_id in ids:
        deliver(message_id)
    return len(ids)
