"""The calendar API: /api/v1/calendar/due-date/ and /api/v1/calendar/."""
from urllib.parse import urlencode

import pytest

pytestmark = pytest.mark.django_db

DUE = "/api/v1/calendar/due-date/"
YEAR = "/api/v1/calendar/"


@pytest.fixture
def client(as_user, cast):
    return as_user(cast["reception_hn"])


def test_due_date_make_up_saturday(client):
    response = client.get(DUE, {"start": "2025-04-24T09:00:00+07:00", "days": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["due_at"] == "2025-04-26T09:00:00+07:00"
    assert body["clock_start"] == "2025-04-24T09:00:00+07:00"
    assert body["apologise_by"] == "2025-04-25T09:00:00+07:00"
    assert body["days"] == 2


def test_due_date_naive_start_is_vietnam_local_time(client):
    response = client.get(DUE, {"start": "2026-02-13T10:00", "days": 1})
    assert response.json()["due_at"] == "2026-02-23T10:00:00+07:00"


def test_due_date_utc_start_and_unencoded_plus_offset(client):
    assert client.get(DUE, {"start": "2025-04-24T02:00:00Z", "days": 2}).json()["due_at"] == \
        "2025-04-26T09:00:00+07:00"
    # "+07:00" typed into a URL without encoding arrives as " 07:00".
    response = client.get(DUE + "?start=2025-04-24T09:00:00+07:00&days=2")
    assert response.status_code == 200
    assert response.json()["due_at"] == "2025-04-26T09:00:00+07:00"


def test_due_date_same_day_friday_after_cutoff(client):
    response = client.get(DUE, {"start": "2026-03-06T15:30:00+07:00", "days": 0})
    assert response.json()["due_at"] == "2026-03-09T17:00:00+07:00"


def test_due_date_with_office_hours(client, offices):
    office = offices["01"]
    office.office_hours = [["08:00", "12:00"], ["13:30", "17:30"]]
    office.save()
    response = client.get(DUE, {"start": "2026-03-10T07:00", "days": 1, "office": "01"})
    assert response.status_code == 200
    assert response.json()["due_at"] == "2026-03-11T08:00:00+07:00"


@pytest.mark.parametrize("query, field, message", [
    ({"days": 2}, "start", "Thiếu thời điểm tiếp nhận"),
    ({"start": "", "days": 2}, "start", "Thời điểm tiếp nhận không hợp lệ"),
    ({"start": "hôm qua", "days": 2}, "start", "Thời điểm tiếp nhận không hợp lệ"),
    ({"start": "2025-02-30T09:00", "days": 2}, "start", "Thời điểm tiếp nhận không hợp lệ"),
    ({"start": "2014-12-31T09:00", "days": 2}, "start", "2015–2040"),
    ({"start": "2000-06-01T09:00", "days": 2}, "start", "2015–2040"),
    ({"start": "2040-12-28T09:00", "days": 10}, "start", "2015–2040"),
    ({"start": "9999-12-31T23:59:59-12:00", "days": 2}, "start", "Thời điểm tiếp nhận"),
    ({"start": "2025-04-24T09:00"}, "days", "Thiếu số ngày làm việc"),
    ({"start": "2025-04-24T09:00", "days": -1}, "days", "không được âm"),
    ({"start": "2025-04-24T09:00", "days": 1001}, "days", "không được vượt quá 1000"),
    ({"start": "2025-04-24T09:00", "days": "hai"}, "days", "số nguyên"),
    ({"start": "2025-04-24T09:00", "days": 2, "office": "XX"}, "office", "Không tìm thấy đơn vị"),
])
def test_due_date_bad_input_is_a_400_with_a_vietnamese_message_per_field(client, query, field, message):
    response = client.get(DUE + "?" + urlencode(query))
    assert response.status_code == 400, response.content
    body = response.json()
    assert field in body
    assert message in body[field][0]


def test_due_date_at_the_end_of_the_supported_years_is_a_400_not_a_500(client):
    response = client.get(DUE, {"start": "2040-06-01T09:00", "days": 1000})
    assert response.status_code == 400
    assert "2015–2040" in response.json()["start"][0]


def test_due_date_outside_the_covered_years_is_a_400_and_writes_nothing(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from workcal.models import CalendarStamp, WorkingDay

    state = CalendarStamp.objects.values_list("stamp", "first_year", "last_year").get()
    rows = WorkingDay.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DUE, {"start": "2000-06-01T09:00", "days": 2})
    assert response.status_code == 400
    assert "2015–2040" in response.json()["start"][0]
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert not [sql for sql in writes if "workcal_" in sql]
    assert CalendarStamp.objects.values_list("stamp", "first_year", "last_year").get() == state
    assert WorkingDay.objects.count() == rows


def test_year_outside_the_covered_years_is_a_400_in_english_too(client):
    response = client.get(YEAR, {"year": 2012})
    assert response.status_code == 400
    assert "2015–2040" in response.json()["year"][0]
    from django.conf import settings

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(YEAR, {"year": 2012})
    assert response.status_code == 400
    assert response.json()["year"][0] == "The year must be in 2015–2040, the years of the working-day calendar."


def test_due_date_office_with_malformed_hours_is_a_400(client, offices):
    office = offices["01"]
    office.office_hours = [["17:00", "08:00"]]
    office.save()
    response = client.get(DUE, {"start": "2026-03-10T07:00", "days": 1, "office": "01"})
    assert response.status_code == 400
    assert "Giờ làm việc" in response.json()["office"][0]


def test_due_date_requires_authentication(api, db):
    response = api.get(DUE, {"start": "2025-04-24T09:00", "days": 2})
    assert response.status_code == 401


def test_year_calendar_2026(client):
    response = client.get(YEAR, {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026
    assert {"date": "2026-02-17", "name": "Tết Nguyên Đán", "source": "holidays"} in body["days_off"]
    assert body["makeup_working_days"][0]["date"] == "2026-08-22"


def test_year_calendar_defaults_to_this_year(client):
    from django.utils import timezone

    assert client.get(YEAR).json()["year"] == timezone.localdate().year


@pytest.mark.parametrize("year", ["abc", "1800", "3000", "2026.5"])
def test_year_calendar_bad_year_is_a_400(client, year):
    response = client.get(YEAR, {"year": year})
    assert response.status_code == 400
    assert "year" in response.json()


def test_year_calendar_requires_authentication(api, db):
    assert api.get(YEAR, {"year": 2026}).status_code == 401


def test_openapi_schema_documents_the_query_parameters():
    from drf_spectacular.generators import SchemaGenerator

    from workcal.api.urls import urlpatterns

    schema = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    due = schema["paths"]["/calendar/due-date/"]["get"]
    params = {p["name"]: p for p in due["parameters"]}
    assert set(params) == {"start", "days", "office"}
    assert params["start"]["required"] and params["days"]["required"] and not params["office"].get("required", False)
    assert params["days"]["schema"]["maximum"] == 1000
    assert "due_at" in schema["components"]["schemas"]["DueDateResult"]["properties"]
    year = schema["paths"]["/calendar/"]["get"]
    assert [p["name"] for p in year["parameters"]] == ["year"]
