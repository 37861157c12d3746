from django.shortcuts import render
from django.utils import timezone

from core.permissions import capability_required
from workcal import calendar
from workcal.forms import DueDateForm
from workcal.grid import year_grid


def _year(raw, first: int, last: int) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        year = timezone.localdate().year
    return min(max(year, first), last)


@capability_required("view_calendar")
def year_view(request):
    """The working-day calendar of a year, with a due-date calculator (GET only: nothing is written)."""
    first, last = calendar.covered_years()
    year = _year(request.GET.get("year"), first, last)
    office = getattr(request.user, "office", None)
    form = DueDateForm(request.GET if "start" in request.GET else None, initial={"office": office and office.code})
    result = None
    if form.is_bound and form.is_valid():
        start, days, office = (form.cleaned_data[k] for k in ("start", "days", "office"))
        try:
            due_at = calendar.legal_due_at(start, days, office=office)
            result = {"start": start, "days": days, "office": office, "due_at": due_at,
                      "clock_start": calendar.clock_start(start, office=office),
                      "apologise_by": calendar.apologise_by(due_at, office=office)}
        except calendar.CalendarRangeError as exc:
            form.add_error("start", str(exc))
    context = {"grid": year_grid(year), "year": year, "previous_year": max(year - 1, first),
               "next_year": min(year + 1, last), "form": form, "result": result}
    return render(request, "workcal/year.html", context)
