"""Admin for CalendarOverride: Vietnamese labels, a year filter, saving rebuilds the calendar."""
from datetime import date

import pytest

from workcal import calendar
from workcal.models import CalendarOverride

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
