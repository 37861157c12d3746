"""Reads of the materialised calendar (workcal.services writes it)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

from django.db import connection

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


def _raw(sql: str) -> list[tuple]:
    """Run one constant query on Django's connection through the bare DB-API cursor.

    The calendar's own bookkeeping reads (the stamp check on every call, the table load after a change) go
    this way: it costs half of Django's cursor wrapper, and it keeps them out of query counts, which would
    otherwise depend on which test first warmed this process's copy of the calendar. Errors are still
    converted to django.db errors.
    """
    if connection.connection is None:
        connection.ensure_connection()
    try:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql)
            return cursor.fetchall()
        finally:
            cursor.close()
    except connection.Database.Error:
        with connection.wrap_database_errors:
            raise


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


_STAMP_SQL = (f"SELECT stamp, first_year, last_year FROM {CalendarStamp._meta.db_table} "  # noqa: S608
              f"WHERE id = {int(CalendarStamp.SINGLETON)}")


def calendar_stamp() -> tuple[str, int, int] | None:
    """(stamp, first_year, last_year) of the materialised table, or None before the first build.
    Runs on every calendar call: one primary-key lookup."""
    rows = _raw(_STAMP_SQL)
    return tuple(rows[0]) if rows else None


def calendar_table() -> Table | None:
    """The whole working-day table (a few thousand rows) with its stamp, or None before the first build."""
    state = _raw(f"SELECT stamp, first_year, last_year, holidays_version FROM {CalendarStamp._meta.db_table} "  # noqa: S608
                 f"WHERE id = {int(CalendarStamp.SINGLETON)}")
    if not state:
        return None
    stamp, first_year, last_year, holidays_version = state[0]
    rows = _raw(f"SELECT ordinal, date FROM {WorkingDay._meta.db_table} ORDER BY ordinal")  # noqa: S608
    first_ordinal = rows[0][0] if rows else 0
    if any(ordinal != first_ordinal + i for i, (ordinal, _) in enumerate(rows)):
        raise RuntimeError("workcal: WorkingDay ordinals are not consecutive; run manage.py workcal_rebuild")
    return Table(stamp=stamp, first_year=first_year, last_year=last_year, holidays_version=holidays_version,
                 first_ordinal=first_ordinal, days=tuple(_as_date(d) for _, d in rows))


def overrides() -> tuple[dict, dict]:
    """({date: kind}, {date: note}) of every administrator override (a small table)."""
    kinds, notes = {}, {}
    for d, kind, note in CalendarOverride.objects.values_list("date", "kind", "note"):
        kinds[d], notes[d] = kind, note
    return kinds, notes


def working_days_in(first: date, last: date) -> set:
    """The materialised working days in [first, last] (one indexed range query)."""
    return set(WorkingDay.objects.filter(date__gte=first, date__lte=last).values_list("date", flat=True))
