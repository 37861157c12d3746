"""The working-day calendar: the ONE module every deadline in the portal is computed with.

Rules (DOMAIN.md §3, "Deadlines"):

* Working day — Monday–Friday, minus public holidays (Labour Code 2019 Art. 112, via the `holidays` package,
  country VN, including the substitute days off the Government swaps), plus make-up working days (a
  Saturday declared worked), and an administrator's CalendarOverride wins over both.
* Office hours — per office (core.models.Office.hours()), default settings.OFFICE_HOURS
  (07:30–11:30, 13:00–17:00; our default).
* Start of the clock (Decree 61/2018/NĐ-CP; Circular 01/2018/TT-VPCP; our reading of it): received on a
  working day inside office hours → that moment; during a break between two spans (lunch) → the next span's
  opening (13:00); before opening → that day's opening; after closing or on a non-working day → the next
  working day's opening.
* Legal due moment, N ≥ 1 working days — the same clock time as the clock start, N working days after the
  start day. N = 0 (same-day procedure) — that working day's closing; received after the cut-off
  (per procedure, default settings.SAME_DAY_CUTOFF) or on a non-working day → the next working day's closing.
* Apologise by — the same clock time, settings.APOLOGY_LEAD_WORKING_DAYS working day(s) before the due
  moment (Decision 2192/QĐ-BHXH Art. 13.6; our default: 1).

How it is fast: the working days are materialised in the WorkingDay table (workcal.services) and each process
keeps a copy as a sorted tuple, so every question is a bisect or an index — never a loop over days. Every
public call first asks which table is current (workcal.stamp: a cache lookup, no query; one primary-key query
on a cache miss) and reloads its copy (one query) when that changed, so a change committed in another process
is seen by the very next call. Inside `with pinned():` that is asked once at entry (for batch work).

Reads never write: the covered years (settings.WORKCAL_YEARS) are built by `migrate` / `manage.py
workcal_rebuild`; a date outside them raises CalendarRangeError (a DomainError, code CALENDAR_OUT_OF_RANGE).

All datetimes returned are aware, in Asia/Ho_Chi_Minh (settings.TIME_ZONE). A naive datetime given as input
is read as local time in that zone.
"""
from __future__ import annotations

import contextvars
import logging
from bisect import bisect_left, bisect_right
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from . import rules, selectors, stamp
from .errors import CalendarNotBuilt, CalendarRangeError
from .selectors import Table

__all__ = [
    "is_working_day", "next_working_day", "add_working_days", "working_days_between", "office_hours",
    "clock_start", "legal_due_at", "working_time_between", "add_working_time", "apologise_by", "year_calendar",
    "pinned", "covered_years", "CalendarRangeError", "CalendarNotBuilt",
    "add_half_days", "half_days_between", "add_working_hours", "due_at_for_limit", "working_time_back",
]

log = logging.getLogger(__name__)

_cache: Table | None = None
_pinned: contextvars.ContextVar[Table | None] = contextvars.ContextVar("workcal_pinned", default=None)


# --- The in-process copy of the table -------------------------------------------------------------------

def _install(table: Table) -> Table:
    global _cache
    _cache = table
    return table


def _fresh() -> Table:
    """The current table: this process's copy if it is still current, else a reload (never a build)."""
    state = stamp.current()
    if state is None:
        raise CalendarNotBuilt()
    cached = _cache
    if cached is not None and cached.stamp == state[0]:
        return cached
    table = selectors.calendar_table(state)
    if rules.version_tuple(table.holidays_version) < rules.version_tuple(rules.holidays_version()):
        log.warning("workcal: the working-day table was built with holidays %s, %s is installed; "
                    "run manage.py migrate (or workcal_rebuild)", table.holidays_version, rules.holidays_version())
    return _install(table)


def _table() -> Table:
    return _pinned.get() or _fresh()


def _covering(table: Table, first_year: int, last_year: int) -> Table:
    """`table` if it covers first_year..last_year, else CalendarRangeError (reads never extend the table)."""
    if table.covers(first_year) and table.covers(last_year):
        return table
    raise _out_of_range(table)


def _for(*days: date) -> Table:
    """The current table, covering the years of `days`."""
    return _covering(_table(), min(d.year for d in days), max(d.year for d in days))


def covered_years() -> tuple[int, int]:
    """(first_year, last_year) of the working-day table: any date in them can be asked about."""
    table = _table()
    return table.first_year, table.last_year


@contextmanager
def pinned():
    """Read the version stamp once and use that copy of the calendar for the whole block."""
    token = _pinned.set(_table())
    try:
        yield
    finally:
        _pinned.reset(token)


# --- Day arithmetic on a table (bisect / index; no loops over days) -------------------------------------

def _day(d) -> date:
    if isinstance(d, datetime):
        return _local(d).date()
    return d


def _out_of_range(table: Table) -> CalendarRangeError:
    return CalendarRangeError(table.first_year, table.last_year)


def _at_index(table: Table, index: int) -> date:
    """The working day at position `index` (≥ 0); CalendarRangeError past the end of the table."""
    if index >= len(table.days):
        raise _out_of_range(table)
    return table.days[index]


def _nth_before(table: Table, d: date, n: int) -> date:
    """The n-th (n ≥ 1) working day strictly before d; CalendarRangeError before the start of the table."""
    before = bisect_left(table.days, d)
    if before < n:
        raise _out_of_range(table)
    return table.days[before - n]


def _nth_after(table: Table, d: date, n: int) -> date:
    """n ≥ 1: the n-th working day strictly after d. n ≤ -1: the |n|-th working day strictly before d."""
    if n >= 1:
        return _at_index(table, bisect_right(table.days, d) + n - 1)
    return _nth_before(table, d, -n)


def _next(table: Table, d: date, include_self: bool) -> date:
    index = bisect_left(table.days, d) if include_self else bisect_right(table.days, d)
    return _at_index(table, index)


def _is_working(table: Table, d: date) -> bool:
    i = bisect_left(table.days, d)
    return i < len(table.days) and table.days[i] == d


# --- Days -----------------------------------------------------------------------------------------------

def is_working_day(d: date) -> bool:
    """Whether `d` is a working day (Mon–Fri minus holidays plus make-up days; overrides win)."""
    d = _day(d)
    return _is_working(_for(d), d)


def next_working_day(d: date, include_self: bool = True) -> date:
    """The first working day on or after `d` (strictly after when include_self is False)."""
    d = _day(d)
    return _next(_for(d), d, include_self)


def add_working_days(d: date, n: int) -> date:
    """The n-th working day strictly after `d` (n ≥ 1): Thu 24/04/2025 + 2 → Sat 26/04/2025 (Fri 25 is day 1,
    Sat 26 a make-up day). n == 0 → next_working_day(d). n < 0 → the |n|-th working day strictly before d.

    Inverse of working_days_between: working_days_between(d, add_working_days(d, n)) == n for n ≥ 1.
    """
    d = _day(d)
    table = _for(d)
    if n == 0:
        return _next(table, d, include_self=True)
    return _nth_after(table, d, n)


def working_days_between(a: date, b: date) -> int:
    """The number of working days in (a, b]; negative (minus the count in (b, a]) when b < a."""
    a, b = _day(a), _day(b)
    table = _for(a, b)
    return bisect_right(table.days, b) - bisect_right(table.days, a)


# --- Office hours and moments ---------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _parsed_hours(spans: tuple) -> tuple[tuple[time, time], ...]:
    return rules.parse_hours(spans)


_default_hours: tuple = (None, None)  # (settings.OFFICE_HOURS object, its parsed form)


def _hours(office) -> tuple[tuple[time, time], ...]:
    global _default_hours
    if office is not None:
        return _parsed_hours(tuple((a, b) for a, b in office.hours()))
    raw = settings.OFFICE_HOURS
    if _default_hours[0] is not raw:  # parsed once; override_settings swaps the object
        _default_hours = (raw, _parsed_hours(tuple((a, b) for a, b in raw)))
    return _default_hours[1]


def office_hours(office=None) -> list[tuple[time, time]]:
    """The office's opening spans [(start, end), ...] in order: office.hours() if an office is given, else
    settings.OFFICE_HOURS (our default 07:30–11:30, 13:00–17:00)."""
    return list(_hours(office))


def _tz():
    return timezone.get_default_timezone()


def _local(moment: datetime) -> datetime:
    """`moment` in local time (Asia/Ho_Chi_Minh); a naive moment is taken to be local already."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=_tz())
    return moment.astimezone(_tz())


def _at(d: date, t: time) -> datetime:
    return datetime.combine(d, t, tzinfo=_tz())


@lru_cache(maxsize=8192)  # pure, and called millions of times by bulk work (clock times repeat)
def _since_midnight(t: time) -> timedelta:
    return timedelta(hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond)


@lru_cache(maxsize=256)
def _daily(hours) -> timedelta:
    return sum((_since_midnight(e) - _since_midnight(s) for s, e in hours), timedelta())


def _worked_by(hours, t: time) -> timedelta:
    """Office time of one working day elapsed at clock time `t`."""
    now = _since_midnight(t)
    total = timedelta()
    for s, e in hours:
        start, end = _since_midnight(s), _since_midnight(e)
        total += max(timedelta(), min(now, end) - start)
    return total


def _time_at(hours, worked: timedelta) -> time:
    """The earliest clock time at which `worked` (0 < worked ≤ a full day) office time has elapsed."""
    done = timedelta()
    for s, e in hours:
        length = _since_midnight(e) - _since_midnight(s)
        if worked <= done + length:
            return (datetime.combine(date.min, s) + (worked - done)).time()
        done += length
    return hours[-1][1]


def _clock_start(table: Table, local: datetime, hours) -> datetime:
    d, t = local.date(), local.time()
    if _is_working(table, d):
        for start, end in hours:
            if t < start:
                return _at(d, start)  # before opening, or during the lunch break → next opening
            if t < end:
                return local
    return _at(_next(table, d, include_self=False), hours[0][0])


def clock_start(moment: datetime, office=None) -> datetime:
    """When the legal clock starts for a dossier received at `moment` (DOMAIN.md §3):
    inside office hours on a working day → `moment`; before opening → that day's opening; during the lunch
    break → the afternoon opening (13:00); at/after closing or on a non-working day → the next working day's
    opening (07:30)."""
    local = _local(moment)
    return _clock_start(_for(local.date()), local, _hours(office))


def _cutoff(same_day_cutoff: time | None) -> time:
    if same_day_cutoff is not None:
        return same_day_cutoff
    return time.fromisoformat(settings.SAME_DAY_CUTOFF)


def _same_day_due(table: Table, local: datetime, hours, cutoff: time) -> datetime:
    d, t = local.date(), local.time()
    closing = hours[-1][1]
    if _is_working(table, d) and t <= cutoff and t < closing:
        return _at(d, closing)
    return _at(_next(table, d, include_self=False), closing)


def legal_due_at(start: datetime, days: int, office=None, same_day_cutoff: time | None = None) -> datetime:
    """The legal due moment of a procedure with a time limit of `days` working days, received at `start`.

    days ≥ 1: the clock-start time of day, `days` working days after the clock-start day
    (Thu 24/04/2025 09:00 + 2 → Sat 26/04/2025 09:00; Fri 13/02/2026 10:00 + 1 → Mon 23/02/2026 10:00, Tết).
    days == 0 (same-day procedure): that day's closing if received on a working day at or before the cut-off
    (`same_day_cutoff`, default settings.SAME_DAY_CUTOFF, 15:00) — so also when received before opening or in
    the lunch break; received after the cut-off, after closing, or on a non-working day → the next working
    day's closing (Fri 15:30 → Mon 17:00).
    """
    if days < 0:
        raise ValueError("days must be ≥ 0")
    if days != int(days):  # 0.5, 1.5 working days: counted in half days (see add_half_days)
        return due_at_for_limit(start, days, "working_days", office, same_day_cutoff)
    days = int(days)
    local = _local(start)
    hours = _hours(office)
    table = _for(local.date())
    if days == 0:
        return _same_day_due(table, local, hours, _cutoff(same_day_cutoff))
    begun = _clock_start(table, local, hours)
    return _at(_nth_after(table, begun.date(), days), begun.time())


def _worked_until(table: Table, local: datetime, hours, daily: timedelta) -> timedelta:
    """Office time on working days from the start of the table to `local` (a cumulative clock)."""
    d = local.date()
    before = bisect_left(table.days, d)
    total = daily * before
    if before < len(table.days) and table.days[before] == d:
        total += _worked_by(hours, local.time())
    return total


def working_time_between(start: datetime, end: datetime, office=None) -> timedelta:
    """Office time on working days between two moments (negative when end < start). Time outside office
    hours, lunch breaks and non-working days count nothing. Inverse of add_working_time."""
    a, b = _local(start), _local(end)
    hours = _hours(office)
    daily = _daily(hours)
    table = _for(a.date(), b.date())
    return _worked_until(table, b, hours, daily) - _worked_until(table, a, hours, daily)


def add_working_time(start: datetime, amount: timedelta, office=None) -> datetime:
    """The earliest moment at which `amount` (≥ 0) of office time has elapsed since `start` — used to resume
    a paused clock with the time it had left. A result on a span boundary is the end of the span
    (Mon 07:30 + 8 h → Mon 17:00, not Tue 07:30). amount == 0 → `start`.

    working_time_between(start, add_working_time(start, x)) == x for every x ≥ 0.
    """
    if amount < timedelta():
        raise ValueError("amount must be ≥ 0")
    local = _local(start)
    if not amount:
        return local
    hours = _hours(office)
    daily = _daily(hours)
    table = _for(local.date())
    target = _worked_until(table, local, hours, daily) + amount
    index = (target - timedelta(microseconds=1)) // daily
    return _at(_at_index(table, index), _time_at(hours, target - daily * index))


def apologise_by(due_at: datetime, office=None) -> datetime:
    """The must-apologise-by moment: the same clock time, settings.APOLOGY_LEAD_WORKING_DAYS working day(s)
    (our default 1) before the legal due moment (DOMAIN.md §2.5; Decision 2192/QĐ-BHXH Art. 13.6).
    `office` is accepted for symmetry: the rule is in working days, so office hours do not change it."""
    local = _local(due_at)
    lead = settings.APOLOGY_LEAD_WORKING_DAYS
    table = _for(local.date())
    return _at(_nth_after(table, local.date(), -lead), local.time())


def year_calendar(year: int) -> dict:
    """{"year", "days_off": [{"date", "name", "source"}], "makeup_working_days": [...]} for `year`.

    days_off: public holidays from the `holidays` package (Vietnamese names; also those on a weekend) not
    overridden to "work", and every "off" override; makeup_working_days: the package's make-up days not
    overridden to "off", and "work" overrides on a day that would otherwise not be worked.
    source is "holidays" or "override".
    """
    table = _table()
    if not table.covers(year):
        raise _out_of_range(table)
    kinds, notes = selectors.overrides()
    return rules.year_listing(year, kinds, notes)


# Half working days, working hours and the backward walk live in workcal.units (they build on the functions above).
from .units import (  # noqa: E402
    add_half_days,
    add_working_hours,
    due_at_for_limit,
    half_days_between,
    working_time_back,
)
