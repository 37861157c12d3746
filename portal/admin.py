from django.contrib import admin, messages

from . import services
from .models import Disagreement, PortalLink, QuarantinedItem, SyncCursor, SyncRun


@admin.register(QuarantinedItem)
class QuarantinedItemAdmin(admin.ModelAdmin):
    list_display = ["first_seen_at", "office", "kind", "code", "reason", "state", "retry_count"]
    list_filter = ["state", "kind", "office"]
    list_select_related = ["office"]
    search_fields = ["code", "reason"]
    readonly_fields = ["office", "kind", "code", "reason", "raw", "fingerprint", "first_seen_at", "last_seen_at",
                       "retry_count", "last_retry_at", "resolved_at", "resolved_by", "state"]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Thử lại: kiểm tra và lưu các mục đã chọn")
    def retry(self, request, queryset):
        stored = failed = 0
        for item in queryset.filter(state=QuarantinedItem.State.PENDING).select_related("office"):
            ok, _ = services.quarantine_retry(item=item, user=request.user)
            stored, failed = stored + ok, failed + (not ok)
        self.message_user(request, f"Đã lưu {stored} mục; {failed} mục vẫn chưa hợp lệ.",
                          messages.SUCCESS if not failed else messages.WARNING)


@admin.register(SyncCursor)
class SyncCursorAdmin(admin.ModelAdmin):
    list_display = ["office", "kind", "position", "last_pull_at", "updated_at"]
    list_filter = ["kind"]
    list_select_related = ["office"]
    search_fields = ["office__name", "office__agency_code"]


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "office", "kind", "trigger", "ok", "pages", "stored", "already", "quarantined",
                    "pushed", "push_failed", "error"]
    list_filter = ["kind", "ok", "trigger"]
    list_select_related = ["office"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Disagreement)
class DisagreementAdmin(admin.ModelAdmin):
    list_display = ["first_seen_at", "office", "dossier", "field", "ours", "theirs", "last_seen_at", "resolved_at"]
    list_filter = ["office"]
    list_select_related = ["office", "dossier"]
    search_fields = ["dossier__code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PortalLink)
class PortalLinkAdmin(admin.ModelAdmin):
    list_display = ["dossier", "office", "on_portal", "last_seq", "progress_seq", "synced_seq", "synced_at",
                    "portal_status", "portal_seen_at"]
    list_filter = ["on_portal", "portal_status"]
    list_select_related = ["dossier", "office"]
    search_fields = ["dossier__code"]
    raw_id_fields = ["dossier"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
