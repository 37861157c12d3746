"""Issue 13 items 1, 2, 5: throttles keyed on the proxy-reported address, an atomic two-way login lockout
checked before any password, and throttling that degrades (never 500s) when the cache is down."""
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from core import throttle
from tests.cases.conftest import run_concurrently

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNREACHABLE_REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                 "LOCATION": "redis://127.0.0.1:1/0"}}


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _forged(i):
    return {"HTTP_X_FORWARDED_FOR": f"203.0.113.{i % 250}, 198.51.100.{i % 200}"}


def test_public_api_with_rotating_forwarded_for_is_throttled_after_the_limit(api, receive):
    dossier = receive(at=datetime(2025, 6, 2, 9, 0, tzinfo=VN))
    statuses = [api.get(f"/api/v1/public/dossiers/{dossier.code}/?phone=0900000000", **_forged(i)).status_code
                for i in range(100)]
    assert statuses[:30] == [404] * 30  # the "public" rate: 30/min
    assert statuses[30:] == [429] * 70


def test_public_page_with_rotating_forwarded_for_is_throttled_after_the_limit(client, receive):
    dossier = receive(at=datetime(2025, 6, 2, 9, 0, tzinfo=VN))
    statuses = [client.get(reverse("cases:public_lookup"), {"ma": dossier.code, "dt": "0900000000"},
                           **_forged(i)).status_code for i in range(100)]
    assert statuses[:30] == [404] * 30
    assert statuses[30:] == [429] * 70


def test_behind_one_proxy_the_address_it_appended_is_the_client(rf, settings):
    settings.NUM_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 192.0.2.7", REMOTE_ADDR="10.0.0.1")
    assert throttle.client_ip(request) == "192.0.2.7"  # what the client wrote before it (6.6.6.6) is ignored
    settings.NUM_PROXIES = 0
    assert throttle.client_ip(request) == "10.0.0.1"


def test_behind_one_proxy_two_clients_are_throttled_separately(api, receive, settings):
    settings.NUM_PROXIES = 1
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    dossier = receive(at=datetime(2025, 6, 2, 9, 0, tzinfo=VN))
    url = f"/api/v1/public/dossiers/{dossier.code}/?phone=0900000000"
    first = [api.get(url, HTTP_X_FORWARDED_FOR=f"6.6.6.{i}, 192.0.2.1").status_code for i in range(31)]
    assert first[-1] == 429
    assert api.get(url, HTTP_X_FORWARDED_FOR="192.0.2.2").status_code == 404  # another client behind the proxy


def test_an_account_is_locked_for_every_address(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for i in range(3):
        bad = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "wrong"},
                          REMOTE_ADDR=f"10.0.1.{i}")
        assert bad.status_code == 200
    right = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                        REMOTE_ADDR="10.0.9.9")
    assert right.status_code == 429
    # Other accounts are not locked by it.
    assert client.post(reverse("login"), {"username": "tiepnhan.hcm", "password": "pw-tiepnhan.hcm"},
                       REMOTE_ADDR="10.0.1.0").status_code == 302


def test_one_address_trying_many_accounts_is_locked(api, cast, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 4
    for name in ["a1", "a2", "a3", "a4"]:
        bad = api.post("/api/v1/auth/token/", {"username": name, "password": "x"}, format="json")
        assert bad.status_code == 400
    locked = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                      format="json")
    assert locked.status_code == 429 and locked.json()["code"] == "TOO_MANY_ATTEMPTS"
    other = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                     format="json", REMOTE_ADDR="10.0.0.2")
    assert other.status_code == 200


def test_a_successful_login_clears_the_account_failures(api, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    url = "/api/v1/auth/token/"
    assert api.post(url, {"username": "tiepnhan.hn", "password": "x"}, format="json").status_code == 400
    assert api.post(url, {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"}, format="json").status_code == 200
    assert api.post(url, {"username": "tiepnhan.hn", "password": "x"}, format="json").status_code == 400
    assert api.post(url, {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"}, format="json").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_sixty_parallel_token_requests_check_at_most_the_limit_of_passwords(cast, settings, monkeypatch):
    from rest_framework.test import APIClient

    import core.api.views as token_views

    settings.LOGIN_FAILURE_LIMIT = 5
    checked = itertools.count()
    real_authenticate = token_views.authenticate

    def counting_authenticate(*args, **kwargs):
        next(checked)
        return real_authenticate(*args, **kwargs)

    monkeypatch.setattr(token_views, "authenticate", counting_authenticate)

    def attempt(i):
        return APIClient().post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": f"wrong-{i}"},
                                format="json").status_code

    results, errors = run_concurrently(60, attempt)
    assert errors == []
    passwords_checked = next(checked)
    assert passwords_checked <= settings.LOGIN_FAILURE_LIMIT
    assert sorted(results) == [400] * passwords_checked + [429] * (60 - passwords_checked)
    right = APIClient().post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                             format="json")
    assert right.status_code == 429 and "token" not in right.json()


def test_with_the_cache_down_login_and_the_public_lookup_still_work(client, api, cast, receive):
    dossier = receive(at=datetime(2025, 6, 2, 9, 0, tzinfo=VN))
    with override_settings(CACHES=UNREACHABLE_REDIS):
        login = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"})
        assert login.status_code == 302
        token = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                         format="json")
        assert token.status_code == 200
        page = client.get(reverse("cases:public_lookup"), {"ma": dossier.code, "dt": "0912345678"})
        assert page.status_code == 200
        public = api.get(f"/api/v1/public/dossiers/{dossier.code}/?phone=0912345678")
        assert public.status_code == 200 and public.json()["status"] == "received"
