"""A database outage is a 503 that says so, on the pages as on the API (issue 13: never a 500)."""
from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_client(cast):
    client = Client(raise_request_exception=False)
    client.force_login(cast["reception_hn"])
    return client


def test_a_page_hit_by_a_database_outage_answers_503_not_500(officer_client):
    with mock.patch("cases.selectors.desk_summary", side_effect=OperationalError("connection refused")):
        response = officer_client.get("/ban-lam-viec/")
    assert response.status_code == 503 and response["Retry-After"]
    assert "Cơ sở dữ liệu tạm thời không truy cập được" in response.content.decode()


def test_another_error_is_still_the_plain_500_page(officer_client):
    with mock.patch("cases.selectors.desk_summary", side_effect=RuntimeError("bug")):
        response = officer_client.get("/ban-lam-viec/")
    assert response.status_code == 500 and "Lỗi hệ thống" in response.content.decode()


def test_the_api_answers_503_json_when_the_database_is_unreachable(officer_client):
    with mock.patch("cases.selectors.dossier_list", side_effect=OperationalError("terminating connection")):
        response = officer_client.get("/api/v1/dossiers/")
    assert response.status_code == 503 and response.json()["code"] == "SERVICE_UNAVAILABLE"


class _DownCache:
    """A cache whose server is unreachable: every call raises, as django-redis does with Redis stopped."""

    def __getattr__(self, name):
        def down(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return down


def test_with_the_cache_down_the_calendar_reads_the_database_so_intake_and_the_desk_work(cast, receive,
                                                                                           officer_client):
    """Found by the Redis drill: the working-day calendar's stamp lives in the cache, so with Redis down every
    due date raised — intake and the desk answered 500."""
    with mock.patch("workcal.stamp.cache", _DownCache()):
        dossier = receive()
        assert dossier.legal_due_at and dossier.appointment_at
        assert officer_client.get("/ban-lam-viec/").status_code == 200
