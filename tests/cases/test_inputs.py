"""issue 13 items 3, 4 and 8: malformed codes, NUL bytes, out-of-range dates and unbounded inputs are a 400/404
with a clear message, never a 500; one dossier with a bad code does not break a whole office's pages."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import history
from cases.codes import is_dossier_code
from cases.models import Dossier
from core.errors import DomainError

pytestmark = pytest.mark.django_db

BAD_CODE = "000.00.01.G13-SL/ASH-0002"


def test_the_contracts_pattern():
    assert is_dossier_code("000.00.01.G13-250602-0001")
    assert not is_dossier_code(BAD_CODE)
    assert not is_dossier_code("000.00.01.G13-251332-0001")  # no 32 Dec 2025... month 13
    assert not is_dossier_code("000.00.01.G13-250602-0001\x00")


def test_a_dossier_with_a_malformed_code_does_not_break_the_list(client, cast, receive):
    good = receive()
    Dossier.objects.filter(pk=receive().pk).update(code=BAD_CODE)  # a row from before the check
    client.force_login(cast["reception_hn"])
    for url in (reverse("cases:list"), reverse("cases:desk"), reverse("cases:list") + f"?q={BAD_CODE}"):
        response = client.get(url)
        page = response.content.decode()
        assert response.status_code == 200, url
        assert BAD_CODE in page and 'href="/ho-so/000.00.01.G13-SL' not in page
    assert f'href="{reverse("cases:detail", kwargs={"code": good.code})}"' in client.get(
        reverse("cases:list")).content.decode()


@pytest.mark.parametrize("path", ["/ho-so/000.00.01.G13-SL/ASH-0002/", "/ho-so/abc/",
                                  "/api/v1/dossiers/000.00.01.G13-SL%2FASH-0002/", "/api/v1/dossiers/x%25/"])
def test_a_path_with_a_malformed_code_is_a_404(client, cast, path):
    client.force_login(cast["reception_hn"])
    assert client.get(path).status_code == 404


def test_the_history_import_rejects_a_malformed_code():
    with pytest.raises(DomainError):
        history._code(BAD_CODE)
    assert history._code(" 000.00.01.H29-250424-0001 ") == "000.00.01.H29-250424-0001"


@pytest.mark.parametrize("url", ["/ho-so/?office=%00", "/api/v1/dossiers/?office=%00", "/tra-cuu/?ma=%00&dt=1",
                                 "/api/v1/public/dossiers/000.00.01.G13-250602-0001%00/", "/ho-so/a%00b/",
                                 "/api/v1/dossiers/?q=a&x%00=1"])
def test_a_nul_byte_is_a_400_not_a_500(client, cast, receive, url):
    receive()
    client.force_login(cast["reception_hn"])
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert "NUL" in response.json()["detail"]


def test_a_nul_byte_is_refused_anonymously_too(client):
    assert client.get("/tra-cuu/?ma=000.00.01.G13-250602-0001%00&dt=0912345678").status_code == 400


@pytest.mark.parametrize("value", ["1730-02-01T09:27:39-21:54", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
                                   "2025-06-02T09:00:00+15:00"])
@pytest.mark.parametrize("name", ["received_after", "received_before", "due_before"])
def test_an_insane_date_filter_is_a_400(as_user, cast, receive, name, value):
    receive()
    response = as_user(cast["reception_hn"]).get(reverse("api-dossiers"), {name: value})
    assert response.status_code == 400
    assert name in response.json()


def test_a_sane_date_filter_with_an_offset_still_filters(as_user, cast, receive):
    dossier = receive()
    api = as_user(cast["reception_hn"])
    before = (dossier.received_at - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(-600))
    response = api.get(reverse("api-dossiers"), {"received_after": before.isoformat()})
    assert response.status_code == 200 and [d["code"] for d in response.json()["results"]] == [dossier.code]


@pytest.mark.parametrize("value", ["0001-01-01", "1730-02-01", "2101-01-01"])
def test_an_insane_date_on_the_list_page_is_a_message(client, cast, receive, value):
    receive()
    client.force_login(cast["reception_hn"])
    response = client.get(reverse("cases:list"), {"received_after": value})
    assert response.status_code == 200
    assert "Năm phải từ 2000 đến 2100." in response.content.decode()


def _in_processing(receive, cast):
    from cases import services

    dossier = receive()
    services.run_action("start", actor=cast["reception_hn"], dossier=dossier, body={"assignee": "chuyenvien.hn"})
    dossier.refresh_from_db()
    return dossier


def test_a_handover_unit_over_200_characters_is_a_message_on_the_page(client, cast, receive):
    dossier = _in_processing(receive, cast)
    steps = dossier.steps.count()
    client.force_login(cast["processor_hn"])
    url = reverse("cases:action", kwargs={"code": dossier.code, "action": "handover"})
    response = client.post(url, {"unit": "P" * 201, "note": ""}, follow=True)
    assert response.status_code == 200
    assert "Tên đơn vị nhận bàn giao tối đa 200 ký tự." in response.content.decode()
    assert dossier.steps.count() == steps


def test_an_intake_documents_list_is_bounded(as_user, cast):
    api = as_user(cast["reception_hn"])
    body = {"procedure": "1.009020", "applicant": {"name": "Nguyễn Văn Ánh", "kind": "citizen",
                                                   "id_number": "001085012345"}}
    response = api.post(reverse("api-dossiers"), {**body, "documents": list(range(100_000))}, format="json")
    assert response.status_code == 400 and "documents" in response.json()
    response = api.post(reverse("api-dossiers"), {**body, "documents": ["x" * 301]}, format="json")
    assert response.status_code == 400 and "300" in str(response.json()["documents"])
    assert not Dossier.objects.exists()


def test_a_supplement_request_documents_list_is_bounded(as_user, cast, receive):
    dossier = _in_processing(receive, cast)
    api = as_user(cast["processor_hn"])
    url = reverse("api-dossier-action", kwargs={"code": dossier.code, "action": "request-supplement"})
    response = api.post(url, {"reason": "Thiếu", "documents": ["Tờ khai"] * 101}, format="json")
    assert response.status_code == 400 and "documents" in response.json()
    response = api.post(url, {"reason": "R" * 4001, "documents": ["Tờ khai"]}, format="json")
    assert response.status_code == 400 and "reason" in response.json()


def test_the_intake_page_bounds_the_papers_to_supplement(client, cast, procedures):
    from .test_pages import FORM

    client.force_login(cast["reception_hn"])
    response = client.post(reverse("cases:intake"), {**FORM, "procedure": procedures["1.009020"].pk,
                                                     "decision": "supplement", "reason": "Thiếu",
                                                     "documents": "\n".join(["Tờ khai"] * 101)})
    assert response.status_code == 400
    assert "Danh sách giấy tờ tối đa 100 mục" in response.content.decode()
    response = client.post(reverse("cases:intake"), {**FORM, "procedure": procedures["1.009020"].pk,
                                                     "summary": "S" * 4001})
    assert response.status_code == 400 and not Dossier.objects.exists()


def test_received_at_cannot_be_back_dated(as_user, cast):
    api = as_user(cast["reception_hn"])
    body = {"procedure": "1.009020", "applicant": {"name": "Nguyễn Văn Ánh", "kind": "citizen",
                                                   "id_number": "001085012345"},
            "received_at": (timezone.now() - timedelta(days=400)).isoformat()}
    response = api.post(reverse("api-dossiers"), body, format="json")
    assert response.status_code == 400 and "received_at" in response.json()
    assert not Dossier.objects.exists()
