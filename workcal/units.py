"""Time limits in half working days (buổi làm việc) and working hours (DOMAIN.md §3), built on the day and
office-hour arithmetic of workcal.calendar (which re-exports these functions: call them as calendar.*)."""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings

from . import calendar as _cal
from . import rules, selectors
from .selectors import Table

def _session_of(hours, t: time) -> int:
    """The index of the span (session) of `hours` that contains `t` (a clock-started time, so inside one)."""
    for j, (s, e) in enumerate(hours):
        if s <= t < e:
            return j
    return len(hours) - 1


def _half_day_ordinal_floor(table: Table, local: datetime, hours) -> int:
    """The ordinal (day position × sessions + session) of the last session that opened at or before `local`."""
    d, t = local.date(), local.time()
    base = bisect_left(table.days, d) * len(hours)
    if _cal._is_working(table, d):
        return base + sum(1 for s, _ in hours if s <= t) - 1
    return base - 1


def _add_half_days(table: Table, begun: datetime, n: int, hours) -> tuple[Table, datetime]:
    d, t = begun.date(), begun.time()
    j = _session_of(hours, t)
    offset = _cal._since_midnight(t) - _cal._since_midnight(hours[j][0])
    target = bisect_left(table.days, d) * len(hours) + j + n
    day = _cal._at_index(table, target // len(hours))
    s, e = hours[target % len(hours)]
    length = _cal._since_midnight(e) - _cal._since_midnight(s)
    return table, _cal._at(day, (datetime.combine(date.min, s) + min(offset, length)).time())


def add_half_days(start: datetime, n: int, office=None) -> datetime:
    """The due moment of a time limit of `n` half working days (buổi làm việc) received at `start`.

    Definition: a half working day is one *session* of the office's hours — each opening span is a session
    (default 07:30–11:30 the morning, 13:00–17:00 the afternoon); sessions of working days follow each other in
    order. The clock starts at clock_start(start) (so in the lunch break → 13:00, after closing → next opening),
    which lies in some session at some offset from that session's opening. N half days later is the same
    offset into the session N sessions further on (clamped to that session's end if it is shorter).
    Examples (default hours): Mon 09:00 + 1 → Mon 14:30; Mon 14:30 + 1 → Tue 09:00; Mon 12:00 + 1 → Tue 07:30;
    Mon 09:00 + 2 → Tue 09:00 (two half days are one working day). n == 0 → the clock start.

    Inverse: half_days_between(start, add_half_days(start, n)) == n.
    """
    if n < 0 or n != int(n):
        raise ValueError("n must be a whole number ≥ 0")
    hours = _cal._hours(office)
    local = _cal._local(start)
    table = _cal._for(local.date())
    begun = _cal._clock_start(table, local, hours)
    return _add_half_days(table, begun, int(n), hours)[1]


def half_days_between(start: datetime, end: datetime, office=None) -> int:
    """The number of whole half working days from `start` to `end`: the largest n ≥ 0 with
    add_half_days(start, n) ≤ end (0 when end is before that)."""
    hours = _cal._hours(office)
    a, b = _cal._local(start), _cal._local(end)
    table = _cal._for(a.date(), b.date())
    begun = _cal._clock_start(table, a, hours)
    j = _session_of(hours, begun.time())
    n = _half_day_ordinal_floor(table, b, hours) - (bisect_left(table.days, begun.date()) * len(hours) + j)
    if n <= 0:
        return 0
    table, moment = _add_half_days(table, begun, n, hours)
    return n if moment <= b else n - 1


def add_working_hours(start: datetime, amount, office=None) -> datetime:
    """The due moment of a time limit of `amount` working hours (may be fractional) received at `start`:
    add_working_time from the clock start (a result on a span's end stays at that end).
    Mon 09:00 + 4 h → Mon 14:30. Inverse: working_time_between."""
    seconds = round(Decimal(str(amount)) * 3600)
    if seconds < 0:
        raise ValueError("amount must be ≥ 0")
    return _cal.add_working_time(_cal.clock_start(start, office), timedelta(seconds=int(seconds)), office)


def due_at_for_limit(start: datetime, value, unit: str, office=None, same_day_cutoff: time | None = None) -> datetime:
    """The legal due moment of work received at `start` with a time limit of `value` in `unit`
    (`working_days`, `half_days` or `working_hours`; a ProcedureVersion's time_limit_value / _unit).

    Whole working days follow legal_due_at (0 = the same-day rule with its cut-off); a fractional number of
    working days must be a multiple of 0.5 and counts in half days (0.5 → 1 half day: Mon 09:00 → Mon 14:30);
    half days follow add_half_days (0 = the same-day rule); working hours follow add_working_hours."""
    value = Decimal(str(value))
    if value < 0:
        raise ValueError("a time limit must be ≥ 0")
    if unit == "working_days":
        if value == int(value):
            return _cal.legal_due_at(start, int(value), office, same_day_cutoff)
        unit, value = "half_days", value * 2
    if unit == "half_days":
        if value != int(value):
            raise ValueError("a time limit in half days must be a whole number of half days (0.5 working day)")
        if not value:
            return _cal.legal_due_at(start, 0, office, same_day_cutoff)
        return add_half_days(start, int(value), office)
    if unit == "working_hours":
        return add_working_hours(start, value, office)
    raise ValueError(f"unknown time-limit unit {unit!r}")


def working_time_back(end: datetime, amount: timedelta, office=None) -> datetime:
    """The earliest moment M with working_time_between(M, end) <= amount (≥ 0): started before M, waited longer."""
    local, hours = _cal._local(end), _cal._hours(office)
    daily, table = _cal._daily(hours), _cal._for(local.date())
    target = _cal._worked_until(table, local, hours, daily) - amount
    if amount < timedelta() or target < timedelta():
        raise ValueError("amount must be ≥ 0") if amount < timedelta() else _cal._out_of_range(table)
    index = max(target - timedelta(microseconds=1), timedelta()) // daily
    at = _cal._time_at(hours, target - daily * index) if target else hours[0][0]
    return _cal._at(_cal._at_index(table, index), at)


def year_calendar(year: int) -> dict:
    """{"year", "days_off": [{"date", "name", "source"}], "makeup_working_days": [...]} for `year`.

    days_off: public holidays from the `holidays` package (Vietnamese names; also those on a weekend) not
    overridden to "work", and every "off" override; makeup_working_days: the package's make-up days not
    overridden to "off", and "work" overrides on a day that would otherwise not be worked.
    source is "holidays" or "override".
    """
    table = _cal._table()
    if not table.covers(year):
        raise _cal._out_of_range(table)
    kinds, notes = selectors.overrides()
    return rules.year_listing(year, kinds, notes)


def apologise_by(due_at: datetime, office=None) -> datetime:
    """The must-apologise-by moment: the same clock time, settings.APOLOGY_LEAD_WORKING_DAYS working day(s)
    (our default 1) before the legal due moment (DOMAIN.md §2.5; Decision 2192/QĐ-BHXH Art. 13.6).
    `office` is accepted for symmetry: the rule is in working days, so office hours do not change it."""
    local = _cal._local(due_at)
    lead = settings.APOLOGY_LEAD_WORKING_DAYS
    table = _cal._for(local.date())
    return _cal._at(_cal._nth_after(table, local.date(), -lead), local.time())


def working_time_between(start: datetime, end: datetime, office=None) -> timedelta:
    """Office time on working days between two moments (negative when end < start). Time outside office
    hours, lunch breaks and non-working days count nothing. Inverse of add_working_time."""
    a, b = _cal._local(start), _cal._local(end)
    hours = _cal._hours(office)
    daily = _cal._daily(hours)
    table = _cal._for(a.date(), b.date())
    return _cal._worked_until(table, b, hours, daily) - _cal._worked_until(table, a, hours, daily)


def add_working_time(start: datetime, amount: timedelta, office=None) -> datetime:
    """The earliest moment at which `amount` (≥ 0) of office time has elapsed since `start` — used to resume
    a paused clock with the time it had left. A result on a span boundary is the end of the span
    (Mon 07:30 + 8 h → Mon 17:00, not Tue 07:30). amount == 0 → `start`.

    working_time_between(start, add_working_time(start, x)) == x for every x ≥ 0.
    """
    if amount < timedelta():
        raise ValueError("amount must be ≥ 0")
    local = _cal._local(start)
    if not amount:
        return local
    hours = _cal._hours(office)
    daily = _cal._daily(hours)
    table = _cal._for(local.date())
    target = _cal._worked_until(table, local, hours, daily) + amount
    index = (target - timedelta(microseconds=1)) // daily
    return _cal._at(_cal._at_index(table, index), _cal._time_at(hours, target - daily * index))
