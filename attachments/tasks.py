"""Background fetch of the national portal's papers (TaiLieuNop): `fetch_portal_papers` is queued after the
pull's page commits; a paper the network or the portal failed is queued again after its back-off; the periodic
`fetch_due_papers` (beat) picks up any pending paper whose attempt is due (a lost message, a restarted broker)."""
from celery import shared_task
from django.utils import timezone

from . import services
from .models import Attachment, FetchStatus

SWEEP_LIMIT = 500
SWEEP_GRACE = timezone.timedelta(minutes=2)  # a retry queued with its countdown goes first


@shared_task(name="attachments.tasks.fetch_portal_papers", bind=True, ignore_result=True, acks_late=True)
def fetch_portal_papers(self, attachment_ids):
    """Each paper on its own: one that fails is queued again after its back-off (on the queue this came from),
    the others go on."""
    queue = (self.request.delivery_info or {}).get("routing_key") or None
    outcomes = {}
    for pk in attachment_ids:
        outcome = services.portal_paper_fetch(pk)
        outcomes[pk] = outcome.status
        if outcome.retry_in is not None:
            fetch_portal_papers.apply_async(args=[[pk]], countdown=outcome.retry_in, queue=queue)
    return outcomes


@shared_task(name="attachments.tasks.fetch_due_papers", ignore_result=True)
def fetch_due_papers():
    due = list(Attachment.objects.filter(fetch_status=FetchStatus.PENDING,
                                         next_attempt_at__lte=timezone.now() - SWEEP_GRACE)
               .order_by("next_attempt_at").values_list("pk", flat=True)[:SWEEP_LIMIT])
    services.queue_fetch(due)
    return len(due)
