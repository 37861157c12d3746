"""Named tests pinning the hard days of the working-day calendar (DOMAIN.md §3)."""
from datetime import date, datetime, time, timedelta, timezone as dt_timezone

import pytest
from django.test import override_settings

from workcal import calendar
from workcal.errors import CalendarRangeError

from .helpers import at

pytestmark = pytest.mark.django_db


# --- Which days are worked -------------------------------------------------------------------------------

def test_fri_02_05_2025_is_a_substitute_day_off():
    assert not calendar.is_working_day(date(2025, 5, 2))
    assert not calendar.is_working_day(date(2025, 4, 30))
    assert not calendar.is_working_day(date(2025, 5, 1))


def test_sat_26_04_2025_and_sat_22_08_2026_are_make_up_working_days():
    assert calendar.is_working_day(date(2025, 4, 26))
    assert calendar.is_working_day(date(2026, 8, 22))
    assert not calendar.is_working_day(date(2026, 8, 31))  # the day off it pays for
    assert not calendar.is_working_day(date(2025, 4, 27))  # an ordinary Sunday


def test_tet_2026_mon_16_to_fri_20_02_are_days_off():
    for day in range(16, 21):
        assert not calendar.is_working_day(date(2026, 2, day))
    assert calendar.is_working_day(date(2026, 2, 13))
    assert calendar.is_working_day(date(2026, 2, 23))


def test_24_11_2026_vietnam_cultural_day_is_a_day_off_as_the_package_says():
    assert not calendar.is_working_day(date(2026, 11, 24))
    assert calendar.legal_due_at(at(2026, 11, 23, 10), 1) == at(2026, 11, 25, 10)


def test_next_working_day_include_self_and_not():
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 13)
    assert calendar.next_working_day(date(2026, 2, 13), include_self=False) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 2, 16)) == date(2026, 2, 23)


def test_add_working_days_zero_is_next_working_day_and_negative_goes_back():
    assert calendar.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert calendar.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert calendar.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)


def test_add_working_days_across_the_30_04_and_01_05_2025_holidays():
    assert calendar.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    assert calendar.add_working_days(date(2025, 4, 24), 2) == date(2025, 4, 26)


def test_working_days_between_counts_the_half_open_interval_and_is_signed():
    assert calendar.working_days_between(date(2026, 2, 13), date(2026, 2, 23)) == 1
    assert calendar.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == -1
    assert calendar.working_days_between(date(2025, 4, 24), date(2025, 4, 26)) == 2
    assert calendar.working_days_between(date(2026, 3, 7), date(2026, 3, 8)) == 0  # a weekend
    assert calendar.working_days_between(date(2026, 3, 9), date(2026, 3, 9)) == 0


def test_the_covered_years_are_settings_workcal_years():
    assert calendar.covered_years() == (2015, 2040)
    assert calendar.is_working_day(date(2015, 1, 5))  # a Monday
    assert calendar.is_working_day(date(2040, 12, 31))  # a Monday


@pytest.mark.parametrize("call", [
    lambda: calendar.is_working_day(date(2045, 1, 3)),
    lambda: calendar.is_working_day(date(1990, 1, 1)),
    lambda: calendar.add_working_days(date(2040, 12, 28), 5),  # runs past the end of the table
    lambda: calendar.add_working_days(date(2015, 1, 5), -10),  # runs before its start
    lambda: calendar.working_days_between(date(2014, 12, 31), date(2015, 1, 5)),
    lambda: calendar.year_calendar(2012),
    lambda: calendar.year_calendar(2200),
])
def test_dates_outside_the_covered_years_raise_a_range_error_and_write_nothing(call, django_assert_num_queries):
    from core.errors import DomainError

    calendar.is_working_day(date(2026, 3, 10))  # warm: this process's copy and the cached stamp
    with django_assert_num_queries(0), pytest.raises(CalendarRangeError) as caught:
        call()
    assert isinstance(caught.value, DomainError)
    assert caught.value.code == "CALENDAR_OUT_OF_RANGE" and caught.value.status == 400
    assert "2015–2040" in caught.value.message


# --- Start of the clock ------------------------------------------------------------------------------------

def test_receipt_inside_office_hours_starts_the_clock_at_that_moment():
    assert calendar.clock_start(at(2026, 3, 10, 9, 15)) == at(2026, 3, 10, 9, 15)


def test_before_opening_receipt_starts_at_that_days_opening():
    assert calendar.clock_start(at(2026, 3, 10, 6, 45)) == at(2026, 3, 10, 7, 30)
    assert calendar.legal_due_at(at(2026, 3, 10, 6, 45), 1) == at(2026, 3, 11, 7, 30)


def test_lunch_break_receipt_starts_at_the_afternoon_opening():
    assert calendar.clock_start(at(2026, 3, 10, 12, 0)) == at(2026, 3, 10, 13, 0)
    assert calendar.clock_start(at(2026, 3, 10, 11, 30)) == at(2026, 3, 10, 13, 0)
    assert calendar.legal_due_at(at(2026, 3, 10, 12, 0), 1) == at(2026, 3, 11, 13, 0)


def test_after_hours_receipt_1730_starts_at_the_next_working_days_opening():
    assert calendar.clock_start(at(2026, 3, 5, 17, 30)) == at(2026, 3, 6, 7, 30)
    assert calendar.legal_due_at(at(2026, 3, 5, 17, 30), 1) == at(2026, 3, 9, 7, 30)


def test_receipt_at_exactly_closing_time_counts_as_after_hours():
    assert calendar.clock_start(at(2026, 3, 10, 17, 0)) == at(2026, 3, 11, 7, 30)


def test_weekend_receipt_starts_on_monday_opening():
    assert calendar.clock_start(at(2026, 3, 7, 10, 0)) == at(2026, 3, 9, 7, 30)
    assert calendar.legal_due_at(at(2026, 3, 7, 10, 0), 2) == at(2026, 3, 11, 7, 30)


# --- Legal due moment ----------------------------------------------------------------------------------------

def test_thu_24_04_2025_0900_plus_2_is_make_up_sat_26_04_2025_0900():
    assert calendar.legal_due_at(at(2025, 4, 24, 9, 0), 2) == at(2025, 4, 26, 9, 0)


def test_received_just_before_tet_fri_13_02_2026_1000_plus_1_is_mon_23_02_2026_1000():
    assert calendar.legal_due_at(at(2026, 2, 13, 10, 0), 1) == at(2026, 2, 23, 10, 0)


def test_received_during_tet_tue_17_02_2026_clock_starts_mon_23_02_2026_0730():
    assert calendar.clock_start(at(2026, 2, 17, 10, 0)) == at(2026, 2, 23, 7, 30)
    assert calendar.legal_due_at(at(2026, 2, 17, 10, 0), 3) == at(2026, 2, 26, 7, 30)


def test_received_just_after_tet_mon_23_02_2026_is_an_ordinary_day():
    assert calendar.clock_start(at(2026, 2, 23, 8, 0)) == at(2026, 2, 23, 8, 0)
    assert calendar.legal_due_at(at(2026, 2, 23, 8, 0), 5) == at(2026, 3, 2, 8, 0)


def test_received_fri_12_02_2026_after_hours_before_tet_starts_fri_13():
    assert calendar.legal_due_at(at(2026, 2, 12, 18, 0), 1) == at(2026, 2, 23, 7, 30)


def test_make_up_saturday_22_08_2026_counts_as_a_working_day():
    assert calendar.legal_due_at(at(2026, 8, 21, 9, 0), 1) == at(2026, 8, 22, 9, 0)
    assert calendar.legal_due_at(at(2026, 8, 28, 9, 0), 1) == at(2026, 9, 3, 9, 0)  # 31/08, 01–02/09 off


def test_legal_due_at_rejects_negative_days():
    with pytest.raises(ValueError):
        calendar.legal_due_at(at(2026, 3, 10, 9), -1)


# --- Same-day procedures (N = 0) -------------------------------------------------------------------------

def test_same_day_before_the_cutoff_is_due_at_that_days_closing():
    assert calendar.legal_due_at(at(2026, 3, 10, 14, 59), 0) == at(2026, 3, 10, 17, 0)


def test_same_day_at_exactly_the_cutoff_is_still_that_day():
    assert calendar.legal_due_at(at(2026, 3, 10, 15, 0), 0) == at(2026, 3, 10, 17, 0)


def test_same_day_after_the_cutoff_is_due_at_the_next_working_days_closing():
    assert calendar.legal_due_at(at(2026, 3, 10, 15, 1), 0) == at(2026, 3, 11, 17, 0)


def test_same_day_friday_after_the_cutoff_is_due_monday_closing():
    assert calendar.legal_due_at(at(2026, 3, 6, 15, 30), 0) == at(2026, 3, 9, 17, 0)


def test_same_day_thursday_before_a_make_up_saturday_after_cutoff():
    assert calendar.legal_due_at(at(2025, 4, 25, 16, 0), 0) == at(2025, 4, 26, 17, 0)


def test_same_day_on_a_non_working_day_is_due_at_the_next_working_days_closing():
    assert calendar.legal_due_at(at(2026, 3, 7, 9, 0), 0) == at(2026, 3, 9, 17, 0)
    assert calendar.legal_due_at(at(2026, 2, 17, 9, 0), 0) == at(2026, 2, 23, 17, 0)


def test_same_day_before_opening_and_in_lunch_break_is_that_day():
    assert calendar.legal_due_at(at(2026, 3, 10, 6, 0), 0) == at(2026, 3, 10, 17, 0)
    assert calendar.legal_due_at(at(2026, 3, 10, 12, 0), 0) == at(2026, 3, 10, 17, 0)


def test_same_day_cutoff_per_procedure_and_from_settings():
    assert calendar.legal_due_at(at(2026, 3, 10, 11, 0), 0, same_day_cutoff=time(10, 0)) == at(2026, 3, 11, 17, 0)
    with override_settings(SAME_DAY_CUTOFF="16:00"):
        assert calendar.legal_due_at(at(2026, 3, 10, 15, 30), 0) == at(2026, 3, 10, 17, 0)


# --- Office hours ----------------------------------------------------------------------------------------

def test_office_hours_default_to_settings():
    assert calendar.office_hours() == [(time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))]
    with override_settings(OFFICE_HOURS=[("08:00", "12:00"), ("13:00", "16:30")]):
        assert calendar.office_hours() == [(time(8, 0), time(12, 0)), (time(13, 0), time(16, 30))]
        assert calendar.legal_due_at(at(2026, 3, 10, 10), 0) == at(2026, 3, 10, 16, 30)


def test_office_specific_hours(offices):
    office = offices["01"]
    office.office_hours = [["08:00", "12:00"], ["13:30", "17:30"]]
    office.save()
    assert calendar.office_hours(office) == [(time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))]
    assert calendar.clock_start(at(2026, 3, 10, 7, 45), office) == at(2026, 3, 10, 8, 0)
    assert calendar.clock_start(at(2026, 3, 10, 12, 30), office) == at(2026, 3, 10, 13, 30)
    assert calendar.clock_start(at(2026, 3, 10, 17, 15), office) == at(2026, 3, 10, 17, 15)
    assert calendar.legal_due_at(at(2026, 3, 10, 17, 15), 1, office) == at(2026, 3, 11, 17, 15)
    assert calendar.legal_due_at(at(2026, 3, 10, 14, 0), 0, office) == at(2026, 3, 10, 17, 30)
    assert calendar.working_time_between(at(2026, 3, 10, 0), at(2026, 3, 11, 0), office) == timedelta(hours=8)
    # An office without its own hours uses the default.
    assert calendar.office_hours(offices["79"]) == calendar.office_hours()


# --- Time zones ------------------------------------------------------------------------------------------

def test_utc_input_is_computed_in_vietnam_time_and_returned_aware():
    received = datetime(2025, 4, 24, 2, 0, tzinfo=dt_timezone.utc)  # 09:00 in Hà Nội
    due = calendar.legal_due_at(received, 2)
    assert due == at(2025, 4, 26, 9, 0)
    assert due.utcoffset() == timedelta(hours=7)


def test_naive_input_is_read_as_vietnam_local_time():
    assert calendar.legal_due_at(datetime(2025, 4, 24, 9, 0), 2) == at(2025, 4, 26, 9, 0)


# --- Working time ----------------------------------------------------------------------------------------

def test_working_time_between_counts_only_office_hours_on_working_days():
    assert calendar.working_time_between(at(2026, 3, 10, 10), at(2026, 3, 10, 14)) == timedelta(hours=2, minutes=30)
    assert calendar.working_time_between(at(2026, 2, 13, 16), at(2026, 2, 23, 8, 30)) == timedelta(hours=2)
    assert calendar.working_time_between(at(2026, 3, 7, 8), at(2026, 3, 8, 16)) == timedelta()
    assert calendar.working_time_between(at(2026, 3, 10, 14), at(2026, 3, 10, 10)) == -timedelta(hours=2, minutes=30)


def test_add_working_time_resumes_across_lunch_weekends_and_tet():
    assert calendar.add_working_time(at(2026, 3, 10, 11), timedelta(hours=1)) == at(2026, 3, 10, 13, 30)
    assert calendar.add_working_time(at(2026, 2, 13, 16), timedelta(hours=2)) == at(2026, 2, 23, 8, 30)
    assert calendar.add_working_time(at(2026, 3, 7, 10), timedelta(hours=1)) == at(2026, 3, 9, 8, 30)


def test_add_working_time_ends_at_the_end_of_a_span_not_the_next_opening():
    assert calendar.add_working_time(at(2026, 3, 10, 7, 30), timedelta(hours=8)) == at(2026, 3, 10, 17, 0)
    assert calendar.add_working_time(at(2026, 3, 10, 7, 30), timedelta(hours=4)) == at(2026, 3, 10, 11, 30)
    assert calendar.add_working_time(at(2026, 3, 10, 20), timedelta()) == at(2026, 3, 10, 20)


def test_add_working_time_rejects_negative_amounts():
    with pytest.raises(ValueError):
        calendar.add_working_time(at(2026, 3, 10, 9), -timedelta(minutes=1))


# --- Apology deadline ------------------------------------------------------------------------------------

def test_apologise_by_is_the_same_time_on_the_previous_working_day():
    assert calendar.apologise_by(at(2025, 4, 26, 9, 0)) == at(2025, 4, 25, 9, 0)
    assert calendar.apologise_by(at(2026, 2, 23, 10, 0)) == at(2026, 2, 13, 10, 0)  # across Tết
    assert calendar.apologise_by(at(2025, 5, 5, 17, 0)) == at(2025, 4, 29, 17, 0)


def test_apologise_by_lead_is_configurable():
    with override_settings(APOLOGY_LEAD_WORKING_DAYS=2):
        assert calendar.apologise_by(at(2025, 5, 5, 17, 0)) == at(2025, 4, 28, 17, 0)


# --- Year listing ----------------------------------------------------------------------------------------

def test_year_calendar_2025_lists_the_swap_of_26_04_and_02_05():
    year = calendar.year_calendar(2025)
    assert year["year"] == 2025
    off = {row["date"]: row for row in year["days_off"]}
    makeup = {row["date"]: row for row in year["makeup_working_days"]}
    assert off[date(2025, 5, 2)]["source"] == "holidays"
    assert "26/04/2025" in off[date(2025, 5, 2)]["name"]
    assert makeup[date(2025, 4, 26)] == {"date": date(2025, 4, 26), "source": "holidays",
                                         "name": "Ngày làm việc bù cho ngày nghỉ 02/05/2025"}
    assert off[date(2025, 1, 29)]["name"] == "Tết Nguyên Đán"


def test_year_calendar_2026_has_tet_the_cultural_day_and_one_make_up_saturday():
    year = calendar.year_calendar(2026)
    off = [row["date"] for row in year["days_off"]]
    assert [date(2026, 2, d) for d in range(16, 21)] == [d for d in off if d.month == 2]
    assert date(2026, 11, 24) in off
    assert [row["date"] for row in year["makeup_working_days"]] == [date(2026, 8, 22)]
