"""The office's seal (chữ ký số cơ quan) on the receipt (Form 01), the supplement request (Form 02), the desk's
guidance and refusal slips (Form 03) and a result document; time-stamped (PAdES B-T) and with the CRL embedded
(B-LT) when a time-stamping service is configured."""
import io

import pytest
import time_machine
from pypdf import PdfReader

from cases import services
from cases.links import slip_url
from cases.models import IntakeGuidance
from signing.models import SignedDocument
from tests.cases.conftest import local

from .conftest import validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(receive):
    return receive("1.009020", at=local(2025, 6, 2, 9, 0))


@pytest.fixture
def hn(client, cast):
    client.force_login(cast["reception_hn"])
    return client


def _signer_cn(status):
    return status.signing_cert.subject.native["common_name"]


def test_the_receipt_carries_the_office_seal(hn, dossier, authority):
    r = hn.get(slip_url("receipt", dossier, pdf=True))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    _, status = validate(r.content, authority)
    assert status.intact and status.valid and status.trusted
    assert _signer_cn(status) == f"{dossier.office.name} (TEST)"
    stored = SignedDocument.objects.get(kind="receipt", dossier_code=dossier.code)
    assert stored.seal is True and stored.signed_by is None and stored.signer_name == dossier.office.name
    assert r.content == stored.read()
    assert hn.get(slip_url("receipt", dossier, pdf=True)).content == r.content  # sealed once, served as is
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "GIẤY TIẾP NHẬN HỒ SƠ" in text and dossier.code in text and "/xac-thuc/?ma=" in text


def test_supplement_request_refusal_and_guidance_slips_are_sealed(hn, cast, dossier, procedures, authority,
                                                                  receive):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 6, 3, 10, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=dossier)
        services.dossier_request_supplement(actor=officer, dossier=d, reason="Tờ khai thiếu chữ ký",
                                            documents=["Tờ khai mẫu 14-HSB có chữ ký"])
    request = d.supplement_requests.get()
    guidance = services.intake_guidance_issue(
        actor=officer, kind=IntakeGuidance.Kind.REFUSAL, procedure=procedures["1.009020"], documents=[],
        applicant={"name": "Trần Thị Ngọc Ánh", "id_number": "001190054321", "phone": "+84912345678"},
        reason="Chưa đủ điều kiện hưởng")
    for url in (slip_url("supplement", request, pdf=True), slip_url("guidance", guidance, pdf=True)):
        r = hn.get(url)
        assert r.status_code == 200, url
        _, status = validate(r.content, authority)
        assert status.intact and status.trusted and _signer_cn(status).startswith(dossier.office.name)
    other = receive("1.009020", at=local(2025, 6, 2, 10, 0))
    services.dossier_refuse(actor=officer, dossier=other, reason="Không thuộc thẩm quyền")
    r = hn.get(slip_url("refusal", other, pdf=True))
    _, status = validate(r.content, authority)
    assert status.intact and status.trusted
    assert set(SignedDocument.objects.values_list("kind", flat=True)) == {"supplement", "guidance", "refusal"}


def test_a_reader_who_sees_the_applicant_masked_gets_no_sealed_copy(client, cast, dossier, authority):
    client.force_login(cast["legal"])
    r = client.get(slip_url("receipt", dossier, pdf=True))
    assert r.status_code == 200
    assert not PdfReader(io.BytesIO(r.content)).get_fields()  # the masked reading copy, unsigned
    assert not SignedDocument.objects.exists()


def test_without_a_seal_key_no_unsealed_receipt_is_issued(hn, dossier, settings):
    settings.SIGNING_DEMO_KEYS_ON_DEMAND = False
    r = hn.get(slip_url("receipt", dossier, pdf=True))
    assert r.status_code == 503
    page = r.content.decode()
    assert "SIGNING_KEY_NOT_CONFIGURED" in page and "Chưa cấu hình khóa ký số" in page
    assert r["Content-Type"].startswith("text/html")


def test_a_result_document_is_sealed_at_the_foot_of_its_last_page(dossier, authority):
    from fpdf import FPDF

    from cases.signatures import result_seal

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(0, 10, "Quyet dinh giai quyet")
    signed = result_seal(dossier=dossier, pdf=bytes(pdf.output()), title="Quyết định", filename="ket-qua.pdf")
    _, status = validate(signed.read(), authority)
    assert status.intact and status.trusted and signed.kind == "result" and signed.seal


def test_with_a_tsa_the_seal_is_time_stamped_and_carries_its_crl(hn, dossier, authority, tsa):
    r = hn.get(slip_url("receipt", dossier, pdf=True))
    assert r.status_code == 200
    sig, status = validate(r.content, authority)
    assert tsa.requests >= 1
    assert status.timestamp_validity is not None and status.timestamp_validity.intact
    stored = SignedDocument.objects.get(kind="receipt")
    assert stored.level == "B-LT"
    reader = PdfReader(io.BytesIO(r.content))
    dss = reader.trailer["/Root"].get("/DSS")
    assert dss is not None and dss.get_object().get("/CRLs")  # the validation data is in the document
    from signing.verify import verify_pdf

    report = verify_pdf(r.content)  # the validation data added after the signature is no tampering
    assert report.ok and report.signatures[0].timestamp is not None and report.issued == stored


def test_a_tsa_that_fails_leaves_the_slip_unissued(hn, dossier, authority, tsa):
    tsa.down = True
    r = hn.get(slip_url("receipt", dossier, pdf=True))
    assert r.status_code == 503 and "SIGNING_TSA_UNAVAILABLE" in r.content.decode()
    assert not SignedDocument.objects.exists()


def test_the_email_telling_the_applicant_of_intake_attaches_the_sealed_receipt(dossier, authority):
    from django.core import mail

    from notifications.delivery import deliver
    from notifications.models import OutboxMessage

    email = OutboxMessage.objects.get(kind="dossier.receive", channel="email", dossier_code=dossier.code)
    assert deliver(email.pk) is True
    (sent,) = mail.outbox
    (name, content, mimetype), = sent.attachments
    stored = SignedDocument.objects.get(kind="receipt", dossier_code=dossier.code)
    assert content == stored.read() and name == stored.filename and mimetype == "application/pdf"
    _, status = validate(content, authority)
    assert status.intact and status.trusted and stored.seal


def test_without_a_seal_the_intake_email_is_held_back_not_sent_unsealed(dossier, settings):
    from django.core import mail

    from notifications.delivery import deliver
    from notifications.models import OutboxMessage

    settings.SIGNING_DEMO_KEYS_ON_DEMAND = False
    email = OutboxMessage.objects.get(kind="dossier.receive", channel="email", dossier_code=dossier.code)
    assert deliver(email.pk) is False and not mail.outbox
    email.refresh_from_db()
    assert email.state == "failed" and "khóa ký số" in email.last_error


def test_the_sms_telling_the_applicant_of_intake_links_the_sealed_receipt(dossier, authority, client, settings):
    """Issue 15: an SMS cannot carry the PDF, so it carries the link to the very bytes the e-mail attaches."""
    from notifications.delivery import with_document_links
    from notifications.models import OutboxMessage

    sms = OutboxMessage.objects.get(kind="dossier.receive", channel="sms", dossier_code=dossier.code)
    text = with_document_links(sms)
    stored = SignedDocument.objects.get(kind="receipt", dossier_code=dossier.code)
    link = f"/xac-thuc/{stored.token}/tai-ve/"
    assert text.startswith(sms.body) and text.endswith(link) and " Tai phieu: " in text and text.isascii()
    assert client.get(link).content == stored.read()
