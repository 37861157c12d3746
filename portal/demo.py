"""Demo portal data without the network: the sample pages in fixtures/national_portal/ go through the very
code path of a pull (validation, storing, quarantine), so the demo has online dossiers and PAKN items.
Idempotent: a second run finds every code stored and changes nothing. The pull cursors are left alone, so the
sandbox's own stream is still pulled from its start."""
import json
from datetime import date, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from core.models import Office

from .services import store_dossier_page, store_pakn_page

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "national_portal"
DEMO_AGENCY = "000.00.01.G13"  # BHXH thành phố Hà Nội in core.demo


def _items(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["result"]


def _anchor() -> date:
    """The demo's "today": the day of the latest desk demo dossier (seeded once, so a later `seed_demo` finds the
    same codes), else today."""
    from cases.models import Dossier

    latest = Dossier.objects.filter(source="desk").aggregate(m=Max("received_at"))["m"]
    return timezone.localtime(latest).date() if latest else timezone.localdate()


def _recent(items, date_field, code_field, code_date_format):
    """The sample pages are from May 2020: the demo moves each item to a working day of the last weeks (same
    clock time, same order, same gaps), and its code's date with it, so that the desk shows recent online
    dossiers (issue 12)."""
    from workcal import calendar

    stamps = [datetime.strptime(item[date_field], "%Y%m%d%H%M%S") for item in items]
    days, day = {}, _anchor()
    for old_day in sorted({stamp.date() for stamp in stamps}, reverse=True):  # one working day back each
        day -= timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= timedelta(days=1)
        days[old_day] = day
    out = []
    for item, stamp in zip(items, stamps):
        moved = datetime.combine(days[stamp.date()], stamp.time())
        old, new = stamp.strftime(code_date_format), moved.strftime(code_date_format)
        code = item[code_field].replace(old, new, 1)
        if code_field == "MaHoSo":  # numbered from 0501 so as not to take the desk demo's numbers of that day
            head, _, number = code.rpartition("-")
            code = f"{head}-{500 + int(number):04d}"
        out.append({**item, date_field: moved.strftime("%Y%m%d%H%M%S"), code_field: code})
    return out


def seed(stdout=None):
    office = Office.objects.filter(agency_code=DEMO_AGENCY).first()
    if office is None:
        if stdout:
            stdout.write(f"  portal.demo: no office with agency code {DEMO_AGENCY}, skipped")
        return
    dossiers = store_dossier_page(office=office, items=_recent(_items("dossiers_page_1.json"), "NgayNopHoSo",
                                                               "MaHoSo", "%y%m%d"))
    pakn = store_pakn_page(office=office, items=_recent(_items("pakn_page_1.json"), "NgayGui", "MaPAKN", "%Y%m%d"))
    if stdout:
        stdout.write(f"  portal.demo: {dossiers.stored} dossiers and {pakn.stored} PAKN items stored "
                     f"({dossiers.already + pakn.already} already there)")
