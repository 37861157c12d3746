"""Form 02 picks the missing papers from the same checklist as intake (issue 12): during processing on the
dossier page and in the API (`documents` items: checklist indexes or names, or other papers in words), and at the
desk, where the required papers not ticked as handed in go on the slip. The slip prints them."""
import pytest
from django.urls import reverse

from cases.links import slip_url
from cases.models import Dossier, IntakeGuidance, Status

from .conftest import local
from .test_checklist import BOOK, FORM_14, PROOF, _form
from .test_slips import get_pdf

NOW = local(2026, 11, 18, 10, 0)


@pytest.fixture
def processing(receive, cast, time_machine):
    time_machine.move_to(NOW, tick=False)
    d = receive("1.009020", at=local(2026, 11, 18, 9, 0))
    Dossier.objects.filter(pk=d.pk).update(status=Status.PROCESSING)
    return Dossier.objects.get(pk=d.pk)


def _request(api, d, documents):
    return api.post(f"/api/v1/dossiers/{d.code}/actions/request-supplement/",
                    {"reason": "Thiếu giấy tờ", "documents": documents}, format="json")


def test_the_api_picks_supplement_papers_by_checklist_index_or_name(as_user, cast, processing, client):
    api = as_user(cast["processor_hn"])
    response = _request(api, processing, [2, "0", FORM_14, "Bản sao CCCD rõ nét"])
    assert response.status_code == 200, response.content
    request = processing.supplement_requests.get()
    assert request.documents == [PROOF, BOOK, FORM_14, "Bản sao CCCD rõ nét"]
    client.force_login(cast["processor_hn"])
    _, text = get_pdf(client, slip_url("supplement", request, pdf=True))
    flat = " ".join(text.split())
    assert all(" ".join(p.split()) in flat for p in (PROOF, BOOK, FORM_14))


def test_an_index_outside_the_checklist_is_refused_with_its_number(as_user, cast, processing):
    response = _request(as_user(cast["processor_hn"]), processing, [7])
    assert response.status_code == 400 and response.json()["code"] == "DOCUMENT_NOT_IN_CHECKLIST"
    assert "7" in response.json()["detail"] and not processing.supplement_requests.exists()


def test_the_dossier_page_offers_the_checklist_and_the_slip_prints_the_picked_papers(client, cast, processing):
    client.force_login(cast["processor_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": processing.code})).content.decode()
    assert 'name="picked" value="0"' in page and FORM_14 in page
    client.post(reverse("cases:action", kwargs={"code": processing.code, "action": "request-supplement"}),
                {"reason": "Thiếu giấy tờ", "picked": ["1"], "documents": "Giấy khai sinh của con"})
    request = processing.supplement_requests.get()
    assert request.documents == [FORM_14, "Giấy khai sinh của con"]
    html = client.get(slip_url("supplement", request)).content.decode()
    assert FORM_14 in html and "Giấy khai sinh của con" in html


def test_form_02_at_the_desk_lists_the_required_papers_not_ticked(client, cast, procedures, time_machine):
    time_machine.move_to(NOW, tick=False)
    client.force_login(cast["reception_hn"])
    data = _form(procedures, 0, decision="supplement", reason="Thiếu đơn đề nghị", documents="Ảnh 3x4")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    guidance = IntakeGuidance.objects.get()
    assert guidance.kind == IntakeGuidance.Kind.SUPPLEMENT
    assert guidance.documents == [FORM_14, "Ảnh 3x4"]  # the book was ticked; the proof is not required
    _, text = get_pdf(client, slip_url("guidance", guidance, pdf=True))
    assert "Mẫu 14-HSB" in text and "Ảnh 3x4" in text


def test_form_02_at_the_desk_needs_a_paper_to_ask_for(client, cast, procedures):
    client.force_login(cast["reception_hn"])
    data = _form(procedures, 0, 1, decision="supplement", reason="Thiếu", documents="")
    response = client.post(reverse("cases:intake"), data)
    assert response.status_code == 400 and not IntakeGuidance.objects.exists()
    assert "Vui lòng đánh dấu hoặc liệt kê các giấy tờ cần bổ sung." in response.content.decode()
