"""What schemathesis found on this branch (tests/core/test_fuzz_api.py), each pinned as a plain test that runs on
SQLite too."""
import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.parametrize("body", ['"just a string"', "[1, 2]", "null"])
def test_closing_a_month_with_a_body_that_is_not_an_object_is_a_400(as_user, cast, body):
    response = as_user(cast["director_hn"]).post("/api/v1/reports/tthc/close/", body,
                                                 content_type="application/json")
    assert response.status_code == 400  # was a 500 ('str' object has no attribute 'get')


def test_closing_a_month_with_a_nul_byte_in_the_office_is_a_400(as_user, cast):
    response = as_user(cast["director_hn"]).post("/api/v1/reports/tthc/close/",
                                                 {"office": "0\x001", "month": "2026-03"}, format="json")
    assert response.status_code == 400 and "office" in response.json()  # was a 500 on PostgreSQL


@pytest.mark.parametrize("url", ["/api/v1/dossiers/%C3%AD%E8%B6%B2/", "/api/v1/feedback/abc/",
                                 "/api/v1/notifications/x/read/", "/api/v1/no-such-route/"])
def test_an_api_url_that_matches_no_route_is_the_json_error_object(as_user, cast, url):
    api = as_user(cast["reception_hn"])
    response = api.post(url) if url.endswith("/read/") else api.get(url)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"  # was the HTML "Không tìm thấy" page
    assert response.json()["code"] == "NOT_FOUND" and response.json()["detail"]


def test_a_page_that_matches_no_route_stays_the_html_page(client):
    response = client.get("/khong-co-trang-nay/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_calendar_years_is_documented_as_the_paginated_list_it_answers(schema, as_user, cast):
    body = as_user(cast["reception_hn"]).get("/api/v1/calendar/years/").json()
    assert {"count", "next", "previous", "results"} <= set(body)
    documented = schema["paths"]["/api/v1/calendar/years/"]["get"]["responses"]["200"]["content"]
    assert documented["application/json"]["schema"]["$ref"].endswith("PaginatedCalendarYearRowList")


def test_the_central_office_without_a_parent_is_allowed_by_the_schema(schema, as_user, cast):
    rows = as_user(cast["reception_hn"]).get("/api/v1/offices/?page_size=500").json()["results"]
    assert any(row["parent"] is None for row in rows)
    assert schema["components"]["schemas"]["Office"]["properties"]["parent"]["nullable"] is True


def test_a_body_without_a_content_type_is_a_documented_415(as_user, cast, schema):
    response = as_user(cast["director_hn"]).generic("POST", "/api/v1/reports/tthc/close/", b"month=2026-03",
                                                    content_type="")
    assert response.status_code == 415 and response.json()["detail"]
    for path, method in [("/api/v1/reports/tthc/close/", "post"), ("/api/v1/dossiers/", "post"),
                         ("/api/v1/auth/token/", "post")]:
        assert "415" in schema["paths"][path][method]["responses"], path  # was undocumented
