"""cases.deadlines: the SQL form (DossierQuerySet, the Q builders inside aggregates) and the Python form of every
dossier deadline predicate agree over random dossiers, including equal moments, missing moments and the local
midnight of Asia/Ho_Chi_Minh (17:00 UTC); and no other module writes a deadline comparison of its own."""
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.db.models import Count
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases import deadlines
from cases.models import Dossier, DueState, Procedure, ProcessStep, Status
from core.models import Office

from .conftest import local

pytestmark = pytest.mark.django_db

BASE = local(2026, 3, 10, 0, 0)  # a Tuesday, local midnight
# `now` often sits on an edge: local midnight and the instants around it, UTC midnight (07:00 local), closing time.
EDGES = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(hours=7),
         timedelta(hours=17), timedelta(hours=16, minutes=59, seconds=59), timedelta(hours=23, minutes=59)]
moments = st.one_of(
    st.builds(lambda day, edge: BASE + timedelta(days=day) + edge, st.integers(-2, 2), st.sampled_from(EDGES)),
    st.builds(lambda minutes: BASE + timedelta(minutes=minutes), st.integers(-3 * 1440, 3 * 1440)),
)
# A dossier's moments are drawn relative to `now`, so that equal moments (a boundary) are common: the same
# instant, a microsecond either side, whole hours and days (which keep or cross the local midnight), or any.
OFFSETS = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(hours=1),
           -timedelta(hours=1), timedelta(hours=7), -timedelta(hours=17), timedelta(days=1), -timedelta(days=1)]
edge_offsets = st.sampled_from(OFFSETS)
offsets = st.one_of(edge_offsets, edge_offsets, st.builds(lambda m: timedelta(minutes=m), st.integers(-4320, 4320)))


@st.composite
def histories(draw):
    """(now, rows): a moment and up to 8 dossiers with random status and moments (some missing) around it."""
    now = draw(moments)
    moment = st.one_of(st.none(), offsets.map(lambda delta: now + delta))
    rows = draw(st.lists(st.fixed_dictionaries({
        "status": st.sampled_from(Status.values), "legal_due_at": moment, "apologise_by": moment,
        "resolved_at": moment, "appointment_at": moment, "submitted_at": moment,
        "reschedule_count": st.sampled_from([0, 0, 1])}), max_size=8))
    return now, rows


@pytest.fixture
def place(db):
    office = Office.objects.create(code="99", name="BHXH thử", level=Office.Level.PROVINCE)
    procedure = Procedure.objects.create(code="9.999999", name="Thủ tục thử", field="Thử", processing_days=2)
    return office, procedure


def _store(place, rows) -> list[Dossier]:
    office, procedure = place
    Dossier.objects.all().delete()
    Dossier.objects.bulk_create([Dossier(code=f"T-{i}", office=office, procedure=procedure, applicant_name="A",
                                         applicant_id_number="001085012345", received_at=BASE, **row)
                                 for i, row in enumerate(rows)])
    return list(Dossier.objects.all())


def _pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=histories())
def test_sql_and_python_agree(place, history):
    now, rows = history
    stored = _store(place, rows)
    every = Dossier.objects.all()

    def python(predicate):
        return {d.pk for d in stored if predicate(d)}

    assert _pks(every.overdue(now)) == python(lambda d: deadlines.is_overdue(d, now))
    assert _pks(every.due_soon(now)) == python(lambda d: deadlines.is_due_soon(d, now))
    # Every stage (DOMAIN.md §3, §2.5, §2.1): exactly one holds by precedence, the same in both forms.
    moments_now = deadlines.Moments.at(now)
    for stage in DueState.values:
        if stage in ("", DueState.FORWARD_DUE_SOON, DueState.FORWARD_OVERDUE):
            continue
        assert _pks(every.in_stage(stage, moments_now)) == python(lambda d: deadlines.due_stage(d, now) == stage), stage
    assert _pks(every.filter(deadlines.staged_q(now))) == python(lambda d: deadlines.due_stage(d, now) != "")
    assert _pks(every.overdue_or_late(now)) == python(lambda d: deadlines.is_overdue_or_late(d, now))
    # The list's `overdue=false` excludes the same predicate: NULL moments must land on the "not overdue" side.
    assert _pks(every.exclude(deadlines.overdue_or_late_q(now))) == python(
        lambda d: not deadlines.is_overdue_or_late(d, now))
    assert _pks(every.past_due(now)) == python(lambda d: deadlines.is_past_due(d, now))
    assert _pks(every.due_before(now)) == python(lambda d: d.legal_due_at is not None and d.legal_due_at < now)
    assert _pks(every.resolved_late()) == python(lambda d: deadlines.dossier_timeliness(d) == deadlines.LATE)
    assert _pks(every.resolved_early()) == python(lambda d: deadlines.dossier_timeliness(d) == deadlines.EARLY)
    assert _pks(every.resolved_on_time()) == python(lambda d: deadlines.dossier_timeliness(d) == deadlines.ON_TIME)
    assert python(deadlines.is_late) == python(lambda d: deadlines.dossier_timeliness(d) == deadlines.LATE)

    # The reports count with the same Q inside conditional aggregates.
    counts = every.aggregate(late=Count("pk", filter=deadlines.late_q()), early=Count("pk", filter=deadlines.early_q()),
                             on_time=Count("pk", filter=deadlines.on_time_q()),
                             overdue=Count("pk", filter=deadlines.overdue_q(now)),
                             due_soon=Count("pk", filter=deadlines.due_soon_q(now)))
    kinds = [deadlines.dossier_timeliness(d) for d in stored]
    assert counts == {"late": kinds.count("late"), "early": kinds.count("early"), "on_time": kinds.count("on_time"),
                      "overdue": len(python(lambda d: deadlines.is_overdue(d, now))),
                      "due_soon": len(python(lambda d: deadlines.is_due_soon(d, now)))}


@given(done=moments, due=moments)
def test_timeliness_is_one_of_three_and_follows_the_local_day(done, due):
    result = deadlines.timeliness(done, due)
    if done > due:
        assert result == "late"
    elif done.astimezone(local(2000, 1, 1).tzinfo).date() < due.astimezone(local(2000, 1, 1).tzinfo).date():
        assert result == "early"
    else:
        assert result == "on_time"
    assert result in ProcessStep.Result.values


def test_named_edges():
    due = local(2026, 3, 12, 9, 0)
    assert deadlines.timeliness(due, due) == "on_time"  # at the due moment itself
    assert deadlines.timeliness(due + timedelta(microseconds=1), due) == "late"
    assert deadlines.timeliness(local(2026, 3, 11, 23, 59), due) == "early"  # the local day before
    assert deadlines.timeliness(local(2026, 3, 12, 0, 0), due) == "on_time"  # local midnight of the due day
    # 16:59 UTC on the 11th is 23:59 local on the 11th: early; 17:00 UTC is the 12th locally: on time.
    assert deadlines.timeliness(local(2026, 3, 11, 23, 59, 59), due) == "early"
    assert deadlines.timeliness(None, due) is None and deadlines.timeliness(due, None) is None
    assert deadlines.step_timeliness(due, None) == "on_time"
    d = Dossier(status=Status.PROCESSING, legal_due_at=due, apologise_by=due - timedelta(days=1))
    assert not deadlines.is_overdue(d, due) and deadlines.is_overdue(d, due + timedelta(microseconds=1))
    # Due soon from one working day before the must-apologise-by moment (Wed 11/03 09:00): Tue 10/03 09:00.
    assert not deadlines.is_due_soon(d, local(2026, 3, 10, 8, 59)) and deadlines.is_due_soon(d, local(2026, 3, 10, 9, 0))
    assert deadlines.is_due_soon(d, due - timedelta(days=1))  # the must-apologise-by moment itself
    assert deadlines.due_stage(d, due) == "apology_due"  # past it without an issued slip
    d.reschedule_count, d.appointment_at = 1, due + timedelta(days=3)
    assert deadlines.due_stage(d, due) == "due_soon"  # apologised: due soon until the legal due moment
    assert deadlines.due_stage(d, due + timedelta(days=1)) == "overdue"
    assert deadlines.due_stage(d, due + timedelta(days=3, seconds=1)) == "appointment_missed"
    d.reschedule_count = 0
    d.status = Status.AWAITING_SUPPLEMENT  # the clock is stopped
    assert not deadlines.is_overdue(d, due + timedelta(days=9)) and not deadlines.is_past_due(d, due + timedelta(1))
    assert deadlines.is_apology_late(due + timedelta(seconds=1), due) and not deadlines.is_apology_late(due, due)


# --- each predicate is written once ------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["bhxh_portal", "core", "workcal", "cases", "feedback", "notifications", "portal", "reports", "bench"]
HOMES = {"cases/deadlines.py", "feedback/deadlines.py"}
DUE = r"(?:legal_due_at|due_at|forward_due_at|apologise_by)"
COMPARISONS = [
    re.compile(rf"\b{DUE}__(?:lt|lte|gt)\b"),  # ORM comparisons against a due moment
    re.compile(rf"__(?:lt|lte|gt|gte)=F\(\"{DUE}\"\)"),  # a column compared with a due column
    re.compile(rf"[<>]=?\s*[\w.]*\b{DUE}\b(?!\s*=)"),  # Python: x < d.legal_due_at
    re.compile(rf"\b{DUE}\s*[<>]=?(?!=)"),  # Python: d.legal_due_at < now
]


def _sources():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" not in rel:
                yield rel, path.read_text(encoding="utf-8")


def test_deadline_comparisons_live_only_in_the_deadline_modules():
    found = []
    for rel, text in _sources():
        if rel in HOMES:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if any(p.search(code) for p in COMPARISONS):
                found.append(f"{rel}:{number}: {line.strip()}")
    assert found == [], "deadline comparisons outside cases/deadlines.py and feedback/deadlines.py:\n" + "\n".join(found)


def test_the_grep_would_catch_a_copy():
    samples = ['Q(status__in=RUNNING, legal_due_at__lt=now)', 'resolved_at__gt=F("legal_due_at")',
               'if d.legal_due_at < timezone.now():', 'late = now > item.forward_due_at', 'due_at__lte=x']
    assert all(any(p.search(s) for p in COMPARISONS) for s in samples)
    assert not any(p.search('legal_due_at=due, apologise_by=calendar.apologise_by(due, office)') for p in COMPARISONS)


def test_the_old_homes_are_gone():
    assert not (ROOT / "cases" / "timeliness.py").exists()
    scan = (ROOT / "cases" / "services" / "scan.py").read_text(encoding="utf-8")
    assert "def overdue_q" not in scan and "def due_soon_q" not in scan
    assert "def feedback_due_soon_until" not in scan
