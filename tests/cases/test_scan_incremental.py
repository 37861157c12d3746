"""The incremental deadline scan on PostgreSQL (issue 14, "an idle run under 20 ms"): after its first run the scan
reads only the dossiers signalled changed (a trigger on cases_dossier) and those whose deadline moments the
thresholds crossed since the last run (cases.deadlines.CROSSED_SQL). Whatever it skips, its marks must be those
a full reading gives: the stage of every dossier at the run's moment (cases.deadlines.due_stage)."""
import random
from datetime import timedelta

import pytest
from django.db import connection

from cases.deadlines import Moments, due_stage
from cases.models import Dossier, DueMark, ScanState, Status
from cases.services import scan_sql
from cases.services.scan import scan_overdue
from tests.factories import DossierFactory

from .conftest import local

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

START = local(2026, 4, 20, 8, 0)  # Mon 20/04/2026, the week before the 30/04 and 01/05 holidays
STATUSES = [Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT, Status.RESOLVED,
            Status.RETURNED, Status.WITHDRAWN]


def _moment(rng, around):
    return around + timedelta(minutes=rng.randrange(-3 * 24 * 60, 12 * 24 * 60, 7))


def _columns(rng, around):
    """Random deadline columns: every stage and none, moments on both sides of the runs to come."""
    due = _moment(rng, around)
    rescheduled = rng.random() < 0.3
    return {
        "status": rng.choice(STATUSES),
        "legal_due_at": due if rng.random() > 0.05 else None,
        "apologise_by": due - timedelta(hours=rng.choice([8, 24, 30, 50])),
        "reschedule_count": 1 if rescheduled else 0,
        # the new appointment of an apology slip: usually a few days after the legal due moment
        "appointment_at": (due + timedelta(hours=rng.choice([4, 26, 50])) if rng.random() < 0.7
                           else _moment(rng, around)) if rescheduled else None,
        "submitted_at": _moment(rng, around - timedelta(days=4)),
    }


def _expected(now):
    """{dossier id: stage} of every dossier in a stage at `now`, read row by row in Python."""
    moments = Moments.at(now)
    return {d.pk: stage for d in Dossier.objects.all() if (stage := due_stage(d, moments))}


def _open_marks():
    return dict(DueMark.objects.filter(closed=False).values_list("dossier_id", "stage"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_an_incremental_run_marks_what_reading_every_dossier_gives(offices, seed):
    rng = random.Random(seed)
    ids = [DossierFactory(office=offices["01"]).pk for _ in range(60)]
    for pk in ids:
        Dossier.objects.filter(pk=pk).update(**_columns(rng, START))
    now, last_full, kinds = START, None, []
    for step in range(14):
        # Between runs: some dossiers change (a status, a new due moment, an apology slip), some arrive, and
        # the clock moves on by nothing, minutes, hours or a weekend.
        for pk in rng.sample(ids, 6):
            changed = _columns(rng, now)
            Dossier.objects.filter(pk=pk).update(**dict(rng.sample(sorted(changed.items()), rng.randint(1, 3))))
        if step % 4 == 1:
            ids.append(DossierFactory(office=offices["01"], **_columns(rng, now)).pk)
        now += rng.choice([timedelta(0), timedelta(minutes=5), timedelta(hours=3), timedelta(hours=19),
                           timedelta(days=2, hours=1)])
        result = scan_overdue(now=now)
        assert _open_marks() == _expected(now), f"seed {seed}, run {step} at {now:%d/%m %H:%M}"
        # Incremental from the second run on, except a day after the last full run.
        assert result.incremental is (last_full is not None and now - last_full < scan_sql.FULL_EVERY)
        last_full = last_full if result.incremental else now
        kinds.append(result.incremental)
    assert kinds.count(True) >= 7, kinds
    # Closed dossiers kept their marks, flagged closed; none is open in a closed dossier.
    closed = set(Dossier.objects.exclude(status__in=[Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING,
                                                     Status.AWAITING_SUPPLEMENT]).values_list("pk", flat=True))
    assert not closed & set(_open_marks())


def test_only_a_change_of_what_a_stage_reads_signals_the_scan(offices):
    dossier = DossierFactory(office=offices["01"])
    assert _signals() == [dossier.pk]  # a new dossier
    _consume()
    Dossier.objects.filter(pk=dossier.pk).update(applicant_name="Nguyễn Văn Hùng", summary="đổi tên")
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.SUBMITTED)  # the same value
    assert _signals() == []
    Dossier.objects.filter(pk=dossier.pk).update(legal_due_at=START)
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RECEIVED)
    assert _signals() == [dossier.pk, dossier.pk]


def test_a_run_reads_every_dossier_when_the_clock_went_back_or_a_day_passed(offices):
    dossier = DossierFactory(office=offices["01"])
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RECEIVED, legal_due_at=START + timedelta(days=3),
                                                 apologise_by=START + timedelta(days=2))
    assert scan_overdue(now=START).incremental is False  # no state yet
    assert scan_overdue(now=START + timedelta(hours=1)).incremental is True
    later = START + timedelta(days=4)
    assert scan_overdue(now=later).overdue == [dossier.code]
    # A clock moved back (a test, a corrected server time): thresholds behind the last run's, a full run
    # clears the mark that no longer holds then.
    back = scan_overdue(now=START)
    assert back.incremental is False and back.cleared == 1 and _open_marks() == {}
    # Writes the trigger did not see (triggers off, as a bulk load has them) are caught by the daily full run.
    scan_overdue(now=START + timedelta(hours=2))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no trigger fires
        cursor.execute("UPDATE cases_dossier SET legal_due_at = %s WHERE id = %s", [START, dossier.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert scan_overdue(now=START + timedelta(hours=3)).overdue == []  # unseen
    full = ScanState.objects.get().full_at + scan_sql.FULL_EVERY
    caught = scan_overdue(now=full)
    assert caught.incremental is False and caught.overdue == [dossier.code]


def test_the_orm_path_leaves_the_next_run_full(offices):
    DossierFactory(office=offices["01"])
    scan_overdue(now=START)
    assert ScanState.objects.exists()
    scan_overdue(now=START, sql=False)
    assert not ScanState.objects.exists()
    assert scan_overdue(now=START).incremental is False


def _signals():
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT dossier_id FROM {scan_sql.DIRTY}")
        return [r[0] for r in cursor.fetchall()]


def _consume():
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {scan_sql.DIRTY}")
