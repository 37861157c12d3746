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
from notifications.models import DUE_STATES, OutboxMessage

from . import push, reconcile, services
from .client import PortalClient
from .locks import office_lock
from .models import Kind
from .outbox import SYNC_KIND

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


@shared_task(name="portal.tasks.push_office", ignore_result=True)
def push_office(office_id: int):
    """Deliver the office's due dossier changes, in batches and in order (portal.push). Queued after the commit
    of each change and by `push_all`; a second one for the same office finds the lock taken and leaves."""
    office = services.syncable_offices().filter(pk=office_id).first()
    if office is None or not settings.NATIONAL_PORTAL_URL:
        return "skipped"
    result = push.push_office(office=office)
    return "locked" if result is None else {"dossiers": result.dossiers, "failed": result.failed}


@shared_task(name="portal.tasks.push_all", ignore_result=True)
def push_all():
    """Beat: one `push_office` per office with due changes (those whose kick was lost, retries backing off)."""
    if not settings.NATIONAL_PORTAL_URL:
        return 0
    ids = list(OutboxMessage.objects.filter(channel="portal", kind=SYNC_KIND, state__in=DUE_STATES)
               .order_by().values_list("office_id", flat=True).distinct())
    for office_id in ids:
        push_office.apply_async(args=[office_id], expires=settings.PORTAL_PUSH_EVERY * 0.9)
    return len(ids)


@shared_task(name="portal.tasks.sweep_all", ignore_result=True)
def sweep_all():
    """Beat: one `sweep_office` per synced office (TraCuuHoSo of its open portal dossiers, in batches)."""
    if not settings.NATIONAL_PORTAL_URL:
        return 0
    ids = list(services.syncable_offices().values_list("pk", flat=True))
    for office_id in ids:
        sweep_office.apply_async(args=[office_id], expires=settings.PORTAL_SWEEP_EVERY * 0.9)
    return len(ids)


@shared_task(name="portal.tasks.sweep_office", ignore_result=True)
def sweep_office(office_id: int):
    office = services.syncable_offices().filter(pk=office_id).first()
    if office is None or not settings.NATIONAL_PORTAL_URL:
        return "skipped"
    with office_lock(office.pk, "sweep") as lock:
        if not lock.acquired:
            return "locked"
        done = reconcile.sweep_office(office=office, client=PortalClient(), batch=settings.PORTAL_SWEEP_BATCH,
                                      on_batch=lambda result: lock.refresh())
    return {"compared": done.compared, "withdrawn": done.withdrawn, "disagreements": done.disagreements}
