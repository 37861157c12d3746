"""The demo key store (SIGNING_DIR, under var/, never committed): a throw-away CA, a PKCS#12 file per signer
and per office seal, each passphrase in its own secrets file, the CA trusted (a TrustedRoot row with its CRL).
`manage.py signing_demo_keys` fills it for the demo cast; with SIGNING_DEMO_KEYS_ON_DEMAND (tests, demo) a
key missing at signing time is issued here too. Every certificate says TEST (signing.ca)."""
from __future__ import annotations

import secrets
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.db import transaction

from . import ca as test_ca
from .models import SigningKey, TrustedRoot

CA_NAME = "BHXH Demo Root CA"


def store() -> Path:
    path = Path(settings.SIGNING_DIR)
    (path / "keys").mkdir(parents=True, exist_ok=True)
    (path / "secrets").mkdir(parents=True, exist_ok=True)
    return path


def load_or_make_ca() -> test_ca.Issued:
    """The demo CA of SIGNING_DIR, made on first use (under a file lock: two processes never make two)."""
    import fcntl

    path = store()
    cert_file, key_file = path / "ca-cert.pem", path / "ca-key.pem"
    with open(path / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if cert_file.exists() and key_file.exists():
            issued = test_ca.Issued(test_ca.load_pem_key(key_file.read_bytes()),
                                    test_ca.load_pem_cert(cert_file.read_bytes()))
        else:
            issued = test_ca.make_ca(CA_NAME)
            key_file.write_bytes(issued.key_pem)
            key_file.chmod(0o600)
            cert_file.write_bytes(issued.cert_pem)
    trust_ca(issued)
    return issued


def trust_ca(issued: test_ca.Issued, revoked: list[x509.Certificate] = ()) -> TrustedRoot:
    """The demo CA as a trusted root, with a fresh CRL listing `revoked` (so signatures reach B-LT)."""
    pem = issued.cert_pem.decode()
    crl = test_ca.make_crl(issued, list(revoked)).public_bytes(serialization.Encoding.PEM).decode()
    root = TrustedRoot.objects.filter(certificate_pem=pem).first()
    if root is None:
        return TrustedRoot.objects.create(name=f"{CA_NAME} (TEST)", certificate_pem=pem, crl_pem=crl)
    if revoked or not root.crl_pem:
        root.crl_pem = crl
        root.save(update_fields=["crl_pem"])
    return root


def write_pkcs12(name: str, issued: test_ca.Issued, authority: test_ca.Issued) -> tuple[Path, Path]:
    path = store()
    passphrase = secrets.token_urlsafe(18)
    p12, secret = path / "keys" / f"{name}.p12", path / "secrets" / f"{name}.txt"
    secret.write_text(passphrase, encoding="utf-8")
    secret.chmod(0o600)
    p12.write_bytes(test_ca.pkcs12_bytes(issued, authority, passphrase, friendly_name=name))
    p12.chmod(0o600)
    return p12, secret


def _file_name(text: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


@transaction.atomic
def ensure_key(*, user=None, office=None, replace: bool = False) -> SigningKey:
    """The active key of a signer (`user`) or an office seal (`office`), issued by the demo CA if missing."""
    filters = {"user": user} if user is not None else {"office": office, "user__isnull": True}
    existing = SigningKey.objects.filter(active=True, **filters).order_by("-pk").first()
    if existing is not None and not replace:
        return existing
    authority = load_or_make_ca()
    if user is not None:
        name = f"user-{_file_name(user.get_username())}"
        title = user.title or user.get_role_display()
        unit = user.office.name if getattr(user, "office_id", None) else ""
        issued = test_ca.issue(authority, user.display_name or user.get_username(), title=title, unit=unit)
    else:
        name = f"seal-{_file_name(office.code)}-{office.pk}"
        issued = test_ca.issue(authority, office.name, title="Con dấu cơ quan", unit=office.name)
    p12, secret = write_pkcs12(name, issued, authority)
    SigningKey.objects.filter(active=True, **filters).update(active=False)
    return SigningKey.objects.create(user=user, office=office if user is None else None,
                                     backend=SigningKey.Backend.PKCS12, pkcs12_path=str(p12), secret_file=str(secret),
                                     label="TEST – khóa thử nghiệm do signing_demo_keys cấp")


def seed(stdout=None, replace: bool = False) -> tuple[int, int]:
    """Keys for every active director and deputy, and a seal for every office with an agency code."""
    from core.models import Office, Role, User

    load_or_make_ca()
    people = list(User.objects.filter(role__in=[Role.DIRECTOR, Role.DEPUTY], is_active=True)
                  .select_related("office"))
    offices = list(Office.objects.exclude(agency_code__isnull=True).exclude(agency_code=""))
    for user in people:
        ensure_key(user=user, replace=replace)
    for office in offices:
        ensure_key(office=office, replace=replace)
    if stdout is not None:
        stdout.write(f"  demo signing keys (TEST) in {store()}: {len(people)} signers, {len(offices)} office seals")
    return len(people), len(offices)
