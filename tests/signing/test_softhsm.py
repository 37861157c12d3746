"""The PKCS#11 path, for real: a key and its certificate on a SoftHSM2 token (python-pkcs11 through pyHanko's
pkcs11 module) sign the director's apology slip, and the result validates; a wrong PIN and an absent token
refuse with their codes."""
import os

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from cases.services import apology
from core.errors import DomainError
from signing.models import SignedDocument, SigningKey, TrustedRoot
from tests.cases import test_apology as rules
from tests.cases.test_apology import BEFORE_APOLOGISE_BY, _draft

from .conftest import SOFTHSM_MODULE, validate

dossier = rules.dossier
pytestmark = pytest.mark.django_db


@pytest.fixture
def token_key(softhsm, cast):
    """The director's key on the token, its CA trusted by the administrator."""
    TrustedRoot.objects.create(name="HSM test CA", certificate_pem=softhsm["authority"].cert_pem.decode())
    os.environ["BHXH_TEST_TOKEN_PIN"] = softhsm["pin"]
    yield SigningKey.objects.create(user=cast["director_hn"], backend="pkcs11", pkcs11_module=SOFTHSM_MODULE,
                                    token_label=softhsm["label"], key_label=softhsm["key_label"],
                                    secret_env="BHXH_TEST_TOKEN_PIN")
    os.environ.pop("BHXH_TEST_TOKEN_PIN", None)


def test_softhsm_token_signs_the_apology_slip_and_it_validates(dossier, cast, softhsm, token_key):
    slip = _draft(cast["processor_hn"], dossier)
    slip = apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert slip.state == "issued"
    stored = SignedDocument.objects.get(reference=f"apology:{slip.pk}")
    _, status = validate(stored.read(), softhsm["authority"])
    assert status.intact and status.valid and status.trusted
    assert status.signing_cert.dump() == softhsm["cert"].public_bytes(Encoding.DER)  # the token's certificate
    assert status.signing_cert.subject.native["common_name"] == "Trần Văn Giám (HSM) (TEST)"


def test_a_wrong_pin_refuses_with_its_code(dossier, cast, softhsm, token_key):
    os.environ["BHXH_TEST_TOKEN_PIN"] = "000000"
    slip = _draft(cast["processor_hn"], dossier)
    with pytest.raises(DomainError) as exc:
        apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert exc.value.code == "SIGNING_PASSPHRASE_INVALID" and exc.value.status == 503
    slip.refresh_from_db()
    assert slip.state == "draft" and not SignedDocument.objects.exists()


def test_an_absent_token_refuses_with_its_code(dossier, cast, softhsm, token_key):
    token_key.token_label = "not-plugged-in"
    token_key.save()
    slip = _draft(cast["processor_hn"], dossier)
    with pytest.raises(DomainError) as exc:
        apology.apology_slip_sign(actor=cast["director_hn"], slip=slip, at=BEFORE_APOLOGISE_BY)
    assert exc.value.code == "SIGNING_TOKEN_ABSENT" and exc.value.status == 503
    assert not SignedDocument.objects.exists()
