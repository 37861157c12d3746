"""The year as twelve month grids for the calendar page (presentation of workcal.calendar; no rules here)."""
from __future__ import annotations

import calendar as stdlib_calendar
from datetime import date

from . import calendar

WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
WEEKDAY_HEADERS = ["T2", "T3", "T4", "T5", "T6", "T7", "CN"]


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
