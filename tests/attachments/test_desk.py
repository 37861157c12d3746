"""Papers at the desk (issue 11): multipart upload tied to a checklist item, PDF/JPEG/PNG up to the limit
(413/415 with a JSON detail, the type sniffed from the content), office scope (404), roles (403); on the intake
page a refused file keeps everything typed and is named next to its row; Form 01 marks the scanned papers."""
import hashlib

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from attachments.models import Attachment
from cases.models import Dossier, DossierEvent

from ..cases.test_slips import get_pdf
from .conftest import EXE, JPEG, PDF, read, upload

pytestmark = pytest.mark.django_db
BOOK, FORM_14 = "Sổ BHXH", "Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB)"


def _url(dossier):
    return f"/api/v1/dossiers/{dossier.code}/attachments/"


def test_desk_upload_is_tied_to_a_checklist_item_and_served_back(media, receive, cast, as_user):
    dossier = receive()
    api = as_user(cast["reception_hn"])
    response = api.post(_url(dossier), {"file": upload("so-bhxh.pdf", PDF), "document": BOOK}, format="multipart")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("name", "document", "size", "content_type", "source")} == {
        "name": "so-bhxh.pdf", "document": BOOK, "size": len(PDF), "content_type": "application/pdf",
        "source": "desk"}
    stored = Attachment.objects.get(pk=body["id"])
    assert stored.document_index == 0 and stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert stored.uploaded_by == cast["reception_hn"]
    assert DossierEvent.objects.filter(dossier=dossier, action="attach").count() == 1
    by_index = api.post(_url(dossier), {"file": upload("don.jpg", JPEG, "image/jpeg"), "document": "1"},
                        format="multipart").json()
    assert by_index["document"] == FORM_14 and by_index["content_type"] == "image/jpeg"
    listing = api.get(_url(dossier)).json()
    assert [r["name"] for r in listing["results"]] == ["so-bhxh.pdf", "don.jpg"]
    assert read(api.get(body["url"])) == PDF


@pytest.mark.parametrize("name,content,declared,status,code", [
    ("virus.pdf", EXE, "application/pdf", 415, "UPLOAD_TYPE_REFUSED"),
    ("note.txt", b"hello", "text/plain", 415, "UPLOAD_TYPE_REFUSED"),
    ("empty.pdf", b"", "application/pdf", 400, "UPLOAD_EMPTY"),
])
def test_desk_upload_refuses_what_is_not_pdf_jpeg_or_png(media, receive, cast, as_user, name, content, declared,
                                                         status, code):
    dossier = receive()
    response = as_user(cast["reception_hn"]).post(_url(dossier), {"file": upload(name, content, declared),
                                                                  "document": BOOK}, format="multipart")
    assert response.status_code == status and response.json()["code"] == code
    assert response.json()["detail"]
    assert not Attachment.objects.exists()


def test_desk_upload_over_the_limit_is_413(media, receive, cast, as_user, settings):
    settings.ATTACHMENT_MAX_BYTES = 2048
    dossier = receive()
    api = as_user(cast["reception_hn"])
    response = api.post(_url(dossier), {"file": upload("big.pdf", PDF + b"0" * 3000), "document": BOOK},
                        format="multipart")
    assert response.status_code == 413 and response.json()["code"] == "UPLOAD_TOO_LARGE"
    assert response.json()["detail"] == "Tệp “big.pdf” lớn hơn 2 KB."
    far_too_big = api.post(_url(dossier), {"file": upload("huge.pdf", PDF + b"0" * 200_000), "document": BOOK},
                           format="multipart")
    assert far_too_big.status_code == 413  # refused on the declared length, before the body is parsed
    assert not Attachment.objects.exists()


def test_desk_upload_needs_a_checklist_item_of_the_rule_version(media, receive, cast, as_user):
    dossier = receive()
    api = as_user(cast["reception_hn"])
    missing = api.post(_url(dossier), {"file": upload("a.pdf", PDF)}, format="multipart")
    unknown = api.post(_url(dossier), {"file": upload("a.pdf", PDF), "document": "Giấy khai sinh"},
                       format="multipart")
    assert (missing.status_code, missing.json()["code"]) == (400, "ATTACHMENT_DOCUMENT_REQUIRED")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "ATTACHMENT_DOCUMENT_UNKNOWN")
    no_file = api.post(_url(dossier), {"document": BOOK}, format="multipart")
    assert (no_file.status_code, no_file.json()["code"]) == (400, "ATTACHMENT_FILE_REQUIRED")


def test_another_office_gets_404_and_the_legal_department_no_files(media, receive, cast, as_user, api):
    dossier = receive()
    own = as_user(cast["reception_hn"]).post(_url(dossier), {"file": upload("a.pdf", PDF), "document": BOOK},
                                             format="multipart").json()
    token = Token.objects.create(user=cast["reception_hcm"]).key
    api.force_authenticate(None)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(_url(dossier)).status_code == 404
    assert api.get(own["url"]).status_code == 404
    assert api.post(_url(dossier), {"file": upload("b.pdf", PDF), "document": BOOK},
                    format="multipart").status_code == 404
    api.credentials()
    legal = as_user(cast["legal"])
    rows = legal.get(_url(dossier)).json()["results"]
    assert rows[0]["url"] is None  # sees the list, not the papers' content
    assert legal.get(own["url"]).status_code == 403
    refused = legal.post(_url(dossier), {"file": upload("c.pdf", PDF), "document": BOOK}, format="multipart")
    assert refused.status_code == 403 and refused.json()["code"] == "READ_ONLY_ROLE"


def test_dossier_page_attaches_a_paper_later(media, receive, cast, client):
    dossier = receive()
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", args=[dossier.code])).content.decode()
    assert 'enctype="multipart/form-data"' in page and "Chưa có giấy tờ đính kèm." in page
    response = client.post(reverse("attachments:upload", args=[dossier.code]),
                           {"file": upload("so.pdf", PDF), "document": "0"}, follow=True)
    page = response.content.decode()
    assert "Đã đính kèm tệp “so.pdf”." in page and "so.pdf" in page
    refused = client.post(reverse("attachments:upload", args=[dossier.code]),
                          {"file": upload("ds.pdf", EXE), "document": "0"}, follow=True).content.decode()
    assert "không phải PDF, JPEG hoặc PNG" in refused
    assert Attachment.objects.filter(dossier=dossier).count() == 1


# --- the intake page --------------------------------------------------------------------------------------

FORM = {"channel": "direct", "applicant_kind": "citizen", "applicant_name": "Nguyễn Văn Ánh",
        "applicant_id_number": "001085012345", "applicant_phone": "0912345678", "applicant_email": "anh@example.vn",
        "applicant_address": "12 Trần Duy Hưng, Cầu Giấy", "summary": "Hưởng BHXH một lần", "decision": "receive",
        "social_insurance_number": "0123456789", "date_of_birth": "1985-03-14", "result_delivery": "counter"}


def _intake(procedures, **files):
    pk = procedures["1.009020"].pk
    return {**FORM, "procedure": pk, "checklist": [f"{pk}:0", f"{pk}:1"],
            **{f"paper-{pk}:{i}": f for i, f in files.items()}}


def test_intake_page_refuses_a_disguised_file_and_keeps_everything_typed(media, procedures, cast, client):
    client.force_login(cast["reception_hn"])
    pk = procedures["1.009020"].pk
    response = client.post(reverse("cases:intake"), _intake(procedures, **{"0": upload("so.pdf", EXE)}))
    page = response.content.decode()
    assert response.status_code == 400 and not Dossier.objects.exists() and not Attachment.objects.exists()
    assert 'id="paper-error-' + f'{pk}:0"' in page and "Tệp “so.pdf” không phải PDF, JPEG hoặc PNG" in page
    assert "Vui lòng chọn lại tệp." in page
    for typed in ("Nguyễn Văn Ánh", "001085012345", "anh@example.vn", "12 Trần Duy Hưng, Cầu Giấy",
                  "Hưởng BHXH một lần", "0123456789", "1985-03-14"):
        assert typed in page, typed
    assert f'value="{pk}:0" id="ck-{pk}:0" checked' in page and f'value="{pk}:1" id="ck-{pk}:1" checked' in page


def test_intake_page_refuses_an_oversized_file_next_to_its_row(media, procedures, cast, client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(cast["reception_hn"])
    pk = procedures["1.009020"].pk
    response = client.post(reverse("cases:intake"), _intake(procedures, **{"1": upload("don.pdf", PDF * 40)}))
    page = response.content.decode()
    assert response.status_code == 400 and f'id="paper-error-{pk}:1"' in page and "lớn hơn" in page
    assert "Nguyễn Văn Ánh" in page and not Dossier.objects.exists()


def test_intake_page_stores_the_scans_and_form_01_marks_them(media, procedures, cast, client):
    client.force_login(cast["reception_hn"])
    response = client.post(reverse("cases:intake"), _intake(procedures, **{"0": upload("so.pdf", PDF)}))
    assert response.status_code == 302, response.content.decode()[:1500]
    dossier = Dossier.objects.get()
    scan = Attachment.objects.get(dossier=dossier)
    assert (scan.document_index, scan.document_name, scan.source) == (0, BOOK, "desk")
    _, text = get_pdf(client, reverse("cases:receipt", args=[dossier.code]) + "?format=pdf")
    assert "Bản chụp" in text and "Có" in text
    page = client.get(reverse("cases:detail", args=[dossier.code])).content.decode()
    assert "so.pdf" in page and BOOK in page
