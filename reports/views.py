from django.shortcuts import render

from core.permissions import capability_required

from . import selectors
from .api.views import render_report
from .forms import PeriodForm

@capability_required("view_reports")
def tthc(request):
    form = PeriodForm(request.GET, user=request.user)
    report = None
    if form.is_valid():
        d = form.cleaned_data
        report = selectors.report_tthc(user=request.user, first=d["start"], last=d["end"], office=d["office_obj"])
        fmt = request.GET.get("format")
        if fmt in ("csv", "xlsx", "pdf"):
            return render_report(report, fmt, office=d["office_obj"] or request.user.office, user=request.user)
    return render(request, "reports/tthc.html", {"form": form, "report": report,
                                                 "query": request.GET.urlencode()},
                  status=200 if report is not None else 400)


@capability_required("view_dashboard")
def dashboard(request):
    return render(request, "reports/dashboard.html", {"data": selectors.dashboard(user=request.user)})


@capability_required("view_oversight")
def oversight(request):
    form = PeriodForm(request.GET, user=request.user)
    rows = None
    if form.is_valid():
        rows = selectors.oversight(user=request.user, first=form.cleaned_data["start"], last=form.cleaned_data["end"])
    return render(request, "reports/oversight.html", {"form": form, "rows": rows},
                  status=200 if rows is not None else 400)
