"""What the verification page and API share: read the input (an uploaded PDF, a verification id from a QR
code, or a dossier code with an optional document), verify, and throttle per client address."""
from __future__ import annotations


from django.conf import settings

from core import throttle

from . import selectors
from .errors import DomainError, SigningError
from .verify import VerificationReport, verify_pdf



class VerifyThrottle(throttle.ClientAddressThrottle):
    scope = "verify"


def read_upload(upload) -> bytes:
    limit = settings.SIGNING_VERIFY_MAX_MB
    if upload.size > limit * 1024 * 1024:
        raise DomainError(SigningError.VERIFY_TOO_LARGE, limit=limit)
    return upload.read()


def stored_report(document, *, reveal: bool = True) -> VerificationReport:
    """Verify the bytes we hold for a signed document (what the citizen was sent)."""
    report = verify_pdf(document.read())
    report.issued, report.reveal = document, reveal
    return report


def verify_request(*, upload=None, token: str = "", dossier_code: str = "", document: str = "") -> list:
    """[(SignedDocument or None, VerificationReport)] for the input; a coded error when there is nothing to
    verify or nothing found."""
    if upload is not None:
        report = verify_pdf(read_upload(upload))
        return [(report.issued, report)]
    if token:
        found = selectors.signed_document_by_token(token)
        if found is None:
            raise DomainError(SigningError.DOCUMENT_NOT_FOUND)
        return [(found, stored_report(found))]
    if dossier_code:
        documents = selectors.signed_documents_of_dossier(dossier_code)
        if document:
            documents = [d for d in documents if document in (d.kind, d.reference)]
        if not documents:
            raise DomainError(SigningError.DOCUMENT_NOT_FOUND)
        return [(d, stored_report(d, reveal=False)) for d in documents]
    raise DomainError(SigningError.VERIFY_INPUT_REQUIRED)
