"""One slip-number shape for every slip kind (issue 12): `12/2026/PXL-BHXH-HN` — number/year/KIND-BHXH-<office>,
numbered per office, kind and year, on every slip including the receipt (Form 01 had no "Số"). The issue saw four
shapes: `1/YCBS`, `2/PXL-BHXH`, `79-TC-2026-00001`, `79-YCBS-2026-00001`."""
import re
from datetime import datetime, time

import pytest
import time_machine
from django.utils import timezone

from cases import services
from cases.links import slip_url
from cases.services import apology
from workcal import calendar

from .conftest import local
from .test_slips import get_pdf

pytestmark = pytest.mark.django_db
SHAPE = re.compile(r"^\d+/\d{4}/(TNHS|YCBS|TC|PXL)-BHXH-[A-Z]+$")


def _number(client, url):
    _, text = get_pdf(client, url)
    match = re.search(r"Số: (\S+)", text)
    assert match, text[:300]
    return match.group(1)


def test_every_slip_kind_has_one_number_shape_per_office_kind_and_year(receive, cast, client, procedures):
    client.force_login(cast["director_hn"])
    with time_machine.travel(local(2026, 11, 2, 9, 0), tick=False):
        first, second = receive(at=local(2026, 11, 2, 8, 0)), receive(at=local(2026, 11, 2, 8, 5), id_number="001085012346")
        hcm = receive(at=local(2026, 11, 2, 8, 0), officer="reception_hcm", id_number="079085012347")
        first = services.dossier_request_supplement(actor=cast["reception_hn"], dossier=first, reason="Thiếu",
                                                    documents=["Tờ khai"])
        guidance = services.intake_guidance_issue(actor=cast["reception_hn"], kind="supplement",
                                                  procedure=procedures["1.009020"], reason="Thiếu giấy tờ",
                                                  applicant={"name": "Lê Văn B", "id_number": "001085012348"},
                                                  documents=["Tờ khai"])
        refusal = services.intake_guidance_issue(actor=cast["reception_hn"], kind="refusal",
                                                 procedure=procedures["1.009020"], reason="Không thuộc thẩm quyền",
                                                 applicant={"name": "Lê Văn C", "id_number": "001085012349"},
                                                 documents=[])
        second = services.dossier_refuse(actor=cast["reception_hn"], dossier=second, reason="Không đủ điều kiện")
        started = services.dossier_start(actor=cast["reception_hn"], dossier=receive(
            at=local(2026, 11, 2, 8, 30), id_number="001085012350"))
    new_day = calendar.add_working_days(max(timezone.localdate(), timezone.localtime(started.appointment_at).date()), 3)
    slip = apology.apology_slip_issue(actor=cast["director_hn"], dossier=started, reason="Chờ xác minh",
                                      new_appointment_at=timezone.make_aware(datetime.combine(new_day, time(9, 0))))
    numbers = {
        "receipt": _number(client, slip_url("receipt", first, pdf=True)),
        "receipt 2": _number(client, slip_url("receipt", second, pdf=True)),
        "supplement": _number(client, slip_url("supplement", first.supplement_requests.get(), pdf=True)),
        "desk supplement": _number(client, slip_url("guidance", guidance, pdf=True)),
        "desk refusal": _number(client, slip_url("guidance", refusal, pdf=True)),
        "refusal": _number(client, slip_url("refusal", second, pdf=True)),
        "apology": _number(client, slip_url("apology", slip, pdf=True)),
    }
    assert all(SHAPE.match(n) for n in numbers.values()), numbers
    assert numbers["receipt"] == "1/2026/TNHS-BHXH-HN" and numbers["receipt 2"] == "2/2026/TNHS-BHXH-HN"
    # Form 02 at the desk and during processing share one series; so do the two Form 03.
    assert (numbers["supplement"], numbers["desk supplement"]) == ("1/2026/YCBS-BHXH-HN", "2/2026/YCBS-BHXH-HN")
    assert (numbers["desk refusal"], numbers["refusal"]) == ("1/2026/TC-BHXH-HN", "2/2026/TC-BHXH-HN")
    assert numbers["apology"] == f"1/{timezone.localdate().year}/PXL-BHXH-HN"
    client.force_login(cast["reception_hcm"])
    assert _number(client, slip_url("receipt", hcm, pdf=True)) == "1/2026/TNHS-BHXH-HCM"  # per office
    # The desk slip's page is found by its number, slashes and all.
    client.force_login(cast["reception_hn"])
    assert client.get(slip_url("guidance", guidance)).status_code == 200
