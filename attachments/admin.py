from django.contrib import admin

from .models import Attachment


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Read-only: a paper is added through the dossier page or the API (an event each), never edited here."""

    list_display = ["created_at", "dossier", "kind", "source", "name", "document_name", "size", "content_type",
                    "fetch_status", "attempts"]
    list_filter = ["kind", "source", "fetch_status"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__code", "name", "portal_file_id", "sha256"]
    readonly_fields = [f.name for f in Attachment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
