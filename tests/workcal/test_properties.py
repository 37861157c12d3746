"""Property tests: each calendar function held together with its inverse (STYLE.md "Deadlines")."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workcal import calendar, rules

from .helpers import VN

pytestmark = pytest.mark.django_db

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Inside the covered years (settings.WORKCAL_YEARS, 2015–2040) with room for 400 working days either way.
days = st.dates(min_value=date(2017, 1, 1), max_value=date(2038, 6, 30))
moments = st.datetimes(min_value=datetime(2017, 1, 1), max_value=datetime(2038, 6, 30)).map(
    lambda m: m.replace(tzinfo=VN))
working_days = st.integers(min_value=1, max_value=400)


@PROPERTY
@given(d=days, n=working_days)
def test_working_days_between_inverts_add_working_days(db, d, n):
    result = calendar.add_working_days(d, n)
    assert result > d
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(d, result) == n
    assert calendar.working_days_between(d, result - timedelta(days=1)) == n - 1


@PROPERTY
@given(d=days, n=working_days)
def test_going_back_n_working_days_lands_on_the_last_working_day_up_to_the_start(db, d, n):
    back = calendar.add_working_days(calendar.add_working_days(d, n), -n)
    assert back <= d
    assert calendar.is_working_day(back)
    assert calendar.working_days_between(back, d) == 0


@PROPERTY
@given(a=days, b=days, c=days)
def test_working_days_between_is_signed_and_additive(db, a, b, c):
    assert calendar.working_days_between(a, b) == -calendar.working_days_between(b, a)
    assert (calendar.working_days_between(a, b) + calendar.working_days_between(b, c)
            == calendar.working_days_between(a, c))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(d=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 6, 30)), n=st.integers(0, 60))
def test_add_working_days_agrees_with_a_day_by_day_walk_over_the_rule(db, d, n):
    walk = d if n == 0 else d + timedelta(days=1)
    count = 0
    while True:
        if rules.is_working_day(walk, {}):
            count += 1
            if count >= max(n, 1):
                break
        walk += timedelta(days=1)
    assert calendar.add_working_days(d, n) == walk


@PROPERTY
@given(start=moments, n=st.integers(1, 120))
def test_legal_due_at_is_n_working_days_after_the_clock_start_at_the_same_time(db, start, n):
    begun = calendar.clock_start(start)
    due = calendar.legal_due_at(start, n)
    assert calendar.is_working_day(due.date())
    assert due.timetz() == begun.timetz()
    assert calendar.working_days_between(begun.date(), due.date()) == n
    assert calendar.apologise_by(due) < due


@PROPERTY
@given(start=moments)
def test_clock_start_is_idempotent_inside_office_hours_and_costs_no_working_time(db, start):
    begun = calendar.clock_start(start)
    assert begun >= start
    assert calendar.clock_start(begun) == begun
    assert calendar.is_working_day(begun.date())
    assert any(s <= begun.time() < e for s, e in calendar.office_hours())
    assert calendar.working_time_between(start, begun) == timedelta()


@PROPERTY
@given(start=moments, minutes=st.integers(0, 60 * 8 * 300), micro=st.integers(0, 59_999_999))
def test_working_time_between_inverts_add_working_time(db, start, minutes, micro):
    amount = timedelta(minutes=minutes, microseconds=micro)
    end = calendar.add_working_time(start, amount)
    assert end >= start
    assert calendar.working_time_between(start, end) == amount


@PROPERTY
@given(start=moments, end=moments)
def test_add_working_time_of_the_time_between_reaches_an_equivalent_moment(db, start, end):
    if end < start:
        start, end = end, start
    spent = calendar.working_time_between(start, end)
    assert spent >= timedelta()
    reached = calendar.add_working_time(start, spent)
    assert reached <= end
    assert calendar.working_time_between(reached, end) == timedelta()
    begun = calendar.clock_start(end)
    if begun == end and spent > timedelta() and end.time() not in {s for s, _ in calendar.office_hours()}:
        assert reached == end  # inside office hours, the inverse lands exactly


@PROPERTY
@given(a=moments, b=moments, c=moments)
def test_working_time_between_is_signed_and_additive(db, a, b, c):
    assert calendar.working_time_between(a, b) == -calendar.working_time_between(b, a)
    assert (calendar.working_time_between(a, b) + calendar.working_time_between(b, c)
            == calendar.working_time_between(a, c))
