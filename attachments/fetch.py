"""Downloading one paper of the national portal (TaiLieuNop.DuongDanTaiTepTin) with `requests`:

* only from the portal's own origin (scheme, host and port of NATIONAL_PORTAL_URL); a relative path is read
  against it; a link or a redirect to any other host is refused without a request to it;
* streamed into a temporary file, aborted as soon as it passes ATTACHMENT_MAX_BYTES (a declared
  Content-Length over the limit is refused before the body is read);
* its type sniffed from the first bytes (PDF, JPEG, PNG only; the declared Content-Type is ignored);
* its SHA-256 computed on the way.

`download(url)` returns a `Downloaded` or raises `FetchRefused` (permanent: retrying cannot help) or
`FetchFailed` (the network or the portal: retried with back-off)."""
from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from core import uploads
from core.errors import DomainError, UploadError

from .errors import AttachmentError

CHUNK = 64 * 1024
MAX_REDIRECTS = 3
DEFAULT_PORTS = {"http": 80, "https": 443}


class FetchRefused(Exception):
    def __init__(self, error: DomainError):
        super().__init__(error.message)
        self.error = error


class FetchFailed(FetchRefused):
    pass


@dataclass
class Downloaded:
    file: object  # a temporary file, positioned at 0
    size: int
    sha256: str
    content_type: str


def _origin(url: str) -> tuple[str, str, int] | None:
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:
        return None
    return parts.scheme, parts.hostname.lower(), port


def portal_origin() -> tuple[str, str, int] | None:
    base = getattr(settings, "NATIONAL_PORTAL_URL", None)
    return _origin(base) if base else None


def resolve(link: str) -> str:
    """The absolute URL of a `DuongDanTaiTepTin`, checked against the portal's origin (FetchRefused)."""
    origin = portal_origin()
    if origin is None:  # e.g. the demo seeded before the portal was configured: tried again later
        raise FetchFailed(DomainError(AttachmentError.PORTAL_NOT_CONFIGURED))
    if not isinstance(link, str) or not link.strip() or any(ch in link for ch in "\r\n\t\\"):
        raise FetchRefused(DomainError(AttachmentError.BAD_LINK, url=str(link)[:200]))
    url = urljoin(settings.NATIONAL_PORTAL_URL, link.strip())
    target = _origin(url)
    if target is None:
        raise FetchRefused(DomainError(AttachmentError.BAD_LINK, url=link[:200]))
    if target != origin or urlsplit(url).username is not None:
        raise FetchRefused(DomainError(AttachmentError.OTHER_HOST, host=f"{target[1]}:{target[2]}",
                                       portal=f"{origin[1]}:{origin[2]}"))
    return url


def _get(url: str) -> requests.Response:
    """GET following redirects only within the portal's origin."""
    for _ in range(MAX_REDIRECTS + 1):
        try:
            response = requests.get(url, stream=True, allow_redirects=False,
                                    timeout=(5, settings.NATIONAL_PORTAL_TIMEOUT),
                                    headers={"dstcode": settings.NATIONAL_PORTAL_DSTCODE})
        except requests.RequestException as exc:
            raise FetchFailed(DomainError(AttachmentError.FETCH_NETWORK, error=type(exc).__name__)) from exc
        if response.is_redirect:
            location = response.headers.get("Location", "")
            response.close()
            url = resolve(urljoin(url, location))
            continue
        return response
    raise FetchFailed(DomainError(AttachmentError.TOO_MANY_REDIRECTS))


def _declared_size(response) -> int | None:
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def download(link: str, name: str) -> Downloaded:
    url = resolve(link)
    limit = uploads.max_bytes()
    response = _get(url)
    with response:
        if response.status_code != 200:
            raise FetchFailed(DomainError(AttachmentError.FETCH_HTTP, status=response.status_code))
        declared = _declared_size(response)
        if declared is not None and declared > limit:
            raise FetchRefused(_too_large(name))
        out = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)
        digest, size, head = hashlib.sha256(), 0, b""
        deadline = time.monotonic() + max(60, settings.NATIONAL_PORTAL_TIMEOUT * 6)
        try:
            for chunk in response.iter_content(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise FetchRefused(_too_large(name))
                if time.monotonic() > deadline:
                    raise FetchFailed(DomainError(AttachmentError.FETCH_NETWORK, error="ReadTimeout"))
                if len(head) < 1024:
                    head += chunk[:1024 - len(head)]
                digest.update(chunk)
                out.write(chunk)
        except requests.RequestException as exc:
            out.close()
            raise FetchFailed(DomainError(AttachmentError.FETCH_NETWORK, error=type(exc).__name__)) from exc
        except FetchRefused:
            out.close()
            raise
    try:
        content_type = uploads.check(name, head, size)
    except DomainError as exc:
        out.close()
        raise FetchRefused(exc) from exc
    out.seek(0)
    return Downloaded(file=out, size=size, sha256=digest.hexdigest(), content_type=content_type)


def _too_large(name) -> DomainError:
    return DomainError(UploadError.TOO_LARGE, name=name, limit=uploads.limit_label())
