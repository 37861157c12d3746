"""Periodic work of the cases app (CELERY_BEAT_SCHEDULE in settings)."""
from celery import shared_task

from . import overdue


@shared_task(name="cases.tasks.scan_overdue", bind=True, ignore_result=True)
def scan_overdue(self):
    """One deadline scan (cases.overdue.scan_overdue); the task id names the run for the directors' digest."""
    return overdue.scan_overdue(run_key=self.request.id or None).as_dict()
