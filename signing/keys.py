"""Where a signature comes from: the `Signer` protocol and its backends.

A backend opens the key for one signature (`open()`, a context manager yielding a pyHanko signer) and tells
the certificate it signs with. PKCS#12: a file and its passphrase. PKCS#11: a token or HSM through
python-pkcs11 and pyHanko's pkcs11 module (module path, token label, PIN, key label). A remote-signing
service would be one more class with the same two members. `signer_for(user=...)` / `seal_for(office)` pick
the configured key (signing.models.SigningKey); with SIGNING_DEMO_KEYS_ON_DEMAND (demo and tests only) a
missing one is issued by the throw-away demo CA (signing.demo).

Every failure to reach the key is a coded DomainError (signing.errors): nothing is signed, nothing issued.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator, Protocol

from cryptography import x509
from django.conf import settings

from .errors import DomainError, SigningError
from .models import SigningKey


class Signer(Protocol):
    owner: str  # who holds the key, for messages ("giamdoc.hn", "con dấu BHXH Hà Nội")

    def certificate(self) -> x509.Certificate: ...

    def open(self) -> contextlib.AbstractContextManager: ...  # yields a pyhanko.sign.signers.Signer


def _read_secret(key: SigningKey, owner: str) -> str:
    if key.secret_env:
        value = os.environ.get(key.secret_env)
        if value is not None:
            return value
    if key.secret_file:
        try:
            return Path(key.secret_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise DomainError(SigningError.KEY_FILE_MISSING, owner=owner) from exc
    raise DomainError(SigningError.PASSPHRASE_INVALID, owner=owner)


def _asn1(cert: x509.Certificate):
    from asn1crypto import x509 as ax509
    from cryptography.hazmat.primitives.serialization import Encoding

    return ax509.Certificate.load(cert.public_bytes(Encoding.DER))


class Pkcs12Signer:
    """A PKCS#12 file (.p12/.pfx) and its passphrase."""

    def __init__(self, path: str, passphrase: str, *, owner: str):
        self.path, self.passphrase, self.owner = path, passphrase, owner
        self._loaded = None

    def _load(self):
        if self._loaded is None:
            from cryptography.hazmat.primitives.serialization import pkcs12

            try:
                data = Path(self.path).read_bytes()
            except OSError as exc:
                raise DomainError(SigningError.KEY_FILE_MISSING, owner=self.owner) from exc
            try:
                self._loaded = pkcs12.load_key_and_certificates(data, self.passphrase.encode())
            except ValueError as exc:
                raise DomainError(SigningError.PASSPHRASE_INVALID, owner=self.owner) from exc
            if self._loaded[0] is None or self._loaded[1] is None:
                raise DomainError(SigningError.KEY_FILE_MISSING, owner=self.owner)
        return self._loaded

    def certificate(self) -> x509.Certificate:
        return self._load()[1]

    @contextlib.contextmanager
    def open(self) -> Iterator:
        from pyhanko.keys.internal import translate_pyca_cryptography_key_to_asn1
        from pyhanko.sign import signers
        from pyhanko_certvalidator.registry import SimpleCertificateStore

        key, cert, chain = self._load()
        yield signers.SimpleSigner(signing_cert=_asn1(cert), signing_key=translate_pyca_cryptography_key_to_asn1(key),
                                   cert_registry=SimpleCertificateStore.from_certs([_asn1(c) for c in chain or ()]))


class Pkcs11Signer:
    """A key on a PKCS#11 token or HSM (SoftHSM2 in the tests). The session is opened for one signature."""

    def __init__(self, *, module: str, token_label: str, pin: str, key_label: str, cert_label: str = "",
                 owner: str):
        self.module, self.token_label, self.pin = module, token_label, pin
        self.key_label, self.cert_label, self.owner = key_label, cert_label or key_label, owner
        self._cert = None

    @contextlib.contextmanager
    def _session(self):
        import pkcs11.exceptions as p11_errors
        from pyhanko.config.pkcs11 import TokenCriteria
        from pyhanko.sign.pkcs11 import open_pkcs11_session

        if not Path(self.module).exists():
            raise DomainError(SigningError.TOKEN_ABSENT, owner=self.owner)
        try:
            session = open_pkcs11_session(self.module, token_criteria=TokenCriteria(label=self.token_label),
                                          user_pin=self.pin)
        except (p11_errors.PinIncorrect, p11_errors.PinInvalid, p11_errors.PinLenRange) as exc:
            raise DomainError(SigningError.PASSPHRASE_INVALID, owner=self.owner) from exc
        except Exception as exc:  # noqa: BLE001 - no token, no slot, the module refusing: the key is absent now
            raise DomainError(SigningError.TOKEN_ABSENT, owner=self.owner) from exc
        try:
            yield session
        finally:
            with contextlib.suppress(Exception):
                session.close()

    def certificate(self) -> x509.Certificate:
        if self._cert is None:
            from pkcs11 import Attribute, ObjectClass

            with self._session() as session:
                found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                                  Attribute.LABEL: self.cert_label}))
                if not found:
                    raise DomainError(SigningError.TOKEN_ABSENT, owner=self.owner)
                self._cert = x509.load_der_x509_certificate(bytes(found[0][Attribute.VALUE]))
        return self._cert

    @contextlib.contextmanager
    def open(self) -> Iterator:
        from pyhanko.sign.pkcs11 import PKCS11Signer

        from cryptography.hazmat.primitives.asymmetric import ec

        cert = self.certificate()
        # Hash here and let the token do plain ECDSA: many tokens (SoftHSM2 among them) lack CKM_ECDSA_SHA256.
        raw = isinstance(cert.public_key(), ec.EllipticCurvePublicKey)
        with self._session() as session:
            yield PKCS11Signer(session, key_label=self.key_label, signing_cert=_asn1(cert), use_raw_mechanism=raw)


def signer_from(key: SigningKey, *, owner: str) -> Signer:
    """The backend a SigningKey row configures."""
    secret = _read_secret(key, owner)
    if key.backend == SigningKey.Backend.PKCS11:
        return Pkcs11Signer(module=key.pkcs11_module or settings.SIGNING_PKCS11_MODULE, token_label=key.token_label,
                            pin=secret, key_label=key.key_label, cert_label=key.cert_label, owner=owner)
    return Pkcs12Signer(key.pkcs12_path, secret, owner=owner)


def _on_demand(**owner):
    if not settings.SIGNING_DEMO_KEYS_ON_DEMAND:
        return None
    from . import demo

    return demo.ensure_key(**owner)


def signer_for(user) -> Signer:
    """The personal signature of a director or deputy."""
    owner = user.get_username()
    key = (SigningKey.objects.filter(user=user, active=True).order_by("-pk").first()
           or _on_demand(user=user))
    if key is None:
        raise DomainError(SigningError.KEY_NOT_CONFIGURED, owner=owner)
    return signer_from(key, owner=owner)


def seal_for(office) -> Signer:
    """The office's seal (chữ ký số cơ quan): its own, else the one of the office above it (a grassroots office
    issues under its province's seal when it holds none)."""
    owner = f"con dấu {office.name}"
    for candidate in (office, office.parent):
        if candidate is None:
            continue
        key = (SigningKey.objects.filter(office=candidate, user__isnull=True, active=True).order_by("-pk").first())
        if key is not None:
            return signer_from(key, owner=owner)
    key = _on_demand(office=office)
    if key is None:
        raise DomainError(SigningError.KEY_NOT_CONFIGURED, owner=owner)
    return signer_from(key, owner=owner)
