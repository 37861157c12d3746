"""Issue 13 item 9: Django's password validators, an idle session time-out and a session lifetime."""
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("password", ["12345678", "1234567890123", "password123", "tiepnhan.hn", "ngắn-9"])
def test_weak_passwords_are_refused(cast, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=cast["reception_hn"])


def test_a_long_uncommon_passphrase_is_accepted(cast):
    validate_password("Mùa thu Hà Nội 2026", user=cast["reception_hn"])


def test_the_password_change_page_refuses_12345678(client, cast):
    client.force_login(cast["reception_hn"])
    response = client.post(reverse("password_change"), {
        "old_password": "pw-tiepnhan.hn", "new_password1": "12345678", "new_password2": "12345678"})
    assert response.status_code == 200
    assert "new_password2" in response.context["form"].errors
    page = response.content.decode()
    assert "Mật khẩu quá ngắn: cần ít nhất 10 ký tự." in page and "Mật khẩu này hoàn toàn là số." in page
    cast["reception_hn"].refresh_from_db()
    assert cast["reception_hn"].check_password("pw-tiepnhan.hn")


def test_demo_accounts_keep_their_password(no_cast, settings):
    """The demo password is set directly, not through the validators: the demo cast still signs in with it
    (tests/core/test_seed_demo.py runs the whole seed)."""
    from django.contrib.auth import authenticate

    from core.demo import load_cast, load_offices

    load_offices()
    load_cast()
    assert authenticate(username="tiepnhan.hn", password=settings.DEMO_PASSWORD) is not None


def test_an_idle_session_times_out(client, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    client.force_login(cast["reception_hn"])
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert client.get(reverse("notifications:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=31), tick=False):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_activity_keeps_the_session_alive(client, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_LIFETIME = 12 * 3600
    client.force_login(cast["reception_hn"])
    start = timezone.now()
    for minutes in range(0, 200, 20):  # a request every 20 minutes for over three hours
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("notifications:list")).status_code == 200, minutes


def test_a_session_ends_after_its_lifetime_even_when_busy(client, cast, settings):
    settings.SESSION_IDLE_TIMEOUT = 1800
    settings.SESSION_LIFETIME = 3600
    client.force_login(cast["reception_hn"])
    start = timezone.now()
    for minutes in (0, 20, 40):
        with time_machine.travel(start + timedelta(minutes=minutes), tick=False):
            assert client.get(reverse("notifications:list")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_session_cookie_lasts_no_longer_than_the_lifetime(settings):
    assert settings.SESSION_COOKIE_AGE <= settings.SESSION_LIFETIME
    assert settings.SESSION_IDLE_TIMEOUT <= 3600
