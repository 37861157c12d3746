import pytest
from rest_framework.test import APIClient
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Dossier

from .conftest import local

pytestmark = pytest.mark.django_db

INTAKE = {
    "procedure": "1.009020",
    "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "phone": "0912 345 678",
                  "email": "anh@example.vn", "address": "Cầu Giấy", "kind": "citizen"},
    "channel": "direct", "summary": "Hưởng BHXH một lần",
}


def test_procedure_catalogue(as_user, cast, procedures):
    data = as_user(cast["reception_hn"]).get("/api/v1/procedures/?page_size=100").json()
    by_code = {p["code"]: p for p in data["results"]}
    assert len(by_code) == 16
    assert by_code["1.009001"]["processing_days"] == 2 and by_code["1.009001"]["is_covid_support"] is True
    assert set(by_code["1.009001"]) >= {"code", "name", "field", "processing_days", "is_covid_support", "active"}


def test_intake_api_creates_a_dossier(as_user, cast, procedures):
    # The API receives now (received_at may not back-date: history comes in through import_history).
    with time_machine.travel(local(2025, 4, 24, 9, 0), tick=False):
        response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", INTAKE, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["code"] == "000.00.01.G13-250424-0001"
    assert body["status"] == "received" and body["office"] == "01"
    # 10 working days: 25/4, Sat 26/4 (make-up), 28/4, 29/4, [30/4, 1/5, 2/5 off], 5/5 … 9/5, 12/5.
    assert body["legal_due_at"] == "2025-05-12T09:00:00+07:00"
    assert body["applicant"]["phone"] == "+84912345678"
    assert body["receipt_url"]


@pytest.mark.parametrize("field,value,message", [
    ("id_number", "12345", "12 chữ số"),
    ("phone", "12345", "Số điện thoại không hợp lệ"),
    ("email", "khong-phai-email", "thư điện tử"),
])
def test_intake_api_rejects_bad_applicant_data_with_field_errors(as_user, cast, procedures, field, value, message):
    body = {**INTAKE, "applicant": {**INTAKE["applicant"], field: value}}
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 400
    assert message in str(response.json()["applicant"][field])
    assert Dossier.objects.count() == 0


def test_intake_api_checks_the_enterprise_tax_code(as_user, cast, procedures):
    body = {**INTAKE, "applicant": {**INTAKE["applicant"], "kind": "enterprise", "id_number": "0100109107"}}
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 400
    assert "chữ số kiểm tra" in str(response.json())


@pytest.mark.parametrize("body,key", [
    ({**INTAKE, "procedure": "9.999999"}, "procedure"),
    ({**INTAKE, "channel": "fax"}, "channel"),
    ({**INTAKE, "received_at": "hôm qua"}, "received_at"),
    ({**INTAKE, "received_at": "2025-04-24T09:00:00+07:00"}, "received_at"),  # back-dated: import_history only
    ({**INTAKE, "office": "99"}, "office"),
    ({"applicant": "x"}, "procedure"),
])
def test_intake_api_bad_input_is_a_400_never_a_500(as_user, cast, procedures, body, key):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 400
    assert key in response.json()


def test_malformed_json_is_a_400(as_user, cast):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", "{not json", content_type="application/json")
    assert response.status_code == 400 and "detail" in response.json()


def test_an_officer_of_another_province_gets_404(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    api = as_user(cast["reception_hcm"])
    assert api.get(f"/api/v1/dossiers/{dossier.code}/").status_code == 404
    assert api.get(f"/api/v1/dossiers/{dossier.code}/events/").status_code == 404
    assert api.post(f"/api/v1/dossiers/{dossier.code}/actions/start/", {}, format="json").status_code == 404
    assert api.get("/api/v1/dossiers/").json()["count"] == 0
    assert as_user(cast["reception_hn"]).get(f"/api/v1/dossiers/{dossier.code}/").status_code == 200


def test_grassroots_office_dossiers_are_visible_to_the_province(as_user, cast, receive):
    receive(at=local(2025, 6, 2, 9, 0), officer="reception_cg")
    assert as_user(cast["director_hn"]).get("/api/v1/dossiers/").json()["count"] == 1
    assert as_user(cast["reception_hcm"]).get("/api/v1/dossiers/").json()["count"] == 0


def test_legal_department_sees_every_province_masked_and_cannot_act(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    receive(at=local(2025, 6, 2, 9, 0), officer="reception_hcm")
    api = as_user(cast["legal"])
    assert api.get("/api/v1/dossiers/").json()["count"] == 2
    detail = api.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert detail["applicant"]["id_number"] == "001******345"
    response = api.post(f"/api/v1/dossiers/{dossier.code}/actions/start/", {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "READ_ONLY_ROLE"


def test_list_masks_personal_data_detail_shows_it_to_the_desk(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    api = as_user(cast["reception_hn"])
    row = api.get("/api/v1/dossiers/").json()["results"][0]
    assert row["applicant"]["id_number"] == "001******345" and row["applicant"]["phone"] == "+849*****678"
    assert api.get(f"/api/v1/dossiers/{dossier.code}/").json()["applicant"]["id_number"] == "001085012345"


def test_actions_through_the_api(as_user, cast, receive, time_machine):
    time_machine.move_to(local(2025, 6, 3, 10, 0), tick=False)  # inside the supplement window
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    api = as_user(cast["reception_hn"])
    url = f"/api/v1/dossiers/{dossier.code}/actions/"
    assert api.post(url + "start/", {"assignee": "chuyenvien.hn"}, format="json").json()["assignee"] == "chuyenvien.hn"
    response = api.post(url + "return/", {}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "ACTION_NOT_ALLOWED" and "Đang giải quyết" in response.json()["detail"]
    assert api.post(url + "request-supplement/", {"reason": "Thiếu", "documents": ["Tờ khai"]},
                    format="json").json()["status"] == "awaiting_supplement"
    again = api.post(url + "supplement-received/", {}, format="json").json()
    assert again["status"] == "processing" and len(again["supplement_requests"]) == 1
    second = api.post(url + "request-supplement/", {"reason": "Lại", "documents": ["A"]}, format="json")
    assert second.status_code == 409 and second.json()["code"] == "SUPPLEMENT_ALREADY_REQUESTED"
    processor = APIClient()  # the processing officer assigned records the result (separation of duties)
    processor.force_authenticate(cast["processor_hn"])
    assert processor.post(url + "resolve/", {"outcome": "maybe"}, format="json").status_code == 400
    assert processor.post(url + "resolve/", {"outcome": "approved"}, format="json").json()["status"] == "resolved"
    assert api.post(url + "return/", {}, format="json").json()["status"] == "returned"
    assert api.post(url + "fly/", {}, format="json").status_code == 404
    events = api.get(f"/api/v1/dossiers/{dossier.code}/events/").json()["results"]
    assert [e["action"] for e in events] == ["receive", "start", "request-supplement", "supplement-received",
                                             "resolve", "return"]
    assert events[1]["at"].endswith("+07:00") and events[1]["actor"] == "tiepnhan.hn"


def test_list_filters(as_user, cast, receive, procedures):
    a = receive(at=local(2025, 6, 2, 9, 0))
    receive("1.009022", at=local(2025, 6, 3, 9, 0), name="Trần Thị Bích", id_number="001190023456")
    api = as_user(cast["reception_hn"])
    assert api.get("/api/v1/dossiers/?procedure=1.009022").json()["count"] == 1
    assert api.get("/api/v1/dossiers/?q=Bích").json()["count"] == 1
    assert api.get("/api/v1/dossiers/?q=001190023456").json()["count"] == 1
    assert api.get(f"/api/v1/dossiers/?q={a.code}").json()["results"][0]["code"] == a.code
    assert api.get("/api/v1/dossiers/?overdue=true").json()["count"] == 2  # due in June 2025: long past
    assert api.get("/api/v1/dossiers/?received_after=2025-06-03T00:00:00%2B07:00").json()["count"] == 1
    # one status per parameter (repeat it for several): a comma-joined list is not a status
    assert api.get("/api/v1/dossiers/?status=received,processing").status_code == 400
    assert api.get("/api/v1/dossiers/?status=received&status=processing").json()["count"] == 2
    assert api.get("/api/v1/dossiers/?status=received").json()["count"] == 2
    assert api.get("/api/v1/dossiers/?source=desk&channel=direct").json()["count"] == 2
    bad = api.get("/api/v1/dossiers/?received_after=yesterday")
    assert bad.status_code == 400 and "received_after" in bad.json()
    assert api.get("/api/v1/dossiers/?page_size=1000").json()["count"] == 2  # capped at 500, not an error


def _count_list_queries(api, url):
    with CaptureQueriesContext(connection) as ctx:
        response = api.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()


def test_list_api_query_count_is_constant(as_user, cast, receive):
    api = as_user(cast["reception_hn"])
    for i in range(3):
        receive(at=local(2025, 6, 2, 9, i))
    few, data = _count_list_queries(api, "/api/v1/dossiers/?page_size=500")
    assert data["count"] == 3
    for i in range(12):
        receive(at=local(2025, 6, 3, 9, i))
    many, data = _count_list_queries(api, "/api/v1/dossiers/?page_size=500")
    assert data["count"] == 15 and many == few
    assert 0 < few <= 4  # session/auth, count, page (related rows joined)


def test_public_status_same_answer_for_unknown_code_and_wrong_phone(api, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    ok = api.get(f"/api/v1/public/dossiers/{dossier.code}/?phone=0912345678")
    assert ok.status_code == 200
    body = ok.json()
    assert body["status"] == "received" and body["appointment_at"] and body["office"] == "BHXH thành phố Hà Nội"
    assert "001085012345" not in str(body) and body["applicant"]["phone"] == "+849*****678"
    wrong_phone = api.get(f"/api/v1/public/dossiers/{dossier.code}/?phone=0987654321")
    unknown = api.get("/api/v1/public/dossiers/000.00.01.G13-250602-9999/?phone=0912345678")
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()


def test_public_status_is_throttled(api, receive, settings):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    statuses = [api.get(f"/api/v1/public/dossiers/{dossier.code}/?phone=0900000000").status_code for _ in range(35)]
    assert statuses[0] == 404 and statuses[-1] == 429
