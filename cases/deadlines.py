"""Every deadline predicate of a dossier, defined once (DOMAIN.md §3), in its SQL and its Python form side by side.

* **overdue** at `now`: the legal clock runs (received, processing) and the legal due moment has passed;
* **due soon** at `now`: the clock runs, the must-apologise-by moment (due − 1 working day) is at most one
  working day away (`warn_horizon(now)`: one working day of office time after `now`) and the legal due moment
  has not passed — so an apology can still go out on time;
* **apology due** at `now`: the clock runs, the must-apologise-by moment has passed, the legal due moment has
  not, and no apology slip has been issued (`reschedule_count == 0`);
* **appointment missed** at `now`: an apology slip was issued (`reschedule_count > 0`), the clock runs and the
  new appointment has passed unresolved (DOMAIN.md §2.5);
* **late to accept** at `now`: an online dossier still `submitted` more than settings.ONLINE_ACCEPT_HOURS
  working hours after it arrived (`submitted_at`; DOMAIN.md §2.1);
* the **stage** (`Dossier.due_state`, the API's `due_stage`) is the first that holds of appointment missed >
  overdue > apology due > due soon, or late to accept for a submitted dossier (`stage_q`, `due_stage`);
* **overdue or late** (the API's `is_overdue` field, the lists' `overdue=` filter and badge): overdue at `now`,
  or finished (resolved, returned) after the legal due moment;
* **past due** at a moment (the report's "in progress, overdue" at a period's end): the legal due moment is
  before it and the clock is not stopped for the applicant's supplement;
* **timeliness** of a resolved dossier or of a finished process step: *late* if done after its due moment,
  *early* if done on a calendar day (Asia/Ho_Chi_Minh, the current time zone) before the due day, otherwise
  *on time*; a process step still open past its own budget is an overdue step;
* a **late apology**: issued after the must-apologise-by moment.

Pages, lists, counters, API fields, the scan and the reports call these; `tests/cases/test_deadlines.py` holds
the SQL and the Python forms equal over random dossiers. A NULL moment satisfies no predicate in either form.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.db.models.lookups import LessThan
from django.utils import timezone

LATE, EARLY, ON_TIME = "late", "early", "on_time"  # the values of ProcessStep.Result


# --- SQL ---------------------------------------------------------------------------------------------------

def overdue_q(now: datetime) -> Q:
    return Q(status__in=_running(), legal_due_at__lt=now)


def due_soon_q(now) -> Q:
    """The stage "due soon" (see stage_q): warned, and neither apology due, overdue nor appointment missed."""
    return stage_q(DueState.DUE_SOON, now)


def warn_horizon(now: datetime) -> datetime:
    """One working day of office time (settings.OFFICE_HOURS) after `now`: a must-apologise-by moment at or
    before it is "due soon"."""
    from workcal import calendar

    hours = calendar.office_hours()
    day = sum((datetime.combine(now.date(), e) - datetime.combine(now.date(), s) for s, e in hours), timedelta())
    return calendar.add_working_time(now, day)


def accept_cutoff(now: datetime) -> datetime:
    """An online dossier submitted before this moment has waited more than settings.ONLINE_ACCEPT_HOURS
    working hours at `now`."""
    from workcal import calendar

    return calendar.working_time_back(now, timedelta(hours=settings.ONLINE_ACCEPT_HOURS))


@dataclass(frozen=True)
class Moments:
    """The thresholds of one scan moment, computed once (constant SQL whatever the number of dossiers)."""
    now: datetime
    horizon: datetime
    cutoff: datetime

    @classmethod
    def at(cls, now: datetime) -> "Moments":
        return cls(now=now, horizon=warn_horizon(now), cutoff=accept_cutoff(now))


def _moments(now) -> Moments:
    return now if isinstance(now, Moments) else Moments.at(now)


def warned_q(now) -> Q:
    """The raw "due soon" condition (also true later, until the legal due moment)."""
    m = _moments(now)
    return Q(status__in=_running(), apologise_by__lte=m.horizon, legal_due_at__gte=m.now)


def apology_due_q(now) -> Q:
    m = _moments(now)
    return Q(status__in=_running(), apologise_by__lt=m.now, legal_due_at__gte=m.now, reschedule_count=0)


def appointment_missed_q(now) -> Q:
    m = _moments(now)
    return Q(status__in=_running(), reschedule_count__gt=0, appointment_at__lt=m.now)


def late_to_accept_q(now) -> Q:
    m = _moments(now)
    return Q(status=Status.SUBMITTED, submitted_at__lt=m.cutoff)


def stage_q(stage: str, now) -> Q:
    """The dossiers whose stage at `now` is `stage` (exactly one stage holds, by precedence)."""
    m = _moments(now)
    missed, over = appointment_missed_q(m), overdue_q(m.now)
    if stage == DueState.APPOINTMENT_MISSED:
        return missed
    if stage == DueState.OVERDUE:
        return over & ~missed
    if stage == DueState.APOLOGY_DUE:
        return apology_due_q(m) & ~over & ~missed
    if stage == DueState.DUE_SOON:
        return warned_q(m) & ~apology_due_q(m) & ~over & ~missed
    if stage == DueState.LATE_TO_ACCEPT:
        return late_to_accept_q(m)
    raise ValueError(stage)


# The same stages as raw SQL over `cases_dossier d`, for the scan's one statement (cases.services.scan_sql), with
# the parameters %(now)s, %(horizon)s and %(cutoff)s of a Moments; tests/cases/test_scan_marks.py holds them equal
# to stage_q.
RUNNING_SQL = "d.status IN ('received', 'processing')"
OVERDUE_SQL = f"{RUNNING_SQL} AND d.legal_due_at < %(now)s"
WARNED_SQL = f"{RUNNING_SQL} AND d.apologise_by <= %(horizon)s AND d.legal_due_at >= %(now)s"
APOLOGY_DUE_SQL = f"{RUNNING_SQL} AND d.apologise_by < %(now)s AND d.legal_due_at >= %(now)s AND d.reschedule_count = 0"
MISSED_SQL = f"{RUNNING_SQL} AND d.reschedule_count > 0 AND d.appointment_at < %(now)s"
LATE_TO_ACCEPT_SQL = "d.status = 'submitted' AND d.submitted_at < %(cutoff)s"
# Where a stage can turn while its row stays the same: each comparison above of a column with a threshold turns
# only when the threshold passes the column's value, and the thresholds only move forward. Between two scan
# moments (%(now0)s, %(horizon0)s, %(cutoff0)s, then %(now)s, %(horizon)s, %(cutoff)s) those are the dossiers
# with a value in one of these windows (the incremental run of cases.services.scan_sql).
CROSSED_SQL = (
    f"{RUNNING_SQL} AND d.legal_due_at >= %(now0)s AND d.legal_due_at < %(now)s",
    f"{RUNNING_SQL} AND d.apologise_by > %(horizon0)s AND d.apologise_by <= %(horizon)s",
    f"{RUNNING_SQL} AND d.apologise_by >= %(now0)s AND d.apologise_by < %(now)s",
    f"{RUNNING_SQL} AND d.reschedule_count > 0 AND d.appointment_at >= %(now0)s AND d.appointment_at < %(now)s",
    "d.status = 'submitted' AND d.submitted_at >= %(cutoff0)s AND d.submitted_at < %(cutoff)s",
)


def staged_q(now) -> Q:
    """Any stage holds at `now`."""
    m = _moments(now)
    return (appointment_missed_q(m) | overdue_q(m.now) | apology_due_q(m) | warned_q(m) | late_to_accept_q(m))


def late_q() -> Q:
    """Resolved after the legal due moment (whatever happened next: returned, refused, withdrawn)."""
    return Q(resolved_at__gt=F("legal_due_at"))


def early_q() -> Q:
    """Resolved on a local calendar day before the due day."""
    return Q(LessThan(TruncDate("resolved_at"), TruncDate("legal_due_at"))) & ~late_q()


def on_time_q() -> Q:
    return Q(resolved_at__isnull=False, legal_due_at__isnull=False) & ~late_q() & ~early_q()


def overdue_or_late_q(now: datetime) -> Q:
    return overdue_q(now) | (Q(status__in=_finished()) & late_q())


def past_due_q(moment: datetime) -> Q:
    return Q(legal_due_at__lt=moment) & ~Q(status=Status.AWAITING_SUPPLEMENT)


def overdue_then_q(moment: datetime) -> Q:
    """As the history stood at `moment` (the ledger's annotations, cases.ledger.annotate_state_at): the clock
    was running then, past the legal due moment in force then."""
    return Q(status_then__in=CLOCK_RUNNING, legal_due_then__lt=moment)


def due_before_q(moment: datetime) -> Q:
    """The list filter `due_before`: the legal due moment is before `moment` (any status)."""
    return Q(legal_due_at__lt=moment)


class DossierQuerySet(models.QuerySet):
    """`Dossier.objects`: the deadline predicates as chainable filters. `count_hint` (kept by every clone) is how
    a search tells the list's paginator to count it: (exact up to, the planner's estimate) — cases.selectors."""

    count_hint: tuple[int, int | None] | None = None

    def _clone(self):
        clone = super()._clone()
        clone.count_hint = self.count_hint
        return clone

    def overdue(self, now: datetime):
        return self.filter(overdue_q(now))

    def due_soon(self, now):
        return self.filter(due_soon_q(now))

    def in_stage(self, stage: str, now):
        return self.filter(stage_q(stage, now))

    def overdue_or_late(self, now: datetime):
        return self.filter(overdue_or_late_q(now))

    def past_due(self, moment: datetime):
        return self.filter(past_due_q(moment))

    def due_before(self, moment: datetime):
        return self.filter(due_before_q(moment))

    def resolved_late(self):
        return self.filter(resolved_at__isnull=False).filter(late_q())

    def resolved_early(self):
        return self.filter(resolved_at__isnull=False).filter(early_q())

    def resolved_on_time(self):
        return self.filter(on_time_q())


# --- Python ------------------------------------------------------------------------------------------------

def is_overdue(dossier, now: datetime) -> bool:
    return dossier.status in _running() and dossier.legal_due_at is not None and dossier.legal_due_at < now


def is_due_soon(dossier, now) -> bool:
    return due_stage(dossier, now) == DueState.DUE_SOON


def is_warned(dossier, now) -> bool:
    m = _moments(now)
    return (dossier.status in _running() and dossier.apologise_by is not None and dossier.legal_due_at is not None
            and dossier.apologise_by <= m.horizon and m.now <= dossier.legal_due_at)


def is_apology_due(dossier, now) -> bool:
    m = _moments(now)
    return (dossier.status in _running() and dossier.apologise_by is not None and dossier.legal_due_at is not None
            and dossier.apologise_by < m.now <= dossier.legal_due_at and dossier.reschedule_count == 0)


def is_appointment_missed(dossier, now) -> bool:
    m = _moments(now)
    return (dossier.status in _running() and dossier.reschedule_count > 0 and dossier.appointment_at is not None
            and dossier.appointment_at < m.now)


def is_late_to_accept(dossier, now) -> bool:
    """Waited more than settings.ONLINE_ACCEPT_HOURS working hours since arrival, still submitted."""
    from workcal import calendar

    m = _moments(now)
    return (dossier.status == Status.SUBMITTED and dossier.submitted_at is not None
            and calendar.working_time_between(dossier.submitted_at, m.now)
            > timedelta(hours=settings.ONLINE_ACCEPT_HOURS))


def due_stage(dossier, now) -> str:
    """The stage at `now` by precedence (the Python form of stage_q); "" when none holds."""
    m = _moments(now)
    if is_appointment_missed(dossier, m):
        return DueState.APPOINTMENT_MISSED
    if is_overdue(dossier, m.now):
        return DueState.OVERDUE
    if is_apology_due(dossier, m):
        return DueState.APOLOGY_DUE
    if is_warned(dossier, m):
        return DueState.DUE_SOON
    if is_late_to_accept(dossier, m):
        return DueState.LATE_TO_ACCEPT
    return DueState.NONE


def is_late(dossier) -> bool:
    return timeliness(dossier.resolved_at, dossier.legal_due_at) == LATE


def is_overdue_or_late(dossier, now: datetime) -> bool:
    return is_overdue(dossier, now) or (dossier.status in _finished() and is_late(dossier))


def is_overdue_then(state, moment: datetime) -> bool:
    """The Python form of `overdue_then_q` for a `cases.ledger.ClockState`."""
    return state.status in CLOCK_RUNNING and state.legal_due_at is not None and state.legal_due_at < moment


def is_past_due(dossier, moment: datetime) -> bool:
    return (dossier.legal_due_at is not None and dossier.legal_due_at < moment
            and dossier.status != Status.AWAITING_SUPPLEMENT)


def timeliness(done_at: datetime | None, due_at: datetime | None) -> str | None:
    """`late`, `early` or `on_time` (see the module's docstring); None when either moment is missing."""
    if done_at is None or due_at is None:
        return None
    if done_at > due_at:
        return LATE
    if timezone.localtime(done_at).date() < timezone.localtime(due_at).date():
        return EARLY
    return ON_TIME


def dossier_timeliness(dossier) -> str | None:
    return timeliness(dossier.resolved_at, dossier.legal_due_at)


def step_timeliness(done_at: datetime, due_at: datetime | None) -> str:
    """A process step against its own budget (DOMAIN.md §2.2); a step without a budget is on time."""
    return timeliness(done_at, due_at) if due_at is not None else ON_TIME


def is_step_overdue(step, now: datetime) -> bool:
    """A process step still open past its own budget."""
    return step.done_at is None and step.due_at is not None and step.due_at < now


def is_apology_late(issued_at: datetime, apologise_by: datetime) -> bool:
    """An apology slip issued after the must-apologise-by moment is a late apology (still allowed, flagged)."""
    return issued_at > apologise_by


def _running():
    return CLOCK_RUNNING


def _finished():
    return (Status.RESOLVED, Status.RETURNED)


# cases.models builds Dossier.objects from DossierQuerySet, so its names are imported last (the predicates above
# read them when called): either module may then be imported first.
from .models import CLOCK_RUNNING, DueState, Status  # noqa: E402
