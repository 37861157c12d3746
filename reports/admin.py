from django.contrib import admin

from cases.admin import ReadOnly

from .models import ReportClosure


@admin.register(ReportClosure)
class ReportClosureAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ("office", "month", "closed_by_name", "closed_at")
    list_filter = ("month",)
    search_fields = ("office__code", "office__name")
