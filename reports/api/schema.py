"""Response shapes of the reports API for the OpenAPI schema (issue 13, item 12): the director's dashboard,
form 06 (JSON; CSV, XLSX and PDF as files) and the month closure. Documentation only: the selectors build the
dicts, these serializers say what is in them."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from ..errors import ReportError
from ..selectors import COLUMNS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _counts(name: str, extra: dict) -> type[serializers.Serializer]:
    fields = {c: serializers.IntegerField(min_value=0) for c in COLUMNS}
    return type(name, (serializers.Serializer,), {**extra, **fields})


ReportTotals = _counts("ReportTotals", {"__doc__": "Form 06 totals: the integer counts of DOMAIN.md §6."})
ReportRow = _counts("ReportRow", {
    "__doc__": "One row of form 06: an office's procedure, with its counts.",
    "office": serializers.CharField(), "office_name": serializers.CharField(), "field": serializers.CharField(),
    "procedure": serializers.CharField(), "procedure_name": serializers.CharField(),
})


# `from` is a Python keyword, so the class is built with type().
TthcReportOut = type("TthcReportOut", (serializers.Serializer,), {
    "__doc__": "Form 06 for a period (JSON).",
    "from": serializers.DateField(), "to": serializers.DateField(),
    "office": serializers.CharField(allow_null=True, help_text="The office asked for; null = the caller's scope."),
    "rows": ReportRow(many=True), "totals": ReportTotals(),
    "closed_at": serializers.DateTimeField(allow_null=True, help_text="When the month was closed; null when open."),
    "closed_by": serializers.CharField(allow_null=True),
})


class TthcCloseIn(serializers.Serializer):
    office = serializers.CharField(required=False, allow_blank=True, max_length=20,
                                   help_text="Office code; default the caller's office.")
    month = serializers.RegexField(r"^\s*\d{4}-\d{2}\s*$", max_length=20, help_text="YYYY-MM",
                                   error_messages={"invalid": ReportError.MONTH_INVALID.message,
                                                   "required": ReportError.MONTH_INVALID.message,
                                                   "blank": ReportError.MONTH_INVALID.message})


class TthcCloseOut(serializers.Serializer):
    office = serializers.CharField()
    month = serializers.CharField(help_text="YYYY-MM")
    closed_at = serializers.DateTimeField()
    closed_by = serializers.CharField()
    totals = ReportTotals()


REPORT_RESPONSES = {
    (200, "application/json"): TthcReportOut,
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
    (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx"),
    (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="format=pdf"),
}


class DashboardTiles(serializers.Serializer):
    open = serializers.IntegerField(min_value=0)
    waiting = serializers.IntegerField(min_value=0, help_text="Online dossiers waiting to be accepted.")
    overdue = serializers.IntegerField(min_value=0)
    due_soon = serializers.IntegerField(min_value=0)
    apology_due = serializers.IntegerField(min_value=0)
    appointment_missed = serializers.IntegerField(min_value=0)
    late_to_accept = serializers.IntegerField(min_value=0)
    received_month = serializers.IntegerField(min_value=0)
    resolved_month = serializers.IntegerField(min_value=0)
    late_month = serializers.IntegerField(min_value=0)
    online_month = serializers.IntegerField(min_value=0)
    over_two_trips = serializers.IntegerField(min_value=0)
    on_time_rate = serializers.FloatField(allow_null=True, help_text="Percent; null when nothing was resolved.")
    online_rate = serializers.FloatField(allow_null=True, help_text="Percent; null when nothing was received.")
    apologies_month = serializers.IntegerField(min_value=0)


class DashboardTrend(serializers.Serializer):
    days = serializers.ListField(child=serializers.CharField(), help_text="dd/mm, the last 30 days")
    received = serializers.ListField(child=serializers.IntegerField(min_value=0))
    resolved = serializers.ListField(child=serializers.IntegerField(min_value=0))


class DashboardStatus(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    n = serializers.IntegerField(min_value=0)


class DashboardOverdue(serializers.Serializer):
    procedure = serializers.CharField()
    name = serializers.CharField()
    n = serializers.IntegerField(min_value=0)


class DashboardOfficer(serializers.Serializer):
    officer = serializers.CharField()
    username = serializers.CharField()
    supplements = serializers.IntegerField(min_value=0)
    guidance = serializers.IntegerField(min_value=0)
    over_two_trips = serializers.IntegerField(min_value=0)
    came_back = serializers.IntegerField(min_value=0)
    conduct_feedback = serializers.IntegerField(min_value=0)


class DashboardRepeat(serializers.Serializer):
    applicant = serializers.CharField(help_text="Masked ID number.")
    procedure = serializers.CharField()
    name = serializers.CharField()
    trips = serializers.IntegerField(min_value=0)


class DashboardOut(serializers.Serializer):
    tiles = DashboardTiles()
    trend = DashboardTrend()
    status = DashboardStatus(many=True)
    overdue_by_procedure = DashboardOverdue(many=True)
    officers = DashboardOfficer(many=True)
    repeat_applicants = DashboardRepeat(many=True)
