"""Demo portal data without the network: the sample pages in fixtures/national_portal/ go through the very
code path of a pull (validation, storing, quarantine), so the demo has online dossiers and PAKN items.
Idempotent: a second run finds every code stored and changes nothing. The pull cursors are left alone, so the
sandbox's own stream is still pulled from its start."""
import json
from pathlib import Path

from django.conf import settings

from core.models import Office

from .services import store_dossier_page, store_pakn_page

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "national_portal"
DEMO_AGENCY = "000.00.01.G13"  # BHXH thành phố Hà Nội in core.demo


def _items(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))["result"]


def seed(stdout=None):
    office = Office.objects.filter(agency_code=DEMO_AGENCY).first()
    if office is None:
        if stdout:
            stdout.write(f"  portal.demo: no office with agency code {DEMO_AGENCY}, skipped")
        return
    dossiers = store_dossier_page(office=office, items=_items("dossiers_page_1.json"))
    pakn = store_pakn_page(office=office, items=_items("pakn_page_1.json"))
    if stdout:
        stdout.write(f"  portal.demo: {dossiers.stored} dossiers and {pakn.stored} PAKN items stored "
                     f"({dossiers.already + pakn.already} already there)")
