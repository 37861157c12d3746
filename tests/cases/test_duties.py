"""Separation of duties (issue 12): who records a dossier's result, per rule version and office, and the optional
approval of the result by the head of the processing unit. Each refusal is a coded 403/409; each step an event."""
import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases import services
from cases.models import ProcedureVersion
from core.errors import DomainError
from core.models import Role, User

from .conftest import local

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _processing(receive, cast, assignee="chuyenvien.hn"):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0))
        return services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee=assignee)


def test_a_reception_officer_alone_cannot_receive_resolve_and_return_a_dossier_assigned_to_a_processing_officer(
        receive, cast, client):
    """The issue's defect: tiepnhan.hn received, resolved ("Chấp thuận … 42.120.000 đồng") and returned a dossier
    assigned to chuyenvien.hn. Now the result is refused to her (API, page, button) and recorded by the processor."""
    d = _processing(receive, cast)
    url = f"/api/v1/dossiers/{d.code}/actions/"
    reception = _client(cast["reception_hn"])
    refused = reception.post(url + "resolve/", {"outcome": "approved", "result_summary": "Chấp thuận 42.120.000 đồng"},
                             format="json")
    assert refused.status_code == 403 and refused.json()["code"] == "SEPARATION_OF_DUTIES"
    assert "cán bộ tiếp nhận không tự giải quyết" in refused.json()["detail"]
    d.refresh_from_db()
    assert d.status == "processing" and not d.events.filter(action="resolve").exists()
    # The dossier page offers her no "Có kết quả" button, and posting the form anyway is refused.
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert reverse("cases:action", args=[d.code, "resolve"]) not in page
    client.post(reverse("cases:action", args=[d.code, "resolve"]), {"outcome": "approved"})
    d.refresh_from_db()
    assert d.status == "processing"
    # Nor can she hand the result back: there is none yet.
    assert reception.post(url + "return/", {}, format="json").status_code == 409
    # The processing officer assigned records it; the desk then returns it.
    done = _client(cast["processor_hn"]).post(url + "resolve/", {"outcome": "approved"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "resolved"
    assert reception.post(url + "return/", {}, format="json").json()["status"] == "returned"
    actors = dict(d.events.values_list("action", "actor__username"))
    assert actors["receive"] == "tiepnhan.hn" and actors["resolve"] == "chuyenvien.hn"


def test_another_processor_than_the_one_assigned_may_not_resolve_but_the_director_and_a_deputy_may(receive, cast,
                                                                                                    offices):
    d = _processing(receive, cast)
    other = User.objects.create_user("chuyenvien2.hn", role=Role.PROCESSOR, office=offices["01"])
    with pytest.raises(DomainError) as exc:
        services.dossier_resolve(actor=other, dossier=d, outcome="approved")
    assert (exc.value.code, exc.value.status) == ("SEPARATION_OF_DUTIES", 403)
    assert "resolve" not in services.allowed_actions(d, other)
    assert "resolve" in services.allowed_actions(d, cast["deputy_hn"])
    d = services.dossier_resolve(actor=cast["director_hn"], dossier=d, outcome="approved")
    assert d.status == "resolved"


def test_the_officer_who_received_may_resolve_where_the_office_allows_it(receive, cast, offices):
    d = _processing(receive, cast, assignee=None)
    with pytest.raises(DomainError):
        services.dossier_resolve(actor=cast["reception_hn"], dossier=d, outcome="approved")
    offices["01"].allow_receiver_resolve = True
    offices["01"].save(update_fields=["allow_receiver_resolve"])
    d.office.refresh_from_db()
    assert "resolve" in services.allowed_actions(d, cast["reception_hn"])
    assert services.dossier_resolve(actor=cast["reception_hn"], dossier=d, outcome="approved").status == "resolved"


def test_a_processor_who_received_the_dossier_does_not_resolve_it_either(receive, cast, offices):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive(at=local(2026, 3, 2, 8, 0))
    d.received_by = cast["processor_hn"]
    d.save(update_fields=["received_by"])
    d = services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
    with pytest.raises(DomainError) as exc:
        services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    assert exc.value.code == "SEPARATION_OF_DUTIES"


def test_a_rule_version_without_separation_of_duties_lets_any_officer_of_the_office_resolve(receive, cast):
    d = _processing(receive, cast)
    ProcedureVersion.objects.filter(pk=d.rule_version_id).update(separate_duties=False)
    d.rule_version.refresh_from_db()
    assert services.dossier_resolve(actor=cast["reception_hn"], dossier=d, outcome="approved").status == "resolved"


def test_a_rule_version_with_result_approval_needs_the_head_of_the_processing_unit_first(receive, cast, offices):
    d = _processing(receive, cast)
    ProcedureVersion.objects.filter(pk=d.rule_version_id).update(result_approval_required=True)
    d.rule_version.refresh_from_db()
    processor = cast["processor_hn"]
    assert "resolve" in services.allowed_actions(d, processor)
    assert "approve-result" not in services.allowed_actions(d, processor)  # not a head of unit
    with pytest.raises(DomainError) as exc:
        services.dossier_resolve(actor=processor, dossier=d, outcome="approved")
    assert (exc.value.code, exc.value.status) == ("RESULT_APPROVAL_REQUIRED", 409)
    with pytest.raises(DomainError) as exc:
        services.run_action("approve-result", actor=processor, dossier=d, body={})
    assert (exc.value.code, exc.value.status) == ("SEPARATION_OF_DUTIES", 403)
    head = User.objects.create_user("truongphong.hn", role=Role.PROCESSOR, office=offices["01"], is_unit_head=True,
                                    last_name="Đinh Văn", first_name="Khoa")
    assert "approve-result" in services.allowed_actions(d, head)
    response = _client(head).post(f"/api/v1/dossiers/{d.code}/actions/approve-result/",
                                  {"note": "Đồng ý kết quả đề xuất"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "processing"
    event = d.events.get(action="approve-result")
    assert (event.actor, event.note, event.from_status, event.to_status) == (head, "Đồng ý kết quả đề xuất",
                                                                             "processing", "processing")
    with pytest.raises(DomainError) as exc:  # approved once is enough
        services.run_action("approve-result", actor=head, dossier=d, body={})
    assert exc.value.code == "ACTION_NOT_ALLOWED"
    assert services.dossier_resolve(actor=processor, dossier=d, outcome="approved").status == "resolved"


def test_an_approval_given_before_new_papers_arrived_is_asked_for_again(receive, cast, time_machine):
    time_machine.move_to(local(2026, 3, 3, 9, 0), tick=False)
    d = _processing(receive, cast)
    ProcedureVersion.objects.filter(pk=d.rule_version_id).update(result_approval_required=True)
    d.rule_version.refresh_from_db()
    services.run_action("approve-result", actor=cast["director_hn"], dossier=d, body={})
    d = services.dossier_request_supplement(actor=cast["processor_hn"], dossier=d, reason="Thiếu",
                                            documents=["Tờ khai"])
    d = services.dossier_supplement_received(actor=cast["reception_hn"], dossier=d)
    with pytest.raises(DomainError) as exc:
        services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    assert exc.value.code == "RESULT_APPROVAL_REQUIRED"


def test_the_history_import_keeps_a_result_recorded_by_the_receiving_officer_in_the_previous_software(cast):
    """Separation of duties governs work done here; a province's history is kept as it happened there."""
    from cases.history import history_import, history_line

    line = history_line(office="01", procedure="1.009020", channel="direct", summary="Hồ sơ cũ",
                        applicant={"name": "Nguyễn Văn Cũ", "kind": "citizen", "id_number": "001085012399",
                                   "phone": "0912345678", "email": "", "address": "Hà Nội"},
                        events=[{"at": local(2025, 6, 2, 9, 0), "action": "receive", "actor": "tiepnhan.hn"},
                                {"at": local(2025, 6, 2, 10, 0), "action": "start", "actor": "tiepnhan.hn"},
                                {"at": local(2025, 6, 5, 10, 0), "action": "resolve", "actor": "tiepnhan.hn",
                                 "outcome": "approved"}])
    summary = history_import([line])
    assert summary.imported == 1 and summary.rejected == []


def test_the_rule_versions_api_says_who_may_resolve(as_user, cast):
    versions = as_user(cast["reception_hn"]).get("/api/v1/procedures/1.009020/versions/").json()
    rows = versions["results"] if isinstance(versions, dict) else versions
    assert rows[0]["separate_duties"] is True and rows[0]["result_approval_required"] is False
