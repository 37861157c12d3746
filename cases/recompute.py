"""Recompute the open deadlines after a calendar change (DOMAIN.md §3): the legal due moment of every open
dossier whose clock runs across a changed day moves; the appointment promised to the citizen never does."""
from datetime import datetime, time

from django.db import transaction
from django.utils import timezone

from workcal import calendar

from . import events, versions
from .models import Dossier, ProcessStep, Procedure, Status


def recompute_open_deadlines(*, dates) -> int:
    """The calendar changed on `dates`: recompute the legal due moment of open dossiers whose clock spans
    one of them. Appointments already promised to a citizen are never moved (DOMAIN.md, STYLE.md)."""
    if not dates:
        return 0
    start = timezone.make_aware(datetime.combine(min(dates), time.min))
    end = timezone.make_aware(datetime.combine(max(dates), time.max))
    # Only open dossiers whose clock runs across a changed day; a resumed clock is not recomputed from its start.
    candidates = (Dossier.objects.filter(status__in=[Status.RECEIVED, Status.PROCESSING], legal_due_at__gte=start,
                                         clock_started_at__lte=end)
                  .exclude(supplement_count__gt=0, rule_version__supplement_clock=Procedure.SupplementClock.RESUME)
                  .select_related("procedure", "office", "rule_version").order_by("pk"))
    if not candidates.exists():
        return 0
    with calendar.pinned():
        return _recompute(candidates)


def _recompute(candidates) -> int:
    changed = 0
    for dossier in candidates.iterator(chunk_size=500):
        version = versions.version_of(dossier)
        due = calendar.due_at_for_limit(dossier.clock_started_at, version.time_limit_value, version.time_limit_unit,
                                        dossier.office, version.same_day_cutoff)
        if due != dossier.legal_due_at:
            with transaction.atomic():
                old_due = dossier.legal_due_at
                Dossier.objects.filter(pk=dossier.pk).update(
                    legal_due_at=due, apologise_by=calendar.apologise_by(due, dossier.office))
                ProcessStep.objects.filter(dossier=dossier, done_at__isnull=True).update(due_at=due)
                dossier.legal_due_at = due
                events.deadline_recomputed(dossier, old_due=old_due, new_due=due)
            changed += 1
    return changed

