from django.contrib import admin

from .models import FeedbackEvent, FeedbackItem


class EventInline(admin.TabularInline):
    model = FeedbackEvent
    extra = 0
    can_delete = False
    fields = ["at", "actor_name", "action", "from_status", "to_status", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(FeedbackItem)
class FeedbackItemAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "office", "status", "category", "received_at", "due_at", "source"]
    list_filter = ["status", "category", "source", "due_state"]
    list_select_related = ["office"]
    search_fields = ["code", "title", "sender_name", "related_dossier_code"]
    date_hierarchy = "received_at"
    raw_id_fields = ["office", "related_dossier", "officer", "assignee", "answered_by", "approved_by"]
    readonly_fields = ["raw_payload", "created_at", "updated_at"]
    inlines = [EventInline]
