from django.contrib import admin

from core.permissions import can_edit_legal_basis

from .forms import FORM_FIELDS
from .models import LegalBasisSet


@admin.register(LegalBasisSet)
class LegalBasisSetAdmin(admin.ModelAdmin):
    """The same data as the Legal Department's page; only the Legal Department and the administrator edit it."""

    list_display = ["name", "valid_from", "decree", "desk_rules", "updated_at", "updated_by"]
    ordering = ["-valid_from"]
    fields = ["name", "valid_from", "decree", "circular", "desk_rules", *FORM_FIELDS]
    readonly_fields = []

    def has_view_permission(self, request, obj=None):
        return can_edit_legal_basis(request.user)

    def has_module_permission(self, request):
        return can_edit_legal_basis(request.user)

    def has_add_permission(self, request):
        return can_edit_legal_basis(request.user)

    def has_change_permission(self, request, obj=None):
        return can_edit_legal_basis(request.user)

    def has_delete_permission(self, request, obj=None):
        return can_edit_legal_basis(request.user)

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
