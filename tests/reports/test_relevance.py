"""Form 06 reads only the dossiers that can count in the period (reports.selectors.relevant_to, issue 14): on
random histories, every period's report equals the same report computed over every dossier."""
from datetime import date, timedelta

import pytest
import time_machine
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings

from reports import selectors

from .test_as_of import BASE, HISTORY, _replay

pytestmark = pytest.mark.django_db

PERIODS = [(date(2026, 3, 1), date(2026, 3, 31)), (date(2026, 3, 9), date(2026, 3, 13)),
           (date(2026, 3, 16), date(2026, 3, 20)), (date(2026, 3, 23), date(2026, 4, 10)),
           (date(2026, 4, 1), date(2026, 4, 30))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(history=HISTORY)
def test_the_relevant_dossiers_give_the_report_of_every_dossier(history, receive, cast, after_commit, monkeypatch):
    with transaction.atomic():
        _replay(history, receive, cast["reception_hn"], after_commit, until=None)
        with time_machine.travel(BASE + timedelta(days=60), tick=False):
            narrowed = [selectors.report_tthc_raw(user=cast["legal"], first=f, last=t) for f, t in PERIODS]
            with monkeypatch.context() as m:
                m.setattr(selectors, "relevant_to", lambda period: Q())
                everything = [selectors.report_tthc_raw(user=cast["legal"], first=f, last=t) for f, t in PERIODS]
        transaction.set_rollback(True)
    assert narrowed == everything
    assert any(r["rows"] for r in everything)
