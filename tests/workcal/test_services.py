"""Overrides, the materialised table, its rebuilds, calendar_changed, and the per-process copy."""
from datetime import date

import pytest
from django.db import transaction

from workcal import calendar, services
from workcal.models import CalendarOverride, CalendarStamp, WorkingDay

from .helpers import at

pytestmark = pytest.mark.django_db


def _ordinals_are_consecutive():
    ordinals = list(WorkingDay.objects.order_by("date").values_list("ordinal", flat=True))
    return ordinals == list(range(ordinals[0], ordinals[0] + len(ordinals)))


def test_override_adding_a_day_off_changes_add_working_days_and_fires_calendar_changed(override, calendar_events):
    assert calendar.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 10)
    override("2026-03-10", "off", "Nghỉ theo thông báo của Chính phủ")
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)
    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 13)) == 3
    assert calendar_events == [[date(2026, 3, 10)]]
    assert _ordinals_are_consecutive()


def test_override_making_a_saturday_a_working_day(override, calendar_events):
    assert not calendar.is_working_day(date(2026, 3, 7))
    override("2026-03-07", "work", "Làm bù")
    assert calendar.is_working_day(date(2026, 3, 7))
    assert calendar.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 7)
    assert calendar.legal_due_at(at(2026, 3, 6, 9), 1) == at(2026, 3, 7, 9)
    assert calendar_events == [[date(2026, 3, 7)]]
    row = calendar.year_calendar(2026)["makeup_working_days"][0]
    assert row == {"date": date(2026, 3, 7), "name": "Làm bù", "source": "override"}


def test_override_wins_over_a_package_holiday(override):
    override("2025-05-02", "work")
    assert calendar.is_working_day(date(2025, 5, 2))
    listing = calendar.year_calendar(2025)
    assert date(2025, 5, 2) not in [row["date"] for row in listing["days_off"]]


def test_deleting_an_override_restores_the_day_and_fires_calendar_changed(override, calendar_events):
    row = override("2026-03-10", "off")
    row.delete()
    assert calendar.is_working_day(date(2026, 3, 10))
    assert calendar_events == [[date(2026, 3, 10)], [date(2026, 3, 10)]]


def test_moving_an_override_reports_both_dates(override, calendar_events):
    row = override("2026-03-10", "off")
    row = CalendarOverride.objects.get(pk=row.pk)
    row.date = date(2026, 3, 12)
    row.save()
    assert calendar.is_working_day(date(2026, 3, 10))
    assert not calendar.is_working_day(date(2026, 3, 12))
    assert calendar_events[-1] == [date(2026, 3, 10), date(2026, 3, 12)]


def test_override_that_changes_nothing_sends_nothing(override, calendar_events):
    stamp = CalendarStamp.objects.get().stamp
    override("2026-03-08", "off")  # already a Sunday
    override("2026-03-09", "work")  # already a Monday
    assert calendar_events == []
    assert CalendarStamp.objects.get().stamp == stamp


def test_override_outside_the_covered_years_changes_no_row(override, calendar_events):
    state = CalendarStamp.objects.values_list("stamp", "first_year", "last_year").get()
    override("2012-06-04", "off")
    assert CalendarStamp.objects.values_list("stamp", "first_year", "last_year").get() == state
    assert not WorkingDay.objects.filter(date__year=2012).exists()
    assert calendar_events == []


def test_a_rolled_back_override_leaves_no_trace_in_the_cached_copy(override):
    with pytest.raises(RuntimeError), transaction.atomic():
        override("2026-03-10", "off")
        assert not calendar.is_working_day(date(2026, 3, 10))
        raise RuntimeError("roll back")
    assert calendar.is_working_day(date(2026, 3, 10))


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_is_published_and_the_next_call_reloads_once(django_assert_num_queries):
    from django.core.cache import cache

    from workcal import stamp

    assert calendar.is_working_day(date(2026, 3, 10))
    before = calendar._cache
    # Another process commits an override and rebuilds; it publishes the new state when it commits.
    CalendarOverride.objects.bulk_create([CalendarOverride(date=date(2026, 3, 10), kind="off")])
    assert services.calendar_rebuild(from_year=2026) == [date(2026, 3, 10)]
    row = CalendarStamp.objects.get()
    assert cache.get(stamp.KEY) == (row.stamp, row.first_year, row.last_year, row.holidays_version)
    assert calendar._cache is before
    with django_assert_num_queries(1):  # the new table; the stamp came from the cache
        assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar._cache is not before and calendar._cache.stamp == row.stamp
    with django_assert_num_queries(0):
        assert not calendar.is_working_day(date(2026, 3, 10))


def test_pinned_reads_the_stamp_once_for_the_whole_block():
    assert calendar.is_working_day(date(2026, 3, 10))
    with calendar.pinned():
        CalendarOverride.objects.bulk_create([CalendarOverride(date=date(2026, 3, 10), kind="off")])
        services.calendar_rebuild(from_year=2026)
        assert calendar.is_working_day(date(2026, 3, 10))  # still the copy pinned at entry
    assert not calendar.is_working_day(date(2026, 3, 10))


def test_calendar_calls_count_their_queries_honestly(django_assert_num_queries):
    from django.core.cache import cache

    calendar._install(None)
    cache.clear()
    with django_assert_num_queries(2):  # cold process: the stamp row, then the working days
        calendar.legal_due_at(at(2026, 3, 10, 9), 5)
    with django_assert_num_queries(0):  # warm: the stamp from the cache, the days from this process
        calendar.legal_due_at(at(2026, 3, 10, 9), 5)
        calendar.apologise_by(at(2026, 3, 17, 9))
    cache.clear()
    with django_assert_num_queries(1):  # cache evicted: the stamp row only; this process's copy still fits
        calendar.legal_due_at(at(2026, 3, 10, 9), 5)
    with django_assert_num_queries(0):
        calendar.is_working_day(date(2026, 3, 10))


def test_inside_a_transaction_that_wrote_the_calendar_every_call_reads_the_stamp(override,
                                                                                 django_assert_num_queries):
    calendar.is_working_day(date(2026, 3, 10))
    override("2026-03-10", "off")
    with django_assert_num_queries(2):  # its own uncommitted stamp (never the shared cache's), the new days
        assert not calendar.is_working_day(date(2026, 3, 10))
    with django_assert_num_queries(1):  # until it commits, the stamp row on every call
        assert calendar.add_working_days(date(2026, 3, 9), 1) == date(2026, 3, 11)


def test_a_missing_table_is_an_error_not_a_build():
    from workcal.apps import build_covered_years
    from workcal.errors import CalendarNotBuilt

    WorkingDay.objects.all().delete()
    CalendarStamp.objects.all().delete()
    calendar._install(None)
    with pytest.raises(CalendarNotBuilt):
        calendar.add_working_days(date(2025, 4, 24), 2)
    assert not WorkingDay.objects.exists() and not CalendarStamp.objects.exists()
    build_covered_years(sender=None)  # what `migrate` runs
    assert calendar.add_working_days(date(2025, 4, 24), 2) == date(2025, 4, 26)
    state = CalendarStamp.objects.get()
    assert (state.first_year, state.last_year) == services.default_years() == (2015, 2040)
    assert WorkingDay.objects.count() > 6000
    assert _ordinals_are_consecutive()


def test_a_table_built_with_an_older_holidays_package_is_read_as_is_and_rebuilt_by_migrate():
    from workcal import rules
    from workcal.apps import build_covered_years

    CalendarStamp.objects.update(holidays_version="0.1")
    calendar._install(None)
    assert calendar.is_working_day(date(2025, 4, 26))
    assert CalendarStamp.objects.get().holidays_version == "0.1"  # a read never rebuilds
    build_covered_years(sender=None)
    assert CalendarStamp.objects.get().holidays_version == rules.holidays_version()


def test_wider_workcal_years_are_built_by_migrate_not_by_reads(settings):
    from workcal.apps import build_covered_years

    settings.WORKCAL_YEARS = (2014, 2040)
    with pytest.raises(calendar.CalendarRangeError):
        calendar.is_working_day(date(2014, 6, 2))
    build_covered_years(sender=None)
    assert calendar.covered_years() == (2014, 2040)
    assert calendar.is_working_day(date(2014, 6, 2))
    assert _ordinals_are_consecutive()


def test_materialise_is_idempotent():
    first = services.calendar_materialise()
    second = services.calendar_materialise()
    assert first.stamp == second.stamp == CalendarStamp.objects.get().stamp
    assert WorkingDay.objects.count() == len(first.days)


def test_seed_is_idempotent():
    from io import StringIO

    from workcal.demo import seed

    out = StringIO()
    seed(stdout=out)
    stamp = CalendarStamp.objects.get().stamp
    seed()
    assert CalendarStamp.objects.get().stamp == stamp
    assert "2015–2040" in out.getvalue()


def test_rebuild_command_reports_changed_days(calendar_events):
    from io import StringIO

    from django.core.management import call_command

    CalendarOverride.objects.bulk_create([CalendarOverride(date=date(2026, 3, 10), kind="off")])
    out = StringIO()
    call_command("workcal_rebuild", stdout=out)
    assert "1 day(s)" in out.getvalue()
    assert calendar_events == [[date(2026, 3, 10)]]
