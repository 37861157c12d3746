"""An administrator's calendar override moves the legal due moment of open dossiers, never the appointment
already promised to the citizen — in a Celery task queued when the override commits, not in the save."""
import pytest
from datetime import date

from cases import services
from workcal.models import CalendarOverride

from .conftest import local

pytestmark = pytest.mark.django_db


def test_a_new_day_off_moves_open_deadlines_but_not_promised_appointments(receive, cast, after_commit):
    open_dossier = receive(at=local(2025, 6, 2, 9, 0))            # 10 working days → Mon 16/06/2025 09:00
    promised = open_dossier.appointment_at
    resolved = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 5)))
    resolved = services.dossier_resolve(actor=cast["processor_hn"], dossier=resolved, outcome="approved")
    untouched = receive(at=local(2025, 6, 20, 9, 0))              # its clock starts after the new day off
    untouched_due = untouched.legal_due_at

    with after_commit():
        CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off", note="Nghỉ bù theo thông báo")
        open_dossier.refresh_from_db()
        assert open_dossier.legal_due_at == local(2025, 6, 16, 9, 0)  # the save itself moves nothing

    open_dossier.refresh_from_db()
    assert open_dossier.legal_due_at == local(2025, 6, 17, 9, 0)  # one working day later
    assert open_dossier.appointment_at == promised                 # the citizen's appointment is kept
    event = open_dossier.events.get(action="recompute-deadline")
    assert event.actor is None and event.data["new"].startswith("2025-06-17")
    resolved_due = resolved.legal_due_at
    resolved.refresh_from_db()
    assert resolved.legal_due_at == resolved_due                   # closed dossiers are history
    untouched.refresh_from_db()
    assert untouched.legal_due_at == untouched_due


def test_removing_the_day_off_moves_the_deadline_back(receive, after_commit):
    with after_commit():
        CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    assert dossier.legal_due_at == local(2025, 6, 17, 9, 0)
    with after_commit():
        CalendarOverride.objects.get(date=date(2025, 6, 10)).delete()
    dossier.refresh_from_db()
    assert dossier.legal_due_at == local(2025, 6, 16, 9, 0)


def test_the_recompute_is_one_task_queued_on_commit(receive, django_capture_on_commit_callbacks, monkeypatch):
    from cases import tasks

    dossier = receive(at=local(2025, 6, 2, 9, 0))
    queued = []
    monkeypatch.setattr(tasks.recompute_deadlines, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    assert queued == []                                            # nothing is queued before the commit
    for callback in callbacks:
        callback()
    assert queued == [{"dates": ["2025-06-10"]}]
    dossier.refresh_from_db()
    assert dossier.legal_due_at == local(2025, 6, 16, 9, 0)        # the task, not the save, moves it
    assert tasks.recompute_deadlines(**queued[0]) == 1
    dossier.refresh_from_db()
    assert dossier.legal_due_at == local(2025, 6, 17, 9, 0)
    assert tasks.recompute_deadlines(**queued[0]) == 0             # running it again changes nothing


def test_a_rolled_back_override_queues_nothing(django_capture_on_commit_callbacks, monkeypatch):
    from django.db import transaction

    from cases import tasks

    queued = []
    monkeypatch.setattr(tasks.recompute_deadlines, "delay", lambda **kwargs: queued.append(kwargs))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
            raise RuntimeError("roll back")
    assert callbacks == [] and queued == []


def test_intake_whose_deadline_leaves_the_covered_years_is_a_domain_error_and_builds_no_year(receive):
    import time_machine

    from cases.models import Dossier
    from core.errors import DomainError
    from workcal.models import WorkingDay

    rows = WorkingDay.objects.count()
    with time_machine.travel(local(2040, 12, 24, 9, 0), tick=False), pytest.raises(DomainError) as caught:
        receive()  # 10 working days from 24/12/2040: in 2041, past WORKCAL_YEARS
    assert caught.value.code == "CALENDAR_OUT_OF_RANGE" and caught.value.status == 400
    assert "2015–2040" in caught.value.message
    assert WorkingDay.objects.count() == rows and not WorkingDay.objects.filter(date__year=2041).exists()
    assert not Dossier.objects.exists()
