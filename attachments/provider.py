"""The papers as the cases domain asks for them (cases.papers), registered in AttachmentsConfig.ready()."""
from django.utils import timezone

from core import permissions

from . import selectors, services


def attachment_row(attachment, user) -> dict:
    """One item of `GET /dossiers/{code}/attachments/` and of the dossier detail's `attachments`."""
    readable = attachment.is_stored and permissions.can(user, "read_papers", attachment.dossier)
    return {
        "id": attachment.pk, "name": attachment.name,
        "document": attachment.document_name or None, "document_index": attachment.document_index,
        "kind": attachment.kind, "size": attachment.size, "content_type": attachment.content_type or None,
        "source": attachment.source, "sha256": attachment.sha256 or None,
        "fetch_status": attachment.fetch_status or None, "last_error": attachment.last_error or None,
        "created_at": timezone.localtime(attachment.created_at).isoformat() if attachment.created_at else None,
        "url": selectors.content_url(attachment) if readable else None,
    }


class PapersProvider:
    def store_at_intake(self, *, dossier, actor, papers):
        services.store_at_intake(dossier=dossier, actor=actor, papers=papers)

    def scanned_documents(self, dossier) -> set[int]:
        return selectors.scanned_documents(dossier)

    def api_list(self, dossier, request) -> list[dict]:
        user = getattr(request, "user", None)
        rows = []
        for attachment in selectors.attachment_list(dossier=dossier):
            attachment.dossier = dossier
            rows.append(attachment_row(attachment, user))
        return rows
