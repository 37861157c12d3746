"""Results out (issue 11): the processing unit uploads the result document (PDF) or generates it from the
resolve summary; it goes to the portal in `DanhSachGiayToKetQua`; for an online return the applicant is told
it is ready, with a signed link to download it, once."""
import pytest
from django.urls import reverse

from attachments import selectors, services
from attachments.models import Attachment
from cases import services as case_services
from cases.models import Dossier
from notifications.models import OutboxMessage

from ..cases.conftest import CITIZEN
from ..cases.test_slips import pdf_text
from .conftest import JPEG, PDF, read, upload

pytestmark = pytest.mark.django_db


def _resolved(cast, procedures, delivery="online", summary="Chấp thuận hưởng BHXH một lần: 45.000.000 đồng"):
    dossier = case_services.dossier_receive(actor=cast["reception_hn"], procedure=procedures["1.009020"],
                                            applicant={**CITIZEN, "phone": "+84912345678"}, channel="direct",
                                            result_delivery=delivery)
    dossier = case_services.dossier_start(actor=cast["reception_hn"], dossier=dossier, assignee="chuyenvien.hn")
    return case_services.dossier_resolve(actor=cast["processor_hn"], dossier=dossier, outcome="approved",
                                         result_summary=summary)


def _ready_messages(dossier):
    return OutboxMessage.objects.filter(dossier_code=dossier.code, kind="dossier.result-ready")


def test_uploaded_result_is_pushed_and_the_online_applicant_gets_a_download_link(media, cast, procedures, as_user,
                                                                                 client):
    dossier = _resolved(cast, procedures)
    api = as_user(cast["processor_hn"])
    response = api.post(f"/api/v1/dossiers/{dossier.code}/attachments/",
                        {"file": upload("quyet-dinh.pdf", PDF), "kind": "result"}, format="multipart")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "result" and response.json()["document"] is None
    result = Attachment.objects.get(pk=response.json()["id"])
    items = selectors.portal_results(dossier)
    assert [(i["TenGiayTo"], i["GiayToId"]) for i in items] == [("quyet-dinh.pdf", f"{dossier.code}-KQ-{result.pk}")]
    messages = {m.channel: m for m in _ready_messages(dossier)}
    assert set(messages) == {"sms", "email"} and messages["sms"].recipient == "+84912345678"
    body = messages["sms"].body
    assert f"Ket qua giai quyet ho so {dossier.code} da san sang" in body and "/tep/" in body
    link = body.split("Tai ve tai: ", 1)[1].split(" ", 1)[0]
    download = client.get("/" + link.split("://", 1)[1].split("/", 1)[1])
    sealed = read(download)  # the office's seal is an incremental update: the document signed as uploaded
    assert download.status_code == 200 and sealed.startswith(PDF) and b"/ByteRange" in sealed[len(PDF):]
    # Returning it online tells nobody twice.
    case_services.dossier_return(actor=cast["reception_hn"], dossier=Dossier.objects.get(pk=dossier.pk),
                                 channel="online")
    assert _ready_messages(dossier).count() == 2


def test_a_result_attached_before_an_online_return_is_announced_at_the_return(media, cast, procedures, as_user):
    dossier = _resolved(cast, procedures, delivery="counter")
    as_user(cast["processor_hn"]).post(f"/api/v1/dossiers/{dossier.code}/attachments/",
                                       {"file": upload("kq.pdf", PDF), "kind": "result"}, format="multipart")
    assert not _ready_messages(dossier).exists()  # at the counter: the resolve message said it is ready
    case_services.dossier_return(actor=cast["reception_hn"], dossier=Dossier.objects.get(pk=dossier.pk),
                                 channel="online")
    assert _ready_messages(dossier).count() == 2


def test_result_generated_from_the_resolve_summary(media, cast, procedures, client):
    dossier = _resolved(cast, procedures)
    client.force_login(cast["processor_hn"])
    page = client.get(reverse("cases:detail", args=[dossier.code])).content.decode()
    assert "Lập văn bản kết quả từ nội dung giải quyết" in page
    response = client.post(reverse("attachments:generate_result", args=[dossier.code]), follow=True)
    assert "Đã lập văn bản kết quả" in response.content.decode()
    result = Attachment.objects.get(dossier=dossier, kind="result")
    assert result.content_type == "application/pdf" and result.name.startswith("ket-qua-")
    with result.file.open("rb") as fh:
        text = pdf_text(fh.read())
    assert "THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ" in text and "45.000.000 đồng" in text and dossier.code in text
    assert _ready_messages(dossier).count() == 2


def test_result_rules(media, cast, procedures, receive, as_user):
    dossier = _resolved(cast, procedures)
    url = f"/api/v1/dossiers/{dossier.code}/attachments/"
    reception = as_user(cast["reception_hn"]).post(url, {"file": upload("kq.pdf", PDF), "kind": "result"},
                                                   format="multipart")
    assert reception.status_code == 403  # the processing unit attaches results, not the desk
    image = as_user(cast["processor_hn"]).post(url, {"file": upload("kq.jpg", JPEG, "image/jpeg"), "kind": "result"},
                                               format="multipart")
    assert image.status_code == 415  # a result document is a PDF
    open_dossier = receive()
    early = as_user(cast["processor_hn"]).post(f"/api/v1/dossiers/{open_dossier.code}/attachments/",
                                               {"kind": "result", "generate": "true"}, format="multipart")
    assert early.status_code == 409 and early.json()["code"] == "ATTACHMENT_RESULT_NOT_READY"
    generated = as_user(cast["processor_hn"]).post(url, {"kind": "result", "generate": "true"}, format="multipart")
    assert generated.status_code == 201 and generated.json()["content_type"] == "application/pdf"


def test_a_result_pdf_that_cannot_be_read_is_refused_with_a_message_not_a_500(media, cast, procedures, as_user):
    from .conftest import BROKEN_PDF

    dossier = _resolved(cast, procedures)
    response = as_user(cast["processor_hn"]).post(f"/api/v1/dossiers/{dossier.code}/attachments/",
                                                  {"file": upload("hong.pdf", BROKEN_PDF), "kind": "result"},
                                                  format="multipart")
    assert response.status_code == 415
    assert response.json()["code"] == "ATTACHMENT_PDF_UNREADABLE" and "hong.pdf" in response.json()["detail"]
    assert not Attachment.objects.filter(dossier=dossier, kind="result").exists()


def test_an_uploaded_result_carries_the_office_seal(media, cast, procedures, as_user):
    from signing.verify import verify_pdf

    dossier = _resolved(cast, procedures)
    response = as_user(cast["processor_hn"]).post(f"/api/v1/dossiers/{dossier.code}/attachments/",
                                                  {"file": upload("quyet-dinh.pdf", PDF), "kind": "result"},
                                                  format="multipart")
    assert response.status_code == 201, response.content
    stored = Attachment.objects.get(pk=response.json()["id"])
    with stored.file.open("rb") as fh:
        report = verify_pdf(fh.read())
    assert report.ok and report.issued is not None and report.issued.kind == "result"
