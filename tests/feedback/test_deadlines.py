"""feedback.deadlines: the SQL form (FeedbackQuerySet, the Q builders inside the oversight aggregates, the scan's
marks) and the Python form of every PAKN deadline predicate agree over random items, including equal moments,
weekends (the due-soon lead then runs to the end of the next working day) and the local midnight."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.models import DueState
from cases.services.scan import scan_overdue
from core.models import Office
from feedback import deadlines
from feedback.models import FeedbackItem, Status

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = datetime(2026, 3, 10, tzinfo=VN)  # a Tuesday, local midnight; days -4..4 run from Friday to Saturday
EDGES = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(hours=7),
         timedelta(hours=10), timedelta(hours=17), timedelta(hours=23, minutes=59)]
moments = st.one_of(
    st.builds(lambda day, edge: BASE + timedelta(days=day) + edge, st.integers(-4, 4), st.sampled_from(EDGES)),
    st.builds(lambda minutes: BASE + timedelta(minutes=minutes), st.integers(-4 * 1440, 4 * 1440)),
)
OFFSETS = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(hours=1),
           timedelta(days=1), -timedelta(days=1), timedelta(days=2), timedelta(days=3)]
edge_offsets = st.sampled_from(OFFSETS)
offsets = st.one_of(edge_offsets, edge_offsets, st.builds(lambda m: timedelta(minutes=m), st.integers(-5760, 5760)))


@st.composite
def histories(draw):
    """(now, rows): a moment and up to 8 items with random status and moments around it. The due moments are
    drawn around `now` and around due_soon_until(now), so both ends of "due soon" are met exactly."""
    now = draw(moments)
    until = deadlines.due_soon_until(now)
    around = st.one_of(offsets.map(lambda delta: now + delta), edge_offsets.map(lambda delta: until + delta))
    maybe = st.one_of(st.none(), around)
    rows = draw(st.lists(st.fixed_dictionaries({
        "status": st.sampled_from(Status.values), "due_at": around, "forward_due_at": maybe,
        "answered_at": maybe, "closed_at": maybe}), max_size=8))
    return now, rows


@pytest.fixture
def office(db):
    return Office.objects.create(code="99", name="BHXH thử", level=Office.Level.PROVINCE)


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_sql_and_python_agree(office, history):
    now, rows = history
    FeedbackItem.objects.all().delete()
    FeedbackItem.objects.bulk_create([FeedbackItem(code=f"PAKN.T.{i}", office=office, title="Thử", received_at=BASE,
                                                   **row) for i, row in enumerate(rows)])
    stored = list(FeedbackItem.objects.all())
    every = FeedbackItem.objects.all()
    until = deadlines.due_soon_until(now)

    def python(predicate):
        return {item.pk for item in stored if predicate(item)}

    overdue = python(lambda i: deadlines.is_overdue(i, now))
    due_soon = python(lambda i: deadlines.is_due_soon(i, now, until))
    assert _pks(every.overdue(now)) == overdue
    assert _pks(every.due_soon(now)) == due_soon == python(lambda i: deadlines.is_due_soon(i, now))
    assert _pks(every.answered_on_time()) == python(deadlines.is_answered_on_time)
    assert _pks(every.filter(deadlines.answered_late_q())) == python(deadlines.is_answered_late)
    assert _pks(every.filter(deadlines.unanswered_overdue_q(now))) == python(
        lambda i: deadlines.is_unanswered_overdue(i, now))
    assert _pks(every.late_or_overdue(now)) == python(lambda i: deadlines.is_late_or_overdue(i, now))
    assert python(deadlines.is_answered_late) == python(
        lambda i: i.answered_at is not None and deadlines.is_answer_late(i, i.answered_at))

    # The oversight report counts with the same Q inside conditional aggregates.
    counts = every.aggregate(on_time=Count("pk", filter=deadlines.answered_on_time_q()),
                             overdue=Count("pk", filter=deadlines.late_or_overdue_q(now)))
    assert counts == {"on_time": len(python(deadlines.is_answered_on_time)),
                      "overdue": len(python(lambda i: deadlines.is_late_or_overdue(i, now)))}

    # The scan stores the same marks: open items overdue / due soon / neither; closed ones keep theirs ('').
    scan_overdue(now=now, lock=False)
    marks = dict(FeedbackItem.objects.values_list("pk", "due_state"))
    assert {pk for pk, mark in marks.items() if mark == DueState.OVERDUE} == overdue
    assert {pk for pk, mark in marks.items() if mark == DueState.DUE_SOON} == due_soon


def test_named_moments(office):
    received = datetime(2026, 3, 10, 9, 0, tzinfo=VN)
    item = FeedbackItem(office=office, received_at=received, due_at=deadlines.answer_due_at(received, office),
                        forward_due_at=deadlines.forward_due_at(received, office))
    assert item.due_at == datetime(2026, 3, 24, 9, 0, tzinfo=VN)  # 10 working days
    assert item.forward_due_at == datetime(2026, 3, 17, 9, 0, tzinfo=VN)  # 5 working days
    assert not deadlines.is_forward_late(item, item.forward_due_at)
    assert deadlines.is_forward_late(item, item.forward_due_at + timedelta(microseconds=1))
    assert not deadlines.is_forward_late(FeedbackItem(forward_due_at=None), received)
    assert not deadlines.is_answer_late(item, item.due_at) and deadlines.is_answer_late(item, item.due_at
                                                                                         + timedelta(seconds=1))
    # Friday 10:00 → Monday 10:00; on Saturday → the end of Monday.
    assert deadlines.due_soon_until(datetime(2026, 3, 13, 10, 0, tzinfo=VN)) == datetime(2026, 3, 16, 10, 0, tzinfo=VN)
    assert deadlines.due_soon_until(datetime(2026, 3, 14, 10, 0, tzinfo=VN)) == datetime(2026, 3, 17, 0, 0, tzinfo=VN)
