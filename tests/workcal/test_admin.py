"""Admin for CalendarOverride: Vietnamese labels, a year filter, saving rebuilds the calendar."""
from datetime import date

import pytest

from workcal import calendar
from workcal.models import CalendarOverride

from .helpers import at

pytestmark = pytest.mark.django_db

URL = "/admin/workcal/calendaroverride/"


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast["admin"])
    return client


def test_admin_add_override_rebuilds_the_calendar_and_fires_calendar_changed(admin_client, calendar_events):
    response = admin_client.post(URL + "add/", {"date": "10/03/2026", "kind": "off", "note": "Nghỉ bù"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert CalendarOverride.objects.get().date == date(2026, 3, 10)
    assert not calendar.is_working_day(date(2026, 3, 10))
    assert calendar_events == [[date(2026, 3, 10)]]


def test_admin_save_runs_bounded_queries_touches_no_dossier_and_queues_the_recompute(
        admin_client, receive, django_capture_on_commit_callbacks, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import tasks

    for hour in (8, 9, 10, 14, 15):  # open dossiers whose clocks span the new day off
        receive(at=at(2026, 3, 2, hour, 0))
    queued = []
    monkeypatch.setattr(tasks.recompute_deadlines, "delay", lambda **kwargs: queued.append(kwargs))
    admin_client.get(URL)  # session, user and permissions warm, as in any later request
    with django_capture_on_commit_callbacks(execute=True), CaptureQueriesContext(connection) as queries:
        response = admin_client.post(URL + "add/", {"date": "10/03/2026", "kind": "off", "note": "Nghỉ bù"})
    assert response.status_code == 302, response.content.decode()[:2000]
    sql = [q["sql"] for q in queries]
    assert not [s for s in sql if "cases_" in s]             # no dossier is read or written in the request
    assert len(sql) <= 30, "\n".join(sql)                    # independent of how many dossiers are open
    assert queued == [{"dates": ["2026-03-10"]}]              # the recompute runs in Celery after commit


def test_admin_refuses_an_override_outside_the_covered_years(admin_client):
    response = admin_client.post(URL + "add/", {"date": "04/06/2012", "kind": "off", "note": ""})
    assert response.status_code == 200
    assert "2015–2040" in response.content.decode()
    assert not CalendarOverride.objects.exists()


def test_admin_list_by_year_and_search_with_vietnamese_labels(admin_client, override):
    override("2025-12-27", "work", "Làm bù năm 2025")
    override("2026-03-10", "off", "Nghỉ theo thông báo 123/TB")
    html = admin_client.get(URL, {"nam": "2026"}).content.decode()
    assert "10/03/2026" in html and "27/12/2025" not in html
    assert "Thứ Ba" in html and "Ngày nghỉ" in html
    html = admin_client.get(URL, {"q": "123/TB"}).content.decode()
    assert "10/03/2026" in html and "27/12/2025" not in html
    html = admin_client.get(URL + "add/").content.decode()
    assert "Loại ngày" in html and "Ghi chú" in html
