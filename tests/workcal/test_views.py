"""The calendar page /lich-lam-viec/ (workcal:year)."""
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(client, cast):
    client.force_login(cast["reception_hn"])

    def get(**query):
        return client.get(reverse("workcal:year"), query)

    return get


def _cell(html, iso):
    match = re.search(rf'<td class="([^"]*)"[^>]*><time datetime="{iso}">', html)
    return match.group(1) if match else None


def test_calendar_page_requires_login(client, db):
    response = client.get(reverse("workcal:year"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_calendar_page_url_is_lich_lam_viec():
    assert reverse("workcal:year") == "/lich-lam-viec/"


def test_calendar_page_shows_twelve_months_and_the_days_off_of_the_year(page):
    html = page(year=2026).content.decode()
    assert "Lịch làm việc năm 2026" in html
    assert html.count("<caption>") == 12
    assert "Tháng 12" in html
    assert "16/02/2026" in html and "Mùng hai Tết Nguyên Đán" in html
    assert "24/11/2026" in html
    assert "22/08/2026" in html and "Ngày làm việc bù" in html
    assert _cell(html, "2026-02-17") == "off"
    assert _cell(html, "2026-08-22") == "makeup"
    assert _cell(html, "2026-03-07") == "weekend"
    assert _cell(html, "2026-03-10") == ""
    assert "?year=2025" in html and "?year=2027" in html


def test_calendar_page_bad_year_falls_back_to_this_year(page):
    from django.utils import timezone

    response = page(year="abc")
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_calendar_page_calculator_shows_the_due_moment(page):
    html = page(year=2025, start="2025-04-24T09:00", days=2).content.decode()
    assert '<strong id="due-at">26/04/2025 09:00</strong>' in html
    assert "25/04/2025 09:00" in html  # apologise by


def test_calendar_page_calculator_accepts_dd_mm_yyyy_and_an_office(page, offices):
    office = offices["01"]
    office.office_hours = [["08:00", "12:00"], ["13:30", "17:30"]]
    office.save()
    html = page(start="06/03/2026 15:30", days=0, office="01").content.decode()
    assert '<strong id="due-at">09/03/2026 17:30</strong>' in html


def test_calendar_page_calculator_shows_errors_next_to_the_field(page):
    html = page(start="hôm qua", days=-1).content.decode()
    assert "Thời điểm tiếp nhận không hợp lệ" in html
    assert "Số ngày làm việc không được âm." in html
    assert 'id="due-at"' not in html
