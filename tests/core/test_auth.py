import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_is_vietnamese(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Đăng nhập hệ thống một cửa" in response.content.decode()


def test_each_role_lands_on_a_page_for_its_role(client, cast):
    for key in ["reception_hn", "director_hn", "legal", "admin"]:
        user = cast[key]
        client.force_login(user)
        response = client.get(reverse("home"), follow=True)
        assert response.status_code == 200, key
        assert user.first_name in response.content.decode()
        client.logout()


def test_login_with_password_then_logout(client, cast):
    response = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"})
    assert response.status_code == 302
    assert client.get(reverse("home"), follow=True).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302  # back to the login page


def test_too_many_failed_logins_are_throttled_per_account(client, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        response = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"})
    assert response.status_code == 429
    assert "sai quá nhiều lần" in response.content.decode()
    # Another account is not locked out; the locked account is locked from every desk (tests/core/test_throttle.py).
    assert client.post(reverse("login"), {"username": "tiepnhan.hcm", "password": "pw-tiepnhan.hcm"}).status_code == 302
    client.logout()
    other_desk = client.post(reverse("login"), {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"},
                             REMOTE_ADDR="10.0.0.9")
    assert other_desk.status_code == 429


def test_token_endpoint_and_its_throttle(api, cast, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    ok = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"}, format="json")
    assert ok.status_code == 200 and len(ok.json()["token"]) == 40
    api.credentials(HTTP_AUTHORIZATION="Token " + ok.json()["token"])
    assert api.get("/api/v1/offices/").status_code == 200
    api.credentials()
    for _ in range(2):
        bad = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "x"}, format="json")
        assert bad.status_code == 400 and bad.json()["code"] == "INVALID_CREDENTIALS"
    locked = api.post("/api/v1/auth/token/", {"username": "tiepnhan.hn", "password": "pw-tiepnhan.hn"}, format="json")
    assert locked.status_code == 429
    assert locked.json()["code"] == "TOO_MANY_ATTEMPTS"


def test_api_requires_authentication(api, cast):
    response = api.get("/api/v1/offices/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_schema_and_docs_are_served(client, cast):
    client.force_login(cast["admin"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"openapi" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_error_pages_are_vietnamese(client, cast, settings):
    settings.DEBUG = False
    client.force_login(cast["reception_hn"])
    page = client.get("/khong-co-trang-nay/")
    assert page.status_code == 404 and "Không tìm thấy trang hoặc hồ sơ" in page.content.decode()
    page = client.get("/giam-sat/")  # the Legal Department's page
    assert page.status_code == 403 and "Bạn không có quyền xem trang này" in page.content.decode()
