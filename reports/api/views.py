import re
from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.permissions import HasCapability
from core.scoping import visible_offices

from .. import exports, selectors, services
from ..errors import ReportError
from ..forms import PeriodForm
from .schema import REPORT_RESPONSES, DashboardOut, TthcCloseIn, TthcCloseOut

MONTH = re.compile(r"^(\d{4})-(\d{2})$")

FORMATS = ["json", "csv", "xlsx", "pdf"]


class TthcReport(APIView):
    """The official TTHC results report (form 06/VPCP/KSTT) for a period, computed from the dossiers."""

    permission_classes = [IsAuthenticated, HasCapability("view_reports")]

    @extend_schema(parameters=[
        OpenApiParameter("from", str, description="yyyy-mm-dd or dd/mm/yyyy (default: 1 January)"),
        OpenApiParameter("to", str, description="yyyy-mm-dd or dd/mm/yyyy (default: today)"),
        OpenApiParameter("office", str), OpenApiParameter("format", str, enum=FORMATS)],
        responses=REPORT_RESPONSES)
    def get(self, request):
        form = PeriodForm(request.query_params, user=request.user)
        fmt = request.query_params.get("format", "json")
        if fmt not in FORMATS:
            return Response({"format": [f"Định dạng phải là một trong {', '.join(FORMATS)}."]}, status=400)
        if not form.is_valid():
            return Response(form.api_errors(), status=400)
        d = form.cleaned_data
        report = selectors.report_tthc_served(user=request.user, first=d["start"], last=d["end"],
                                              office=d["office_obj"])
        return render_report(report, fmt, office=d["office_obj"] or request.user.office, user=request.user)


class TthcClose(APIView):
    """A director closes a month for an office (chốt số liệu): its form 06 is stored and served as stored."""

    permission_classes = [IsAuthenticated, HasCapability("close_report")]  # 403 before the body is read

    @extend_schema(request=TthcCloseIn, responses={201: TthcCloseOut})
    def post(self, request):
        body = TthcCloseIn(data=request.data)  # a body that is not an object, or a NUL byte, is a 400
        if not body.is_valid():
            return Response(body.errors, status=400)
        errors, month, office = {}, None, None
        match = MONTH.match(body.validated_data["month"].strip())
        if match and 1 <= int(match[2]) <= 12 and 2000 <= int(match[1]) <= 2100:
            month = date(int(match[1]), int(match[2]), 1)
        else:
            errors["month"] = [ReportError.MONTH_INVALID.format()]
        code = body.validated_data.get("office", "").strip()
        if code:
            office = visible_offices(request.user).current().filter(code=code).first()
        else:
            office = request.user.office
        if office is None:
            errors["office"] = [ReportError.OFFICE_NOT_FOUND.format(code=code)]
        if errors:
            return Response(errors, status=400)
        closure = services.report_month_close(actor=request.user, office=office, month=month)
        return Response({"office": office.code, "month": f"{closure.month:%Y-%m}",
                         "closed_at": timezone.localtime(closure.closed_at).isoformat(),
                         "closed_by": closure.closed_by_name, "totals": closure.figures["totals"]}, status=201)


def render_report(report, fmt, *, office, user):
    name = f"bao-cao-tthc-{report['from']}-{report['to']}"
    if fmt == "csv":
        return _file(exports.as_csv(report), "text/csv; charset=utf-8", f"{name}.csv")
    if fmt == "xlsx":
        return _file(exports.as_xlsx(report, office, user), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
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

    @extend_schema(responses=DashboardOut)
    def get(self, request):
        return Response(selectors.dashboard(user=request.user))
