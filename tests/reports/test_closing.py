"""Closing a month (chốt số liệu, DOMAIN.md §6): a director stores form 06 of a past month; it is then served as
stored, with who and when; the Legal Department sees which provinces closed which months."""
import pytest
import time_machine

from reports.models import ReportClosure

from tests.cases.conftest import local

pytestmark = pytest.mark.django_db

MARCH = "/api/v1/reports/tthc/?from=2026-03-01&to=2026-03-31&office=01"


@pytest.fixture
def march(receive):
    for day in (2, 9, 16):
        with time_machine.travel(local(2026, 3, day, 9, 0), tick=False):
            receive()


def _close(api, office="01", month="2026-03"):
    return api.post("/api/v1/reports/tthc/close/", {"office": office, "month": month}, format="json")


def test_a_closed_month_is_served_as_stored_with_who_and_when(march, receive, as_user, cast):
    api = as_user(cast["director_hn"])
    with time_machine.travel(local(2026, 4, 2, 9, 0), tick=False):
        open_report = api.get(MARCH).json()
        assert open_report["closed_at"] is None and open_report["totals"]["received_total"] == 3
        response = _close(api)
        assert response.status_code == 201
        body = response.json()
        assert body["month"] == "2026-03" and body["closed_by"] == cast["director_hn"].display_name
        assert body["closed_at"].startswith("2026-04-02T09:00") and body["closed_at"].endswith("+07:00")
    # A dossier of March that reaches us later (e.g. history brought in from another system) changes what a
    # computation would say, never the closed figures.
    receive(at=local(2026, 3, 20, 9, 0))
    served = api.get(MARCH).json()
    assert served["totals"]["received_total"] == 3 and served["closed_by"] == cast["director_hn"].display_name
    assert served["rows"] == open_report["rows"]
    # A period other than the closed month is computed as usual.
    assert api.get("/api/v1/reports/tthc/?from=2026-03-01&to=2026-03-30&office=01").json()["closed_at"] is None


def test_a_month_is_closed_once_and_only_after_it_ended(march, as_user, cast):
    api = as_user(cast["director_hn"])
    with time_machine.travel(local(2026, 3, 31, 16, 0), tick=False):
        refused = _close(api)
        assert refused.status_code == 409 and refused.json()["code"] == "REPORT_MONTH_NOT_OVER"
    with time_machine.travel(local(2026, 4, 1, 8, 0), tick=False):
        assert _close(api).status_code == 201
        again = _close(as_user(cast["deputy_hn"]))
        assert again.status_code == 409 and again.json()["code"] == "REPORT_MONTH_CLOSED"
    assert ReportClosure.objects.count() == 1


@pytest.mark.parametrize("who", ["reception_hn", "processor_hn", "legal"])
def test_only_directors_close_and_they_are_refused_before_the_body_is_read(who, as_user, cast):
    response = as_user(cast[who]).post("/api/v1/reports/tthc/close/", {"month": "not-a-month"}, format="json")
    assert response.status_code == 403


def test_bad_input_and_other_provinces_are_400s(as_user, cast):
    api = as_user(cast["director_hcm"])
    with time_machine.travel(local(2026, 4, 2, 9, 0), tick=False):
        assert set(_close(api, office="79", month="2026-13").json()) == {"month"}
        assert set(_close(api, office="01").json()) == {"office"}  # Hà Nội is outside HCM's scope
        assert _close(api, office="79").status_code == 201


def test_the_director_closes_from_the_report_page_and_legal_sees_it(march, client, cast):
    client.force_login(cast["director_hn"])
    with time_machine.travel(local(2026, 4, 2, 9, 0), tick=False):
        page = client.get("/bao-cao/tthc/?from=01/03/2026&to=31/03/2026").content.decode()
        assert "Chốt số liệu tháng 03/2026" in page
        response = client.post("/bao-cao/tthc/chot-so-lieu/", {"office": "01", "month": "2026-03"}, follow=True)
        page = response.content.decode()
        assert "Đã chốt số liệu tháng 03/2026" in page and "02/04/2026 09:00" in page
        assert "Chốt số liệu tháng 03/2026" not in page
    client.force_login(cast["legal"])
    oversight = client.get("/giam-sat/?from=01/01/2026&to=30/04/2026").content.decode()
    row = next(line for line in oversight.splitlines() if "BHXH thành phố Hà Nội" in line)
    assert "03/2026" in row
