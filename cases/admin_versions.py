"""The admin of rule versions (DOMAIN.md §8): a version a dossier uses is shown read-only; a change of rules
is "a new version from a date", validated so that no received dossier changes rules."""
from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

from . import versions
from .models import ProcedureVersion

RULE_COLUMNS = ("processing_days", "supplement_clock", "max_supplement_requests", "max_reschedules",
                "same_day_cutoff")


class ProcedureRulesReadOnly:
    """On an existing procedure the rule columns are a read-only mirror of the version in force today
    (cases.versions): edits go through a new version. A procedure added here gets its first version."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + list(RULE_COLUMNS) + ["add_version_link"] if obj is not None else fields

    @admin.display(description=_("Thay đổi quy định"))
    def add_version_link(self, obj):
        url = reverse("admin:cases_procedureversion_add") + f"?procedure={obj.pk}"
        return format_html('<a class="button" href="{}">{}</a>', url, _("Thêm phiên bản quy định mới từ một ngày"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            versions.first_version_from_row(obj)


class ProcedureVersionInline(admin.TabularInline):
    """Every version of the procedure, read-only here; each opens in its own admin page."""

    model = ProcedureVersion
    fields = ["valid_from", "time_limit_value", "time_limit_unit", "supplement_clock", "supplement_window_days",
              "max_supplement_requests", "max_reschedules", "stops_taking_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ProcedureVersionForm(forms.ModelForm):
    class Meta:
        model = ProcedureVersion
        exclude = []

    def clean(self):
        data = super().clean()
        procedure, valid_from = data.get("procedure"), data.get("valid_from")
        if procedure is not None and valid_from is not None:
            try:
                versions.validate_new_version(procedure, valid_from, exclude_pk=self.instance.pk)
            except DomainError as exc:
                self.add_error("valid_from", exc.message)
        return data


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    """A version in use is read-only and cannot be deleted; a new one starts after the last version in use."""

    form = ProcedureVersionForm
    list_display = ["procedure", "valid_from", "time_limit_value", "time_limit_unit", "supplement_clock",
                    "supplement_window_days", "stops_taking_at"]
    list_filter = ["time_limit_unit", "supplement_clock"]
    search_fields = ["procedure__code", "procedure__name"]
    list_select_related = ["procedure"]
    autocomplete_fields = []

    def _in_use(self, obj):
        return obj is not None and versions.version_in_use(obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._in_use(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._in_use(obj)

    def get_changeform_initial_data(self, request):
        """“Add a new version”: the rules of the version in force today, to be changed from a date."""
        initial = super().get_changeform_initial_data(request)
        procedure_id = request.GET.get("procedure")
        current = None
        if procedure_id and procedure_id.isdigit():
            current = (ProcedureVersion.objects.filter(procedure_id=procedure_id).order_by("-valid_from").first())
        if current is not None:
            for field in ProcedureVersion._meta.concrete_fields:
                if field.name not in ("id", "procedure", "valid_from", "created_at"):
                    initial[field.name] = getattr(current, field.name)
        return initial

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        versions.sync_procedure_mirror(obj.procedure)
