from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cases.catalogue import short_name
from core.errors import DomainError
from core.permissions import can_close_report, capability_required
from core.scoping import visible_offices

from . import oversight_table, satisfaction, selectors, services
from .api.views import render_report
from .forms import PeriodForm


@capability_required("view_reports")
def tthc(request):
    form = PeriodForm(request.GET, user=request.user)
    report = None
    if form.is_valid():
        d = form.cleaned_data
        report = selectors.report_tthc_served(user=request.user, first=d["start"], last=d["end"],
                                              office=d["office_obj"])
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx", "pdf"):
            return render_report(report, fmt, office=d["office_obj"] or request.user.office, user=request.user)
    return render(request, "reports/tthc.html", {"form": form, "report": report, "query": request.GET.urlencode(),
                                                 "closable": _closable(request.user, form, report),
                                                 "closed_at": parse_datetime((report or {}).get("closed_at") or "")},
                  status=200 if report is not None else 400)


def _closable(user, form, report):
    """The month and office the "Chốt số liệu" button would close, when the period shown is one whole past month
    of one office that the user may close and nobody has closed yet."""
    if report is None or report.get("closed_at"):
        return None
    d = form.cleaned_data
    office = d["office_obj"] or (None if user.sees_all_offices else user.office)
    first, last = d["start"], d["end"]
    if office is None or (first.day, selectors.month_bounds(first)[1]) != (1, last):
        return None
    if not can_close_report(user, office) or selectors.Period.of(first, last).end > timezone.now():
        return None
    return {"office": office, "month": f"{first:%Y-%m}", "label": f"{first:%m/%Y}"}


@capability_required("close_report")
@require_POST
def tthc_close(request):
    office = visible_offices(request.user).current().filter(code=request.POST.get("office", "")).first()
    try:
        year, month = (int(x) for x in request.POST.get("month", "").split("-"))
        first = date(year, month, 1)
    except ValueError:
        first = None
    if office is None or first is None:
        messages.error(request, _("Yêu cầu chốt số liệu không hợp lệ."))
        return redirect("reports:tthc")
    try:
        closure = services.report_month_close(actor=request.user, office=office, month=first)
        messages.success(request, _("Đã chốt số liệu tháng %(month)s của %(office)s.")
                         % {"month": f"{closure.month:%m/%Y}", "office": office.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    last = selectors.month_bounds(first)[1]
    query = urlencode({"from": f"{first:%d/%m/%Y}", "to": f"{last:%d/%m/%Y}", "office": office.code})
    return redirect(f"{reverse('reports:tthc')}?{query}")


@capability_required("view_dashboard")
def dashboard(request):
    data = selectors.dashboard(user=request.user)
    for row in data["overdue_by_procedure"]:  # bars read by name, not code (issue 12)
        row["short"] = short_name(row["name"])
    return render(request, "reports/dashboard.html", {
        "data": data,
        "satisfaction": satisfaction.by_officer(user=request.user, since=timezone.localdate() - timedelta(days=90))})


@capability_required("view_oversight")
def oversight(request):
    form = PeriodForm(request.GET, user=request.user)
    rows, shown = None, None
    if form.is_valid():
        first, last = form.cleaned_data["start"], form.cleaned_data["end"]
        rows = selectors.oversight(user=request.user, first=first, last=last)
        rated = satisfaction.by_province(user=request.user, first=first, last=last)
        for row in rows:
            row["satisfaction"] = rated.get(row["office"])
        shown = oversight_table.table(rows, first=first, last=last, sort=request.GET.get("sort", ""))
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(oversight_table.as_xlsx(shown, first=first, last=last), content_type=XLSX)
            response["Content-Disposition"] = f'attachment; filename="giam-sat-{first}-{last}.xlsx"'
            return response
    query = request.GET.copy()
    query.pop("sort", None)
    query.pop("format", None)
    return render(request, "reports/oversight.html", {"form": form, "rows": rows, "table": shown,
                                                       "query": query.urlencode()},
                  status=200 if rows is not None else 400)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
