"""A per-day index of the working-day table, and the scope in which one copy of it is used.

The index (DayIndex) is built once per calendar stamp, when this process loads a new table. Every calendar day
of the covered years has a position `i = d.toordinal() - base`; the index keeps, per position,

* `work[i]`  — 1 when the day is worked (Mon–Fri minus holidays plus make-up days, overrides applied), and
* `rank[i]`  — how many working days come strictly before it (so `rank[i + 1]` counts those on or before it),

and `offsets[k]`, the position of the k-th working day. "Is d worked", "the next working day", "N working days
after d" and "working days between a and b" are then one or two list look-ups each: no bisect, no loop.

The scope: outside it every public calendar call asks which table is current (workcal.stamp: a cache
round-trip). A web request (workcal.middleware.CalendarScopeMiddleware) and a Celery task (the task_prerun /
task_postrun signals, connected in workcal.apps) each open a scope: the first calendar call inside it checks the
stamp once and the rest of the request or task reuses that copy, so a change of the calendar is seen by the
next request or task, never in the middle of one — except by the code that made the change itself: a calendar
write (workcal.stamp.publish_on_commit) empties the scope, and until the scope ends every call checks again.
"""
from __future__ import annotations

import contextvars
from datetime import date, timedelta

MEMO_LIMIT = 200_000  # answers kept per office hours (~40 MB at most)


class DayIndex:
    """An immutable working-day table with its per-day index. It answers as selectors.Table does (`stamp`,
    `first_year`, `last_year`, `holidays_version`, `first_ordinal`, `days`, `covers`) so the callers of a
    Table keep working."""

    __slots__ = ("stamp", "first_year", "last_year", "holidays_version", "first_ordinal", "days",
                 "base", "size", "work", "rank", "offsets", "_shift", "_memos", "last_memo")

    def __init__(self, table):
        self.stamp, self.first_year, self.last_year = table.stamp, table.first_year, table.last_year
        self.holidays_version, self.first_ordinal, self.days = table.holidays_version, table.first_ordinal, table.days
        self.base = date(table.first_year, 1, 1).toordinal()
        self.size = date(table.last_year, 12, 31).toordinal() + 1 - self.base
        work = bytearray(self.size)
        offsets = []
        for d in table.days:
            i = d.toordinal() - self.base
            if 0 <= i < self.size:  # the table holds exactly the covered years; be strict anyway
                work[i] = 1
                offsets.append(i)
        rank, count = [0] * (self.size + 1), 0
        for i in range(self.size):
            rank[i] = count
            count += work[i]
        rank[self.size] = count
        self.work, self.rank, self.offsets = bytes(work), rank, offsets
        self._shift = {}  # calendar-day distance → timedelta, shared by all the moments shifted by it
        self._memos = {}  # id(hours) → (hours, tz, {key: answer}): due moments already worked out
        self.last_memo = (None, None, {}, ())  # the one used last (checked inline by the hot path)

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year

    # --- positions (callers check 0 <= i < size) ---------------------------------------------------------

    def position(self, d: date) -> int:
        """d's position, or -1 outside the covered years."""
        i = d.toordinal() - self.base
        return i if 0 <= i < self.size else -1

    def is_working(self, i: int) -> bool:
        return self.work[i] == 1

    def nth_after(self, i: int, n: int) -> int:
        """Position of the n-th (n ≥ 1) working day strictly after position i; -1 past the end of the table."""
        k = self.rank[i + 1] + n - 1
        return self.offsets[k] if k < len(self.offsets) else -1

    def nth_before(self, i: int, n: int) -> int:
        """Position of the n-th (n ≥ 1) working day strictly before position i; -1 before the table."""
        k = self.rank[i] - n
        return self.offsets[k] if k >= 0 else -1

    def next_from(self, i: int, include_self: bool) -> int:
        """Position of the first working day on (include_self) or after position i; -1 past the end."""
        k = self.rank[i] if include_self else self.rank[i + 1]
        return self.offsets[k] if k < len(self.offsets) else -1

    def count_through(self, i: int) -> int:
        """Working days on or before position i (within the table)."""
        return self.rank[i + 1]

    def shift(self, days: int) -> timedelta:
        """timedelta(days=days), made once per distance."""
        delta = self._shift.get(days)
        if delta is None:
            delta = self._shift[days] = timedelta(days=days)
        return delta

    def memo(self, hours, tz) -> tuple:
        """(hours, tz, {key: answer}, bounds): the answers worked out for these office hours and time zone (the
        same objects, checked by identity), for the caller to read and fill through remember(), and the hours'
        bounds in order (opening, closing, opening, …)."""
        entry = self._memos.get(id(hours))
        if entry is None or entry[0] is not hours or entry[1] is not tz:
            bounds = tuple(moment for span in hours for moment in span)
            entry = self._memos[id(hours)] = (hours, tz, {}, bounds)
        self.last_memo = entry
        return entry

    @staticmethod
    def remember(memo: tuple, key, answer):
        answers = memo[2]
        if len(answers) >= MEMO_LIMIT:  # bounded: start again
            answers.clear()
        answers[key] = answer
        return answer

    def day(self, i: int) -> date:
        return date.fromordinal(self.base + i)


# --- The scope of one request or task --------------------------------------------------------------------

class _Slot:
    """The copy chosen for the current scope (None until the first calendar call in it); `live` turns off
    when the scope's own code wrote the calendar (every later call in it asks afresh)."""

    __slots__ = ("index", "live", "values")

    def __init__(self):
        self.index, self.live, self.values = None, True, {}


_scope: contextvars.ContextVar[_Slot | None] = contextvars.ContextVar("workcal_scope", default=None)


def open_scope():
    """Start a scope (a request, a task); returns the token for close_scope."""
    return _scope.set(_Slot())


def close_scope(token) -> None:
    try:
        _scope.reset(token)
    except ValueError:  # a token from another context (a signal sent in another thread): just clear ours
        _scope.set(None)


def scoped(fresh):
    """The copy for the current scope: the one chosen by its first call, else `fresh()` (chosen now)."""
    slot = _scope.get()
    if slot is None or not slot.live:
        return fresh()
    index = slot.index
    if index is None:
        index = slot.index = fresh()
    return index


def scoped_value(name: str, load):
    """A small read of the calendar (the announced years) made once per scope; `load()` every time outside one."""
    slot = _scope.get()
    if slot is None or not slot.live:
        return load()
    if name not in slot.values:
        slot.values[name] = load()
    return slot.values[name]


def invalidate_scope() -> None:
    """This code wrote the calendar: stop reusing the scope's copy (and values) until the scope ends."""
    slot = _scope.get()
    if slot is not None:
        slot.index, slot.live, slot.values = None, False, {}
