from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import CalendarOverrideForm
from .grid import WEEKDAYS
from .models import CalendarOverride


class YearFilter(admin.SimpleListFilter):
    title = _("năm")
    parameter_name = "nam"

    def lookups(self, request, model_admin):
        years = sorted({d.year for d in CalendarOverride.objects.values_list("date", flat=True)}, reverse=True)
        return [(str(y), str(y)) for y in years]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(date__year=int(self.value()))
        return queryset


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    """Saving or deleting a row rebuilds the working-day table from its year on; the open deadlines it moves
    are recomputed by a Celery task queued on commit (cases.tasks.recompute_deadlines), not in this request."""

    form = CalendarOverrideForm
    list_display = ["date_display", "weekday", "kind", "note", "updated_at"]
    list_filter = [YearFilter, "kind"]
    search_fields = ["note", "date"]
    date_hierarchy = "date"
    ordering = ["-date"]
    fields = ["date", "kind", "note"]

    @admin.display(description=_("ngày"), ordering="date")
    def date_display(self, obj):
        return obj.date.strftime("%d/%m/%Y")

    @admin.display(description=_("thứ"))
    def weekday(self, obj):
        return WEEKDAYS[obj.date.weekday()]
