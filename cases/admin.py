from django.contrib import admin

from .admin_versions import ProcedureRulesReadOnly, ProcedureVersionInline
from .models import ApologySlip, Dossier, DossierEvent, IntakeGuidance, Procedure


class ReadOnly:
    """Viewable in the admin, never added, changed or deleted there: these rows are written by the services
    (numbered, recorded in the history) and are evidence afterwards."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Procedure)
class ProcedureAdmin(ProcedureRulesReadOnly, admin.ModelAdmin):
    list_display = ["code", "name", "field", "processing_days", "is_covid_support", "supplement_clock",
                    "max_supplement_requests", "same_day_cutoff", "active"]
    list_filter = ["field", "is_covid_support", "active", "supplement_clock"]
    search_fields = ["code", "name"]
    inlines = [ProcedureVersionInline]


class EventInline(ReadOnly, admin.TabularInline):
    model = DossierEvent
    fields = ["at", "actor_name", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Dossier)
class DossierAdmin(ReadOnly, admin.ModelAdmin):
    """Read-only in the admin: every change of a dossier goes through the desk so that it is recorded."""

    list_display = ["code", "office", "procedure", "status", "received_at", "legal_due_at", "appointment_at"]
    list_filter = ["status", "source", "channel", "office__level"]
    search_fields = ["code", "applicant_name", "applicant_id_number"]
    list_select_related = ["office", "procedure"]
    inlines = [EventInline]
    show_full_result_count = False


@admin.register(DossierEvent)
class DossierEventAdmin(ReadOnly, admin.ModelAdmin):
    """History is append-only: viewable, never editable or deletable."""

    list_display = ["at", "dossier", "actor_name", "action", "from_status", "to_status"]
    list_select_related = ["dossier"]
    search_fields = ["dossier__code"]


@admin.register(ApologySlip)
class ApologySlipAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["dossier", "number", "year", "state", "issued_at", "is_late"]
    list_filter = ["state", "is_late"]


@admin.register(IntakeGuidance)
class IntakeGuidanceAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["number", "kind", "office", "procedure", "issued_at", "applicant_name"]
    list_filter = ["kind"]


