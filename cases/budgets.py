"""The step budgets of the process-control slip (DOMAIN.md §2.2): each hand-over step has its own deadline,
read from the dossier's rule version (`desk_handover_cutoff`, `return_to_desk_days`), not the whole legal limit.

* **desk** (intake → hand-over to the processing unit): by the closing of the working day of receipt; received
  after the cut-off (default 15:00), after closing or on a non-working day → by the next working day's opening;
* **return to the desk** (resolve → result handed back): `return_to_desk_days` working days (default 0.5, one
  session of the office's hours: workcal.calendar.due_at_for_limit);
* **processing unit**: the rest, i.e. the legal due moment minus the return budget (in working time).

Step timeliness is judged against these by cases.deadlines.step_timeliness."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from workcal import calendar

DEFAULT_CUTOFF = time(15, 0)
DEFAULT_RETURN_DAYS = Decimal("0.5")


def _cutoff(version) -> time:
    return getattr(version, "desk_handover_cutoff", None) or DEFAULT_CUTOFF


def _return_days(version) -> Decimal:
    value = getattr(version, "return_to_desk_days", None)
    return DEFAULT_RETURN_DAYS if value is None else Decimal(value)


def _daily(office) -> timedelta:
    return sum(((datetime.combine(datetime.min, e) - datetime.combine(datetime.min, s))
                for s, e in calendar.office_hours(office)), timedelta())


def desk_due_at(received_at: datetime, office, version) -> datetime:
    """The desk hands over by that working day's closing; received after the cut-off (or after closing, or on a
    non-working day) → by the next working day's opening."""
    hours = calendar.office_hours(office)
    local = timezone.localtime(received_at)
    day, tz = local.date(), timezone.get_current_timezone()
    closing = hours[-1][1]
    if calendar.is_working_day(day) and local.time() <= _cutoff(version) and local.time() < closing:
        return timezone.make_aware(datetime.combine(day, closing), tz)
    following = calendar.next_working_day(day, include_self=False)
    return timezone.make_aware(datetime.combine(following, hours[0][0]), tz)


def return_due_at(resolved_at: datetime, office, version) -> datetime:
    """The result is back at the desk `return_to_desk_days` working days after the resolution."""
    days = _return_days(version)
    if not days:
        return calendar.clock_start(resolved_at, office)
    return calendar.due_at_for_limit(resolved_at, days, "working_days", office)


def processing_due(clock_started_at: datetime | None, legal_due_at: datetime | None, office, version):
    """The processing unit's deadline: the legal due moment minus the return budget, counted in working time
    from the clock start (never before the clock start)."""
    if legal_due_at is None or clock_started_at is None:
        return legal_due_at
    budget = _daily(office) * float(_return_days(version))
    if not budget:
        return legal_due_at
    # The moment `budget` of working time before the legal due (one lookup, not a walk from the clock start).
    return max(calendar.working_time_back(legal_due_at, budget, office), clock_started_at)


def processing_due_at(dossier) -> datetime | None:
    """processing_due of a dossier under its rule version."""
    from .versions import version_of

    return processing_due(dossier.clock_started_at, dossier.legal_due_at, dossier.office, version_of(dossier))
