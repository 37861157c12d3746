"""The apology slip is signed by the director or deputy who pressed "Ký và phát hành" (PAdES, pyHanko): the
PDF served at pdf_url validates, names the signer, chains to the test CA; it is the stored bytes, the ones
attached to the e-mail and linked by SMS and Zalo. A key that cannot sign leaves the slip unissued."""
import hashlib

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import ApologySlip, DossierEvent
from cases.services import apology
from core.errors import DomainError
from notifications.delivery import deliver
from notifications.models import OutboxMessage
from signing.models import SignedDocument
from tests.cases import test_apology as rules
from tests.cases.test_apology import BEFORE_APOLOGISE_BY, REASON, _draft, _issue

from .conftest import expired_window, give_key, validate

dossier, at = rules.dossier, rules.at
pytestmark = pytest.mark.django_db
BODY = {"reason": REASON, "new_appointment_at": "2026-02-25T09:00:00+07:00"}


def _api_issue(as_user, user, dossier):
    return as_user(user).post(f"/api/v1/dossiers/{dossier.code}/apology-slips/", BODY, format="json")


def test_issued_apology_pdf_validates_with_pyhanko_signed_by_the_director(dossier, cast, as_user, at, authority,
                                                                         client):
    at(BEFORE_APOLOGISE_BY)
    r = _api_issue(as_user, cast["director_hn"], dossier)
    assert r.status_code == 201, r.content
    client.force_login(cast["director_hn"])
    pdf = client.get(r.json()["pdf_url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    sig, status = validate(pdf.content, authority)
    assert status.intact and status.valid and status.trusted  # chains to the test CA
    subject = status.signing_cert.subject.native
    assert subject["common_name"] == f"{cast['director_hn'].display_name} (TEST)"
    assert status.signing_cert.subject.native["title"] == "Giám đốc"
    stored = SignedDocument.objects.get(kind="apology")
    assert stored.signed_by == cast["director_hn"] and stored.seal is False
    assert hashlib.sha256(pdf.content).hexdigest() == stored.sha256 == pdf["X-Content-SHA256"]
    # The same bytes every time: served as stored, never re-rendered.
    assert client.get(r.json()["pdf_url"]).content == pdf.content


def test_the_deputy_who_signs_a_draft_is_the_signer(dossier, cast, authority):
    slip = _draft(cast["processor_hn"], dossier)
    apology.apology_slip_sign(actor=cast["deputy_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    stored = SignedDocument.objects.get(kind="apology", reference=f"apology:{slip.pk}")
    _, status = validate(stored.read(), authority)
    assert status.intact and status.trusted
    assert status.signing_cert.subject.native["common_name"].startswith(cast["deputy_hn"].display_name)
    assert stored.signer_name == cast["deputy_hn"].display_name and stored.signer_title == "Phó Giám đốc"


def test_signed_slip_remains_readable_text_with_the_visible_signature_box(dossier, cast, authority):
    from pypdf import PdfReader
    import io

    slip = _issue(cast["director_hn"], dossier)
    stored = SignedDocument.objects.get(reference=f"apology:{slip.pk}")
    reader = PdfReader(io.BytesIO(stored.read()))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "PHIẾU XIN LỖI" in text.upper() and dossier.code in text
    assert "/xac-thuc/?ma=" in text  # the QR's verification address, printed under the code
    widgets = [a.get_object() for page in reader.pages for a in page.get("/Annots") or []]
    fields = [w for w in widgets if w.get("/FT") == "/Sig"]
    assert len(fields) == 1 and fields[0]["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES
    assert box_text(fields[0]) == [f"Ký bởi: {cast['director_hn'].display_name}", "Giám đốc",
                                   "Thời gian ký: 12/02/2026 10:00:00 (GMT+7)",
                                   "Đã ký số – xác thực tại trang /xac-thuc/"]


def box_text(widget) -> list[str]:
    """The lines of the visible signature box, read from its appearance stream (each line's /ActualText)."""
    import re

    data = widget["/AP"]["/N"].get_object().get_data()
    lines = []
    for raw in re.findall(rb"/ActualText \(((?:[^()\\]|\\.)*)\)", data):
        unescaped = re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                           else m.group(1), raw)
        lines.append(unescaped.decode("utf-16"))
    return lines


def test_the_email_attaches_the_signed_bytes_and_sms_and_zalo_link_them(dossier, cast, authority, settings):
    slip = _issue(cast["director_hn"], dossier)
    stored = SignedDocument.objects.get(reference=f"apology:{slip.pk}")
    link = reverse("signing:download", kwargs={"token": stored.token})
    email = OutboxMessage.objects.get(idempotency_key=f"apology:{slip.pk}:email")
    assert deliver(email.pk) is True
    (sent,) = mail.outbox
    (name, content, mimetype), = sent.attachments
    assert content == stored.read() and mimetype == "application/pdf" and name == stored.filename
    for channel in ("sms", "zalo"):
        message = OutboxMessage.objects.get(idempotency_key=f"apology:{slip.pk}:{channel}")
        assert link in message.body or link in str(message.payload)
    assert link in OutboxMessage.objects.get(idempotency_key=f"apology:{slip.pk}:sms").body


def test_an_attachment_changed_in_storage_is_never_sent(dossier, cast, authority):
    slip = _issue(cast["director_hn"], dossier)
    stored = SignedDocument.objects.get(reference=f"apology:{slip.pk}")
    with open(stored.file.path, "r+b") as fh:
        fh.seek(200)
        fh.write(b"X")
    email = OutboxMessage.objects.get(idempotency_key=f"apology:{slip.pk}:email")
    assert deliver(email.pk) is False and not mail.outbox
    email.refresh_from_db()
    assert "sha256" in email.last_error


def _nothing_issued(dossier):
    dossier.refresh_from_db()
    assert dossier.reschedule_count == 0 and dossier.appointment_at == rules.local(2026, 2, 24, 9, 0)
    assert not ApologySlip.objects.filter(state="issued").exists()
    assert not DossierEvent.objects.filter(dossier=dossier, action="apology").exists()
    assert not OutboxMessage.objects.filter(kind="dossier.apology").exists()
    assert not SignedDocument.objects.exists()


def test_an_expired_certificate_refuses_to_sign_and_nothing_is_issued(dossier, cast, authority, tmp_path,
                                                                       as_user, at):
    at(BEFORE_APOLOGISE_BY)
    give_key(authority, tmp_path, user=cast["director_hn"], **expired_window())
    r = _api_issue(as_user, cast["director_hn"], dossier)
    assert r.status_code == 409 and r.json()["code"] == "SIGNING_CERT_EXPIRED", r.content
    assert "hết hạn" in r.json()["detail"]
    _nothing_issued(dossier)


def test_a_revoked_certificate_refuses_to_sign_and_nothing_is_issued(dossier, cast, authority, tmp_path):
    from signing import demo

    issued = give_key(authority, tmp_path, user=cast["director_hn"])
    demo.trust_ca(authority, revoked=[issued.cert])  # the CRL on file lists it
    slip = _draft(cast["processor_hn"], dossier)
    with pytest.raises(DomainError) as exc:
        apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert exc.value.code == "SIGNING_CERT_REVOKED" and exc.value.status == 409
    slip.refresh_from_db()
    assert slip.state == "draft" and slip.number is None
    assert not SignedDocument.objects.exists()


def test_a_wrong_passphrase_is_a_503_with_its_code_and_nothing_issued(dossier, cast, authority, tmp_path, as_user,
                                                                      at):
    give_key(authority, tmp_path, user=cast["director_hn"], passphrase="not-it")
    at(BEFORE_APOLOGISE_BY)
    r = _api_issue(as_user, cast["director_hn"], dossier)
    assert r.status_code == 503 and r.json()["code"] == "SIGNING_PASSPHRASE_INVALID"
    _nothing_issued(dossier)


def test_an_absent_token_shows_its_message_on_the_page_and_nothing_is_issued(dossier, cast, authority, client, at):
    from signing.models import SigningKey

    SigningKey.objects.create(user=cast["director_hn"], backend="pkcs11", pkcs11_module="/nonexistent/lib.so",
                              token_label="absent", key_label="k", secret_env="NO_SUCH_PIN_VARIABLE",
                              secret_file="")
    import os
    os.environ["NO_SUCH_PIN_VARIABLE"] = "1234"
    try:
        slip = _draft(cast["processor_hn"], dossier)
        at(BEFORE_APOLOGISE_BY)
        client.force_login(cast["director_hn"])
        page = client.post(reverse("cases:apology_sign", kwargs={"code": dossier.code, "pk": slip.pk}),
                           {"confirm": "1"}, follow=True)  # past the confirmation page (issue 12)
    finally:
        del os.environ["NO_SUCH_PIN_VARIABLE"]
    assert "Không tìm thấy thiết bị ký số" in page.content.decode()
    slip.refresh_from_db()
    assert slip.state == "draft"
    _nothing_issued(dossier)


def test_the_dossier_page_lists_the_signed_slip_with_its_signer_and_the_signed_bytes(dossier, cast, as_user, at,
                                                                                      authority, client):
    """Issue 15: the signed PDF is the one attached to the dossier: its page lists it (who signed, when, the level)
    and links the very bytes the applicant received; a reader who sees the applicant masked gets no link."""
    at(BEFORE_APOLOGISE_BY)
    assert _api_issue(as_user, cast["director_hn"], dossier).status_code == 201
    signed = SignedDocument.objects.get(kind="apology")
    client.force_login(cast["director_hn"])
    panel = client.get(f"/ho-so/{dossier.code}/").content.decode().split('id="signed-documents"', 1)[1]
    panel = panel.split("</section>", 1)[0]
    assert cast["director_hn"].display_name in panel and signed.level in panel
    link = f"/xac-thuc/{signed.token}/tai-ve/"
    assert link in panel
    assert client.get(link).content == signed.read()
    client.force_login(cast["legal"])
    masked = client.get(f"/ho-so/{dossier.code}/").content.decode().split('id="signed-documents"', 1)[1]
    assert str(signed.token) not in masked.split("</section>", 1)[0]
