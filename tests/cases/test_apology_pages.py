"""The apology and reschedule slip through the API (CONTRACTS.md §1.2), the pages, and the PDF text."""
import io

import pytest
from django.urls import reverse

from cases.links import slip_url
from cases.models import ApologySlip, Dossier, Status

from . import test_apology as rules
from .test_apology import AFTER_APOLOGISE_BY, BEFORE_APOLOGISE_BY, REASON, _draft, _issue  # noqa: F401

dossier, at = rules.dossier, rules.at  # the same fixtures as the rules' tests

pytestmark = pytest.mark.django_db


# --- API -------------------------------------------------------------------------------------------------

def _url(code):
    return f"/api/v1/dossiers/{code}/apology-slips/"


def test_api_issues_for_a_director(dossier, cast, as_user, at):
    at(BEFORE_APOLOGISE_BY)
    r = as_user(cast["director_hn"]).post(_url(dossier.code), {
        "reason": REASON, "new_appointment_at": "2026-02-25T09:00:00+07:00"}, format="json")
    assert r.status_code == 201, r.content
    slip = ApologySlip.objects.get()
    assert r.json()["number"] == "1/2026/PXL-BHXH-HN"
    assert r.json()["issued_at"] == "2026-02-12T10:00:00+07:00"
    assert r.json()["new_appointment_at"] == "2026-02-25T09:00:00+07:00"
    assert r.json()["is_late"] is False
    assert r.json()["pdf_url"] == reverse("cases:apology_slip", kwargs={"code": dossier.code, "pk": slip.pk}) + \
        "?format=pdf"


def test_api_reads_a_time_without_offset_as_vietnam_time_and_flags_late(dossier, cast, as_user, at):
    at(AFTER_APOLOGISE_BY)
    r = as_user(cast["deputy_hn"]).post(_url(dossier.code), {
        "reason": REASON, "new_appointment_at": "2026-02-25T09:00"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["new_appointment_at"] == "2026-02-25T09:00:00+07:00" and r.json()["is_late"] is True


@pytest.mark.parametrize("who", ["processor_hn", "reception_hn", "legal", "admin"])
def test_api_refuses_non_signers_with_403(dossier, cast, as_user, at, who):
    at(BEFORE_APOLOGISE_BY)
    r = as_user(cast[who]).post(_url(dossier.code), {"reason": REASON,
                                                      "new_appointment_at": "2026-02-25T09:00:00+07:00"}, format="json")
    assert r.status_code == 403 and r.json()["code"] == "APOLOGY_SIGNER_REQUIRED"
    assert not ApologySlip.objects.exists()


def test_api_hides_a_dossier_outside_the_scope(dossier, cast, as_user, at):
    at(BEFORE_APOLOGISE_BY)
    r = as_user(cast["director_hcm"]).post(_url(dossier.code), {
        "reason": REASON, "new_appointment_at": "2026-02-25T09:00:00+07:00"}, format="json")
    assert r.status_code == 404
    assert as_user(cast["director_hn"]).post(_url("KHONG-CO"), {}, format="json").status_code == 404


def test_api_needs_authentication(dossier, api):
    assert api.post(_url(dossier.code), {}, format="json").status_code == 401


@pytest.mark.parametrize("body,field,text", [
    ({}, "reason", "lý do"),
    ({"reason": "  ", "new_appointment_at": "2026-02-25T09:00:00+07:00"}, "reason", "lý do"),
    ({"reason": REASON}, "new_appointment_at", "ngày hẹn"),
    ({"reason": REASON, "new_appointment_at": "ngày mai"}, "new_appointment_at", "không hợp lệ"),
    ({"reason": REASON, "new_appointment_at": "2026-02-28T09:00:00+07:00"}, "new_appointment_at", "ngày làm việc"),
    ({"reason": REASON, "new_appointment_at": "2026-02-20T09:00:00+07:00"}, "new_appointment_at", "sau ngày hẹn"),
    ({"reason": ["a"], "new_appointment_at": 12}, "new_appointment_at", "không hợp lệ"),
])
def test_api_validation_errors_are_400_with_vietnamese_field_messages(dossier, cast, as_user, at, body, field, text):
    at(BEFORE_APOLOGISE_BY)
    r = as_user(cast["director_hn"]).post(_url(dossier.code), body, format="json")
    assert r.status_code == 400, r.content
    assert text in " ".join(r.json()[field]).lower()
    assert not ApologySlip.objects.filter(state="issued").exists()


def test_api_answers_409_for_a_closed_dossier_and_the_second_reschedule(dossier, cast, as_user, at):
    at(BEFORE_APOLOGISE_BY)
    client = as_user(cast["director_hn"])
    body = {"reason": REASON, "new_appointment_at": "2026-02-25T09:00:00+07:00"}
    assert client.post(_url(dossier.code), body, format="json").status_code == 201
    r = client.post(_url(dossier.code), {**body, "new_appointment_at": "2026-02-26T09:00:00+07:00"}, format="json")
    assert r.status_code == 409 and r.json()["code"] == "APOLOGY_LIMIT_REACHED"
    Dossier.objects.filter(pk=dossier.pk).update(status=Status.RESOLVED, reschedule_count=0)
    r = client.post(_url(dossier.code), body, format="json")
    assert r.status_code == 409 and r.json()["code"] == "APOLOGY_NOT_ALLOWED"


def test_api_dossier_detail_lists_the_issued_slip(dossier, cast, as_user, at):
    at(BEFORE_APOLOGISE_BY)
    client = as_user(cast["director_hn"])
    client.post(_url(dossier.code), {"reason": REASON, "new_appointment_at": "2026-02-25T09:00:00+07:00"},
                format="json")
    detail = client.get(f"/api/v1/dossiers/{dossier.code}/").json()
    assert detail["apology_slips"][0]["number"] == "1/2026/PXL-BHXH-HN"
    assert detail["appointment_at"].startswith("2026-02-25T09:00")
    assert detail["legal_due_at"].startswith("2026-02-24T09:00")


# --- pages -----------------------------------------------------------------------------------------------

def test_the_dossier_page_shows_the_panel_with_the_form(dossier, cast, client):
    client.force_login(cast["processor_hn"])
    html = client.get(reverse("cases:detail", kwargs={"code": dossier.code})).content.decode()
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in html
    assert reverse("cases:apology_draft", kwargs={"code": dossier.code}) in html
    assert 'value="issue"' not in html  # a processor cannot sign
    client.force_login(cast["director_hn"])
    html = client.get(reverse("cases:detail", kwargs={"code": dossier.code})).content.decode()
    assert 'value="issue"' in html


def test_draft_from_the_page_then_sign_after_confirming_what_the_citizen_will_be_sent(dossier, cast, client, at):
    at(BEFORE_APOLOGISE_BY)
    client.force_login(cast["processor_hn"])
    r = client.post(reverse("cases:apology_draft", kwargs={"code": dossier.code}),
                    {"reason": REASON, "new_appointment_at": "2026-02-25T09:00", "action": "draft"})
    assert r.status_code == 302 and r["Location"] == reverse("cases:detail", kwargs={"code": dossier.code})
    slip = ApologySlip.objects.get()
    assert slip.state == "draft"
    # A processor cannot sign it.
    sign = reverse("cases:apology_sign", kwargs={"code": dossier.code, "pk": slip.pk})
    assert client.post(sign).status_code == 403
    # The director sees it on the overdue desk; "Ký và phát hành" first shows what will be issued and sent.
    client.force_login(cast["director_hn"])
    assert sign in client.get(reverse("cases:overdue")).content.decode()
    r = client.post(sign, {"next": reverse("cases:overdue")})
    confirm = r.content.decode()
    assert r.status_code == 200 and "Xác nhận ký và phát hành" in confirm and 'name="confirm" value="1"' in confirm
    assert "1/2026/PXL-BHXH-HN" in confirm and "Hen tra ket qua moi: 25/02/2026 09:00" in confirm  # the SMS, word for word
    slip.refresh_from_db()
    assert slip.state == "draft"  # nothing issued, nothing sent before the confirmation
    r = client.post(sign, {"next": reverse("cases:overdue"), "confirm": "1"})
    assert r.status_code == 302 and r["Location"] == reverse("cases:overdue")
    slip.refresh_from_db()
    assert slip.state == "issued" and slip.number_label == "1/2026/PXL-BHXH-HN"
    html = client.get(reverse("cases:detail", kwargs={"code": dossier.code})).content.decode()
    assert "1/2026/PXL-BHXH-HN" in html and "25/02/2026 09:00" in html


def test_the_form_shows_errors_next_to_the_field(dossier, cast, client, at):
    at(BEFORE_APOLOGISE_BY)
    client.force_login(cast["director_hn"])
    url = reverse("cases:apology_draft", kwargs={"code": dossier.code})
    r = client.post(url, {"reason": REASON, "new_appointment_at": "28/02/2026 09:00", "action": "issue"})
    assert r.status_code == 400
    assert "không phải ngày làm việc" in r.content.decode()
    r = client.post(url, {"reason": "", "new_appointment_at": "", "action": "issue"})
    assert r.status_code == 400 and "Vui lòng ghi rõ lý do" in r.content.decode()
    r = client.post(url, {"reason": REASON, "new_appointment_at": "25/02/2026 09:00", "action": "issue"})
    assert r.status_code == 200 and "Xác nhận ký và phát hành" in r.content.decode()
    assert not ApologySlip.objects.exists()
    r = client.post(url, {"reason": REASON, "new_appointment_at": "2026-02-25T09:00", "action": "issue",
                          "confirm": "1"})
    assert r.status_code == 302 and ApologySlip.objects.get().state == "issued"


def test_the_pages_hide_dossiers_outside_the_scope(dossier, cast, client):
    client.force_login(cast["director_hcm"])
    assert client.get(reverse("cases:apology_draft", kwargs={"code": dossier.code})).status_code == 404
    assert client.post(reverse("cases:apology_sign", kwargs={"code": dossier.code, "pk": 1})).status_code == 404


# --- the PDF ---------------------------------------------------------------------------------------------

def test_the_pdf_has_the_code_the_dates_and_the_reason(dossier, cast, client):
    from pypdf import PdfReader

    from cases.documents.slips import apology_document
    from core.documents.pdf import render_pdf

    slip = _issue(cast["director_hn"], dossier)
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(render_pdf(apology_document(slip)))).pages)
    text = " ".join(text.split())
    assert dossier.code in text
    assert "24/02/2026 09:00" in text  # the original appointment
    assert "25/02/2026 09:00" in text  # the new appointment
    assert REASON in text  # with its diacritics
    assert "1/2026/PXL-BHXH-HN" in text
    # The same through the page URL the API gives.
    client.force_login(cast["director_hn"])
    r = client.get(slip_url("apology", slip, pdf=True))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
