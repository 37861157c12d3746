"""Periodic work of the cases app (CELERY_BEAT_SCHEDULE in settings)."""
from datetime import date

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import digest, recompute
from .services import scan


@shared_task(name="cases.tasks.scan_overdue", bind=True, ignore_result=True)
def scan_overdue(self):
    """One deadline scan (cases.services.scan.scan_overdue); the task id names the run for the directors' digest."""
    return scan.scan_overdue(run_key=self.request.id or None).as_dict()


@shared_task(name="cases.tasks.recompute_deadlines", bind=True, ignore_result=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=5)
def recompute_deadlines(self, *, dates):
    """After a calendar change (workcal.signals.calendar_changed, queued on commit): recompute the legal due
    moment of the open dossiers whose clock spans one of `dates` (ISO dates), every clock mode, and tell the
    directors what moved. Idempotent, so a retry is safe; the task id names the run (the directors' message)."""
    return recompute.recompute_open_deadlines(dates=[date.fromisoformat(d) for d in dates],
                                              run_key=self.request.id or None)


@shared_task(name="cases.tasks.director_digest", ignore_result=True)
def director_digest():
    """The directors' daily e-mail digest (cases.digest); a second run the same day sends nothing."""
    result = digest.director_digest()
    return {"day": result.day.isoformat(), "sent": result.sent}
