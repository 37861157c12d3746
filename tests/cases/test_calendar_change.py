"""An administrator's calendar override moves the legal due moment of open dossiers, never the appointment
already promised to the citizen."""
import pytest
from datetime import date

from cases import services
from workcal.models import CalendarOverride

from .conftest import local

pytestmark = pytest.mark.django_db


def test_a_new_day_off_moves_open_deadlines_but_not_promised_appointments(receive, cast):
    open_dossier = receive(at=local(2025, 6, 2, 9, 0))            # 10 working days → Mon 16/06/2025 09:00
    promised = open_dossier.appointment_at
    resolved = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 5)))
    resolved = services.dossier_resolve(actor=cast["reception_hn"], dossier=resolved, outcome="approved")
    untouched = receive(at=local(2025, 6, 20, 9, 0))              # its clock starts after the new day off
    untouched_due = untouched.legal_due_at

    CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off", note="Nghỉ bù theo thông báo")

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


def test_removing_the_day_off_moves_the_deadline_back(receive):
    CalendarOverride.objects.create(date=date(2025, 6, 10), kind="off")
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    assert dossier.legal_due_at == local(2025, 6, 17, 9, 0)
    CalendarOverride.objects.get(date=date(2025, 6, 10)).delete()
    dossier.refresh_from_db()
    assert dossier.legal_due_at == local(2025, 6, 16, 9, 0)
