"""Verifying a PDF: every embedded signature, whether it is intact (the signed bytes unchanged), who signed and
when, whether the certificate chains to a root the administrator trusts, and whether the file was changed
after signing. Also whether these exact bytes are a document we issued (by sha256)."""
from __future__ import annotations

import hashlib
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone

from .errors import DomainError, SigningError
from .selectors import signed_document_by_sha256


@dataclass
class SignatureCheck:
    field: str
    intact: bool
    valid: bool
    trusted: bool
    revoked: bool
    unchanged_after_signing: bool
    signer: str
    signer_subject: str
    signed_at: datetime | None
    timestamp: datetime | None
    trust_anchor: str = ""

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and not self.revoked and self.unchanged_after_signing


@dataclass
class VerificationReport:
    sha256: str
    signatures: list[SignatureCheck] = field(default_factory=list)
    issued: object = None  # the SignedDocument these exact bytes are, if we issued them
    # Whether the answer may give the document's id (the capability to download it, personal data included):
    # yes to whoever holds the document (upload) or its QR code; no to a lookup by dossier code, which anyone
    # could guess.
    reveal: bool = True

    @property
    def ok(self) -> bool:
        return bool(self.signatures) and all(s.ok for s in self.signatures)

    def as_dict(self) -> dict:
        def when(value):
            return timezone.localtime(value).isoformat() if value else None

        issued = self.issued
        return {
            "valid": self.ok,
            "sha256": self.sha256,
            "signatures": [{**{k: v for k, v in asdict(s).items() if k not in ("signed_at", "timestamp")},
                            "signed_at": when(s.signed_at), "timestamp": when(s.timestamp), "ok": s.ok}
                           for s in self.signatures],
            "document": None if issued is None else {
                **({"id": str(issued.token)} if self.reveal else {}), "title": issued.title, "dossier_code": issued.dossier_code,
                "office": issued.office.name, "signer_name": issued.signer_name, "signer_title": issued.signer_title,
                "signed_at": when(issued.signed_at), "level": issued.level},
        }


def _common_name(cert) -> str:
    try:
        return cert.subject.native.get("common_name", "") or cert.subject.human_friendly
    except Exception:  # noqa: BLE001 - an odd subject still verifies; show what we can
        return ""


def verify_pdf(data: bytes) -> VerificationReport:
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    from .trust import validation_context

    if not data.startswith(b"%PDF"):
        raise DomainError(SigningError.VERIFY_NOT_PDF)
    digest = hashlib.sha256(data).hexdigest()
    report = VerificationReport(sha256=digest, issued=signed_document_by_sha256(digest))
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(SigningError.VERIFY_NOT_PDF) from exc
    for sig in embedded:
        context, _ = validation_context()
        try:
            status = validate_pdf_signature(sig, context)
        except Exception:  # noqa: BLE001 - a damaged signature is reported as not intact, never a 500
            report.signatures.append(SignatureCheck(
                field=sig.field_name, intact=False, valid=False, trusted=False, revoked=False,
                unchanged_after_signing=False, signer="", signer_subject="", signed_at=None, timestamp=None))
            continue
        cert = status.signing_cert
        timestamp = status.timestamp_validity.timestamp if status.timestamp_validity else None
        anchor = ""
        if status.validation_path is not None:
            anchor = _common_name(status.validation_path.trust_anchor.authority.certificate) \
                if hasattr(status.validation_path.trust_anchor, "authority") else ""
        report.signatures.append(SignatureCheck(
            field=sig.field_name, intact=bool(status.intact), valid=bool(status.valid), trusted=bool(status.trusted),
            revoked=bool(getattr(status, "revoked", False)),
            # B-LT adds the validation data in a revision after the signature: allowed, nothing else is.
            unchanged_after_signing=status.coverage == SignatureCoverageLevel.ENTIRE_FILE or (
                status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and status.modification_level in (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)),
            signer=_common_name(cert), signer_subject=cert.subject.human_friendly,
            signed_at=status.signer_reported_dt, timestamp=timestamp, trust_anchor=anchor))
    return report
