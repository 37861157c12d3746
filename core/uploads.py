"""Files handed to us: the type is read from the content (magic bytes), never from the name or the declared
Content-Type, and the size is bounded (settings.ATTACHMENT_MAX_BYTES). Used by the desk's intake form
(cases.forms) and by the papers (attachments) alike.

Only PDF, JPEG and PNG are accepted (CONTRACTS.md §1.2): a `.pdf` that is really an executable is refused.
"""
from __future__ import annotations

from django.conf import settings

from .errors import DomainError, UploadError

ACCEPTED = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
_MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def max_bytes() -> int:
    return settings.ATTACHMENT_MAX_BYTES


def limit_label() -> str:
    """The limit as people read it: "20 MB", "512 KB"."""
    limit = max_bytes()
    return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit / 1024:g} KB"


def sniff(head: bytes) -> str | None:
    """The content type of a file from its first bytes: application/pdf, image/jpeg, image/png, else None.
    A PDF may start with a byte-order mark or blank lines before `%PDF-` (readers accept it)."""
    stripped = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\r\n\t ")
    for magic, content_type in _MAGIC:
        if stripped.startswith(magic) if content_type == "application/pdf" else head.startswith(magic):
            return content_type
    return None


def check(name: str, head: bytes, size: int | None) -> str:
    """The sniffed content type of a file, or DomainError (413 too large, 400 empty, 415 not PDF/JPEG/PNG)."""
    if size is not None and size > max_bytes():
        raise DomainError(UploadError.TOO_LARGE, name=name, limit=limit_label())
    if size == 0 or not head:
        raise DomainError(UploadError.EMPTY, name=name)
    content_type = sniff(head)
    if content_type is None:
        raise DomainError(UploadError.TYPE_REFUSED, name=name)
    return content_type


def check_uploaded(upload) -> str:
    """The same for a Django UploadedFile (the size is known before any byte is read)."""
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    return check(upload.name or "", head, upload.size)
