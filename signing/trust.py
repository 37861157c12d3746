"""The roots the administrator trusts (signing.models.TrustedRoot) as a pyHanko validation context, and the
check a signer's certificate passes before anything is signed: in its validity period, chaining to a trusted
root, not revoked by a CRL we hold. No network fetch: revocation data is what the administrator entered."""
from __future__ import annotations

import asyncio

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from django.utils import timezone

from .errors import DomainError, SigningError
from .models import TrustedRoot


def _pem_blocks(text: str, kind: str) -> list[bytes]:
    marker = f"-----BEGIN {kind}-----"
    return [(marker + part).encode() for part in text.split(marker)[1:]]


def trusted_material():
    """(root certificates, CRLs), as asn1crypto objects, of every active TrustedRoot."""
    from asn1crypto import crl as acrl, x509 as ax509

    roots, crls = [], []
    for row in TrustedRoot.objects.filter(active=True).only("certificate_pem", "crl_pem"):
        for block in _pem_blocks(row.certificate_pem, "CERTIFICATE"):
            roots.append(ax509.Certificate.load(x509.load_pem_x509_certificate(block).public_bytes(Encoding.DER)))
        for block in _pem_blocks(row.crl_pem or "", "X509 CRL"):
            crl = x509.load_pem_x509_crl(block)
            crls.append(acrl.CertificateList.load(crl.public_bytes(Encoding.DER)))
    return roots, crls


def validation_context(*, mode: str = "soft-fail"):
    """(context, CRLs). `mode` "require" makes a CRL we hold count even for a certificate that names no
    distribution point (certvalidator's soft/hard-fail only look where the certificate points)."""
    from pyhanko_certvalidator import ValidationContext

    roots, crls = trusted_material()
    return ValidationContext(trust_roots=roots, crls=crls, allow_fetching=False, revocation_mode=mode), crls


def has_revocation_info_for(cert: x509.Certificate, crls) -> bool:
    issuer = cert.issuer.public_bytes()
    return any(c.issuer.dump() == issuer for c in crls)


def check_signer_certificate(cert: x509.Certificate, *, owner: str, chain=()) -> None:
    """Refuse (coded) a certificate that is expired, not yet valid, revoked or not from a trusted root."""
    from asn1crypto import x509 as ax509
    from pyhanko_certvalidator import CertificateValidator
    from pyhanko_certvalidator import errors as cv_errors

    now = timezone.now()
    if cert.not_valid_after_utc < now:
        raise DomainError(SigningError.CERT_EXPIRED, owner=owner,
                          until=f"{timezone.localtime(cert.not_valid_after_utc):%d/%m/%Y}")
    if cert.not_valid_before_utc > now:
        raise DomainError(SigningError.CERT_NOT_YET_VALID, owner=owner,
                          since=f"{timezone.localtime(cert.not_valid_before_utc):%d/%m/%Y}")
    _, crls = trusted_material()
    context, _ = validation_context(mode="require" if has_revocation_info_for(cert, crls) else "soft-fail")
    validator = CertificateValidator(
        ax509.Certificate.load(cert.public_bytes(Encoding.DER)),
        intermediate_certs=[ax509.Certificate.load(c.public_bytes(Encoding.DER)) for c in chain],
        validation_context=context)
    try:
        asyncio.run(validator.async_validate_usage(set()))
    except cv_errors.RevokedError as exc:
        raise DomainError(SigningError.CERT_REVOKED, owner=owner) from exc
    except cv_errors.ExpiredError as exc:
        raise DomainError(SigningError.CERT_EXPIRED, owner=owner, until="") from exc
    except (cv_errors.PathBuildingError, cv_errors.PathValidationError, cv_errors.InvalidCertificateError) as exc:
        raise DomainError(SigningError.CERT_UNTRUSTED, owner=owner) from exc
