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

How it is fast: the working days are materialised in the WorkingDay table (workcal.services); each process
keeps a copy with a per-day index (workcal.index), so every question is a list look-up — never a loop over days.
Which table is current (workcal.stamp: a cache lookup, one primary-key query on a miss; a reload of the copy,
one query, when it changed) is asked once per web request and per Celery task (workcal.index's scope), once
at entry of `with pinned():` (batch work), and by every call outside those; so a change committed in another
process is seen by the next request, task or call.

Reads never write: the covered years (settings.WORKCAL_YEARS) are built by `migrate` / `manage.py
workcal_rebuild`; a date outside them raises CalendarRangeError (a DomainError, code CALENDAR_OUT_OF_RANGE).

All datetimes returned are aware, in Asia/Ho_Chi_Minh (settings.TIME_ZONE). A naive datetime given as input
is read as local time in that zone.
"""
from __future__ import annotations

import contextvars
import logging
from bisect import bisect_right
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils import timezone

from . import index, rules, selectors, stamp
from .errors import CalendarNotBuilt, CalendarRangeError
from .index import DayIndex
from .selectors import Table

__all__ = [
    "is_working_day", "next_working_day", "add_working_days", "working_days_between", "office_hours",
    "clock_start", "legal_due_at", "working_time_between", "add_working_time", "apologise_by", "year_calendar",
    "pinned", "covered_years", "CalendarRangeError", "CalendarNotBuilt",
    "add_half_days", "half_days_between", "add_working_hours", "due_at_for_limit", "working_time_back",
]

log = logging.getLogger(__name__)

_cache: DayIndex | None = None
_pinned: contextvars.ContextVar[DayIndex | None] = contextvars.ContextVar("workcal_pinned", default=None)


# --- The in-process copy of the table (with its per-day index, workcal.index) ---------------------------

def _install(table: Table | None) -> DayIndex | None:
    global _cache
    _cache = DayIndex(table) if table is not None else None
    return _cache


def _fresh() -> DayIndex:
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


def _table() -> DayIndex:
    """Inside pinned(): that copy; inside a request's or task's scope: the copy its first call chose; else
    the current one (a stamp check)."""
    return _pinned.get() or index.scoped(_fresh)


def _for(*days: date) -> DayIndex:
    """The current table, covering the years of `days`."""
    table = _table()
    for d in days:
        if not table.covers(d.year):
            raise _out_of_range(table)
    return table


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


# --- Day arithmetic on the index (list look-ups; no loops over days, no bisect) --------------------------

def _day(d) -> date:
    if isinstance(d, datetime):
        return _local(d).date()
    return d


def _out_of_range(table) -> CalendarRangeError:
    return CalendarRangeError(table.first_year, table.last_year)


def _pos(table: DayIndex, d: date) -> int:
    i = table.position(d)
    if i < 0:
        raise _out_of_range(table)
    return i


def _found_pos(table: DayIndex, i: int) -> int:
    if i < 0:
        raise _out_of_range(table)
    return i


def _found(table: DayIndex, i: int) -> date:
    return table.day(_found_pos(table, i))


def _at_index(table, index: int) -> date:
    """The working day at position `index` (≥ 0) of table.days; CalendarRangeError past the end of the table."""
    if index >= len(table.days):
        raise _out_of_range(table)
    return table.days[index]


def _nth_after(table: DayIndex, d: date, n: int) -> date:
    """n ≥ 1: the n-th working day strictly after d. n ≤ -1: the |n|-th working day strictly before d."""
    i = _pos(table, d)
    return _found(table, table.nth_after(i, n) if n >= 1 else table.nth_before(i, -n))


def _next(table: DayIndex, d: date, include_self: bool) -> date:
    return _found(table, table.next_from(_pos(table, d), include_self))


def _is_working(table: DayIndex, d: date) -> bool:
    i = table.position(d)
    return i >= 0 and table.work[i] == 1


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
    return table.count_through(_pos(table, b)) - table.count_through(_pos(table, a))


# --- Office hours and moments ---------------------------------------------------------------------------

@lru_cache(maxsize=64)
def _parsed_hours(spans: tuple) -> tuple[tuple[time, time], ...]:
    return rules.parse_hours(spans)


_default_hours = None  # settings.OFFICE_HOURS parsed, once (override_settings resets it: setting_changed)


def _hours(office) -> tuple[tuple[time, time], ...]:
    global _default_hours
    if office is not None:
        return _parsed_hours(tuple((a, b) for a, b in office.hours()))
    if _default_hours is None:
        _default_hours = _parsed_hours(tuple((a, b) for a, b in settings.OFFICE_HOURS))
    return _default_hours


@receiver(setting_changed, dispatch_uid="workcal.calendar.setting_changed")
def _setting_changed(setting, **kwargs):
    global _default_hours, _zone
    if setting in ("OFFICE_HOURS", "TIME_ZONE"):
        _default_hours = _zone = None


def office_hours(office=None) -> list[tuple[time, time]]:
    """The office's opening spans [(start, end), ...] in order: office.hours() if an office is given, else
    settings.OFFICE_HOURS (our default 07:30–11:30, 13:00–17:00)."""
    return list(_hours(office))


_zone = None  # settings.TIME_ZONE's zone, once (reset like _default_hours)


def _tz():
    global _zone
    if _zone is None:
        _zone = timezone.get_default_timezone()
    return _zone


def _local(moment: datetime) -> datetime:
    """`moment` in local time (Asia/Ho_Chi_Minh); a naive moment is taken to be local already."""
    tz = _tz()
    if moment.tzinfo is tz:  # the common case: already local
        return moment
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


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
    return same_day_cutoff if same_day_cutoff is not None else _parsed_time(settings.SAME_DAY_CUTOFF)


@lru_cache(maxsize=16)
def _parsed_time(raw: str) -> time:
    return time.fromisoformat(raw)


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
    if days.__class__ is not int or days < 1:
        return _legal_due_other(start, days, office, same_day_cutoff)
    tz = _zone or _tz()  # _local(), _hours() and _table() inlined below: this is the hot path of bulk work
    local = start if start.tzinfo is tz else _local(start)
    hours = _default_hours if office is None and _default_hours is not None else _hours(office)
    table = _pinned.get() or index.scoped(_fresh)
    i = local.toordinal() - table.base
    if not 0 <= i < table.size:
        raise _out_of_range(table)
    memo = table.last_memo  # (hours, tz, {(day, days, k): answer}, the hours' bounds)
    if memo[0] is not hours or memo[1] is not tz:
        memo = table.memo(hours, tz)
    bounds = memo[3]  # k = bounds ≤ t: odd → inside span k // 2; even → before span k // 2 (or after the last)
    k = bisect_right(bounds, local.time()) if table.work[i] else len(bounds)
    key = (i, days, k)
    found = memo[2].get(key)
    if found is None:
        found = table.remember(memo, key, _due_after(table, i, days, k, hours))
    return local + found if k & 1 else found


def _legal_due_other(start: datetime, days, office, same_day_cutoff) -> datetime:
    """legal_due_at for a limit that is not a whole number of days ≥ 1: 0 (same day), a half, a Decimal."""
    if days < 0:
        raise ValueError("days must be ≥ 0")
    if days != int(days):  # 0.5, 1.5 working days: counted in half days (see add_half_days)
        return due_at_for_limit(start, days, "working_days", office, same_day_cutoff)
    if days:
        return legal_due_at(start, int(days), office, same_day_cutoff)
    local = _local(start)
    return _same_day_due(_for(local.date()), local, _hours(office), _cutoff(same_day_cutoff))


def _due_after(table: DayIndex, i: int, days: int, k: int, hours):
    """The answer legal_due_at keeps for (day position i, days, k): see there."""
    if k & 1:  # inside a span: the clock starts at once; the same clock time, `days` working days on
        return table.shift(_found_pos(table, table.nth_after(i, days)) - i)
    if k < 2 * len(hours):  # before opening / in the lunch break: at that span's opening
        return _at(_found(table, table.nth_after(i, days)), hours[k // 2][0])
    start_day = _found_pos(table, table.next_from(i, include_self=False))  # after closing, a day off
    return _at(_found(table, table.nth_after(start_day, days)), hours[0][0])


def _worked_until(table: Table, local: datetime, hours, daily: timedelta) -> timedelta:
    """Office time on working days from the start of the table to `local` (a cumulative clock)."""
    i = _pos(table, local.date())
    total = daily * table.rank[i]
    return total + _worked_by(hours, local.time()) if table.work[i] else total


# Half working days, working hours and time, apologise_by and the year listing live in workcal.units
# (they build on the functions above).
from .units import (  # noqa: E402
    add_half_days,
    add_working_hours,
    add_working_time,
    apologise_by,
    due_at_for_limit,
    half_days_between,
    working_time_back,
    working_time_between,
    year_calendar,
)
