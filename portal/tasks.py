"""Periodic sync with the national portal: `sync_all` (beat, every SYNC_EVERY seconds) fans out one
`sync_office` per office with an agency code; each holds the office's lock, so two workers never sync one
office at once. The pushes of the outbox's "portal" channel are delivered here too (`push_message`, and the
periodic `push_pending`): every task of this module runs on the `sync` queue (CELERY_TASK_ROUTES), so a stalled
portal holds up only the sync worker, never the messages to citizens."""
import logging

from celery import shared_task
from django.conf import settings

from core.models import Office
from notifications.delivery import deliver, due_ids

from . import services
from .locks import office_lock
from .models import Kind

log = logging.getLogger(__name__)


@shared_task(name="portal.tasks.sync_all", ignore_result=True)
def sync_all():
    if not settings.NATIONAL_PORTAL_URL:
        log.info("NATIONAL_PORTAL_URL is not set: nothing to sync")
        return 0
    ids = list(services.syncable_offices().values_list("pk", flat=True))
    for office_id in ids:
        sync_office.apply_async(args=[office_id], expires=settings.SYNC_EVERY * 0.9)
    return len(ids)


@shared_task(name="portal.tasks.sync_office", ignore_result=True)
def sync_office(office_id: int, kinds=None):
    office = Office.objects.filter(pk=office_id).exclude(agency_code__isnull=True).exclude(agency_code="").first()
    if office is None:
        return "skipped"
    kinds = tuple(kinds or (Kind.DOSSIER, Kind.PAKN))
    with office_lock(office.pk) as lock:
        if not lock.acquired:
            log.info("office %s is being synced by another worker", office.agency_code)
            return "locked"
        runs = services.sync_office(office=office, kinds=kinds, on_page=lambda result: lock.refresh())
    return [run.error or "ok" for run in runs]


@shared_task(name="portal.tasks.push_message", ignore_result=True)
def push_message(message_id: int):
    """One outbox row of the "portal" channel (portal.delivery)."""
    deliver(message_id)


@shared_task(name="portal.tasks.push_pending", ignore_result=True)
def push_pending(limit: int = 500):
    """Periodic sweep of the pushes due (pending, failed and due, or whose worker died)."""
    ids = due_ids(channels=["portal"], limit=limit)
    for message_id in ids:
        deliver(message_id)
    return len(ids)
