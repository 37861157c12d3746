"""Periodic sync with the national portal: `sync_all` (beat, every SYNC_EVERY seconds) fans out one
`sync_office` per office with an agency code; each holds the office's lock, so two workers never sync one
office at once."""
import logging

from celery import shared_task
from django.conf import settings

from core.models import Office

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
