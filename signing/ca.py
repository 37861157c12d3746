"""A throw-away certificate authority for the demo and the tests (never for production): a root, signer
certificates for people and office seals, a CRL, PKCS#12 files. Every subject says TEST, so no document signed
with these keys can pass for a real one. Elliptic-curve keys (P-256): instant to make, quick to sign with."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

TEST_MARK = "TEST"
# A throw-away root valid from long ago: the tests sign at moments in the past (time-machine) too.
CA_NOT_BEFORE = datetime(2015, 1, 1, tzinfo=dt_timezone.utc)
ORGANISATION = "Bảo hiểm xã hội Việt Nam (TEST - không có giá trị pháp lý)"


@dataclass
class Issued:
    key: ec.EllipticCurvePrivateKey
    cert: x509.Certificate

    @property
    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    @property
    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def _now():
    return datetime.now(dt_timezone.utc)


def _name(common_name: str, *, title: str = "", unit: str = "") -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
             x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANISATION)]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, unit[:64]))
    if title:
        attrs.append(x509.NameAttribute(NameOID.TITLE, title[:64]))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, f"{common_name} ({TEST_MARK})"[:64]))
    return x509.Name(attrs)


def make_ca(common_name: str = "BHXH Demo Root CA", *, years: int = 10) -> Issued:
    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(common_name)
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(CA_NOT_BEFORE).not_valid_after(now + timedelta(days=365 * years))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=True,
                                         crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def issue(ca: Issued, common_name: str, *, title: str = "", unit: str = "", key=None,
          not_before: datetime | None = None, not_after: datetime | None = None, tsa: bool = False) -> Issued:
    """A leaf certificate for a signer (a person or an office seal), or a time-stamping authority (`tsa`).
    `key`: a private key object, or a public key (a key kept on a token); a new EC key when None."""
    private = key if key is not None and hasattr(key, "public_key") else None
    if key is None:
        private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key() if private is not None else key
    now = _now()
    builder = (x509.CertificateBuilder().subject_name(_name(common_name, title=title, unit=unit))
               .issuer_name(ca.cert.subject).public_key(public).serial_number(x509.random_serial_number())
               .not_valid_before(not_before or now - timedelta(days=1))
               .not_valid_after(not_after or now + timedelta(days=3 * 365))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=not tsa,
                                            key_encipherment=False, data_encipherment=False, key_agreement=False,
                                            key_cert_sign=False, crl_sign=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False))
    if tsa:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    return Issued(private, builder.sign(ca.key, hashes.SHA256()))


def make_crl(ca: Issued, revoked: list[x509.Certificate] = (), *, days: int = 30) -> x509.CertificateRevocationList:
    now = _now()
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca.cert.subject)
               .last_update(CA_NOT_BEFORE).next_update(now + timedelta(days=days))
               .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    for cert in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(cert.serial_number)
            .revocation_date(now - timedelta(minutes=1)).build())
    return builder.sign(ca.key, hashes.SHA256())


def pkcs12_bytes(issued: Issued, ca: Issued, passphrase: str, *, friendly_name: str = "signer") -> bytes:
    return pkcs12.serialize_key_and_certificates(
        friendly_name.encode(), issued.key, issued.cert, [ca.cert],
        serialization.BestAvailableEncryption(passphrase.encode()))


def load_pem_key(data: bytes):
    return serialization.load_pem_private_key(data, password=None)


def load_pem_cert(data: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(data)
