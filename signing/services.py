"""Signing a document: the one call every issuing path goes through.

`document_sign(...)` takes the signer (a director or deputy, or the office's seal), checks the certificate
(valid now, from a trusted root, not revoked), lets the caller lay the document out with its verification URL
(the QR code), signs it (signing.pades) and stores the signed bytes with their sha256 (Django storage). It runs
inside the caller's transaction: any failure raises a coded DomainError (signing.errors) and the caller's
issue rolls back, so no document is issued unsigned. A file written before a later rollback is an orphan
(harmless: no row points at it; `SignedDocument.file` is the only way in).
"""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from . import keys, pades, trust
from .models import SignedDocument


@dataclass
class Rendered:
    pdf: bytes
    box: pades.Box


def verify_url(token) -> str:
    """The public verification page of one signed document (printed as the document's QR code)."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('signing:verify')}?ma={quote(str(token), safe='')}"


def download_url(document) -> str:
    """The signed PDF itself (the link sent by SMS and Zalo); the verification id is the capability."""
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{reverse('signing:download', kwargs={'token': document.token})}"


def _box_text(*, name: str, title: str, at) -> list[str]:
    local = timezone.localtime(at)
    lines = [f"Ký bởi: {name}"]
    if title:
        lines.append(title)
    lines.append(f"Thời gian ký: {local:%d/%m/%Y %H:%M:%S} (GMT+7)")
    lines.append("Đã ký số – xác thực tại trang /xac-thuc/")
    return lines


def document_sign(*, kind: str, reference: str, office, title: str, filename: str,
                  render: Callable[[str], Rendered], signer_user=None, dossier_code: str = "",
                  signer_title: str = "", reason: str = "", at=None) -> SignedDocument:
    """Sign and store one document. `signer_user` signs personally (the director or deputy who pressed
    "Ký và phát hành"); without one, the office's seal signs. `render(verify_url)` lays the PDF out with the
    verification URL in its QR code and says where the signature box goes."""
    at = at or timezone.now()
    if signer_user is not None:
        signer = keys.signer_for(signer_user)
        name = signer_user.display_name
        signer_title = signer_title or signer_user.title or signer_user.get_role_display()
    else:
        signer = keys.seal_for(office)
        name = office.name
        signer_title = signer_title or "Chữ ký số cơ quan"
    cert = signer.certificate()
    trust.check_signer_certificate(cert, owner=signer.owner)
    token = uuid.uuid4()
    rendered = render(verify_url(token))
    signed, level = pades.sign_pdf(
        rendered.pdf, signer, box=rendered.box, appearance=pades.Appearance(_box_text(name=name, title=signer_title,
                                                                                      at=at)),
        reason=reason or title, location=office.name, name=name)
    row = SignedDocument(token=token, kind=kind, reference=reference, dossier_code=dossier_code, title=title,
                         office=office, seal=signer_user is None, signed_by=signer_user, signer_name=name,
                         signer_title=signer_title, certificate_subject=cert.subject.rfc4514_string()[:500],
                         certificate_serial=format(cert.serial_number, "x"), level=level, filename=filename,
                         sha256=hashlib.sha256(signed).hexdigest(), size=len(signed), signed_at=at)
    row.file.save(f"{token}.pdf", ContentFile(signed), save=False)
    row.save()
    return row


def document_seal_once(*, kind: str, reference: str, **kwargs) -> SignedDocument:
    """The office-sealed copy of a slip, signed the first time it is issued as PDF and the same bytes ever after
    (two requests at once: one signs, the other gets that one's copy)."""
    existing = SignedDocument.objects.filter(kind=kind, reference=reference).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return document_sign(kind=kind, reference=reference, **kwargs)
    except IntegrityError:
        return SignedDocument.objects.get(kind=kind, reference=reference)
