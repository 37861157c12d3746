"""Every action of CONTRACTS.md §1.3, allowed and refused; the supplement rules; the append-only history."""
import pytest
import time_machine

from cases import services
from cases.models import DossierEvent, ProcedureVersion, ProcessStep, Status, Trip
from core.errors import DomainError
from tests.factories import DossierFactory

from .conftest import local

pytestmark = pytest.mark.django_db


def test_intake_gives_code_legal_due_appointment_and_event(receive):
    dossier = receive("1.009001", at=local(2025, 4, 24, 9, 0), channel="online")
    assert dossier.code == "000.00.01.G13-250424-0001"
    # Thu 24/04/2025 09:00 + 2 working days → Sat 26/04/2025 09:00 (a make-up working day).
    assert dossier.legal_due_at == local(2025, 4, 26, 9, 0)
    assert dossier.appointment_at == dossier.legal_due_at
    assert dossier.status == Status.RECEIVED
    event = dossier.events.get()
    assert (event.action, event.from_status, event.to_status, event.actor.username) == \
        ("receive", "", "received", "tiepnhan.hn")
    assert dossier.trip_count == 0  # online: the applicant did not travel


def test_codes_are_gap_free_per_office_and_day(receive):
    codes = [receive(at=local(2025, 6, 2, 9, i)).code for i in range(3)]
    assert codes == [f"000.00.01.G13-250602-000{i}" for i in (1, 2, 3)]
    assert receive(at=local(2025, 6, 2, 10, 0), officer="reception_hcm").code == "000.00.79.G13-250602-0001"
    assert receive(at=local(2025, 6, 3, 8, 0)).code == "000.00.01.G13-250603-0001"


def test_a_failed_intake_gives_its_number_back(receive, cast, procedures):
    with pytest.raises(DomainError):
        services.dossier_receive(actor=cast["reception_hn"], procedure=procedures["1.009030"],
                                 applicant={"name": "A", "id_number": "001085012345"}, channel="online",
                                 received_at=local(2025, 6, 2, 9, 0))  # 1.009030 is not offered online
    assert receive(at=local(2025, 6, 2, 9, 5)).code.endswith("-0001")


def test_direct_intake_counts_a_trip(receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    assert dossier.trip_count == 1
    assert Trip.objects.get(dossier=dossier).purpose == "intake"


def test_read_only_and_out_of_scope_users_cannot_receive(cast, procedures, offices):
    applicant = {"name": "A", "id_number": "001085012345"}
    with pytest.raises(DomainError) as exc:
        services.dossier_receive(actor=cast["legal"], procedure=procedures["1.009020"], applicant=applicant,
                                 channel="direct", office=offices["01"])
    assert exc.value.code == "READ_ONLY_ROLE"
    with pytest.raises(DomainError) as exc:
        services.dossier_receive(actor=cast["reception_hcm"], procedure=procedures["1.009020"], applicant=applicant,
                                 channel="direct", office=offices["01"])
    assert exc.value.code == "OFFICE_OUT_OF_SCOPE"


def _submitted(cast, procedures, offices):
    return DossierFactory(code="000.00.01.G13-200518-0001", office=offices["01"], procedure=procedures["1.009001"],
                          status=Status.SUBMITTED)


def _in_status(status, receive, cast, procedures, offices):
    """A dossier brought to `status` through the services."""
    officer = cast["reception_hn"]
    if status == Status.SUBMITTED:
        return _submitted(cast, procedures, offices)
    d = receive(at=local(2025, 6, 2, 9, 0))
    steps = {
        Status.RECEIVED: [],
        Status.PROCESSING: ["start"],
        Status.AWAITING_SUPPLEMENT: ["start", "supplement"],
        Status.RESOLVED: ["start", "resolve"],
        Status.RETURNED: ["start", "resolve", "return"],
        Status.REFUSED: ["refuse"],
        Status.WITHDRAWN: ["withdraw"],
    }[status]
    for step in steps:
        if step == "start":
            d = services.dossier_start(actor=officer, dossier=d)
        elif step == "supplement":
            d = services.dossier_request_supplement(actor=officer, dossier=d, reason="Thiếu", documents=["Tờ khai"])
        elif step == "resolve":
            d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
        elif step == "return":
            d = services.dossier_return(actor=officer, dossier=d)
        elif step == "refuse":
            d = services.dossier_refuse(actor=officer, dossier=d, reason="Không đủ điều kiện")
        elif step == "withdraw":
            d = services.dossier_withdraw(actor=officer, dossier=d, reason="Người nộp rút")
    assert d.status == status
    return d


# A request body that each action accepts (what the API's ActionIn gives after validation).
BODIES = {
    "accept": {}, "start": {"assignee": None},
    "handover": {"unit": "Phòng Chế độ BHXH", "assignee": None, "note": ""},
    "request-supplement": {"reason": "Thiếu giấy tờ", "documents": ["Bản sao CCCD"]},
    "supplement-received": {"in_person": None},
    "resolve": {"outcome": "approved", "result_summary": "Đồng ý"},
    "return": {"returned_to": "", "in_person": None}, "refuse": {"reason": "Không đủ điều kiện"},
    "withdraw": {"reason": "Người nộp rút hồ sơ"},
    "approve-result": {"note": ""},
}

# CONTRACTS.md §1.3 (plus `handover`, which keeps the dossier in processing), written out independently of
# the code's table so that a change to the table that breaks the contract fails here.
CONTRACT = {
    "accept": ({"submitted"}, "received"),
    "start": ({"received"}, "processing"),
    "handover": ({"processing"}, "processing"),
    "request-supplement": ({"received", "processing"}, "awaiting_supplement"),
    "supplement-received": ({"awaiting_supplement"}, "processing"),
    "resolve": ({"processing"}, "resolved"),
    "return": ({"resolved"}, "returned"),
    "refuse": ({"submitted", "received", "processing"}, "refused"),
    "withdraw": ({"submitted", "received", "processing", "awaiting_supplement"}, "withdrawn"),
    # issue 12: the head of the processing unit approves the result first, where the rule version asks for it
    "approve-result": ({"processing"}, "processing"),
}


def _do(action, dossier, actor):
    return services.run_action(action, actor=actor, dossier=dossier, body=BODIES[action])


def test_the_transition_table_is_the_contract():
    table = {action: ({str(s) for s in t.sources}, str(t.target)) for action, t in services.TRANSITIONS.items()}
    assert table == CONTRACT
    assert set(BODIES) == set(services.TRANSITIONS)


@pytest.mark.parametrize("action", list(services.TRANSITIONS))
@pytest.mark.parametrize("status", [s for s in Status.values])
def test_every_action_from_every_status(action, status, receive, cast, procedures, offices, time_machine):
    """The table drives both what the services allow and which buttons the page offers."""
    time_machine.move_to(local(2025, 6, 2, 10, 0), tick=False)  # inside the supplement window
    transition = services.TRANSITIONS[action]
    dossier = _in_status(status, receive, cast, procedures, offices)
    events_before = dossier.events.count()
    # Separation of duties: the processing officer records the result, the director approves it (where the rule
    # version asks for approval, as it does here for that action); the desk does the rest.
    officer = cast[{"resolve": "processor_hn", "approve-result": "director_hn"}.get(action, "reception_hn")]
    if action == "approve-result" and dossier.rule_version_id:
        ProcedureVersion.objects.filter(pk=dossier.rule_version_id).update(result_approval_required=True)
        dossier.rule_version.refresh_from_db()
    assert (action in services.allowed_actions(dossier, officer)) == (status in transition.sources)
    if status in transition.sources:
        result = _do(action, dossier, officer)
        assert result.status == transition.target
        event = result.events.order_by("-id").first()
        assert (event.action, event.from_status, event.to_status) == (action, status, transition.target)
        assert event.actor == officer
    else:
        with pytest.raises(DomainError) as exc:
            _do(action, dossier, officer)
        assert exc.value.code == "ACTION_NOT_ALLOWED" and exc.value.status == 409
        assert exc.value.extra == {"current_status": status}
        dossier.refresh_from_db()
        assert dossier.status == status and dossier.events.count() == events_before


def test_an_unknown_action_is_404(receive, cast):
    with pytest.raises(DomainError) as exc:
        services.run_action("approve", actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 0)),
                            body={})
    assert (exc.value.code, exc.value.status) == ("UNKNOWN_ACTION", 404)


def test_accept_starts_the_legal_clock(cast, procedures, offices):
    dossier = _submitted(cast, procedures, offices)
    with time_machine.travel(local(2025, 4, 24, 9, 0), tick=False):
        dossier = services.dossier_accept(actor=cast["reception_hn"], dossier=dossier)
    assert dossier.received_at == local(2025, 4, 24, 9, 0)
    assert dossier.legal_due_at == local(2025, 4, 26, 9, 0)


def test_second_supplement_request_is_refused(receive, cast, time_machine):
    time_machine.move_to(local(2025, 6, 3, 10, 0), tick=False)
    officer = cast["reception_hn"]
    d = services.dossier_start(actor=officer, dossier=receive(at=local(2025, 6, 2, 9, 0)))
    d = services.dossier_request_supplement(actor=officer, dossier=d, reason="Thiếu", documents=["Tờ khai"])
    d = services.dossier_supplement_received(actor=officer, dossier=d)
    with pytest.raises(DomainError) as exc:
        services.dossier_request_supplement(actor=officer, dossier=d, reason="Lại thiếu", documents=["Ảnh"])
    assert exc.value.code == "SUPPLEMENT_ALREADY_REQUESTED"
    assert "request-supplement" not in services.allowed_actions(d, officer)


def test_supplement_request_must_list_documents_and_reason(receive, cast, time_machine):
    time_machine.move_to(local(2025, 6, 3, 10, 0), tick=False)
    d = receive(at=local(2025, 6, 2, 9, 0))
    with pytest.raises(DomainError) as exc:
        services.dossier_request_supplement(actor=cast["reception_hn"], dossier=d, reason="Thiếu", documents=[])
    assert exc.value.code == "REASON_REQUIRED"


def _supplement_round(receive, cast):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 6, 4, 10, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=receive(at=local(2025, 6, 2, 9, 0)))
        d = services.dossier_request_supplement(actor=officer, dossier=d, reason="Thiếu", documents=["Tờ khai"])
    with time_machine.travel(local(2025, 6, 9, 10, 0), tick=False):
        return services.dossier_supplement_received(actor=officer, dossier=d)


def test_supplement_restarts_the_clock_from_zero_by_default(receive, cast):
    d = _supplement_round(receive, cast)  # 10 working days, restarted Mon 09/06/2025 10:00
    assert d.legal_due_at == local(2025, 6, 23, 10, 0)
    assert d.appointment_at == d.legal_due_at
    assert d.trip_count == 2  # intake + bringing the papers


def test_supplement_can_resume_the_clock(receive, cast, procedures):
    procedures["1.009020"].versions.update(supplement_clock="resume")  # the rules live in the version
    d = _supplement_round(receive, cast)
    # Used Mon 02/06 09:00 → Wed 04/06 10:00 = 2 days 1 h of office time; 63 h remain from Mon 09/06 10:00:
    # 7 working days → Wed 18/06 10:00, then 7 h → Thu 19/06 09:00.
    assert d.legal_due_at == local(2025, 6, 19, 9, 0)


def test_clock_is_paused_while_awaiting_supplement(receive, cast, time_machine):
    time_machine.move_to(local(2025, 6, 3, 10, 0), tick=False)
    d = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 0)))
    d = services.dossier_request_supplement(actor=cast["reception_hn"], dossier=d, reason="Thiếu", documents=["A"])
    time_machine.move_to(local(2025, 7, 3, 10, 0), tick=False)
    assert d.status == Status.AWAITING_SUPPLEMENT and not d.is_overdue  # due long past, but the clock is stopped


def test_rejection_needs_a_written_reason(receive, cast):
    d = services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 0)))
    with pytest.raises(DomainError) as exc:
        services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="rejected", result_summary=" ")
    assert exc.value.code == "REASON_REQUIRED"
    d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="rejected",
                                 result_summary="Chưa đủ thời gian đóng")
    assert d.outcome == "rejected" and d.result_summary == "Chưa đủ thời gian đóng"


def test_refusal_needs_a_reason_and_from_submitted_is_refusal_at_intake(cast, procedures, offices):
    d = _submitted(cast, procedures, offices)
    with pytest.raises(DomainError):
        services.dossier_refuse(actor=cast["reception_hn"], dossier=d, reason="")
    d = services.dossier_refuse(actor=cast["reception_hn"], dossier=d, reason="Sai đối tượng")
    assert d.resolved_at is None  # never received: not counted as resolved
    assert d.events.get(action="refuse").data == {"at_intake": True}


def test_assignment_and_handover_make_process_control_rows(receive, cast):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 6, 2, 9, 30), tick=False):
        d = services.dossier_start(actor=officer, dossier=receive(at=local(2025, 6, 2, 9, 0)), assignee="chuyenvien.hn")
    with time_machine.travel(local(2025, 6, 5, 9, 0), tick=False):
        d = services.dossier_handover(actor=officer, dossier=d, unit="Phòng Chế độ BHXH", assignee="giamdoc.hn")
    with time_machine.travel(local(2025, 6, 20, 9, 0), tick=False):  # due Mon 16/06 09:00: late
        d = services.dossier_resolve(actor=cast["director_hn"], dossier=d, outcome="approved")
    steps = list(ProcessStep.objects.filter(dossier=d).order_by("seq"))
    assert [s.unit for s in steps] == ["Bộ phận Tiếp nhận và Trả kết quả", "Phòng nghiệp vụ", "Phòng Chế độ BHXH",
                                       "Bộ phận Tiếp nhận và Trả kết quả"]
    # The desk's own budget is that day's closing: handed over the same day is on time (DOMAIN.md §2.2).
    assert [s.result for s in steps] == ["on_time", "early", "late", ""]
    assert steps[1].handler.username == "chuyenvien.hn"
    assert d.events.get(action="resolve").data["timeliness"] == "late"


def test_assignee_from_another_province_is_refused(receive, cast):
    with pytest.raises(DomainError) as exc:
        services.dossier_start(actor=cast["reception_hn"], dossier=receive(at=local(2025, 6, 2, 9, 0)),
                               assignee="tiepnhan.hcm")
    assert exc.value.code == "ASSIGNEE_INVALID"


def test_events_are_append_only(receive):
    d = receive(at=local(2025, 6, 2, 9, 0))
    event = d.events.get()
    event.note = "sửa"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(pk=event.pk).update(note="x")
    with pytest.raises(TypeError):
        DossierEvent.objects.filter(pk=event.pk).delete()
    assert DossierEvent.objects.get(pk=event.pk).note == "Tiếp nhận hồ sơ"


def test_events_have_no_write_path_in_api_or_admin(receive, as_user, cast, client):
    d = receive(at=local(2025, 6, 2, 9, 0))
    api = as_user(cast["admin"])
    url = f"/api/v1/dossiers/{d.code}/events/"
    assert api.get(url).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(url, {}, format="json").status_code == 405
    client.force_login(cast["admin"])
    event = d.events.get()
    response = client.post(f"/admin/cases/dossierevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert DossierEvent.objects.filter(pk=event.pk).exists()


def test_portal_dossier_changes_queue_progress_for_the_portal(cast, procedures, offices):
    from notifications.models import OutboxMessage

    d = _submitted(cast, procedures, offices)
    services.dossier_accept(actor=cast["reception_hn"], dossier=d)
    message = OutboxMessage.objects.get(channel="portal")
    assert message.payload["progress"]["MaHoSo"] == d.code and message.payload["progress"]["TrangThai"] == 2


def test_desk_codes_skip_numbers_already_taken_by_portal_dossiers(receive, cast, procedures, offices):
    DossierFactory(code="000.00.01.G13-250602-0001", office=offices["01"], procedure=procedures["1.009001"])
    assert receive(at=local(2025, 6, 2, 9, 0)).code == "000.00.01.G13-250602-0002"
    assert receive(at=local(2025, 6, 2, 9, 5)).code == "000.00.01.G13-250602-0003"
