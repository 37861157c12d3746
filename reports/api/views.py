from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import HasCapability

from .. import exports, selectors
from ..forms import PeriodForm

FORMATS = ["json", "csv", "xlsx", "pdf"]


class TthcReport(APIView):
    """The official TTHC results report (form 06/VPCP/KSTT) for a period, computed from the dossiers."""

    permission_classes = [IsAuthenticated, HasCapability("view_reports")]

    @extend_schema(parameters=[
        OpenApiParameter("from", str, description="yyyy-mm-dd or dd/mm/yyyy (default: 1 January)"),
        OpenApiParameter("to", str, description="yyyy-mm-dd or dd/mm/yyyy (default: today)"),
        OpenApiParameter("office", str), OpenApiParameter("format", str, enum=FORMATS)])
    def get(self, request):
        form = PeriodForm(request.query_params, user=request.user)
        fmt = request.query_params.get("format", "json")
        if fmt not in FORMATS:
            return Response({"format": [f"Định dạng phải là một trong {', '.join(FORMATS)}."]}, status=400)
        if not form.is_valid():
            return Response(form.api_errors(), status=400)
        d = form.cleaned_data
        report = selectors.report_tthc(user=request.user, first=d["start"], last=d["end"], office=d["office_obj"])
        return render_report(report, fmt, office=d["office_obj"] or request.user.office, user=request.user)


def render_report(report, fmt, *, office, user):
    name = f"bao-cao-tthc-{report['from']}-{report['to']}"
    if fmt == "csv":
        return _file(exports.as_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _file(exports.as_xlsx(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"{name}.xlsx")
    if fmt == "pdf":
        return _file(exports.as_pdf(report, office, user), "application/pdf", f"{name}.pdf")
    return Response(report)


def _file(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class Dashboard(APIView):
    """The director's figures for the caller's scope."""

    permission_classes = [IsAuthenticated, HasCapability("view_dashboard")]

    def get(self, request):
        return Response(selectors.dashboard(user=request.user))
