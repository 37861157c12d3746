"""Each process-control step against its own budget (DOMAIN.md §2.2, cases.budgets)."""
import pytest
import time_machine

from cases import services
from cases.documents.slips import control_document
from cases.models import ProcessStep

from .conftest import local

pytestmark = pytest.mark.django_db


def _steps(d):
    return list(ProcessStep.objects.filter(dossier=d).order_by("seq"))


def test_a_desk_handover_6_working_days_late_is_rated_late(receive, cast):
    officer = cast["reception_hn"]
    # Received Mon 02/11/2026 09:00 (10 working days: legal due Mon 16/11/2026 09:00); the desk's own deadline is
    # that day's closing. Handed over on Tue 10/11/2026, the 6th working day after: late, not "early".
    d = receive(at=local(2026, 11, 2, 9, 0))
    assert d.legal_due_at == local(2026, 11, 16, 9, 0)
    assert _steps(d)[0].due_at == local(2026, 11, 2, 17, 0)
    with time_machine.travel(local(2026, 11, 10, 9, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=d, assignee="chuyenvien.hn")
    desk, processing = _steps(d)
    assert (desk.done_at, desk.result) == (local(2026, 11, 10, 9, 0), "late")
    # The processing unit has the rest: the legal due moment less the 0.5 working day of the return.
    assert processing.due_at == local(2026, 11, 13, 14, 30)


def test_received_after_the_cutoff_the_desk_hands_over_by_the_next_opening(receive, cast):
    officer = cast["reception_hn"]
    d = receive(at=local(2026, 11, 6, 15, 30))  # Friday after 15:00 → Monday 09/11 07:30
    assert _steps(d)[0].due_at == local(2026, 11, 9, 7, 30)
    with time_machine.travel(local(2026, 11, 9, 7, 45), tick=False):
        d = services.dossier_start(actor=officer, dossier=d)
    assert _steps(d)[0].result == "late"
    d2 = receive(at=local(2026, 11, 6, 15, 0), id_number="001090000002")  # at the cut-off: that day's closing
    assert _steps(d2)[0].due_at == local(2026, 11, 6, 17, 0)
    with time_machine.travel(local(2026, 11, 6, 16, 0), tick=False):
        d2 = services.dossier_start(actor=officer, dossier=d2)
    assert _steps(d2)[0].result == "on_time"


def test_the_return_to_the_desk_has_half_a_working_day(receive, cast):
    officer = cast["reception_hn"]
    d = receive(at=local(2026, 11, 2, 9, 0))
    with time_machine.travel(local(2026, 11, 2, 10, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=d)
    with time_machine.travel(local(2026, 11, 10, 9, 0), tick=False):
        d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    back = _steps(d)[-1]
    assert back.due_at == local(2026, 11, 10, 14, 30)  # one session later (workcal.calendar.add_half_days)
    with time_machine.travel(local(2026, 11, 11, 9, 0), tick=False):  # the next morning: late for this step
        d = services.dossier_return(actor=officer, dossier=d)
    assert [s.result for s in _steps(d)] == ["on_time", "early", "late"]


def test_the_control_slip_shows_each_steps_own_deadline_and_signature_columns(receive, cast):
    officer = cast["reception_hn"]
    d = receive(at=local(2026, 11, 2, 9, 0))
    with time_machine.travel(local(2026, 11, 10, 9, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=d, assignee="chuyenvien.hn")
    table = [b for b in control_document(d).blocks if hasattr(b, "headers")][0]
    assert "Bên giao (ký, ghi rõ họ tên)" in table.headers and "Bên nhận (ký, ghi rõ họ tên)" in table.headers
    due = table.headers.index("Hạn của bước")
    assert [row[due] for row in table.rows] == ["02/11/2026 17:00", "13/11/2026 14:30"]
    giver, receiver = table.headers.index("Bên giao (ký, ghi rõ họ tên)"), table.headers.index("Bên nhận (ký, ghi rõ họ tên)")
    assert table.rows[1][giver] == table.rows[0][receiver] == officer.display_name
    assert table.rows[1][receiver] == cast["processor_hn"].display_name
