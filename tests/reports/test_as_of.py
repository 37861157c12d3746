"""Form 06 as of the period's end (DOMAIN.md §6): what happens after a period never changes its figures, and the
ledger's Python and SQL forms agree (cases.ledger)."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from hypothesis import HealthCheck, given, settings, strategies as st

from core.models import User
from cases import services, versions
from cases.errors import DomainError
from cases.ledger import annotate_state_at, dossier_state_at, intervals, state_at
from cases.models import Dossier, DossierEvent
from reports.selectors import report_tthc
from workcal.models import CalendarOverride

from tests.cases.conftest import local

pytestmark = pytest.mark.django_db

MARCH = {"first": date(2026, 3, 1), "last": date(2026, 3, 31)}


def _at(moment, fn, **kw):
    with time_machine.travel(moment, tick=False):
        return fn(**kw)


def _receive(receive, moment, code="1.009020"):
    with time_machine.travel(moment, tick=False):
        return receive(code)


def test_march_report_keeps_its_overdue_count_after_april_changes(receive, cast, after_commit):
    """The issue's case: form 06 for March run on 1 April shows 2 overdue; what happens on 2 April (here a day off
    declared for a March day, which moves an open dossier's legal due moment into April, and a late resolution)
    must leave the March report as it was. (A supplement request on 2 April is refused outright now: it is
    past the legal due moment, SUPPLEMENT_WINDOW_PASSED.)"""
    officer = cast["reception_hn"]
    first = _receive(receive, local(2026, 3, 16, 9, 0))    # 10 working days: due Mon 30/03/2026 09:00
    second = _receive(receive, local(2026, 3, 17, 9, 0))   # due Tue 31/03/2026 09:00
    _receive(receive, local(2026, 3, 30, 9, 0))            # within time at the end of March
    first = _at(local(2026, 3, 17, 10, 0), services.dossier_start, actor=officer, dossier=first)
    assert (first.legal_due_at, second.legal_due_at) == (local(2026, 3, 30, 9, 0), local(2026, 3, 31, 9, 0))

    with time_machine.travel(local(2026, 4, 1, 8, 0), tick=False):
        before = report_tthc(user=cast["director_hn"], **MARCH)["totals"]
    assert (before["in_progress_overdue"], before["in_progress_within"]) == (2, 1)

    with time_machine.travel(local(2026, 4, 2, 9, 0), tick=False):
        with after_commit():
            CalendarOverride.objects.create(date=date(2026, 3, 27), kind="off", note="Nghỉ bù (ví dụ)")
        services.dossier_resolve(actor=cast["processor_hn"], dossier=first, outcome="approved")
    second.refresh_from_db()
    assert second.legal_due_at == local(2026, 4, 1, 9, 0)  # today's value moved into April…
    with time_machine.travel(local(2026, 4, 2, 10, 0), tick=False):
        after = report_tthc(user=cast["director_hn"], **MARCH)["totals"]
    assert after == before                                 # …but March is as it stood on 31/03


def test_the_state_at_a_moment_is_read_from_the_history(receive, cast):
    officer = cast["reception_hn"]
    d = _receive(receive, local(2026, 3, 2, 9, 0))
    d = _at(local(2026, 3, 3, 9, 0), services.dossier_start, actor=officer, dossier=d)
    d = _at(local(2026, 3, 4, 9, 0), services.dossier_request_supplement, actor=officer, dossier=d,
            reason="Thiếu giấy tờ", documents=["Bản sao CCCD"])
    d = _at(local(2026, 3, 9, 9, 0), services.dossier_supplement_received, actor=officer, dossier=d)
    assert dossier_state_at(d, local(2026, 3, 2, 8, 0)).status == ""
    assert dossier_state_at(d, local(2026, 3, 3, 12, 0)).status == "processing"
    assert dossier_state_at(d, local(2026, 3, 3, 12, 0)).legal_due_at == local(2026, 3, 16, 9, 0)
    paused = dossier_state_at(d, local(2026, 3, 5, 9, 0))
    assert paused.status == "awaiting_supplement" and not paused.overdue_at(local(2026, 4, 1, 0, 0))
    # the clock restarted from zero on 09/03 (the default supplement_clock)
    assert dossier_state_at(d, local(2026, 3, 10, 0, 0)).legal_due_at == local(2026, 3, 23, 9, 0)
    spans = intervals(d.events.order_by("at", "id"))
    assert [(s.kind, s.start, s.end) for s in spans] == [
        ("running", local(2026, 3, 2, 9, 0), local(2026, 3, 4, 9, 0)),
        ("paused", local(2026, 3, 4, 9, 0), local(2026, 3, 9, 9, 0)),
        ("running", local(2026, 3, 9, 9, 0), None),
    ]


# --- random histories -------------------------------------------------------------------------------------

STEP = st.sampled_from(["start", "supplement", "supplement-received", "resolve", "return", "withdraw", "refuse",
                        "day-off", "catalogue-edit"])
HISTORY = st.lists(st.tuples(st.integers(0, 3), st.integers(1, 40 * 24 * 60), STEP), min_size=1, max_size=12)
BASE = local(2026, 3, 2, 8, 0)
PERIOD_END = local(2026, 4, 1, 0, 0)


def _apply(step, dossier, officer, after_commit):
    if step == "day-off":
        day = (timezone_local_date(dossier) + timedelta(days=3))
        with after_commit():
            CalendarOverride.objects.update_or_create(date=day, defaults={"kind": "off", "note": "Ngày nghỉ thử"})
        return
    if step == "catalogue-edit":  # the time limit changes from tomorrow: dossiers received keep their version
        from django.utils import timezone

        try:
            versions.procedure_version_create(procedure=dossier.procedure, valid_from=timezone.localdate()
                                              + timedelta(days=1), time_limit_value=Decimal(3))
        except DomainError:
            pass
        return
    run = {"start": lambda: services.dossier_start(actor=officer, dossier=dossier),
           "supplement": lambda: services.dossier_request_supplement(actor=officer, dossier=dossier, reason="Thiếu",
                                                                     documents=["Tờ khai"]),
           "supplement-received": lambda: services.dossier_supplement_received(actor=officer, dossier=dossier),
           # separation of duties: a director records the result (any processor of the office would do)
           "resolve": lambda: services.dossier_resolve(actor=User.objects.get(username="giamdoc.hn"), dossier=dossier,
                                                       outcome="approved"),
           "return": lambda: services.dossier_return(actor=officer, dossier=dossier),
           "withdraw": lambda: services.dossier_withdraw(actor=officer, dossier=dossier, reason="Rút"),
           "refuse": lambda: services.dossier_refuse(actor=officer, dossier=dossier, reason="Không đủ điều kiện")}
    try:
        run[step]()
    except DomainError:
        pass  # not allowed from the dossier's status then: the history simply has no such event


def timezone_local_date(dossier):
    from django.utils import timezone

    return timezone.localtime(Dossier.objects.get(pk=dossier.pk).legal_due_at or timezone.now()).date()


def _replay(history, receive, officer, capture, *, until: datetime | None):
    """Replay (dossier, minutes after BASE, step) in time order; only the steps before `until` when given.

    Each replay runs in a transaction that the test rolls back, while `after_commit` runs the on-commit callbacks
    as if it had committed: a calendar override of one replay would stay published in the cache (the calendar's
    stamp) after its rollback. Start each replay from the database's own calendar."""
    cache.clear()
    dossiers = []
    for i in range(4):
        dossiers.append(_receive(receive, BASE + timedelta(days=2 * i, hours=1 + i)))
    for which, minutes, step in sorted(history, key=lambda h: h[1]):
        moment = BASE + timedelta(days=1, minutes=minutes)
        if until is not None and moment >= until:
            break
        with time_machine.travel(moment, tick=False):
            _apply(step, Dossier.objects.get(pk=dossiers[which].pk), officer, capture)
    return dossiers


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=HISTORY)
def test_a_report_at_the_period_end_equals_the_same_report_after_later_events(history, receive, cast, after_commit):
    officer = cast["reception_hn"]
    with transaction.atomic():
        _replay(history, receive, officer, after_commit, until=PERIOD_END)
        with time_machine.travel(PERIOD_END + timedelta(minutes=1), tick=False):
            at_the_end = report_tthc(user=cast["legal"], **MARCH)
        transaction.set_rollback(True)
    with transaction.atomic():
        dossiers = _replay(history, receive, officer, after_commit, until=None)
        with time_machine.travel(BASE + timedelta(days=45), tick=False):
            later = report_tthc(user=cast["legal"], **MARCH)
            # SQL and Python forms of the ledger agree at every probed moment
            for probe in (BASE + timedelta(days=d, hours=h) for d in (0, 9, 12, 20, 30) for h in (0, 9)):
                rows = {r.pk: (r.status_then, r.legal_due_then)
                        for r in annotate_state_at(Dossier.objects.filter(pk__in=[d.pk for d in dossiers]), probe)}
                for d in dossiers:
                    events = list(DossierEvent.objects.filter(dossier=d).order_by("at", "id"))
                    py = state_at(events, probe)
                    if events and events[0].at < probe:
                        assert rows[d.pk] == (py.status, py.legal_due_at)
        transaction.set_rollback(True)
    assert later == at_the_end
