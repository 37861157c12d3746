"""The per-day index (workcal.index) answers exactly as the plain bisect over the working days did, and the
calendar's stamp is checked once per request and per task, so a change is seen by the next one."""
import contextvars
from bisect import bisect_left, bisect_right
from datetime import date, datetime, time, timedelta, timezone

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workcal import calendar, selectors, services, stamp
from workcal.middleware import CalendarScopeMiddleware
from workcal.models import CalendarOverride

from .helpers import VN, at

pytestmark = pytest.mark.django_db

HOURS = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


class Bisect:
    """The implementation before the index: every question a bisect over the sorted working days."""

    def __init__(self, days):
        self.days = days

    def working(self, d):
        i = bisect_left(self.days, d)
        return i < len(self.days) and self.days[i] == d

    def after(self, d, n=1):
        return self.days[bisect_right(self.days, d) + n - 1]

    def due(self, start, n, cutoff=time(15, 0)):
        local = start.astimezone(VN)
        d, t = local.date(), local.time()
        if n == 0:
            closing = HOURS[-1][1]
            day = d if self.working(d) and t <= cutoff and t < closing else self.after(d)
            return datetime.combine(day, closing, tzinfo=VN)
        begun = None
        if self.working(d):
            for s, e in HOURS:
                if t < s:
                    begun = (d, s)
                    break
                if t < e:
                    begun = (d, t)
                    break
        if begun is None:
            begun = (self.after(d), HOURS[0][0])
        return datetime.combine(self.after(begun[0], n), begun[1], tzinfo=VN)


window = st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31))
overrides = st.lists(st.tuples(window, st.sampled_from(["off", "work"])), max_size=8,
                     unique_by=lambda pair: pair[0])
moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 10, 31)).map(
    lambda m: m.replace(tzinfo=VN))
limits = st.sampled_from([0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(changes=overrides, cases=st.lists(st.tuples(moments, limits), min_size=1, max_size=25))
def test_due_dates_from_the_index_equal_the_bisect_implementation_with_any_holidays_and_make_up_days(
        db, changes, cases):
    CalendarOverride.objects.all().delete()
    CalendarOverride.objects.bulk_create([CalendarOverride(date=d, kind=k) for d, k in changes])
    services.calendar_rebuild(from_year=2025)
    oracle = Bisect(selectors.calendar_table().days)
    for start, n in cases:
        expected = oracle.due(start, n)
        assert calendar.legal_due_at(start, n) == expected, (start, n)
        assert calendar.legal_due_at(start, n) == expected  # the second answer comes from the memo
        assert calendar.legal_due_at(start.astimezone(timezone.utc), n) == expected
        d = start.date()
        assert calendar.is_working_day(d) == oracle.working(d)
        assert calendar.add_working_days(d, max(n, 1)) == oracle.after(d, max(n, 1))
        assert calendar.working_days_between(d, expected.date()) == (
            bisect_right(oracle.days, expected.date()) - bisect_right(oracle.days, d))
    with calendar.pinned():
        assert [calendar.legal_due_at(s, n) for s, n in cases] == [oracle.due(s, n) for s, n in cases]


def test_a_utc_moment_and_a_naive_local_moment_give_the_same_due_date_as_the_local_one():
    local = at(2026, 2, 13, 10)  # Friday before Tết
    assert calendar.legal_due_at(local, 1) == at(2026, 2, 23, 10)
    assert calendar.legal_due_at(local.astimezone(timezone.utc), 1) == at(2026, 2, 23, 10)
    assert calendar.legal_due_at(local.replace(tzinfo=None), 1) == at(2026, 2, 23, 10)


# --- One stamp check per request and per task ------------------------------------------------------------

@pytest.fixture
def stamp_checks(monkeypatch):
    seen = []
    real = stamp.current

    def counting():
        seen.append(1)
        return real()

    monkeypatch.setattr(stamp, "current", counting)
    return seen


def _request(view):
    return CalendarScopeMiddleware(view)(RequestFactory().get("/"))


def _holiday_committed_elsewhere(day, captured):
    """Another process adds a day off and commits (its published stamp reaches the shared cache)."""
    def write():
        with captured(execute=True):
            CalendarOverride.objects.create(date=day, kind="off")
    contextvars.Context().run(write)  # not inside this request's scope: another process


def test_a_request_checks_the_calendar_stamp_once_however_many_deadlines_it_computes(stamp_checks):
    def view(request):
        for n in range(1, 6):
            calendar.legal_due_at(at(2026, 3, 10, 9), n)
        calendar.is_working_day(date(2026, 3, 10))
        calendar.apologise_by(at(2026, 3, 17, 9))
        return HttpResponse("ok")

    _request(view)
    assert len(stamp_checks) == 1
    _request(lambda request: HttpResponse("no deadline"))
    assert len(stamp_checks) == 1  # a request that computes nothing asks nothing


def test_a_new_holiday_is_seen_by_the_next_request_not_halfway_through_one(django_capture_on_commit_callbacks):
    answers = []

    def view(request):
        answers.append(calendar.legal_due_at(at(2026, 3, 12, 9), 1))  # Thu + 1 → Fri 13/03
        if len(answers) == 1:
            _holiday_committed_elsewhere(date(2026, 3, 13), django_capture_on_commit_callbacks)
            answers.append(calendar.legal_due_at(at(2026, 3, 12, 9), 1))  # same request: same copy
        return HttpResponse("ok")

    _request(view)
    _request(view)
    assert answers == [at(2026, 3, 13, 9), at(2026, 3, 13, 9), at(2026, 3, 16, 9)]


def test_a_request_that_changes_the_calendar_sees_its_own_change_at_once():
    answers = []

    def view(request):
        answers.append(calendar.legal_due_at(at(2026, 3, 12, 9), 1))
        CalendarOverride.objects.create(date=date(2026, 3, 13), kind="off")
        answers.append(calendar.legal_due_at(at(2026, 3, 12, 9), 1))
        return HttpResponse("ok")

    _request(view)
    assert answers == [at(2026, 3, 13, 9), at(2026, 3, 16, 9)]


def test_a_celery_task_checks_the_stamp_once_and_the_next_task_sees_a_new_holiday(
        stamp_checks, django_capture_on_commit_callbacks):
    from celery import shared_task

    @shared_task(name="tests.workcal.due_dates")
    def due_dates():
        return [calendar.legal_due_at(at(2026, 3, 12, 9), 1).isoformat() for _ in range(4)]

    first = due_dates.apply().get()
    assert len(stamp_checks) == 1 and set(first) == {at(2026, 3, 13, 9).isoformat()}
    _holiday_committed_elsewhere(date(2026, 3, 13), django_capture_on_commit_callbacks)
    second = due_dates.apply().get()
    assert set(second) == {at(2026, 3, 16, 9).isoformat()}
    assert len(stamp_checks) == 2


def test_outside_a_request_or_task_every_call_still_sees_a_committed_change(django_capture_on_commit_callbacks):
    assert calendar.legal_due_at(at(2026, 3, 12, 9), 1) == at(2026, 3, 13, 9)
    _holiday_committed_elsewhere(date(2026, 3, 13), django_capture_on_commit_callbacks)
    assert calendar.legal_due_at(at(2026, 3, 12, 9), 1) == at(2026, 3, 16, 9)
    assert calendar.add_working_days(date(2026, 3, 12), 1) == date(2026, 3, 16)
    assert calendar.working_days_between(date(2026, 3, 12), date(2026, 3, 16)) == 1
    assert calendar.legal_due_at(at(2026, 3, 12, 9), 1) - timedelta(days=4) == at(2026, 3, 12, 9)
