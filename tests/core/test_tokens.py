"""Issue 13 item 9: API tokens expire, and are revoked on logout and on any password change."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.forms import PasswordChangeForm
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db

PASSWORD = "pw-tiepnhan.hn"


def _token(api, username="tiepnhan.hn", password=PASSWORD):
    response = api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _with(api, key):
    api.credentials(HTTP_AUTHORIZATION="Token " + key)
    return api


def test_token_expires_after_api_token_ttl_with_a_json_401(api, cast, settings):
    settings.API_TOKEN_TTL = 3600
    issued = _token(api)
    assert "expires_at" in issued
    assert _with(api, issued["token"]).get("/api/v1/offices/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=3601)):
        response = api.get("/api/v1/offices/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()
    assert not Token.objects.filter(key=issued["token"]).exists()  # an expired token is gone for good


def test_a_new_login_after_expiry_issues_a_new_token(api, cast, settings):
    settings.API_TOKEN_TTL = 3600
    first = _token(api)["token"]
    assert _token(api)["token"] == first  # within its life the same token is handed out again
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        second = _token(api)["token"]
        assert second != first
        assert _with(api, second).get("/api/v1/offices/").status_code == 200


def test_api_logout_revokes_the_token(api, cast):
    key = _token(api)["token"]
    response = _with(api, key).post("/api/v1/auth/logout/")
    assert response.status_code == 204
    assert api.get("/api/v1/offices/").status_code == 401


def test_session_logout_revokes_the_users_api_tokens(api, client, cast):
    key = _token(api)["token"]
    client.force_login(cast["reception_hn"])
    client.post(reverse("logout"))
    assert _with(api, key).get("/api/v1/offices/").status_code == 401


def test_set_password_revokes_the_token(api, cast):
    key = _token(api)["token"]
    user = cast["reception_hn"]
    user.set_password("another-long-passphrase")
    user.save()
    assert _with(api, key).get("/api/v1/offices/").status_code == 401


def test_password_change_form_revokes_the_token(api, cast):
    key = _token(api)["token"]
    form = PasswordChangeForm(cast["reception_hn"], {"old_password": PASSWORD, "new_password1": "Mùa thu Hà Nội 2026",
                                                     "new_password2": "Mùa thu Hà Nội 2026"})
    assert form.is_valid(), form.errors
    form.save()
    assert _with(api, key).get("/api/v1/offices/").status_code == 401


def test_admin_password_change_revokes_the_token(api, client, cast):
    key = _token(api)["token"]
    officer = cast["reception_hn"]
    client.force_login(cast["admin"])
    url = reverse("admin:auth_user_password_change", args=[officer.pk])
    response = client.post(url, {"password1": "Mùa thu Hà Nội 2026", "password2": "Mùa thu Hà Nội 2026",
                                 "usable_password": "true"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert _with(api, key).get("/api/v1/offices/").status_code == 401


def test_password_change_page_revokes_the_token_and_keeps_the_session(api, client, cast):
    key = _token(api)["token"]
    client.force_login(cast["reception_hn"])
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(reverse("password_change"), {
        "old_password": PASSWORD, "new_password1": "Mùa thu Hà Nội 2026", "new_password2": "Mùa thu Hà Nội 2026"})
    assert response.status_code == 302
    assert client.get(reverse("notifications:list")).status_code == 200  # this session goes on
    assert _with(api, key).get("/api/v1/offices/").status_code == 401


def test_saving_a_user_without_changing_the_password_keeps_the_token(api, cast):
    key = _token(api)["token"]
    user = cast["reception_hn"]
    user.title = "Cán bộ"
    user.save()
    assert _with(api, key).get("/api/v1/offices/").status_code == 200


def test_a_hash_upgrade_at_login_is_not_a_password_change(api, client, cast, settings):
    """Django re-hashes a correct password with a stronger hasher at login: the same password, so the tokens stay."""
    key = _token(api)["token"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher",
                                 "django.contrib.auth.hashers.MD5PasswordHasher"]
    assert client.login(username="tiepnhan.hn", password=PASSWORD)
    cast["reception_hn"].refresh_from_db()
    assert cast["reception_hn"].password.startswith("pbkdf2_")  # upgraded
    assert _with(api, key).get("/api/v1/offices/").status_code == 200


def test_the_urls_the_api_returns_answer_its_token(api, client, cast, receive):
    """CONTRACTS.md §1.2: `receipt_url` (and the slips' `pdf_url`) answer the credentials of the API call that returned
    them, token included; they used to send a token caller to the login page."""
    own, other = receive(), receive(officer="reception_hcm")
    _with(api, _token(api)["token"])
    receipt_url = api.get(f"/api/v1/dossiers/{own.code}/").json()["receipt_url"]
    assert api.get(receipt_url).status_code == 200
    pdf = api.get(receipt_url + "?format=pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert api.get(reverse("cases:receipt", kwargs={"code": other.code})).status_code == 404  # still scoped
    api.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert api.get(receipt_url).status_code == 401
    api.credentials()
    assert api.get(receipt_url).status_code == 302  # no credentials: the login page
