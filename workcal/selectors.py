"""Reads of the materialised calendar (workcal.services writes it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from .models import CalendarOverride, CalendarStamp, WorkingDay


@dataclass(frozen=True)
class Table:
    """An immutable copy of the working-day table: `days[i]` has ordinal `first_ordinal + i`."""

    stamp: str
    first_year: int
    last_year: int
    holidays_version: str
    first_ordinal: int
    days: tuple

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


def content_stamp(first_ordinal: int, days) -> str:
    """A hash of the table's content: equal content ⇒ equal stamp (so a rolled-back rebuild that is done
    again yields the same stamp, and a cached copy with that stamp is right whatever happened in between)."""
    digest = hashlib.sha256(f"{first_ordinal}|".encode())
    digest.update(",".join(d.isoformat() for d in days).encode())
    return digest.hexdigest()


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def calendar_stamp() -> tuple[str, int, int, str] | None:
    """(stamp, first_year, last_year, holidays_version) of the materialised table, or None before the first
    build. One primary-key query (counted like any other: workcal.calendar caches the answer)."""
    return (CalendarStamp.objects.filter(pk=CalendarStamp.SINGLETON)
            .values_list("stamp", "first_year", "last_year", "holidays_version").first())


def calendar_table(state: tuple[str, int, int, str] | None = None) -> Table | None:
    """The whole working-day table (a few thousand rows), or None before the first build.

    `state` is a row of calendar_stamp() already read (then this is one query, else two). The table's stamp
    is computed from the rows read, so a copy is never labelled with a stamp its content does not have."""
    state = state or calendar_stamp()
    if state is None:
        return None
    _, first_year, last_year, holidays_version = state
    rows = list(WorkingDay.objects.order_by("ordinal").values_list("ordinal", "date"))
    first_ordinal = rows[0][0] if rows else 0
    if any(ordinal != first_ordinal + i for i, (ordinal, _) in enumerate(rows)):
        raise RuntimeError("workcal: WorkingDay ordinals are not consecutive; run manage.py workcal_rebuild")
    days = tuple(_as_date(d) for _, d in rows)
    return Table(stamp=content_stamp(first_ordinal, days), first_year=first_year, last_year=last_year,
                 holidays_version=holidays_version, first_ordinal=first_ordinal, days=days)


def overrides() -> tuple[dict, dict]:
    """({date: kind}, {date: note}) of every administrator override (a small table)."""
    kinds, notes = {}, {}
    for d, kind, note in CalendarOverride.objects.values_list("date", "kind", "note"):
        kinds[d], notes[d] = kind, note
    return kinds, notes


def working_days_in(first: date, last: date) -> set:
    """The materialised working days in [first, last] (one indexed range query)."""
    return set(WorkingDay.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True))
