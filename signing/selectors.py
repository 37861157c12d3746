"""Reads of signed documents."""
from __future__ import annotations

import uuid

from .models import SignedDocument


def signed_document_for(kind: str, reference: str) -> SignedDocument | None:
    return SignedDocument.objects.filter(kind=kind, reference=reference).first()


def signed_document_by_token(token) -> SignedDocument | None:
    try:
        value = uuid.UUID(str(token).strip())
    except (ValueError, AttributeError):
        return None
    return SignedDocument.objects.select_related("office").filter(token=value).first()


def signed_documents_of_dossier(code: str) -> list[SignedDocument]:
    code = (code or "").strip()
    if not code:
        return []
    return list(SignedDocument.objects.select_related("office").filter(dossier_code=code).order_by("signed_at", "pk"))


def signed_document_by_sha256(digest: str) -> SignedDocument | None:
    return SignedDocument.objects.select_related("office").filter(sha256=digest).first()
