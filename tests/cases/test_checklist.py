"""The intake checklist (issue 12): the rule version's papers ticked at intake on the page and in the API,
required ones enforced, stored on the dossier, shown on the dossier page, in the API detail and on Form 01;
the SI number, date of birth and result delivery taken at intake."""
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.errors import DossierError
from cases.links import slip_url
from cases.models import Dossier
from core.errors import DomainError

from .conftest import local
from .test_slips import get_pdf

pytestmark = pytest.mark.django_db

BOOK = "Sổ BHXH"
FORM_14 = "Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB)"
PROOF = "Giấy tờ chứng minh trường hợp được hưởng (ra nước ngoài định cư, bệnh hiểm nghèo)"
MISSING_14 = f"Chưa đủ giấy tờ bắt buộc, còn thiếu: {FORM_14}."

FORM = {"channel": "direct", "applicant_kind": "citizen", "applicant_name": "Nguyễn Văn Ánh",
        "applicant_id_number": "001085012345", "applicant_phone": "0912345678", "applicant_email": "anh@example.vn",
        "applicant_address": "12 Trần Duy Hưng, Cầu Giấy", "summary": "", "decision": "receive",
        "social_insurance_number": "0123456789", "date_of_birth": "1985-03-14", "result_delivery": "counter"}

INTAKE = {"procedure": "1.009020", "channel": "direct", "summary": "Hưởng BHXH một lần",
          "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "phone": "0912345678",
                        "email": "anh@example.vn", "address": "Cầu Giấy", "kind": "citizen"}}


@pytest.fixture
def desk(client, cast):
    client.force_login(cast["reception_hn"])
    return client


def _form(procedures, *ticks, **extra):
    pk = procedures["1.009020"].pk
    return {**FORM, "procedure": pk, "checklist": [f"{pk}:{i}" for i in ticks], **extra}


# --- the desk page ----------------------------------------------------------------------------------------------

def test_intake_page_lists_the_procedures_papers_to_tick(desk, procedures):
    page = desk.get(reverse("cases:intake")).content.decode()
    pk = procedures["1.009020"].pk
    assert f'data-procedure="{pk}"' in page and f'value="{pk}:0"' in page
    assert BOOK in page and FORM_14 in page and "bắt buộc" in page and "Bản sao" in page


def test_intake_page_refuses_a_missing_required_paper_and_loses_nothing(desk, procedures):
    pk = procedures["1.009020"].pk
    response = desk.post(reverse("cases:intake"), _form(procedures, 0, 2))
    page = response.content.decode()
    assert response.status_code == 400 and Dossier.objects.count() == 0
    assert MISSING_14 in page
    # the message sits in the checklist block, next to the ticks
    block = page[page.index('id="checklist"'):page.index('data-procedure=')]
    assert MISSING_14 in block
    # nothing typed or ticked is lost
    assert f'value="{pk}:0" id="ck-{pk}:0" checked' in page and f'id="ck-{pk}:2" checked' in page
    assert f'value="{pk}:1" id="ck-{pk}:1" aria-labelledby' in page
    assert 'value="0123456789"' in page and 'value="1985-03-14"' in page and 'value="anh@example.vn"' in page


def test_intake_page_stores_the_checklist_and_details_and_the_dossier_page_shows_them(desk, procedures):
    response = desk.post(reverse("cases:intake"), _form(procedures, 0, 1, result_delivery="postal",
                                                        postal_address="Số 5 Láng Hạ, Đống Đa, Hà Nội"))
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert [d["name"] for d in dossier.documents] == [BOOK, FORM_14]
    assert dossier.documents[0] == {"name": BOOK, "original": "original", "quantity": 1, "required": True}
    assert dossier.social_insurance_number == "0123456789" and dossier.date_of_birth == date(1985, 3, 14)
    assert dossier.result_delivery == "postal" and dossier.postal_address == "Số 5 Láng Hạ, Đống Đa, Hà Nội"
    page = desk.get(reverse("cases:detail", args=[dossier.code])).content.decode()
    for expected in ("anh@example.vn", "12 Trần Duy Hưng, Cầu Giấy", "0123456789", "14/03/1985",
                     "Qua dịch vụ bưu chính – Số 5 Láng Hạ, Đống Đa, Hà Nội", "Thành phần hồ sơ đã nộp", BOOK,
                     FORM_14):
        assert expected in page, expected
    handed_in = page.split("Thành phần hồ sơ đã nộp", 1)[1].split("</table>", 1)[0]
    assert BOOK in handed_in and PROOF not in handed_in  # (the supplement form offers the whole checklist)


@pytest.mark.parametrize("field,value,extra,message", [
    ("social_insurance_number", "12345", {}, "Mã số BHXH phải gồm 10 chữ số."),
    ("social_insurance_number", "01234567ab", {}, "Mã số BHXH phải gồm 10 chữ số."),
    ("date_of_birth", "2999-01-01", {}, "Ngày sinh không được ở tương lai."),
    ("date_of_birth", "31/02/1985", {}, "Ngày sinh không hợp lệ"),
    ("postal_address", "", {"result_delivery": "postal"}, "Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính."),
])
def test_intake_page_checks_si_number_birth_date_and_delivery(desk, procedures, field, value, extra, message):
    response = desk.post(reverse("cases:intake"), _form(procedures, 0, 1, **{field: value, **extra}))
    page = response.content.decode()
    assert response.status_code == 400 and Dossier.objects.count() == 0
    assert message in page
    field_block = page[page.index(f'for="id_{field}"'):]
    assert field_block.index(message) < field_block.index("</div>")  # next to its field


def test_supplement_decision_does_not_require_the_checklist(desk, procedures):
    response = desk.post(reverse("cases:intake"), _form(procedures, decision="supplement", reason="Thiếu sổ",
                                                        documents=BOOK))
    assert response.status_code == 302 and Dossier.objects.count() == 0


# --- the API ------------------------------------------------------------------------------------------------------

def test_api_intake_takes_the_checklist_by_name_or_index_and_the_detail_gives_it(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    body = {**INTAKE, "documents": [BOOK, 1], "social_insurance_number": "01 2345 6789",
            "date_of_birth": "1985-03-14", "result_delivery": "online"}
    response = api.post("/api/v1/dossiers/", body, format="json")
    assert response.status_code == 201, response.json()
    detail = api.get(f"/api/v1/dossiers/{response.json()['code']}/").json()
    assert detail["documents"] == [{"name": BOOK, "original": "original", "quantity": 1, "required": True},
                                   {"name": FORM_14, "original": "original", "quantity": 1, "required": True}]
    assert detail["social_insurance_number"] == "0123456789" and detail["date_of_birth"] == "1985-03-14"
    assert detail["result_delivery"] == "online" and detail["postal_address"] == ""


def test_api_intake_refuses_a_missing_required_paper_per_field(as_user, cast, procedures):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", {**INTAKE, "documents": [0, PROOF]},
                                                  format="json")
    assert response.status_code == 400
    assert response.json() == {"documents": [MISSING_14]}
    assert Dossier.objects.count() == 0


def test_api_intake_refuses_a_paper_not_in_the_checklist(as_user, cast, procedures):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", {**INTAKE, "documents": [0, 1, "CCCD", 7]},
                                                  format="json")
    assert response.status_code == 400
    assert response.json()["documents"] == ["Giấy tờ không có trong thành phần hồ sơ của thủ tục: CCCD; 7."]


def test_api_intake_without_documents_is_not_checked(as_user, cast, procedures):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", INTAKE, format="json")
    assert response.status_code == 201 and response.json()["documents"] == []


@pytest.mark.parametrize("extra,field,message", [
    ({"social_insurance_number": "123"}, "social_insurance_number", "Mã số BHXH phải gồm 10 chữ số."),
    ({"date_of_birth": "2999-01-01"}, "date_of_birth", "Ngày sinh không được ở tương lai."),
    ({"date_of_birth": "14/03/1985"}, "date_of_birth", "Ngày sinh phải theo dạng YYYY-MM-DD."),
    ({"result_delivery": "postal"}, "postal_address", "Vui lòng nhập địa chỉ nhận kết quả qua dịch vụ bưu chính."),
    ({"result_delivery": "fax"}, "result_delivery", "Hình thức nhận kết quả phải là counter, postal hoặc online."),
])
def test_api_intake_checks_si_number_birth_date_and_delivery(as_user, cast, procedures, extra, field, message):
    response = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", {**INTAKE, **extra}, format="json")
    assert response.status_code == 400
    assert response.json() == {field: [message]}


def test_api_detail_masks_intake_details_for_who_may_not_see_personal_data(as_user, cast, procedures):
    body = {**INTAKE, "documents": [0, 1], "social_insurance_number": "0123456789", "date_of_birth": "1985-03-14",
            "result_delivery": "postal", "postal_address": "Số 5 Láng Hạ"}
    code = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", body, format="json").json()["code"]
    detail = as_user(cast["legal"]).get(f"/api/v1/dossiers/{code}/").json()
    assert detail["social_insurance_number"] == "01*****789" and detail["date_of_birth"] == "1985"
    assert detail["postal_address"] == "" and detail["result_delivery"] == "postal"
    assert len(detail["documents"]) == 2  # the papers are not personal data


# --- the service and Form 01 ------------------------------------------------------------------------------------

def test_service_refuses_missing_papers_and_bad_details(cast, procedures):
    kwargs = {"actor": cast["reception_hn"], "procedure": procedures["1.009020"], "channel": "direct",
              "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345"}}
    with pytest.raises(DomainError) as exc:
        services.dossier_receive(**kwargs, documents=[BOOK])
    assert exc.value.error is DossierError.DOCUMENTS_MISSING and FORM_14 in exc.value.message
    with pytest.raises(DomainError) as exc:
        services.dossier_receive(**kwargs, documents=[0, 1], result_delivery="postal")
    assert exc.value.error is DossierError.POSTAL_ADDRESS_REQUIRED
    with pytest.raises(DomainError) as exc:
        services.dossier_receive(**kwargs, documents=[0, 1], date_of_birth=timezone.localdate() + timedelta(days=1))
    assert exc.value.error is DossierError.INTAKE_DETAIL_INVALID and "tương lai" in exc.value.message
    assert Dossier.objects.count() == 0
    dossier = services.dossier_receive(**kwargs, documents=[0, 1, 2], social_insurance_number="0123456789")
    assert [d["name"] for d in dossier.documents] == [BOOK, FORM_14, PROOF]


def test_form_01_prints_the_ticked_papers_as_a_table(client, cast, procedures):
    dossier = services.dossier_receive(actor=cast["reception_hn"], procedure=procedures["1.009020"],
                                       applicant={"name": "Nguyễn Văn Ánh", "id_number": "001085012345"},
                                       channel="direct", summary="Hồ sơ thử", received_at=local(2025, 6, 2, 9, 0),
                                       documents=[0, 1, 2])
    client.force_login(cast["reception_hn"])
    _, text = get_pdf(client, slip_url("receipt", dossier, pdf=True))
    assert "1. Thành phần hồ sơ nộp gồm:" in text
    assert "STT Tên giấy tờ Bản chính/bản sao Số lượng" in text
    assert f"1 {BOOK} Bản chính 1" in text and "2 Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB) Bản chính 1" in text
    assert "3 Giấy tờ chứng minh trường hợp được hưởng" in text and "Bản sao 1" in text
    html = client.get(slip_url("receipt", dossier)).content.decode()
    assert FORM_14 in html and "Bản sao" in html
