"""Calendar years announced or provisional (DOMAIN.md §3), and the `holidays` version the engine requires."""
import tomllib
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest
import time_machine
from django.urls import reverse

from cases.models import Dossier
from tests.cases.conftest import local
from workcal import calendar, rules, years
from workcal.models import CalendarYear

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
YEARS = "/api/v1/calendar/years/"
DUE = "/api/v1/calendar/due-date/"
ADMIN = "/admin/workcal/calendaryear/"


# --- the holidays package: pinned so that DOMAIN.md's own example holds --------------------------------------

def test_pyproject_requires_holidays_0_109_or_later_below_1():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert "holidays>=0.109,<1" in deps


def test_installed_holidays_has_the_2025_swap_behind_domain_md_s_example():
    """Under holidays 0.60 the 2025 swap is missing and Thu 24/04/2025 09:00 + 2 gives Mon 28/04/2025."""
    assert rules.version_tuple(holidays.__version__) >= (0, 109)
    vn = holidays.country_holidays("VN", years=[2025])
    assert date(2025, 5, 2) in vn  # Fri 02/05/2025 off, swapped with…
    assert date(2025, 4, 26) in vn.weekend_workdays  # …Sat 26/04/2025 worked
    assert rules.is_package_working_day(date(2025, 4, 26))  # the package alone, no override
    assert calendar.legal_due_at(local(2025, 4, 24, 9, 0), 2) == local(2025, 4, 26, 9, 0)


def test_installed_holidays_has_the_2026_lunar_new_year():
    vn = holidays.country_holidays("VN", years=[2026])
    assert all(date(2026, 2, d) in vn for d in range(16, 21))  # Tết Bính Ngọ, Mon 16 – Fri 20/02/2026
    assert calendar.legal_due_at(local(2026, 2, 13, 10, 0), 1) == local(2026, 2, 23, 10, 0)


# --- the status of a year ----------------------------------------------------------------------------------

def test_2015_to_2026_are_announced_and_2027_is_provisional():
    assert years.announced_years() == set(range(2015, 2027))
    assert not years.is_provisional(local(2026, 12, 31, 16, 0))
    assert years.is_provisional(date(2027, 1, 4))
    assert years.is_provisional(local(2027, 1, 1, 0, 30))  # local time: 31/12/2026 17:30 UTC
    assert not years.is_provisional(None)


def test_calendar_years_lists_each_year_with_status_source_and_overrides(as_user, cast, override):
    override("2027-01-02", "work", "Làm bù theo thông báo 01/TB")
    body = as_user(cast["reception_hn"]).get(YEARS, {"page_size": 500}).json()
    rows = {r["year"]: r for r in body["results"]}
    assert body["count"] == len(rows) and min(rows) == 2015 and max(rows) >= 2040
    assert rows[2025]["status"] == "announced" and "holidays" in rows[2025]["source"]
    assert rows[2027]["status"] == "provisional" and rows[2027]["source"].startswith("Chưa công bố")
    assert rows[2027]["overrides"] == [{"date": "2027-01-02", "kind": "work", "note": "Làm bù theo thông báo 01/TB"}]
    assert rows[2026]["overrides"] == []
    assert set(rows[2026]) == {"year", "status", "source", "source_date", "announced_by", "announced_at",
                               "overrides"}


def test_calendar_years_needs_a_login(api):
    assert api.get(YEARS).status_code == 401


def test_due_date_api_flags_a_due_moment_in_a_provisional_year(as_user, cast):
    client = as_user(cast["reception_hn"])
    late = client.get(DUE, {"start": "2026-12-24T09:00:00+07:00", "days": 10}).json()
    assert late["due_at"].startswith("2027-01-") and late["provisional"] is True
    early = client.get(DUE, {"start": "2026-12-01T09:00:00+07:00", "days": 10}).json()
    assert early["due_at"].startswith("2026-12-") and early["provisional"] is False


# --- dossiers whose due moment falls in a provisional year ----------------------------------------------

@pytest.fixture
def due_in_2027(receive):
    with time_machine.travel(local(2026, 12, 24, 9, 0), tick=False):  # Thu 24/12/2026 + 10 working days
        d = receive("1.009020")
    assert d.legal_due_at.year == 2027
    return d


def test_dossier_api_and_page_warn_of_a_provisional_calendar(client, as_user, cast, due_in_2027):
    code = due_in_2027.code
    body = as_user(cast["reception_hn"]).get(f"/api/v1/dossiers/{code}/").json()
    assert body["provisional_calendar"] is True
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": code})).content.decode()
    assert "Hạn giải quyết rơi vào năm chưa công bố lịch nghỉ chính thức (2027)" in page
    years.calendar_year_announce(year=2027, source="Thông báo lịch nghỉ năm 2027", source_date=date(2026, 11, 20),
                                 actor=cast["admin"])
    assert as_user(cast["reception_hn"]).get(f"/api/v1/dossiers/{code}/").json()["provisional_calendar"] is False
    page = client.get(reverse("cases:detail", kwargs={"code": code})).content.decode()
    assert "năm chưa công bố lịch nghỉ" not in page


def test_a_dossier_due_in_an_announced_year_carries_no_flag(as_user, cast, receive):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        d = receive("1.009020")
    assert as_user(cast["reception_hn"]).get(f"/api/v1/dossiers/{d.code}/").json()["provisional_calendar"] is False


# --- announcing a year (the administrator, in the admin) -------------------------------------------------

def _announce_in_admin(client, **extra):
    data = {"year": "2027", "status": "announced", "source": "Thông báo 123/TB-BNV về lịch nghỉ năm 2027",
            "source_date": "20/11/2026", **extra}
    return client.post(ADMIN + "add/", data)


def test_announcing_a_year_in_the_admin_stamps_it_and_recomputes_after_commit(
        client, cast, due_in_2027, calendar_events, after_commit):
    right_due, appointment = due_in_2027.legal_due_at, due_in_2027.appointment_at
    stale = right_due + timedelta(days=3)  # a deadline computed under yesterday's calendar
    Dossier.objects.filter(pk=due_in_2027.pk).update(legal_due_at=stale)
    client.force_login(cast["admin"])
    with after_commit():
        response = _announce_in_admin(client)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Dossier.objects.get(pk=due_in_2027.pk).legal_due_at == stale  # nothing recomputed before commit
    row = CalendarYear.objects.get(year=2027)
    assert (row.status, row.announced_by, row.source_date) == ("announced", cast["admin"], date(2026, 11, 20))
    assert row.announced_at is not None
    assert len(calendar_events) == 1 and calendar_events[0][0] == date(2027, 1, 1)
    assert calendar_events[0][-1] == date(2027, 12, 31) and len(calendar_events[0]) == 365
    d = Dossier.objects.get(pk=due_in_2027.pk)
    assert d.legal_due_at == right_due and d.appointment_at == appointment  # the promise is not moved
    assert d.events.filter(action="recompute-deadline").count() == 1


def test_saving_a_year_without_changing_its_status_recomputes_nothing(cast, calendar_events,
                                                                      django_capture_on_commit_callbacks):
    row = CalendarYear.objects.get(year=2025)
    row.source = "Thông báo đã sửa"
    with django_capture_on_commit_callbacks(execute=True):
        years.calendar_year_save(instance=row, actor=cast["admin"])
    assert calendar_events == []


@pytest.mark.parametrize("who", ["director_hn", "legal"])
def test_only_the_administrator_marks_a_year_announced(client, cast, who):
    user = cast[who]
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert _announce_in_admin(client).status_code == 403
    assert not CalendarYear.objects.filter(year=2027).exists()
