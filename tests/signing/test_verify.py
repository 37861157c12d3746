"""/xac-thuc/ and POST /api/v1/verify/: an issued document verifies (intact, signer, time, trusted root); a byte
changed after signing fails on the page and in the API; the QR's id and the dossier code find the document;
no login needed, and both are throttled."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from signing.models import SignedDocument, TrustedRoot
from tests.cases import test_apology as rules
from tests.cases.test_apology import _issue

dossier = rules.dossier
pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(dossier, cast, authority):
    slip = _issue(cast["director_hn"], dossier)
    return SignedDocument.objects.get(reference=f"apology:{slip.pk}")


def tampered(data: bytes) -> bytes:
    """One byte changed inside the signed range (the document's title in its Info dictionary)."""
    at = data.index(b"/Producer")
    return data[:at + 12] + bytes([data[at + 12] ^ 0x01]) + data[at + 13:]


def _upload(data, name="phieu.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def test_api_verifies_an_issued_slip(client, signed, cast):
    r = client.post("/api/v1/verify/", {"file": _upload(signed.read())})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["valid"] is True
    (result,) = body["results"]
    (sig,) = result["signatures"]
    assert sig["intact"] and sig["trusted"] and sig["unchanged_after_signing"] and sig["ok"]
    assert sig["signer"] == f"{cast['director_hn'].display_name} (TEST)"
    assert sig["signed_at"] and sig["trust_anchor"].startswith("BHXH Demo Root CA")
    assert result["document"]["dossier_code"] == signed.dossier_code
    assert result["document"]["signer_name"] == cast["director_hn"].display_name


def test_a_byte_changed_after_signing_fails_in_the_api(client, signed):
    r = client.post("/api/v1/verify/", {"file": _upload(tampered(signed.read()))})
    assert r.status_code == 200
    body = r.json()
    assert body["valid"] is False
    (sig,) = body["results"][0]["signatures"]
    assert sig["intact"] is False and sig["ok"] is False
    assert body["results"][0]["document"] is None  # not bytes we issued


def test_a_byte_changed_after_signing_fails_on_the_page(client, signed):
    good = client.post(reverse("signing:verify"), {"file": _upload(signed.read())})
    assert good.status_code == 200 and "Văn bản hợp lệ" in good.content.decode()
    bad = client.post(reverse("signing:verify"), {"file": _upload(tampered(signed.read()))})
    page = bad.content.decode()
    assert bad.status_code == 200 and "KHÔNG hợp lệ" in page and "Văn bản hợp lệ" not in page
    assert "nội dung đã bị sửa" in page


def test_an_untrusted_root_is_said_so(client, signed):
    TrustedRoot.objects.update(active=False)  # the administrator no longer trusts the test CA
    body = client.post("/api/v1/verify/", {"file": _upload(signed.read())}).json()
    (sig,) = body["results"][0]["signatures"]
    assert sig["intact"] is True and sig["trusted"] is False and body["valid"] is False


def test_the_qr_code_opens_the_page_for_its_document(client, signed):
    from signing.services import verify_url

    url = verify_url(signed.token)
    path = url[url.index("/xac-thuc/"):]
    page = client.get(path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Văn bản hợp lệ" in text and signed.signer_name in text and signed.dossier_code in text
    download = client.get(reverse("signing:download", kwargs={"token": signed.token}))
    assert download.content == signed.read()


def test_a_dossier_code_finds_its_signed_documents_without_opening_them(client, signed):
    r = client.post("/api/v1/verify/", {"dossier": signed.dossier_code, "document": "apology"}, format="json")
    assert r.status_code == 200 and r.json()["valid"] is True
    document = r.json()["results"][0]["document"]
    assert document["signer_name"] == signed.signer_name and "id" not in document  # a code is guessable
    page = client.get(reverse("signing:verify"), {"ho_so": signed.dossier_code}).content.decode()
    assert "Văn bản hợp lệ" in page and str(signed.token) not in page
    assert client.post("/api/v1/verify/", {"dossier": "KHONG-CO"}).status_code == 404


def test_bad_input_is_a_coded_400(client):
    r = client.post("/api/v1/verify/", {})
    assert r.status_code == 400 and r.json()["code"] == "VERIFY_INPUT_REQUIRED"
    r = client.post("/api/v1/verify/", {"file": _upload(b"hello", "x.pdf")})
    assert r.status_code == 400 and r.json()["code"] == "VERIFY_NOT_PDF"
    unsigned = client.post("/api/v1/verify/", {"file": _upload(b"%PDF-1.4\n%%EOF")})
    assert unsigned.status_code in (200, 400)
    if unsigned.status_code == 200:
        assert unsigned.json()["valid"] is False


def test_verification_is_throttled_on_the_page_and_the_api(client, signed, settings, monkeypatch):
    from rest_framework.settings import api_settings

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from signing.lookup import VerifyThrottle

    # DRF reads a throttle's rates into its class once; put them back as they were, not as the override has them
    # (a later test would be throttled at 2 a minute).
    monkeypatch.setattr(VerifyThrottle, "THROTTLE_RATES", rates)
    for _ in range(2):
        assert client.get(reverse("signing:verify"), {"ma": str(signed.token)}).status_code == 200
    assert client.get(reverse("signing:verify"), {"ma": str(signed.token)}).status_code == 429
    r = client.post("/api/v1/verify/", {"id": str(signed.token)})
    assert r.status_code == 429
