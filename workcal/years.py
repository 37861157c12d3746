"""Announced and provisional calendar years (DOMAIN.md §3).

A year is *announced* once an administrator records the Government's notice for it (a CalendarYear row with
status `announced`); every other year the engine computes is *provisional*: computed by rule, and a due date
that falls in it carries `provisional: true` in the API and a warning on the dossier page.

Marking a year announced (or back to provisional) is a calendar change: after commit it sends
`workcal.signals.calendar_changed` for every day of the year, which is the same path an override change takes
(cases recomputes its open deadlines in `cases.recompute.recompute_open_deadlines`). The hook is
`_calendar_year_changed` below.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from django.utils import timezone

from . import index
from .models import CalendarOverride, CalendarStamp, CalendarYear
from .signals import calendar_changed

FALLBACK_SOURCE = "Chưa công bố: tính theo quy tắc của gói holidays"


# --- reads ---------------------------------------------------------------------------------------------------

def announced_years() -> set[int]:
    """The years marked announced (one small query; once per request or task: workcal.index's scope)."""
    return set(index.scoped_value("announced_years", lambda: frozenset(
        CalendarYear.objects.filter(status=CalendarYear.Status.ANNOUNCED).values_list("year", flat=True))))


def is_provisional(moment, announced: set[int] | None = None) -> bool:
    """True when `moment` (a date or an aware datetime, read in Asia/Ho_Chi_Minh) falls in a provisional year.
    None (no due date) is never provisional. Pass `announced` to avoid the query in a loop."""
    if moment is None:
        return False
    if isinstance(moment, datetime):
        moment = timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment.year not in (announced_years() if announced is None else announced)


def calendar_years() -> list[dict]:
    """Each year the engine knows (the materialised range, and any year with a row): `year`, `status`,
    `source`, `source_date`, `announced_by`, `announced_at` and `overrides` (the administrator's overrides of
    that year: date, kind, note). Three queries."""
    from .services import default_years

    rows = {r.year: r for r in CalendarYear.objects.select_related("announced_by")}
    stamp = CalendarStamp.objects.filter(pk=CalendarStamp.SINGLETON).values_list("first_year", "last_year").first()
    first, last = stamp or default_years()
    by_year: dict[int, list] = {}
    for d, kind, note in CalendarOverride.objects.order_by("date").values_list("date", "kind", "note"):
        by_year.setdefault(d.year, []).append({"date": d, "kind": kind, "note": note})
    out = []
    for year in sorted(set(range(first, last + 1)) | set(rows) | set(by_year)):
        row = rows.get(year)
        announced = row is not None and row.status == CalendarYear.Status.ANNOUNCED
        out.append({
            "year": year,
            "status": CalendarYear.Status.ANNOUNCED if announced else CalendarYear.Status.PROVISIONAL,
            "source": (row.source if row and row.source else ("" if announced else FALLBACK_SOURCE)),
            "source_date": row.source_date if row else None,
            "announced_by": row.announced_by.username if row and row.announced_by else None,
            "announced_at": row.announced_at if row else None,
            "overrides": by_year.get(year, []),
        })
    return out


# --- writes --------------------------------------------------------------------------------------------------

def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]


def _calendar_year_changed(year: int) -> None:
    """The same "calendar changed" path as an override: cases queues, on commit, the background task that
    recomputes the open deadlines whose clock spans that year (appointments already promised never move)."""
    index.invalidate_scope()  # this request or task reads the years afresh from now on
    calendar_changed.send(sender=CalendarYear, dates=_days_of(year))


@transaction.atomic
def calendar_year_save(*, instance: CalendarYear, actor) -> CalendarYear:
    """Store a year's status and notice. Turning it announced stamps who and when; any change of status
    recomputes the open deadlines after commit."""
    previous = (CalendarYear.objects.select_for_update().filter(pk=instance.pk).values_list("status", flat=True)
                .first() if instance.pk else None)
    if instance.status == CalendarYear.Status.ANNOUNCED and previous != CalendarYear.Status.ANNOUNCED:
        instance.announced_by, instance.announced_at = actor, timezone.now()
    elif instance.status == CalendarYear.Status.PROVISIONAL:
        instance.announced_by = instance.announced_at = None
    instance.full_clean()
    instance.save()
    if previous != instance.status:
        _calendar_year_changed(instance.year)
    return instance


def calendar_year_announce(*, year: int, source: str, source_date: date | None, actor) -> CalendarYear:
    """Mark `year` announced by the notice `source` of `source_date`."""
    instance = CalendarYear.objects.filter(year=year).first() or CalendarYear(year=year)
    instance.status, instance.source, instance.source_date = CalendarYear.Status.ANNOUNCED, source, source_date
    return calendar_year_save(instance=instance, actor=actor)
