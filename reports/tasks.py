"""Periodic work of the reports app (bhxh_portal.beat)."""
from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import tally


@shared_task(name="reports.tasks.compact_dossier_tally", ignore_result=True,
             autoretry_for=(OperationalError, InterfaceError), retry_backoff=True, max_retries=3)
def compact_dossier_tally():
    """Fold the tally's delta rows into one row per key (reports.tally.compact): the totals are unchanged, the
    reports read fewer rows. Returns the rows removed."""
    return tally.compact()
