"""What the verification page and API share: read the input (an uploaded PDF, a verification id from a QR
code, or a dossier code with an optional document), verify, and throttle per client address."""
from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import AnonRateThrottle

from core import throttle

from . import selectors
from .errors import DomainError, SigningError
from .verify import VerificationReport, verify_pdf

logger = logging.getLogger(__name__)


class VerifyThrottle(AnonRateThrottle):
    """Keyed on the client address the configured proxy chain reports (core.throttle.client_ip); a cache
    outage lets the request through with a warning."""

    scope = "verify"

    def get_ident(self, request):
        return throttle.client_ip(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - throttling degrades when the cache is down
            logger.warning("verify throttle: cache unavailable, allowing the request", exc_info=True)
            return True


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
