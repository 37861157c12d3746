from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import permissions

from . import years
from .forms import CalendarOverrideForm
from .grid import WEEKDAYS
from .models import CalendarOverride, CalendarYear


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


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    """An administrator marks a year announced with the Government's notice; saving recomputes the open
    deadlines after commit (workcal.years.calendar_year_save). Only the administrator may change it."""

    list_display = ["year", "status", "source", "source_date", "announced_by", "announced_at"]
    list_filter = ["status"]
    ordering = ["-year"]
    fields = ["year", "status", "source", "source_date", "announced_by", "announced_at"]
    readonly_fields = ["announced_by", "announced_at"]
    actions = ["mark_announced"]

    def _is_admin(self, request):
        return permissions.can_announce_calendar_year(request.user)

    def has_add_permission(self, request):
        return self._is_admin(request)

    def has_change_permission(self, request, obj=None):
        return self._is_admin(request)

    def has_delete_permission(self, request, obj=None):
        return False  # a year goes back to provisional by its status, never by losing its history

    def save_model(self, request, obj, form, change):
        years.calendar_year_save(instance=obj, actor=request.user)

    @admin.action(description=_("Đánh dấu đã công bố"), permissions=["change"])
    def mark_announced(self, request, queryset):
        for row in queryset.order_by("pk"):
            row.status = CalendarYear.Status.ANNOUNCED
            years.calendar_year_save(instance=row, actor=request.user)
