"""The dossier tally (reports.tally, issue 14): the triggers keep it equal to the dossiers on random histories
(on SQLite here, on PostgreSQL under TEST_DATABASE_URL: the same tests), form 06 and oversight read from it
give the figures of the raw queries, `retally_dossiers --check` finds drift, compaction keeps every total, and
a closed month's figures never change."""
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings

from cases.models import Dossier
from reports import selectors, tally
from reports.models import DossierTally

from .test_as_of import BASE, HISTORY, _replay

pytestmark = pytest.mark.django_db

PERIODS = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 9), date(2026, 3, 13)),
           (date(2026, 3, 16), date(2026, 4, 10)), (date(2026, 2, 20), date(2026, 4, 30)),
           (date(2026, 4, 1), date(2026, 4, 30))]
HYPOTHESIS = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _totals():
    return {(r["office_id"], r["procedure_id"], r["kind"], r["day"], r["month"]): r["n"]
            for r in DossierTally.objects.values("office_id", "procedure_id", "kind", "day", "month")
            .annotate(n=Sum("n")).exclude(n=0)}


@HYPOTHESIS
@given(history=HISTORY)
def test_the_tally_kept_by_the_triggers_equals_the_dossiers_on_random_histories(history, receive, cast, after_commit):
    with transaction.atomic():
        _replay(history, receive, cast["reception_hn"], after_commit, until=None)
        assert tally.drift() == []
        transaction.set_rollback(True)


@HYPOTHESIS
@given(history=HISTORY)
def test_form06_and_oversight_from_the_tally_equal_the_raw_queries_on_random_histories(history, receive, cast,
                                                                                       after_commit):
    with transaction.atomic():
        _replay(history, receive, cast["reception_hn"], after_commit, until=None)
        with time_machine.travel(BASE + timedelta(days=60), tick=False):
            for user in (cast["legal"], cast["director_hn"], cast["director_hcm"]):
                for first, last in PERIODS:
                    assert selectors.report_tthc(user=user, first=first, last=last) == \
                        selectors.report_tthc_raw(user=user, first=first, last=last), (first, last)
                    assert selectors.oversight(user=user, first=first, last=last) == \
                        selectors.oversight_raw(user=user, first=first, last=last), (first, last)
        transaction.set_rollback(True)


def test_moving_a_dossier_to_another_office_or_closing_two_at_once_moves_its_figures(receive, cast):
    first = receive()
    second = receive(channel="online")
    Dossier.objects.filter(pk=first.pk).update(office=cast["director_hcm"].office)
    Dossier.objects.filter(pk__in=[first.pk, second.pk]).update(closed_at=first.received_at, status="withdrawn")
    assert tally.drift() == []
    assert DossierTally.objects.filter(office=cast["director_hcm"].office, kind="open").aggregate(n=Sum("n"))["n"] == 0


def test_retally_check_finds_drift_and_retally_repairs_it(receive):
    dossier = receive()
    call_command("retally_dossiers", "--check", stdout=StringIO())
    DossierTally.objects.create(office_id=dossier.office_id, procedure_id=dossier.procedure_id, kind="recv_other",
                                day=date(2026, 1, 5), n=3)
    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("retally_dossiers", "--check", stdout=out)
    assert "recv_other" in out.getvalue()
    call_command("retally_dossiers", stdout=StringIO())
    assert tally.drift() == []


def test_compaction_keeps_every_total_and_leaves_one_row_per_key(receive, cast):
    dossiers = [receive() for _ in range(3)]
    Dossier.objects.filter(pk=dossiers[0].pk).update(office=cast["director_hcm"].office)
    Dossier.objects.filter(pk=dossiers[0].pk).update(office=cast["director_hn"].office)
    before = _totals()
    rows = DossierTally.objects.count()
    from reports.tasks import compact_dossier_tally

    removed = compact_dossier_tally()
    assert removed > 0 and DossierTally.objects.count() == rows - removed
    assert _totals() == before and tally.drift() == []
    keys = DossierTally.objects.values("office_id", "procedure_id", "kind", "day", "month")
    assert keys.count() == keys.distinct().count()


def test_a_closed_months_figures_never_change_when_the_tally_moves_on(receive, cast):
    from reports import services
    from tests.cases.conftest import local

    with time_machine.travel(local(2026, 3, 10, 9, 0), tick=False):
        dossier = receive()
    with time_machine.travel(local(2026, 4, 2, 9, 0), tick=False):
        services.report_month_close(actor=cast["director_hn"], office=cast["director_hn"].office,
                                    month=date(2026, 3, 1))
        kept = selectors.report_tthc_served(user=cast["director_hn"], first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert kept["totals"]["received_direct_postal"] == 1
    # a March dossier appears afterwards (an import), and the tally is rebuilt: March as closed stays
    Dossier.objects.filter(pk=dossier.pk).update(received_at=local(2026, 3, 12, 9, 0))
    receive(at=local(2026, 3, 20, 9, 0))
    tally.rebuild()
    with time_machine.travel(local(2026, 4, 3, 9, 0), tick=False):
        again = selectors.report_tthc_served(user=cast["director_hn"], first=date(2026, 3, 1), last=date(2026, 3, 31))
        live = selectors.report_tthc(user=cast["director_hn"], first=date(2026, 3, 1), last=date(2026, 3, 31))
    assert again == kept
    assert live["totals"]["received_direct_postal"] == 2


def test_the_triggers_run_on_this_database(receive):
    receive()
    assert DossierTally.objects.filter(kind="recv_other").exists(), connection.vendor


def _came_back():
    return DossierTally.objects.filter(kind="came_back", month=False).aggregate(n=Sum("n"))["n"] or 0


def test_correcting_or_reopening_the_closed_dossier_undoes_the_come_back_it_made(receive):
    """The corrections read through the OLD row: the closed dossier that made another "come back" stops doing so
    when its applicant is corrected or when it reopens."""
    from tests.cases.conftest import local

    first = receive(at=local(2026, 3, 2, 9, 0))
    Dossier.objects.filter(pk=first.pk).update(status="returned", closed_at=local(2026, 3, 5, 9, 0))
    receive(at=local(2026, 3, 16, 9, 0))  # the same applicant and procedure, 11 days after the first closed
    assert _came_back() == 1 and tally.drift() == []
    Dossier.objects.filter(pk=first.pk).update(applicant_id_number="079199000111")  # a typo corrected
    assert _came_back() == 0 and tally.drift() == []
    Dossier.objects.filter(pk=first.pk).update(applicant_id_number=first.applicant_id_number)
    assert _came_back() == 1 and tally.drift() == []
    Dossier.objects.filter(pk=first.pk).update(closed_at=None, status="processing")  # reopened
    assert _came_back() == 0 and tally.drift() == []
    Dossier.objects.filter(pk=first.pk).update(status="returned", closed_at=local(2026, 3, 5, 9, 0))
    assert _came_back() == 1 and tally.drift() == []


@pytest.mark.postgres
def test_an_intake_reads_as_much_whatever_the_applicants_history(receive):
    """An employer files dossier after dossier: an intake's trigger work must not grow with the number of its
    earlier dossiers (it looked up every one of them, twice, before the tally skipped the open ones)."""
    def scans_so_far():  # the index and table scans this transaction started on cases_dossier
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) "
                           "FROM pg_stat_xact_user_tables WHERE relname = 'cases_dossier'")
            return cursor.fetchone()[0]

    def scans_of_one_intake():
        before = scans_so_far()
        receive()
        return scans_so_far() - before

    for _ in range(3):
        receive()
    few = scans_of_one_intake()
    for _ in range(40):
        receive()
    assert scans_of_one_intake() == few <= 3
