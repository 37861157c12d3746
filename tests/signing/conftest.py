"""Signing fixtures: the tests' throw-away CA (signing.demo under var/test-signing), a local RFC 3161
time-stamping authority on 127.0.0.1, a SoftHSM2 token in a temporary SOFTHSM2_CONF, and pyHanko validation
of a signed PDF against the CA."""
import io
import os
import subprocess
from datetime import timedelta

import pytest
from django.utils import timezone

from signing import ca as test_ca
from signing import demo
from signing.models import SigningKey

SOFTHSM_UTIL = "/usr/bin/softhsm2-util"
SOFTHSM_MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL, TOKEN_PIN, SO_PIN = "bhxh-test", "123456", "654321"


@pytest.fixture
def authority(db):
    return demo.load_or_make_ca()


def validate(pdf: bytes, authority):
    """pyHanko's own validation of the (first) signature against the test CA alone."""
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives.serialization import Encoding
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    root = ax509.Certificate.load(authority.cert.public_bytes(Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf))
    assert len(reader.embedded_signatures) == 1
    sig = reader.embedded_signatures[0]
    return sig, validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))


def give_key(authority, tmp_path, *, user=None, office=None, not_before=None, not_after=None, passphrase="pw"):
    """A PKCS#12 key of the given validity for a signer or an office seal, as its only active key."""
    if user is not None:
        issued = test_ca.issue(authority, user.display_name, title=user.title, not_before=not_before,
                               not_after=not_after)
    else:
        issued = test_ca.issue(authority, office.name, title="Con dấu cơ quan", not_before=not_before,
                               not_after=not_after)
    p12 = tmp_path / f"key-{issued.cert.serial_number}.p12"
    p12.write_bytes(test_ca.pkcs12_bytes(issued, authority, "pw"))
    secret = tmp_path / f"secret-{issued.cert.serial_number}.txt"
    secret.write_text(passphrase)
    filters = {"user": user} if user is not None else {"office": office, "user__isnull": True}
    SigningKey.objects.filter(**filters).update(active=False)
    SigningKey.objects.create(user=user, office=office if user is None else None, pkcs12_path=str(p12),
                              secret_file=str(secret))
    return issued


def expired_window():
    now = timezone.now()
    return {"not_before": now - timedelta(days=400), "not_after": now - timedelta(days=1)}


@pytest.fixture
def tsa(authority, settings):
    from signing.tsa import TimeStampSandbox

    sandbox = TimeStampSandbox(authority)
    server = sandbox.serve()
    settings.SIGNING_TSA_URL = sandbox.url
    yield sandbox
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory):
    """A SoftHSM2 token in a temporary SOFTHSM2_CONF with one EC key imported and its certificate (issued by a
    CA of this fixture) stored beside it: (label, pin, key label, CA). The module is loaded once per process,
    so the token is made before anything loads it."""
    if not (os.path.exists(SOFTHSM_UTIL) and os.path.exists(SOFTHSM_MODULE)):
        pytest.fail("SoftHSM2 is not installed (apt-get install softhsm2); .ci/run installs it")
    base = tmp_path_factory.mktemp("softhsm")
    (base / "tokens").mkdir()
    conf = base / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {base / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    run = lambda *args: subprocess.run([SOFTHSM_UTIL, *args], check=True, capture_output=True)  # noqa: E731
    run("--init-token", "--free", "--label", TOKEN_LABEL, "--pin", TOKEN_PIN, "--so-pin", SO_PIN)
    authority = test_ca.make_ca("BHXH HSM Test CA")
    issued = test_ca.issue(authority, "Trần Văn Giám (HSM)", title="Giám đốc")
    key_file = base / "key.pem"
    key_file.write_bytes(issued.key_pem)
    run("--import", str(key_file), "--token", TOKEN_LABEL, "--label", "giamdoc", "--id", "01",
        "--pin", TOKEN_PIN)
    key_file.unlink()
    import pkcs11
    from cryptography.hazmat.primitives.serialization import Encoding
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = pkcs11.lib(SOFTHSM_MODULE).get_token(token_label=TOKEN_LABEL)
    with token.open(user_pin=TOKEN_PIN, rw=True) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True, Attribute.LABEL: "giamdoc", Attribute.ID: b"\x01",
            Attribute.SUBJECT: issued.cert.subject.public_bytes(),
            Attribute.VALUE: issued.cert.public_bytes(Encoding.DER)})
    return {"label": TOKEN_LABEL, "pin": TOKEN_PIN, "key_label": "giamdoc", "authority": authority,
            "cert": issued.cert}
