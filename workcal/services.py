"""Writes of the working-day table: materialise years, rebuild after an override changes.

All writes are set-based (one range DELETE, one bulk INSERT) and serialised by a row lock on the single
CalendarStamp row. Each write ends by storing a new content stamp, published to every process on commit
(workcal.stamp), which tells them that their in-memory copy is out of date.

These run from `migrate` (a post_migrate handler builds settings.WORKCAL_YEARS), `manage.py workcal_rebuild`,
`seed_demo` and an administrator's override — never from a read (workcal.calendar only reads).
"""
from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction

from . import rules, selectors, stamp
from .models import CalendarOverride, CalendarStamp, WorkingDay
from .selectors import Table
from .signals import calendar_changed

BATCH = 1000


def default_years() -> tuple[int, int]:
    """The years the calendar covers (settings.WORKCAL_YEARS, default 2015–2040)."""
    first_year, last_year = settings.WORKCAL_YEARS
    return first_year, last_year


def _check_years(first_year: int, last_year: int) -> None:
    if not (rules.MIN_YEAR <= first_year <= last_year <= rules.MAX_YEAR):
        raise ValueError(f"workcal covers the years {rules.MIN_YEAR}–{rules.MAX_YEAR}, "
                         f"not {first_year}–{last_year}")


def _insert(days: list[date], first_ordinal: int) -> None:
    WorkingDay.objects.bulk_create(
        [WorkingDay(date=d, ordinal=first_ordinal + i) for i, d in enumerate(days)], batch_size=BATCH)


def _store_stamp(first_year: int, last_year: int) -> Table:
    """Hash the table's content into the CalendarStamp row and return the table as now stored."""
    rows = list(WorkingDay.objects.order_by("ordinal").values_list("ordinal", "date"))
    first_ordinal = rows[0][0] if rows else 0
    days = tuple(d for _, d in rows)
    content = selectors.content_stamp(first_ordinal, days)
    version = rules.holidays_version()
    CalendarStamp.objects.update_or_create(
        pk=CalendarStamp.SINGLETON,
        defaults={"stamp": content, "first_year": first_year, "last_year": last_year, "holidays_version": version})
    stamp.publish_on_commit((content, first_year, last_year, version))
    return Table(stamp=content, first_year=first_year, last_year=last_year,
                 holidays_version=rules.holidays_version(), first_ordinal=first_ordinal, days=days)


def _build_all(first_year: int, last_year: int) -> None:
    WorkingDay.objects.all().delete()
    _insert(rules.working_days(first_year, last_year, selectors.overrides()[0]), 0)


def _rebuild_from(state: CalendarStamp, from_year: int) -> list[date]:
    """Recompute the years from_year..last_year; return the dates whose working status changed.

    Ordinals of every later working day shift when one day changes, so the rebuild runs from the first
    affected year to the end of the range, as one DELETE and one bulk INSERT.
    """
    from_year = max(from_year, state.first_year)
    if from_year > state.last_year:
        return []
    start = date(from_year, 1, 1)
    old = selectors.working_days_in(start, date(state.last_year, 12, 31))
    new = rules.working_days(from_year, state.last_year, selectors.overrides()[0])
    changed = sorted(old.symmetric_difference(new))
    if not changed:
        return []
    before = WorkingDay.objects.filter(date__lt=start).order_by("-ordinal").values_list("ordinal", flat=True).first()
    if before is not None:
        first_ordinal = before + 1
    else:
        first_ordinal = WorkingDay.objects.order_by("ordinal").values_list("ordinal", flat=True).first() or 0
    WorkingDay.objects.filter(date__gte=start).delete()
    _insert(new, first_ordinal)
    return changed


def _extend(state: CalendarStamp, first_year: int, last_year: int) -> None:
    """Add whole years before or after the materialised range (ordinals continue; earlier ones go negative)."""
    kinds = selectors.overrides()[0]
    if first_year < state.first_year:
        days = rules.working_days(first_year, state.first_year - 1, kinds)
        lowest = WorkingDay.objects.order_by("ordinal").values_list("ordinal", flat=True).first() or 0
        _insert(days, lowest - len(days))
    if last_year > state.last_year:
        days = rules.working_days(state.last_year + 1, last_year, kinds)
        highest = WorkingDay.objects.order_by("-ordinal").values_list("ordinal", flat=True).first()
        _insert(days, 0 if highest is None else highest + 1)


def _locked_state():
    return CalendarStamp.objects.select_for_update().filter(pk=CalendarStamp.SINGLETON).first()


def calendar_materialise(*, first_year: int | None = None, last_year: int | None = None) -> Table:
    """Make sure the years first_year..last_year (and settings.WORKCAL_YEARS) are materialised. Idempotent.

    Builds the table the first time, extends it to newly configured years, and rebuilds it when the
    installed `holidays` package is newer than the one it was built with (sending calendar_changed for the
    days that moved). Run by `migrate` (post_migrate), `workcal_rebuild` and `seed_demo`, never by a read.
    Safe against a concurrent first build in another process: the loser's savepoint rolls back and it simply
    reads the winner's table.
    """
    lo, hi = default_years()
    first_year, last_year = min(first_year or lo, lo), max(last_year or hi, hi)
    _check_years(first_year, last_year)
    try:
        with transaction.atomic():
            return _materialise(first_year, last_year)
    except IntegrityError:
        with transaction.atomic():
            return _materialise(first_year, last_year)


def _materialise(first_year: int, last_year: int) -> Table:
    state = _locked_state()
    if state is None:
        _build_all(first_year, last_year)
        return _store_stamp(first_year, last_year)
    changed = []
    if rules.version_tuple(state.holidays_version) < rules.version_tuple(rules.holidays_version()):
        changed = _rebuild_from(state, state.first_year)
    if first_year < state.first_year or last_year > state.last_year:
        _extend(state, first_year, last_year)
    elif not changed and state.holidays_version == rules.holidays_version():
        return selectors.calendar_table()
    table = _store_stamp(min(first_year, state.first_year), max(last_year, state.last_year))
    if changed:
        calendar_changed.send(sender=CalendarStamp, dates=changed)
    return table


@transaction.atomic
def calendar_rebuild(*, from_year: int | None = None) -> list[date]:
    """Recompute the table from `from_year` (default: the whole range); send calendar_changed with the
    dates whose status changed. For changes that bypassed the override signals (bulk updates, loaddata)."""
    state = _locked_state()
    if state is None:
        calendar_materialise()
        return []
    changed = _rebuild_from(state, from_year or state.first_year)
    _store_stamp(state.first_year, state.last_year)
    if changed:
        calendar_changed.send(sender=CalendarOverride, dates=changed)
    return changed


@transaction.atomic
def calendar_override_changed(*, dates: list[date]) -> list[date]:
    """After an override on `dates` was saved or deleted: rebuild the table from the earliest of their years
    that it covers, and send `calendar_changed(dates=[...])` with the days whose status changed
    (synchronously, inside this transaction; a listener with heavy work defers it with on_commit).
    Nothing is sent when no day changed status (e.g. a "work" override on an ordinary Monday). An override
    outside the covered years changes nothing now; it applies when WORKCAL_YEARS grows to include it."""
    state = _locked_state()
    if state is None:
        return []  # no table yet: migrate / workcal_rebuild builds it with the overrides
    years = sorted(d.year for d in dates if state.first_year <= d.year <= state.last_year)
    if not years:
        return []
    changed = _rebuild_from(state, years[0])
    if changed:
        _store_stamp(state.first_year, state.last_year)
        calendar_changed.send(sender=CalendarOverride, dates=changed)
    return changed
