"""Edge cases found in review: out-of-range dates are 400s, paused dossiers are not overdue in the report,
open process steps follow the clock, slip numbering survives, office hours are validated."""
from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from cases import services
from cases.models import IntakeGuidance, ProcessStep
from reports.selectors import report_tthc

from .conftest import local

pytestmark = pytest.mark.django_db

INTAKE = {"procedure": "1.009020", "channel": "direct",
          "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "kind": "citizen"}}


@pytest.mark.parametrize("method,url,body", [
    ("post", "/api/v1/dossiers/", {**INTAKE, "received_at": "1999-05-05T09:00:00+07:00"}),
    ("post", "/api/v1/dossiers/", {**INTAKE, "received_at": "0001-01-01T00:00:00"}),
    ("get", "/api/v1/reports/tthc/?from=9999-12-31&to=9999-12-31", None),
])
def test_out_of_range_dates_are_400_not_500(as_user, cast, procedures, method, url, body):
    api = as_user(cast["director_hn"] if "reports" in url else cast["reception_hn"])
    response = api.post(url, body, format="json") if method == "post" else api.get(url)
    assert response.status_code == 400, response.content


def test_apology_date_overflow_is_a_400(as_user, cast, receive):
    dossier = receive(at=local(2025, 6, 2, 9, 0))
    response = as_user(cast["director_hn"]).post(f"/api/v1/dossiers/{dossier.code}/apology-slips/",
                                                 {"reason": "Chậm", "new_appointment_at": "0001-01-01T00:00"},
                                                 format="json")
    assert response.status_code == 400


def test_tracking_book_far_future_is_a_message(client, cast):
    client.force_login(cast["reception_hn"])
    response = client.get("/so-theo-doi-ho-so/?from=31/12/9999&to=31/12/9999")
    assert response.status_code == 400 and "2000–2100" in response.content.decode()


def test_a_dossier_waiting_for_papers_is_within_time_in_the_report(receive, cast):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 3, 4, 9, 0), tick=False):
        d = services.dossier_request_supplement(actor=officer, dossier=receive(at=local(2025, 3, 3, 9, 0)),
                                                reason="Thiếu", documents=["Tờ khai"])
    row = report_tthc(user=cast["director_hn"], first=date(2025, 3, 1), last=date(2025, 3, 31))["totals"]
    assert (row["in_progress_total"], row["in_progress_overdue"], row["in_progress_within"]) == (1, 0, 1)
    assert not d.is_overdue


def test_open_steps_follow_the_clock_after_a_supplement(receive, cast, procedures):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 3, 3, 9, 30), tick=False):
        d = services.dossier_start(actor=officer, dossier=receive("1.009003", at=local(2025, 3, 3, 9, 0),
                                                                   channel="postal"))
    with time_machine.travel(local(2025, 3, 6, 9, 0), tick=False):  # the last moment of the 3-day window
        d = services.dossier_request_supplement(actor=officer, dossier=d, reason="Thiếu", documents=["A"])
    with time_machine.travel(local(2025, 3, 12, 9, 0), tick=False):
        d = services.dossier_supplement_received(actor=officer, dossier=d)
    with time_machine.travel(local(2025, 3, 14, 9, 0), tick=False):
        d = services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    step = ProcessStep.objects.get(dossier=d, unit=services.PROCESSING_UNIT)
    # The processing unit's own budget follows the restarted clock: the legal due moment less the 0.5 working day
    # of the return to the desk (DOMAIN.md §2.2).
    assert d.legal_due_at == local(2025, 3, 19, 9, 0)
    assert step.due_at == local(2025, 3, 18, 14, 30)
    assert step.result == "early"


def test_desk_slip_numbers_continue_after_a_gap(cast, procedures):
    applicant = {"name": "A", "id_number": "001085012345"}

    def issue():
        return services.intake_guidance_issue(actor=cast["reception_hn"], kind="supplement",
                                              procedure=procedures["1.009020"], applicant=applicant,
                                              reason="Thiếu", documents=["Tờ khai"]).number

    first, second = issue(), issue()
    IntakeGuidance.objects.filter(number=first).delete()
    third = issue()
    year = first.split("/")[1]
    assert [first, second, third] == [f"{n}/{year}/YCBS-BHXH-HN" for n in (1, 2, 3)]


def test_office_hours_are_validated(offices):
    office = offices["01"]
    for bad in (["07:30-17:00"], [["17:00", "07:30"]], [["07:30", "12:00"], ["11:00", "17:00"]]):
        office.office_hours = bad
        with pytest.raises(ValidationError):
            office.clean()
    office.office_hours = [["08:00", "12:00"], ["13:30", "17:30"]]
    office.clean()


def test_offices_list_is_current_on_each_request(as_user, cast, offices):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import Office

    Office.objects.create(code="99", name="BHXH mới", level="province", parent=offices["00"],
                          valid_from=timezone.localdate() + timedelta(days=2))
    api = as_user(cast["reception_hn"])
    assert "99" not in {o["code"] for o in api.get("/api/v1/offices/?page_size=500").json()["results"]}
    with time_machine.travel(timezone.now() + timedelta(days=3)):
        assert "99" in {o["code"] for o in api.get("/api/v1/offices/?page_size=500").json()["results"]}
