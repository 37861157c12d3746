"""The working-day rule as pure functions (no database): what the law and the `holidays` package say.

Working day (DOMAIN.md §3; Labour Code 2019 Art. 111–112; the Government's yearly swap notices):
Monday–Friday, minus public holidays (incl. the substitute days off the Government swaps), plus the
make-up working days (a Saturday declared a working day), and finally an administrator's override wins.

Everything here is deterministic for a given `holidays` version, so the package part is memoised.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from functools import lru_cache

import holidays

OFF = "off"
WORK = "work"

SOURCE_PACKAGE = "holidays"
SOURCE_OVERRIDE = "override"

# Years the calendar may cover at all; the `holidays` VN data is meaningless outside.
MIN_YEAR = 2000
MAX_YEAR = 2100


def holidays_version() -> str:
    return holidays.__version__


def version_tuple(raw: str) -> tuple[int, ...]:
    """'0.109' → (0, 109); anything unparsable sorts first."""
    try:
        return tuple(int(part) for part in raw.split("."))
    except (AttributeError, ValueError):
        return ()


@dataclass(frozen=True)
class PackageYear:
    """What the `holidays` package says about one year: {date: Vietnamese name} for days off and make-up days."""

    days_off: dict
    makeup: dict


@lru_cache(maxsize=256)
def package_year(year: int) -> PackageYear:
    """Public holidays and make-up working days of `year` from `holidays.country_holidays("VN")`.

    The package lists make-up days (`weekend_workdays`) next to the year of the holiday they pay for, which
    is not always the same calendar year (31/12/2018 off ↔ Sat 05/01/2019 worked), so neighbours are loaded
    and only dates inside `year` are kept.
    """
    vn = holidays.country_holidays("VN", years=range(year - 1, year + 2), language="vi")
    days_off = {d: name for d, name in vn.items() if d.year == year}
    makeup = {}
    for d in sorted(vn.weekend_workdays):
        if d.year != year:
            continue
        paid = [off for off, name in vn.items() if d.strftime("%d/%m/%Y") in name]
        makeup[d] = (f"Ngày làm việc bù cho ngày nghỉ {paid[0].strftime('%d/%m/%Y')}" if paid
                     else "Ngày làm việc bù")
    return PackageYear(days_off=days_off, makeup=makeup)


def is_package_working_day(d: date) -> bool:
    """The package's answer alone: Mon–Fri not a holiday, or a make-up weekend day."""
    year = package_year(d.year)
    if d in year.makeup:
        return True
    return d.weekday() < 5 and d not in year.days_off


def is_working_day(d: date, overrides: dict) -> bool:
    """The full rule for one day. `overrides` maps date → OFF/WORK (the administrator's table wins)."""
    kind = overrides.get(d)
    if kind is not None:
        return kind == WORK
    return is_package_working_day(d)


def working_days(first_year: int, last_year: int, overrides: dict) -> list[date]:
    """All working days of the years first_year..last_year, in order."""
    day, end = date(first_year, 1, 1), date(last_year, 12, 31)
    out = []
    while day <= end:
        if is_working_day(day, overrides):
            out.append(day)
        day += timedelta(days=1)
    return out


def year_listing(year: int, overrides: dict, notes: dict) -> dict:
    """Days off and make-up working days of `year` with their names and where the rule comes from.

    days_off: the package's public holidays (also those falling on a weekend: they are still holidays) not
    overridden to "work", plus every "off" override. makeup_working_days: the package's make-up days not
    overridden to "off", plus "work" overrides on a day that would otherwise not be worked.
    """
    pkg = package_year(year)
    off, makeup = {}, {}
    for d, name in pkg.days_off.items():
        if overrides.get(d) != WORK:
            off[d] = (name, SOURCE_PACKAGE)
    for d, name in pkg.makeup.items():
        if overrides.get(d) != OFF:
            makeup[d] = (name, SOURCE_PACKAGE)
    for d, kind in overrides.items():
        if d.year != year:
            continue
        note = notes.get(d) or ""
        if kind == OFF:
            makeup.pop(d, None)
            off[d] = (note or pkg.days_off.get(d) or "Ngày nghỉ theo điều chỉnh của quản trị", SOURCE_OVERRIDE)
        elif not is_package_working_day(d):
            makeup[d] = (note or "Ngày làm việc theo điều chỉnh của quản trị", SOURCE_OVERRIDE)

    def rows(items):
        return [{"date": d, "name": name, "source": source} for d, (name, source) in sorted(items.items())]

    return {"year": year, "days_off": rows(off), "makeup_working_days": rows(makeup)}


# --- Office hours ---------------------------------------------------------------------------------------

def parse_hours(spans) -> tuple[tuple[time, time], ...]:
    """[("07:30", "11:30"), ...] or [(time, time), ...] → sorted, validated tuple of (time, time).

    Our default (DOMAIN.md §3): 07:30–11:30 and 13:00–17:00; an office may set its own.
    """
    parsed = []
    for start, end in spans:
        s = start if isinstance(start, time) else time.fromisoformat(str(start))
        e = end if isinstance(end, time) else time.fromisoformat(str(end))
        if s >= e:
            raise ValueError(f"office-hours span {s}-{e} ends before it starts")
        parsed.append((s.replace(tzinfo=None), e.replace(tzinfo=None)))
    parsed.sort()
    if not parsed:
        raise ValueError("office hours need at least one span")
    for (_, prev_end), (next_start, _) in zip(parsed, parsed[1:]):
        if next_start < prev_end:
            raise ValueError("office-hours spans overlap")
    return tuple(parsed)
