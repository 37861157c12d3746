"""Time-limited signed links to one stored file, for those who have no account with us: the national portal
fetching a desk paper (TaiLieuNop, result documents) and the applicant downloading an online result.

The token signs "<purpose>:<attachment id>:<start of its SHA-256>" with Django's TimestampSigner (SECRET_KEY,
a salt of its own); a link is valid for its purpose's TTL (ATTACHMENT_LINK_TTL, RESULT_LINK_TTL) after it was
made. A tampered or unknown token is refused (403), an expired one is gone (410)."""
from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "attachments.signed-link"
PORTAL, APPLICANT = "p", "a"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def _ttl(purpose: str) -> int:
    return settings.RESULT_LINK_TTL if purpose == APPLICANT else settings.ATTACHMENT_LINK_TTL


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=SALT)


def make_token(attachment, purpose: str = PORTAL) -> str:
    return _signer().sign(f"{purpose}:{attachment.pk}:{attachment.sha256[:16]}")


def read_token(token: str) -> tuple[int, str]:
    """(attachment id, SHA-256 prefix) of a valid token; LinkExpired or LinkInvalid otherwise."""
    try:
        value = _signer().unsign(token)
    except signing.BadSignature as exc:
        raise LinkInvalid from exc
    purpose, pk, digest = (value.split(":") + ["", "", ""])[:3]
    if purpose not in (PORTAL, APPLICANT) or not pk.isdigit():
        raise LinkInvalid
    try:
        _signer().unsign(token, max_age=_ttl(purpose))
    except signing.SignatureExpired as exc:
        raise LinkExpired from exc
    return int(pk), digest


def signed_url(attachment, purpose: str = PORTAL) -> str:
    """The absolute link (PUBLIC_BASE_URL) the portal or the applicant opens without an account."""
    path = reverse("attachments:signed", kwargs={"token": make_token(attachment, purpose)})
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def expires_label(purpose: str = APPLICANT) -> str:
    from django.utils import timezone

    return f"{timezone.localtime(timezone.now() + timezone.timedelta(seconds=_ttl(purpose))):%d/%m/%Y}"
