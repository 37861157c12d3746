"""Reads of the dossier's papers. Office scope comes from the dossier (cases.selectors.dossier_get, once, in the
views); the two `portal_*` functions are what the national-portal adapter puts in its pushes (CONTRACTS.md §2)."""
from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse

from cases.choices import Source

from . import links
from .models import Attachment, FetchStatus, Kind


def attachment_list(*, dossier) -> QuerySet:
    return Attachment.objects.filter(dossier=dossier).order_by("kind", "document_index", "id")


def attachment_get(*, dossier, pk: int) -> Attachment:
    """One attachment of the dossier (already scoped by the caller); Attachment.DoesNotExist otherwise."""
    return Attachment.objects.select_related("dossier").get(dossier=dossier, pk=pk)


def content_url(attachment) -> str:
    """Where the file is read with the caller's own credentials (session or API token)."""
    return reverse("api-attachment-content", kwargs={"code": attachment.dossier.code, "pk": attachment.pk})


def stored(qs) -> QuerySet:
    return qs.exclude(file="")


def scanned_documents(dossier) -> set[int]:
    """The checklist indexes that have a scanned copy (Form 01 marks them)."""
    return set(stored(Attachment.objects.filter(dossier=dossier, kind=Kind.PAPER, document_index__isnull=False))
               .values_list("document_index", flat=True))


def fetch_failures(*, dossier) -> QuerySet:
    return Attachment.objects.filter(dossier=dossier, fetch_status=FetchStatus.FAILED)


def _stored_of(dossier, kind: str) -> list[Attachment]:
    """The dossier's stored files of `kind`, from `dossier.attachments.all()`: a batch of pushes prefetches them
    once (portal.push), one query otherwise."""
    return [a for a in dossier.attachments.all() if a.kind == kind and a.file]


def portal_papers(dossier) -> list[dict]:
    """`TaiLieuNop` items for the papers scanned at our desk: each with a signed link our portal serves for
    ATTACHMENT_LINK_TTL seconds. Papers that came from the portal itself are not sent back."""
    rows = sorted((a for a in _stored_of(dossier, Kind.PAPER) if a.source == Source.DESK),
                  key=lambda a: (a.document_index is None, a.document_index or 0, a.pk))
    return [{"TepDinhKemId": f"{dossier.code}-BHXH-{a.pk}", "TenTepDinhKem": a.name,
             "DuongDanTaiTepTin": links.signed_url(a, links.PORTAL)} for a in rows]


def portal_results(dossier) -> list[dict]:
    """`DanhSachGiayToKetQua` items for the dossier's result documents (sealed: what the applicant receives)."""
    rows = sorted(_stored_of(dossier, Kind.RESULT), key=lambda a: a.pk)
    return [{"TenGiayTo": a.name, "GiayToId": f"{dossier.code}-KQ-{a.pk}",
             "DuongDanTepTinKetQua": links.signed_url(a, links.PORTAL)} for a in rows]


def fetch_health(*, office_ids) -> dict[int, dict]:
    """For the sync page, per office: papers of the portal still waiting, failed for good, and the oldest one
    waiting (one grouped query)."""
    from django.db.models import Count, Min, Q

    rows = (Attachment.objects.filter(dossier__office_id__in=list(office_ids), source=Source.NATIONAL_PORTAL)
            .exclude(fetch_status=FetchStatus.FETCHED).values("dossier__office_id")
            .annotate(pending=Count("id", filter=Q(fetch_status=FetchStatus.PENDING)),
                      failed=Count("id", filter=Q(fetch_status=FetchStatus.FAILED)),
                      oldest_pending=Min("created_at", filter=Q(fetch_status=FetchStatus.PENDING))))
    return {r["dossier__office_id"]: {"pending": r["pending"], "failed": r["failed"],
                                      "oldest_pending": r["oldest_pending"]} for r in rows}
