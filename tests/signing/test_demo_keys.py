"""`manage.py signing_demo_keys` (and seed_demo): a throw-away CA trusted as a root, keys for the demo
directors and deputy and a seal per office, every certificate marked TEST; running it twice changes nothing."""
import pytest
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command

from signing.keys import seal_for, signer_for
from signing.models import SigningKey, TrustedRoot

pytestmark = pytest.mark.django_db


def test_demo_keys_for_the_directors_the_deputy_and_every_office(cast, settings, tmp_path):
    settings.SIGNING_DIR = str(tmp_path / "signing")
    settings.SIGNING_DEMO_KEYS_ON_DEMAND = False
    call_command("signing_demo_keys")
    for name in ("director_hn", "deputy_hn", "director_hcm"):
        user = cast[name]
        key = SigningKey.objects.get(user=user, active=True)
        assert key.pkcs12_path.startswith(settings.SIGNING_DIR) and key.secret_file
        cert = signer_for(user).certificate()
        assert "TEST" in cert.subject.rfc4514_string()
    seal = seal_for(cast["director_hn"].office).certificate()
    assert "TEST" in seal.subject.rfc4514_string() and cast["director_hn"].office.name in seal.subject.rfc4514_string()
    assert TrustedRoot.objects.filter(name__contains="TEST").count() == 1
    count = SigningKey.objects.count()
    call_command("signing_demo_keys")
    assert SigningKey.objects.count() == count  # idempotent
    # The passphrase is not in the database: only the file that holds it.
    key = SigningKey.objects.filter(user=cast["director_hn"]).get()
    secret = open(key.secret_file).read().strip()
    assert secret not in str(key.__dict__)
    pkcs12.load_key_and_certificates(open(key.pkcs12_path, "rb").read(), secret.encode())
