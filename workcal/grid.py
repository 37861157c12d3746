"""The year as twelve month grids for the calendar page (presentation of workcal.calendar; no rules here)."""
from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date

from django.utils.translation import gettext_lazy as _, gettext_noop

from . import calendar

WEEKDAYS = [_("Thứ Hai"), _("Thứ Ba"), _("Thứ Tư"), _("Thứ Năm"), _("Thứ Sáu"), _("Thứ Bảy"), _("Chủ nhật")]
# Translated by the template ({% translate h %}); marked here so that makemessages extracts them.
WEEKDAY_HEADERS = [
    gettext_noop("T2"), gettext_noop("T3"), gettext_noop("T4"), gettext_noop("T5"), gettext_noop("T6"),
    gettext_noop("T7"), gettext_noop("CN")]


def _cell(d: date, month: int, working: bool, names: dict) -> dict | None:
    if d.month != month:
        return None
    weekend = d.weekday() >= 5
    if working:
        css = "makeup" if weekend else ""
    elif d in names or not weekend:
        css = "off"
    else:
        css = "weekend"
    return {"date": d, "day": d.day, "css": css, "title": names.get(d, "")}


def year_grid(year: int) -> dict:
    """{"months": [{"number", "weeks": [[cell | None] * 7]}], "days_off", "makeup_working_days"} where a cell
    is {"date", "day", "css": "off"|"weekend"|"makeup"|"", "title"}. Weeks start on Monday."""
    listing = calendar.year_calendar(year)
    names = {row["date"]: row["name"] for row in listing["days_off"] + listing["makeup_working_days"]}
    months = []
    with calendar.pinned():  # one version check for the ~370 days below
        for month in range(1, 13):
            weeks = stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
            months.append({
                "number": month,
                "weeks": [[_cell(d, month, d.month == month and calendar.is_working_day(d), names) for d in week]
                          for week in weeks],
            })
    return {"year": year, "months": months, "weekday_headers": WEEKDAY_HEADERS,
            "days_off": listing["days_off"], "makeup_working_days": listing["makeup_working_days"]}
