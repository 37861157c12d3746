"""Writes of the dossier's papers: desk uploads (at intake or later), the portal's papers registered at pull
and fetched in the background, result documents (uploaded or generated), and the applicant told the result is
ready. Every file stored is a dossier event (cases.events.attachment_added); the history is never edited."""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from cases import checklist, events
from cases.choices import ResultDelivery, Source
from cases.models import Dossier, Status
from cases.versions import version_in_force
from cases.visits import default_return_channel
from core import permissions, uploads
from core.errors import DomainError, UploadError
from notifications.services import outbox_enqueue

from . import fetch, links
from .errors import AttachmentError
from .models import Attachment, FetchStatus, Kind, upload_path

log = logging.getLogger(__name__)
PORTAL_ACTOR = "Cổng DVCQG"
QUEUE_CHUNK = 100  # papers per background task (a pulled page of 500 dossiers: a few messages)


# --- desk uploads ---------------------------------------------------------------------------------------

def _clean_name(name: str, content_type: str) -> str:
    name = "".join(ch for ch in (name or "").replace("\\", "/").rsplit("/", 1)[-1] if ch.isprintable()).strip()
    return (name or f"tep{uploads.ACCEPTED[content_type]}")[:255]


def _document(dossier, document, *, required: bool) -> tuple[int | None, str]:
    """(index, name) of the checklist item `document` (its name or 0-based index) of the dossier's rule
    version (the version in force now for a dossier not accepted yet)."""
    version = dossier.rule_version or version_in_force(dossier.procedure, timezone.now())
    items = checklist.items_of(version)
    text = str(document).strip() if document is not None else ""
    if not text:
        if required and items:
            raise DomainError(AttachmentError.DOCUMENT_REQUIRED)
        return None, ""
    names = [item["name"] for item in items]
    if text in names:
        index = names.index(text)
    elif text.isdigit() and int(text) < len(items):
        index = int(text)
    else:
        raise DomainError(AttachmentError.DOCUMENT_UNKNOWN, document=text[:200])
    return index, names[index]


def _sha256(upload) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _sealed_result(dossier, upload, name: str) -> ContentFile:
    """A result document as the applicant and the national portal will receive it: sealed with the office's
    signature (issue 15; cases.signatures). A seal that fails raises and the transaction stores nothing."""
    from cases.signatures import result_seal

    from pyhanko.pdf_utils.misc import PdfError

    upload.seek(0)
    pdf = upload.read()
    try:
        from pyhanko.pdf_utils.reader import PdfFileReader

        PdfFileReader(io.BytesIO(pdf), strict=False).root["/Pages"]["/Count"]
    except (PdfError, KeyError, ValueError, TypeError) as exc:
        raise DomainError(AttachmentError.PDF_UNREADABLE, name=name) from exc
    signed = result_seal(dossier=dossier, pdf=pdf, title="Văn bản kết quả giải quyết", filename=name,
                         reference=f"result:{dossier.code}:{hashlib.sha256(pdf).hexdigest()[:32]}")
    return ContentFile(signed.read(), name=name)


def _store(*, dossier, actor, upload, kind, index, document_name, content_type, name=None) -> Attachment:
    if kind == Kind.RESULT:
        upload = _sealed_result(dossier, upload, name or _clean_name(upload.name, content_type))
    attachment = Attachment(dossier=dossier, kind=kind, source=Source.DESK, document_index=index,
                            document_name=document_name, size=upload.size, content_type=content_type,
                            sha256=_sha256(upload), uploaded_by=actor,
                            name=name or _clean_name(upload.name, content_type))
    attachment.file.save(f"x{uploads.ACCEPTED[content_type]}", upload, save=False)
    attachment.save()
    what = "văn bản kết quả" if kind == Kind.RESULT else "bản chụp giấy tờ"
    events.attachment_added(dossier, actor=actor, attachment=attachment,
                            note=f"Đính kèm {what} “{attachment.name}”" + (f" ({document_name})" if document_name else ""))
    return attachment


@transaction.atomic
def attachment_upload(*, actor, dossier: Dossier, upload, document=None, kind: str = Kind.PAPER) -> Attachment:
    """A file attached at the desk or by the processing unit: a paper tied to a checklist item, or the
    result document (PDF). 413/415/400 for a file that is too large, not PDF/JPEG/PNG, or empty."""
    if kind not in Kind.values:
        raise DomainError(AttachmentError.KIND_INVALID)
    permissions.require(actor, "attach_result" if kind == Kind.RESULT else "attach_papers", dossier)
    if upload is None:
        raise DomainError(AttachmentError.FILE_REQUIRED)
    content_type = uploads.check_uploaded(upload)
    if kind == Kind.RESULT:
        if content_type != "application/pdf":
            raise DomainError(UploadError.TYPE_REFUSED, name=upload.name or "")
        index, document_name = None, ""
    else:
        index, document_name = _document(dossier, document, required=True)
    attachment = _store(dossier=dossier, actor=actor, upload=upload, kind=kind, index=index,
                        document_name=document_name, content_type=content_type)
    if kind == Kind.RESULT:
        notify_result_ready(dossier)
    return attachment


def store_at_intake(*, dossier, actor, papers) -> list[Attachment]:
    """The scanned papers handed in at intake, [(checklist index, file)], inside the intake transaction."""
    items = checklist.items_of(dossier.rule_version)
    out = []
    for index, upload in papers:
        content_type = uploads.check_uploaded(upload)
        if not 0 <= int(index) < len(items):
            raise DomainError(AttachmentError.DOCUMENT_UNKNOWN, document=str(index))
        out.append(_store(dossier=dossier, actor=actor, upload=upload, kind=Kind.PAPER, index=int(index),
                          document_name=items[int(index)]["name"], content_type=content_type))
    return out


# --- result documents -----------------------------------------------------------------------------------

@transaction.atomic
def result_generate(*, actor, dossier: Dossier) -> Attachment:
    """The result document generated from the resolve summary (a simple PDF, core.documents)."""
    from core.documents.pdf import render_pdf

    from .documents import result_document

    permissions.require(actor, "attach_result", dossier)
    if dossier.status not in (Status.RESOLVED, Status.RETURNED) or not dossier.outcome:
        raise DomainError(AttachmentError.RESULT_NOT_READY)
    doc = result_document(dossier, signer=actor)
    upload = ContentFile(render_pdf(doc), name=doc.filename)
    attachment = _store(dossier=dossier, actor=actor, upload=upload, kind=Kind.RESULT, index=None,
                        document_name="", content_type="application/pdf", name=doc.filename)
    notify_result_ready(dossier)
    return attachment


def _online(dossier, channel: str = "") -> bool:
    return (channel or default_return_channel(dossier)) == ResultDelivery.ONLINE


def notify_result_ready(dossier: Dossier, *, channel: str = "") -> int:
    """Tell the applicant of an online return that the result document is ready, with a signed link to
    download it (RESULT_LINK_TTL), once per document and channel (outbox idempotency keys). Results returned
    at the counter or by post are announced by the resolve message itself. How many messages were queued."""
    if dossier.status not in (Status.RESOLVED, Status.RETURNED) or not _online(dossier, channel):
        return 0
    queued = 0
    for attachment in Attachment.objects.filter(dossier=dossier, kind=Kind.RESULT).exclude(file="").order_by("id"):
        url = links.signed_url(attachment, links.APPLICANT)
        body = (f"BHXH: Ket qua giai quyet ho so {dossier.code} da san sang. Tai ve tai: {url} "
                f"(hieu luc den {links.expires_label(links.APPLICANT)}).")
        for outbox_channel, recipient in (("sms", dossier.applicant_phone), ("email", dossier.applicant_email)):
            if recipient:
                _, created = outbox_enqueue(
                    channel=outbox_channel, kind="dossier.result-ready", recipient=recipient,
                    idempotency_key=f"result-ready:{attachment.pk}:{outbox_channel}", office=dossier.office,
                    dossier_code=dossier.code, subject=f"Kết quả hồ sơ {dossier.code}", body=body,
                    payload={"attachment": attachment.pk})
                queued += created
    return queued


# --- papers of the national portal ------------------------------------------------------------------------

def _text(item, key, limit) -> str:
    value = item.get(key)
    return str(value).strip()[:limit] if value not in (None, "") else ""


def register_portal_papers(pulled: list[tuple[int, dict]]) -> list[int]:
    """The `TaiLieuNop` of dossiers just stored by the pull, [(dossier id, the portal's dossier object)], as
    pending papers (one INSERT for the page); their background fetch is queued once the page commits."""
    now, rows, seen = timezone.now(), [], set()
    for dossier_id, payload in pulled:
        items = payload.get("TaiLieuNop") if isinstance(payload, dict) else None
        for n, item in enumerate(items if isinstance(items, list) else [], 1):
            if not isinstance(item, dict):
                continue
            file_id = _text(item, "TepDinhKemId", 200) or f"#{n}"
            if (dossier_id, file_id) in seen:
                continue
            seen.add((dossier_id, file_id))
            rows.append(Attachment(dossier_id=dossier_id, kind=Kind.PAPER, source=Source.NATIONAL_PORTAL,
                                   name=_text(item, "TenTepDinhKem", 255) or f"Tệp {n}", portal_file_id=file_id,
                                   portal_url=_text(item, "DuongDanTaiTepTin", 2000),
                                   fetch_status=FetchStatus.PENDING, next_attempt_at=now))
    ids = [a.pk for a in Attachment.objects.bulk_create(rows)]
    if ids:
        transaction.on_commit(lambda: queue_fetch(ids))
    return ids


def queue_fetch(ids: list[int]) -> None:
    from .tasks import fetch_portal_papers

    for start in range(0, len(ids), QUEUE_CHUNK):
        try:
            fetch_portal_papers.delay(ids[start:start + QUEUE_CHUNK])
        except Exception:  # noqa: BLE001 - the periodic sweep (fetch_due_papers) picks them up
            log.warning("attachments: could not queue the fetch of %s papers", len(ids), exc_info=True)


@dataclass
class FetchOutcome:
    status: str
    retry_in: int | None = None


def portal_paper_fetch(attachment_id: int) -> FetchOutcome:
    """Fetch one pending paper of the portal; the download happens outside any transaction."""
    attachment = Attachment.objects.filter(pk=attachment_id, fetch_status=FetchStatus.PENDING).first()
    if attachment is None:
        return FetchOutcome("skipped")
    try:
        got = fetch.download(attachment.portal_url, attachment.name)
    except fetch.FetchFailed as exc:
        return _fetch_failed(attachment.pk, exc.error, retry=True)
    except fetch.FetchRefused as exc:
        return _fetch_failed(attachment.pk, exc.error, retry=False)
    with got.file:
        name = default_storage.save(upload_path(attachment, f"x{uploads.ACCEPTED[got.content_type]}"), File(got.file))
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().select_related("dossier").get(pk=attachment.pk)
        if locked.fetch_status != FetchStatus.PENDING:  # fetched meanwhile by another worker
            transaction.on_commit(lambda: default_storage.delete(name))
            return FetchOutcome("skipped")
        locked.file.name, locked.size, locked.content_type, locked.sha256 = name, got.size, got.content_type, got.sha256
        locked.fetch_status, locked.fetched_at, locked.next_attempt_at = FetchStatus.FETCHED, timezone.now(), None
        locked.attempts += 1
        locked.save()
        events.attachment_added(locked.dossier, actor=None, attachment=locked, actor_name=PORTAL_ACTOR,
                                note=f"Tải tệp “{locked.name}” từ Cổng DVCQG ({_size(got.size)}, {got.content_type})")
    return FetchOutcome("fetched")


def _size(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def backoff(attempts: int) -> int:
    return settings.ATTACHMENT_FETCH_BACKOFF * 2 ** max(0, attempts - 1)


@transaction.atomic
def _fetch_failed(pk: int, error: DomainError, *, retry: bool) -> FetchOutcome:
    locked = Attachment.objects.select_for_update().select_related("dossier").get(pk=pk)
    if locked.fetch_status != FetchStatus.PENDING:
        return FetchOutcome("skipped")
    locked.attempts += 1
    locked.last_error, locked.last_error_code = error.message, error.code
    if retry and locked.attempts <= settings.ATTACHMENT_FETCH_RETRIES:
        delay = backoff(locked.attempts)
        locked.next_attempt_at = timezone.now() + timezone.timedelta(seconds=delay)
        locked.save()
        return FetchOutcome("retry", retry_in=delay)
    locked.fetch_status, locked.next_attempt_at = FetchStatus.FAILED, None
    locked.save()
    events.attachment_fetch_failed(locked.dossier, attachment=locked, actor_name=PORTAL_ACTOR,
                                   note=f"Không tải được tệp “{locked.name}” từ Cổng DVCQG: {error.message}")
    return FetchOutcome("failed")


@transaction.atomic
def attachment_fetch_retry(*, actor, attachment: Attachment) -> Attachment:
    """An officer asks for a failed paper of the portal again: pending, back-off from the start."""
    permissions.require(actor, "attach_papers", attachment.dossier)
    locked = Attachment.objects.select_for_update().get(pk=attachment.pk)
    if locked.source != Source.NATIONAL_PORTAL or locked.fetch_status != FetchStatus.FAILED:
        raise DomainError(AttachmentError.NOT_RETRYABLE)
    locked.fetch_status, locked.attempts, locked.next_attempt_at = FetchStatus.PENDING, 0, timezone.now()
    locked.save(update_fields=["fetch_status", "attempts", "next_attempt_at"])
    transaction.on_commit(lambda: queue_fetch([locked.pk]))
    return locked
