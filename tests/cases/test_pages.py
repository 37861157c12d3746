import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Dossier, IntakeGuidance

from .conftest import local

pytestmark = pytest.mark.django_db

FORM = {"procedure": "", "channel": "direct", "applicant_kind": "citizen", "applicant_name": "Nguyễn Văn Ánh",
        "applicant_id_number": "001085012345", "applicant_phone": "0912345678", "applicant_email": "",
        "applicant_address": "Cầu Giấy", "summary": "Tờ khai, sổ BHXH", "decision": "receive"}


def test_desk_shows_todays_work(client, cast, receive):
    receive(at=local(2025, 6, 2, 9, 0))
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:desk")).content.decode()
    assert "Bàn làm việc hôm nay" in page and "Quá hạn" in page and "000.00.01.G13-250602-0001" in page


def test_intake_form_receives_a_dossier(client, cast, procedures):
    client.force_login(cast["reception_hn"])
    pk = procedures["1.009020"].pk
    response = client.post(reverse("cases:intake"), {**FORM, "procedure": pk, "checklist": [f"{pk}:0", f"{pk}:1"]})
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and dossier.code in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "Đã tiếp nhận hồ sơ" in page and dossier.code in page


def test_intake_form_shows_vietnamese_errors_next_to_fields_and_keeps_input(client, cast, procedures):
    client.force_login(cast["reception_hn"])
    response = client.post(reverse("cases:intake"), {**FORM, "procedure": procedures["1.009020"].pk,
                                                     "applicant_id_number": "123", "applicant_phone": "12"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Số định danh phải gồm 12 chữ số" in page and "Số điện thoại không hợp lệ" in page
    assert 'value="Nguyễn Văn Ánh"' in page  # nothing typed is lost
    assert Dossier.objects.count() == 0


def test_incomplete_papers_give_a_supplement_slip_and_receive_nothing(client, cast, procedures):
    client.force_login(cast["reception_hn"])
    response = client.post(reverse("cases:intake"), {**FORM, "procedure": procedures["1.009020"].pk,
                                                     "decision": "supplement", "reason": "Thiếu sổ BHXH",
                                                     "documents": "Sổ BHXH bản chính\nCCCD bản sao"})
    assert response.status_code == 302
    guidance = IntakeGuidance.objects.get()
    # the required papers of the checklist not ticked as handed in come first (issue 12), then the typed ones
    assert guidance.documents == ["Sổ BHXH", "Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB)", "Sổ BHXH bản chính",
                                  "CCCD bản sao"] and Dossier.objects.count() == 0


def test_dossier_page_offers_the_actions_allowed_now_and_runs_them(client, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", args=[dossier.code])).content.decode()
    assert "Chuyển xử lý" in page and "Trả kết quả</button>" not in page
    client.post(reverse("cases:action", args=[dossier.code, "start"]), {"assignee": "chuyenvien.hn"})
    dossier.refresh_from_db()
    assert dossier.status == "processing" and dossier.assignee.username == "chuyenvien.hn"
    response = client.post(reverse("cases:action", args=[dossier.code, "return"]), follow=True)
    assert "Không thể thực hiện" in response.content.decode()


def test_dossier_page_is_404_for_another_province(client, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    client.force_login(cast["reception_hcm"])
    assert client.get(reverse("cases:detail", args=[dossier.code])).status_code == 404
    assert client.post(reverse("cases:action", args=[dossier.code, "start"])).status_code == 404


def test_search_by_exact_code_opens_the_dossier(client, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    client.force_login(cast["reception_hn"])
    response = client.get(reverse("cases:list"), {"q": dossier.code})
    assert response.status_code == 302 and dossier.code in response["Location"]


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_list_page_query_count_is_constant(client, cast, receive):
    client.force_login(cast["reception_hn"])
    for i in range(2):
        receive(at=local(2025, 6, 2, 9, i))
    few = _page_queries(client, reverse("cases:list"))
    for i in range(20):
        receive(at=local(2025, 6, 3, 9, i))
    assert _page_queries(client, reverse("cases:list")) == few
    assert few > 0


def test_public_lookup_page(client, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    page = client.get("/tra-cuu/", {"ma": dossier.code, "dt": "0912 345 678"}).content.decode()
    assert "Đã tiếp nhận" in page and "Nguyễn Văn Ánh" not in page
    wrong = client.get("/tra-cuu/", {"ma": dossier.code, "dt": "0987654321"})
    assert wrong.status_code == 404 and "Không tìm thấy hồ sơ" in wrong.content.decode()


def test_admin_shows_dossiers_read_only(client, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    client.force_login(cast["admin"])
    assert client.get("/admin/cases/dossier/").status_code == 200
    page = client.get(f"/admin/cases/dossier/{dossier.pk}/change/")
    assert page.status_code == 200 and "Tiếp nhận hồ sơ" in page.content.decode()  # the history inline
    assert client.get("/admin/cases/apologyslip/add/").status_code == 403
    assert client.get("/admin/cases/procedure/").status_code == 200
