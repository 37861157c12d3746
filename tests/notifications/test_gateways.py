"""The SMS and Zalo senders against the live gateway stand-in (notifications.sandbox) on a loopback port."""
import json
import threading
from datetime import timedelta
from urllib.request import Request, urlopen

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from notifications import delivery, gateways
from notifications.delivery import deliver
from notifications.models import OutboxMessage
from notifications.sandbox import GatewaySandbox
from notifications.services import outbox_enqueue
from notifications.tasks import deliver_pending

pytestmark = pytest.mark.django_db

KEYS = {"api_key": "sbx-api-key", "secret_key": "sbx-secret-key", "app_id": "sbx-app", "app_secret": "sbx-app-secret"}
SEED = "seed-refresh-token"


@pytest.fixture(scope="module")
def gateway():
    sandbox = GatewaySandbox(**KEYS)
    httpd = sandbox.serve()
    yield sandbox
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def sms_gateway(gateway, settings):
    gateway.reset()
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_API_KEY, settings.SMS_SECRET_KEY = KEYS["api_key"], KEYS["secret_key"]
    settings.SMS_BRANDNAME = "BHXHVN"
    return gateway


@pytest.fixture
def zalo_gateway(sms_gateway, settings):
    settings.ZALO_ZNS_URL = settings.ZALO_OAUTH_URL = sms_gateway.url
    settings.ZALO_APP_ID, settings.ZALO_SECRET_KEY = KEYS["app_id"], KEYS["app_secret"]
    settings.ZALO_REFRESH_TOKEN = SEED
    return sms_gateway


def sms(key, body="Ho so 000.00.01.G13-200601-0001 da co ket qua", recipient="+84912345678"):
    return outbox_enqueue(channel="sms", kind="t", idempotency_key=key, recipient=recipient, body=body)[0]


def zalo(key, recipient="+84912345678", body="Hồ sơ của Ông/Bà đã có kết quả.", **payload):
    payload.setdefault("template_data", {"ma_ho_so": "000.00.01.G13-200601-0001"})
    return outbox_enqueue(channel="zalo", kind="dossier.apology", idempotency_key=key, recipient=recipient,
                          dossier_code="000.00.01.G13-200601-0001", body=body, payload=payload)[0]


def attempts(message):
    return [(a.ok, a.detail) for a in message.attempt_log.all()]


def calls(gateway):
    return [(c["service"], c["outcome"]) for c in gateway.state()["calls"]]


# --- registration ---------------------------------------------------------------------------------------

def test_senders_are_registered_only_while_their_gateway_is_configured(gateway, settings):
    settings.SMS_GATEWAY_URL = None
    settings.ZALO_ZNS_URL = None
    assert "sms" not in delivery.SENDERS and "zalo" not in delivery.SENDERS
    message = sms("not-configured")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "pending" and message.attempts == 0 and message.next_attempt_at > timezone.now()

    settings.SMS_GATEWAY_URL = gateway.url
    assert delivery.SENDERS["sms"] is gateways.send_sms and "zalo" not in delivery.SENDERS
    settings.ZALO_ZNS_URL = gateway.url
    assert delivery.SENDERS["zalo"] is gateways.send_zalo
    settings.SMS_GATEWAY_URL = ""
    assert "sms" not in delivery.SENDERS


def test_a_gateway_url_without_its_keys_fails_the_start_up_check_and_each_attempt(gateway, settings):
    settings.SMS_GATEWAY_URL = gateway.url
    settings.SMS_API_KEY = ""
    settings.ZALO_ZNS_URL = gateway.url
    settings.ZALO_OAUTH_URL = None
    settings.ZALO_REFRESH_TOKEN = ""
    errors = gateways.check_gateway_settings()
    assert [e.id for e in errors] == ["notifications.E001", "notifications.E001"]
    assert "SMS_API_KEY" in errors[0].msg and "ZALO_OAUTH_URL" in errors[1].msg
    assert "ZALO_REFRESH_TOKEN" in errors[1].msg

    message = sms("no-api-key")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "failed" and message.last_error == "SMS_API_KEY is not set"


@pytest.mark.parametrize("recipient, national, international", [
    ("+84912345678", "0912345678", "84912345678"), ("0912 345 678", "0912345678", "84912345678"),
    ("84912345678", "0912345678", "84912345678"), ("+842438253040", "02438253040", "842438253040"),
])
def test_phone_forms(recipient, national, international):
    assert gateways.national_phone(recipient) == national and gateways.zalo_phone(recipient) == international
    with pytest.raises(gateways.GatewayError, match="not a Vietnamese phone number"):
        gateways.national_phone("12345")


# --- SMS ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("body, is_unicode", [
    ("BHXH: Ho so 000.00.01.G13-200601-0001 da co ket qua. Hen tra 25/06/2020 09:00.", "0"),
    ("BHXH: Hồ sơ 000.00.01.G13-200601-0001 đã có kết quả.", "1"),
])
def test_sms_is_sent_once_with_our_key_as_request_id(sms_gateway, body, is_unicode):
    message = sms("dossier-event:1:sms", body=body)
    assert deliver(message.pk) is True
    assert deliver(message.pk) is False  # sent: never twice
    [sent] = sms_gateway.state()["messages"]
    assert sent == {**sent, "channel": "sms", "phone": "0912345678", "content": body,
                    "request_id": "dossier-event:1:sms", "is_unicode": is_unicode, "brandname": "BHXHVN",
                    "sms_type": "2", "sandbox": "0", "unicode_mismatch": False}
    message.refresh_from_db()
    assert message.state == "sent" and attempts(message) == [(True, f"SMSID {sent['id']}")]


def test_a_gateway_failure_is_recorded_then_retried_later_and_sent(sms_gateway):
    sms_gateway.fail_next(1)
    message = sms("retry-1")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "failed" and message.attempts == 1
    assert message.last_error == ("SMS gateway refused the message: CodeResult 103: "
                                  "Simulated failure (sandbox fail_next)")
    assert message.next_attempt_at > timezone.now()
    assert deliver_pending() == 0  # not due yet: the back-off holds
    with time_machine.travel(message.next_attempt_at + timedelta(seconds=1), tick=True):
        assert deliver_pending() == 1
    message.refresh_from_db()
    assert message.state == "sent" and message.attempts == 2
    assert [ok for ok, _ in attempts(message)] == [False, True]
    assert len(sms_gateway.state()["messages"]) == 1
    assert calls(sms_gateway) == [("sms", "103"), ("sms", "100")]


@pytest.mark.parametrize("fault, error", [
    ("http500", "SMS gateway answered HTTP 500: 'Internal Server Error'"),
    ("garbage", "SMS gateway answered something that is not a JSON object: '<html>"),
])
def test_http_errors_and_garbage_are_readable_failures(sms_gateway, fault, error):
    sms_gateway.fail_next(1, kind=fault)
    message = sms("fault")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "failed" and message.last_error.startswith(error)


def test_an_unreachable_gateway_and_wrong_keys_are_readable_failures(sms_gateway, settings):
    settings.SMS_SECRET_KEY = "wrong"
    message = sms("wrong-key")
    deliver(message.pk)
    message.refresh_from_db()
    assert message.last_error == "SMS gateway refused the message: CodeResult 101: Incorrect ApiKey or SecretKey"

    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9"  # discard port: nothing listens
    message = sms("unreachable")
    deliver(message.pk)
    message.refresh_from_db()
    assert message.state == "failed" and message.last_error.startswith("SMS gateway unreachable (ConnectionError")


def test_a_reply_lost_after_the_gateway_took_the_message_does_not_send_it_twice(sms_gateway):
    sms_gateway.lose_reply_next(1)
    message = sms("lost-reply")
    assert deliver(message.pk) is False
    assert deliver(message.pk) is True  # the retry: "124 duplicate RequestId" means it was sent
    assert len(sms_gateway.state()["messages"]) == 1
    message.refresh_from_db()
    assert attempts(message)[1] == (
        True, "the gateway already took RequestId lost-reply (CodeResult 124): not sent again")


# --- Zalo ZNS -------------------------------------------------------------------------------------------

def test_zalo_template_message_is_sent(zalo_gateway):
    message = zalo("apology:1:zalo", template_id="231456", template_data={"ma_ho_so": "A-1", "ngay_hen_moi": "x"})
    assert deliver(message.pk) is True
    [sent] = zalo_gateway.state()["messages"]
    assert sent["channel"] == "zalo" and sent["phone"] == "84912345678" and sent["template_id"] == "231456"
    assert sent["template_data"] == {"ma_ho_so": "A-1", "ngay_hen_moi": "x"} and sent["tracking_id"] == "apology:1:zalo"
    message.refresh_from_db()
    assert message.state == "sent" and attempts(message) == [(True, f"msg_id {sent['id']}")]
    # The first send fetched an access token with the seed refresh token; the rotated pair is stored.
    [refresh] = zalo_gateway.state()["refreshes"]
    assert refresh["refresh_token"] == SEED and sent["access_token"] == refresh["new_access_token"]
    assert cache.get(gateways.TOKEN_CACHE_KEY)["refresh_token"] == refresh["new_refresh_token"]


def test_zalo_without_template_id_uses_the_default_template(zalo_gateway):
    message = zalo("default-template")
    deliver(message.pk)
    [sent] = zalo_gateway.state()["messages"]
    assert sent["template_id"] == gateways.DEFAULT_ZNS_TEMPLATE_ID


def test_an_expired_token_is_refreshed_once_and_the_rotated_refresh_token_is_used_next_time(zalo_gateway):
    assert deliver(zalo("first").pk) is True  # refresh 1, with the seed
    zalo_gateway.expire_token()
    message = zalo("second")
    assert deliver(message.pk) is True
    assert calls(zalo_gateway) == [("oauth", "ok"), ("zns", "0"), ("zns", "-124"), ("oauth", "ok"), ("zns", "0")]
    refreshes = zalo_gateway.state()["refreshes"]
    assert [r["refresh_token"] for r in refreshes] == [SEED, refreshes[0]["new_refresh_token"]]
    assert cache.get(gateways.TOKEN_CACHE_KEY)["refresh_token"] == refreshes[1]["new_refresh_token"]

    zalo_gateway.expire_token()
    assert deliver(zalo("third").pk) is True
    refreshes = zalo_gateway.state()["refreshes"]
    assert len(refreshes) == 3 and refreshes[2]["refresh_token"] == refreshes[1]["new_refresh_token"]
    assert len(zalo_gateway.state()["messages"]) == 3


def test_a_token_about_to_expire_is_refreshed_before_sending(zalo_gateway):
    assert deliver(zalo("first").pk) is True
    tokens = cache.get(gateways.TOKEN_CACHE_KEY)
    cache.set(gateways.TOKEN_CACHE_KEY, {**tokens, "expires_at": 1}, timeout=None)
    assert deliver(zalo("second").pk) is True
    assert calls(zalo_gateway) == [("oauth", "ok"), ("zns", "0"), ("oauth", "ok"), ("zns", "0")]


def test_two_workers_with_an_expired_token_refresh_it_once(zalo_gateway):
    assert deliver(zalo("warm-up").pk) is True
    zalo_gateway.expire_token()
    messages = [zalo(f"worker-{i}", recipient=f"+8491234567{i}") for i in range(4)]
    results, start = {}, threading.Barrier(len(messages))

    def work(message):
        start.wait()
        results[message.pk] = gateways.send_zalo(message)

    threads = [threading.Thread(target=work, args=(m,)) for m in messages]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert all(results[m.pk].startswith("msg_id ") for m in messages)
    assert len(zalo_gateway.state()["refreshes"]) == 2  # the warm-up's, and one for the four workers


def test_a_new_refresh_token_setting_replaces_the_cached_pair(zalo_gateway, settings):
    assert deliver(zalo("before").pk) is True
    settings.ZALO_REFRESH_TOKEN = "re-authorised-refresh-token"
    assert deliver(zalo("after").pk) is True
    assert [r["refresh_token"] for r in zalo_gateway.state()["refreshes"]] == [SEED, "re-authorised-refresh-token"]


def test_a_refused_refresh_token_is_a_readable_failure(zalo_gateway):
    assert deliver(zalo("spend-the-seed").pk) is True
    cache.delete(gateways.TOKEN_CACHE_KEY)  # as if the rotated pair were lost: only the spent seed is left
    message = zalo("after-loss")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "failed" and message.last_error.startswith(
        "Zalo OAuth refused the refresh token (error -14014: The refresh token is invalid, or was used already")
    assert "set the new ZALO_REFRESH_TOKEN" in message.last_error


def test_no_zalo_account_falls_back_to_sms(zalo_gateway):
    zalo_gateway.no_zalo_account(["84912345678"])
    message = zalo("dossier-event:7:zalo", body="Hồ sơ của Ông/Bà đã có kết quả.")
    assert deliver(message.pk) is True
    message.refresh_from_db()
    assert message.state == "sent"
    assert attempts(message) == [(True, "fallback to sms: no Zalo account (-118); "
                                        "queued dossier-event:7:zalo:sms-fallback")]
    fallback = OutboxMessage.objects.get(idempotency_key="dossier-event:7:zalo:sms-fallback")
    assert (fallback.channel, fallback.state, fallback.recipient, fallback.body, fallback.dossier_code) == (
        "sms", "pending", "+84912345678", "Hồ sơ của Ông/Bà đã có kết quả.", "000.00.01.G13-200601-0001")
    assert deliver(fallback.pk) is True
    [sent] = zalo_gateway.state()["messages"]
    assert (sent["channel"], sent["phone"], sent["is_unicode"], sent["request_id"]) == (
        "sms", "0912345678", "1", "dossier-event:7:zalo:sms-fallback")


def test_no_zalo_account_queues_no_second_sms_when_one_is_queued_for_the_same_event(zalo_gateway):
    zalo_gateway.no_zalo_account(["84912345678"])
    sms("apology:3:sms")
    message = zalo("apology:3:zalo")
    assert deliver(message.pk) is True
    assert attempts(message) == [(True, "fallback to sms: no Zalo account (-118); SMS apology:3:sms is queued already")]
    assert not OutboxMessage.objects.filter(idempotency_key__endswith="sms-fallback").exists()


def test_other_zalo_errors_are_retried(zalo_gateway):
    zalo_gateway.fail_next(1, service="zns")
    message = zalo("zns-down")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.last_error == "Zalo ZNS refused the message: error -100: Unknown error (sandbox fail_next)"
    assert deliver(message.pk) is True


# --- the stand-in itself --------------------------------------------------------------------------------

def _http(url, body=None):
    request = Request(url, data=None if body is None else json.dumps(body).encode(),
                      headers={"Content-Type": "application/json"})
    with urlopen(request, timeout=5) as response:
        return response.headers["Content-Type"], response.read().decode()


def test_sandbox_pages_and_control_endpoint(zalo_gateway):
    _, reply = _http(zalo_gateway.url + "/_control",
                     {"fail_next": {"sms": 1}, "no_zalo_account": ["84987654321"], "expire_token": True})
    assert json.loads(reply) == {"ok": True}
    message = sms("page", body="Hồ sơ <b>đã</b> có kết quả")
    assert deliver(message.pk) is False and deliver(message.pk) is True
    kind, page = _http(zalo_gateway.url + "/")
    assert kind.startswith("text/html") and "Hồ sơ &lt;b&gt;đã&lt;/b&gt; có kết quả" in page and "0912345678" in page
    _, data = _http(zalo_gateway.url + "/messages.json")
    assert [m["request_id"] for m in json.loads(data)["messages"]] == ["page"]
    assert "84987654321" in zalo_gateway.no_zalo
    _, reply = _http(zalo_gateway.url + "/_control", {"reset": True})
    assert zalo_gateway.state() == {"messages": [], "calls": [], "refreshes": []}
    _, reply = _http(zalo_gateway.url + "/_control", {"fail_next": {"fax": 1}})
    assert json.loads(reply)["ok"] is False
