"""Time limits in half working days and working hours (DOMAIN.md §3): named days and property tests of each
function with its inverse, like tests/workcal/test_properties.py."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workcal import calendar

from .helpers import VN, at

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
moments = st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2039, 6, 30)).map(
    lambda m: m.replace(tzinfo=VN))


def test_half_a_working_day_no_longer_raises_type_error_and_is_one_session_later():
    # Mon 09/11/2026 09:00 is 1 h 30 into the morning session; one session later is 13:00 + 1 h 30.
    assert calendar.legal_due_at(at(2026, 11, 9, 9, 0), 0.5) == at(2026, 11, 9, 14, 30)
    assert calendar.legal_due_at(at(2026, 11, 9, 9, 0), Decimal("0.5")) == at(2026, 11, 9, 14, 30)
    assert calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), Decimal("0.5"), "working_days") == at(2026, 11, 9, 14, 30)


def test_half_days_named_moments():
    assert calendar.add_half_days(at(2026, 11, 9, 14, 30), 1) == at(2026, 11, 10, 9, 0)   # afternoon → next morning
    assert calendar.add_half_days(at(2026, 11, 9, 12, 0), 1) == at(2026, 11, 10, 7, 30)   # lunch → 13:00 start
    assert calendar.add_half_days(at(2026, 11, 9, 18, 0), 1) == at(2026, 11, 10, 13, 0)   # after closing
    assert calendar.add_half_days(at(2026, 11, 13, 15, 0), 1) == at(2026, 11, 16, 9, 30)  # Fri pm → Mon am
    assert calendar.add_half_days(at(2026, 11, 9, 9, 0), 2) == at(2026, 11, 10, 9, 0)     # 2 half days = 1 day
    # 1.5 working days = 3 half days; Tết 2026 (Sat 14 – Sun 22/02) is skipped.
    assert calendar.due_at_for_limit(at(2026, 2, 13, 10, 0), Decimal("1.5"), "working_days") == at(2026, 2, 23, 15, 30)
    assert calendar.due_at_for_limit(at(2026, 2, 13, 10, 0), 3, "half_days") == at(2026, 2, 23, 15, 30)


def test_half_days_agree_with_whole_working_days():
    for n in (1, 2, 5, 10, 20):
        start = at(2025, 4, 24, 9, 0)
        assert calendar.due_at_for_limit(start, 2 * n, "half_days") == calendar.legal_due_at(start, n)


def test_zero_half_days_is_the_same_day_rule():
    assert calendar.due_at_for_limit(at(2026, 3, 10, 11, 0), 0, "half_days") == at(2026, 3, 10, 17, 0)


def test_working_hours_named_moments():
    assert calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), 4, "working_hours") == at(2026, 11, 9, 14, 30)
    assert calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), 8, "working_hours") == at(2026, 11, 10, 9, 0)
    assert calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), Decimal("1.5"), "working_hours") == at(2026, 11, 9, 10, 30)
    assert calendar.due_at_for_limit(at(2026, 11, 9, 6, 0), 8, "working_hours") == at(2026, 11, 9, 17, 0)


def test_a_quarter_day_or_unknown_unit_is_refused():
    with pytest.raises(ValueError):
        calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), Decimal("0.25"), "working_days")
    with pytest.raises(ValueError):
        calendar.due_at_for_limit(at(2026, 11, 9, 9, 0), 1, "fortnights")


@PROPERTY
@given(start=moments, n=st.integers(min_value=1, max_value=300))
def test_half_days_between_inverts_add_half_days(db, start, n):
    due = calendar.add_half_days(start, n)
    assert due > start
    assert calendar.is_working_day(due.date())
    assert calendar.half_days_between(start, due) == n
    assert calendar.half_days_between(start, due - timedelta(minutes=1)) == n - 1


@PROPERTY
@given(start=moments, n=st.integers(min_value=1, max_value=300))
def test_two_half_days_make_one_working_day(db, start, n):
    assert calendar.add_half_days(start, 2 * n) == calendar.legal_due_at(start, n)


@PROPERTY
@given(start=moments, a=st.integers(min_value=0, max_value=200), b=st.integers(min_value=0, max_value=200))
def test_half_days_are_additive(db, start, a, b):
    assert calendar.add_half_days(calendar.add_half_days(start, a), b) == calendar.add_half_days(start, a + b)


@PROPERTY
@given(start=moments, quarters=st.integers(min_value=1, max_value=4 * 8 * 60))
def test_working_time_between_inverts_add_working_hours(db, start, quarters):
    hours = Decimal(quarters) / 4
    due = calendar.add_working_hours(start, hours)
    assert calendar.working_time_between(calendar.clock_start(start), due) == timedelta(hours=float(hours))
    assert calendar.is_working_day(due.date())
