"""Senders for the SMS gateway and Zalo ZNS (CONTRACTS.md §1.5), registered in the outbox's SENDERS.

Registration follows the settings. The "sms" sender is in SENDERS while SMS_GATEWAY_URL is set, the "zalo"
sender while ZALO_ZNS_URL is set (checked at start-up by `NotificationsConfig.ready()` and again whenever a test
changes one of the settings). Without the URL there is no sender, and `delivery.deliver` leaves the row pending
and looks again later: nothing is lost, and no row is marked dead, while a gateway is not configured yet. A URL
set without its companions (keys, brandname, OAuth) is a start-up error (system check notifications.E001).
In a worker, which does not run the checks, each attempt fails with a message naming the missing variable.

A sender returns a short detail for the DeliveryAttempt, or raises GatewayError with a readable reason. The
outbox then retries with back-off.

SMS: `RequestId` is the outbox row's idempotency key. When a reply was lost after the gateway took the message,
the retry is answered "124 duplicate RequestId". That counts as sent, so a citizen never gets the text twice.
(This is also why two environments must not share one gateway account while their keys can overlap.)

Zalo: the access token and the rotating refresh token live in the Django cache under one key, with no timeout,
so every worker uses the newest pair. The pair starts from ZALO_REFRESH_TOKEN. Setting a new ZALO_REFRESH_TOKEN
(after re-authorising the OA) replaces what the cache holds. A refresh runs under a cache lock (`cache.add`:
atomic on Redis and in-process memory; on the file-based development cache it is best effort, which is enough
for one solo worker). A worker that finds the lock taken waits for the new token instead of spending the
refresh token a second time. If Zalo took a refresh token but its reply was lost, that refresh token is spent.
Every later refresh then fails with a message asking for a new ZALO_REFRESH_TOKEN.
"""
import hashlib
import logging
import re
import time
import uuid

import requests
from django.conf import settings
from django.core import checks
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from .delivery import SENDERS, sender

log = logging.getLogger(__name__)

TIMEOUT = 10  # seconds, every call to a gateway
SMS_PATH = "/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SMS_OK, SMS_DUPLICATE_REQUEST = "100", "124"
ZNS_PATH = "/message/template"
OAUTH_PATH = "/v4/oa/access_token"
# The ZNS template used when a message's payload names none. Zalo assigns template ids when it approves a
# template for the OA. This constant stands in for the OA's general notice template, so name the real id
# in payload["template_id"] (an unknown id is refused with error -109, a readable failure).
DEFAULT_ZNS_TEMPLATE_ID = "bhxh_thong_bao_chung"
ZALO_NO_ACCOUNT = -118
ZALO_TOKEN_ERRORS = {-124, -216}  # access token invalid / expired (ZNS and OA API spellings)
TOKEN_CACHE_KEY = "notifications:zalo:tokens"
LOCK_CACHE_KEY = "notifications:zalo:refresh-lock"
LOCK_TIMEOUT = 3 * TIMEOUT  # a crashed refresher's lock frees itself
LOCK_WAIT = TIMEOUT + 5  # how long a worker waits for another worker's refresh
EXPIRY_MARGIN = 300  # refresh this many seconds before Zalo's `expires_in` runs out

REQUIRED = {
    "sms": ("SMS_GATEWAY_URL", ["SMS_API_KEY", "SMS_SECRET_KEY", "SMS_BRANDNAME"]),
    "zalo": ("ZALO_ZNS_URL", ["ZALO_OAUTH_URL", "ZALO_APP_ID", "ZALO_SECRET_KEY", "ZALO_REFRESH_TOKEN"]),
}


class GatewayError(Exception):
    """A gateway refused a message or could not be reached; the outbox retries later."""


# --- phone numbers --------------------------------------------------------------------------------------

def national_phone(phone: str) -> str:
    """"+84912345678" (as we store it), "84912345678" or "0912 345 678" → "0912345678"."""
    raw = re.sub(r"[\s.\-()]", "", phone or "")
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    elif raw.startswith("84") and len(raw) in (11, 12):
        raw = "0" + raw[2:]
    if not re.fullmatch(r"0\d{9,10}", raw):
        raise GatewayError(f"not a Vietnamese phone number: {phone!r}")
    return raw


def zalo_phone(phone: str) -> str:
    """The ZNS form: "84912345678" (no plus sign)."""
    return "84" + national_phone(phone)[1:]


# --- registration ---------------------------------------------------------------------------------------

def register_configured():
    """Put the SMS and Zalo senders in SENDERS exactly while their URL setting is set."""
    for channel, send in (("sms", send_sms), ("zalo", send_zalo)):
        if getattr(settings, REQUIRED[channel][0], None):
            sender(channel)(send)
        elif SENDERS.get(channel) is send:
            del SENDERS[channel]


@receiver(setting_changed)
def _setting_changed(setting, **kwargs):
    if any(setting == url for url, _ in REQUIRED.values()):
        register_configured()


@checks.register("notifications")
def check_gateway_settings(app_configs=None, **kwargs):
    """A gateway URL without the settings that go with it fails at start-up, naming what is missing."""
    errors = []
    for channel, (url, companions) in REQUIRED.items():
        if getattr(settings, url, None):
            missing = [name for name in companions if not getattr(settings, name, None)]
            if missing:
                verb = "is" if len(missing) == 1 else "are"
                errors.append(checks.Error(f"{url} is set but {', '.join(missing)} {verb} not: the {channel} "
                                           "gateway cannot be used.",
                                           hint=f"Set {', '.join(missing)}, or unset {url} to leave {channel} "
                                                "messages pending.", id="notifications.E001"))
    return errors


def _setting(name: str) -> str:
    value = getattr(settings, name, None)
    if not value:
        raise ImproperlyConfigured(f"{name} is not set")
    return value


def _url(name: str, path: str) -> str:
    return _setting(name).rstrip("/") + path


def _post(what: str, url: str, **kwargs) -> dict:
    """POST and return the JSON object of the reply; every other outcome is a GatewayError saying what."""
    try:
        response = requests.post(url, timeout=TIMEOUT, **kwargs)
    except requests.Timeout:
        raise GatewayError(f"{what} did not answer within {TIMEOUT} s") from None
    except requests.RequestException as exc:
        raise GatewayError(f"{what} unreachable ({exc.__class__.__name__}: {exc})") from None
    if response.status_code != 200:
        raise GatewayError(f"{what} answered HTTP {response.status_code}: {response.text[:200]!r}")
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise GatewayError(f"{what} answered something that is not a JSON object: {response.text[:200]!r}")
    return data


# --- SMS ------------------------------------------------------------------------------------------------

def send_sms(message) -> str:
    from .delivery import with_document_links

    content = with_document_links(message)
    if not content:
        raise GatewayError("the SMS has no text")
    body = {
        "ApiKey": _setting("SMS_API_KEY"),
        "SecretKey": _setting("SMS_SECRET_KEY"),
        "Phone": national_phone(message.recipient),
        "Content": content,
        "Brandname": _setting("SMS_BRANDNAME"),
        "SmsType": "2",
        "IsUnicode": "0" if content.isascii() else "1",
        "Sandbox": "0",
        "RequestId": message.idempotency_key,
    }
    reply = _post("SMS gateway", _url("SMS_GATEWAY_URL", SMS_PATH), json=body)
    code = str(reply.get("CodeResult"))
    if code == SMS_OK:
        return f"SMSID {reply.get('SMSID')}"
    if code == SMS_DUPLICATE_REQUEST:
        return f"the gateway already took RequestId {message.idempotency_key} (CodeResult 124): not sent again"
    raise GatewayError(f"SMS gateway refused the message: CodeResult {code}: "
                       f"{reply.get('ErrorMessage') or 'no reason given'}")


# --- Zalo ZNS -------------------------------------------------------------------------------------------

def send_zalo(message) -> str:
    payload = message.payload if isinstance(message.payload, dict) else {}
    body = {
        "phone": zalo_phone(message.recipient),
        "template_id": str(payload.get("template_id") or DEFAULT_ZNS_TEMPLATE_ID),
        "template_data": payload.get("template_data", {}),
        "tracking_id": message.idempotency_key,
    }
    for name in REQUIRED["zalo"][1]:
        _setting(name)
    tokens = _zalo_tokens()
    if not tokens["access_token"] or _expired(tokens):
        tokens = _zalo_refresh(tokens)
    reply = _zns_post(body, tokens["access_token"])
    if _token_rejected(reply):
        tokens = _zalo_refresh(tokens)
        reply = _zns_post(body, tokens["access_token"])
        if _token_rejected(reply):
            raise GatewayError(f"Zalo ZNS refused a freshly refreshed access token: {_zalo_reason(reply)}")
    error = _int(reply.get("error"))
    if error == 0:
        data = reply.get("data") if isinstance(reply.get("data"), dict) else {}
        return f"msg_id {data.get('msg_id')}"
    if error == ZALO_NO_ACCOUNT:
        return _fallback_to_sms(message)
    raise GatewayError(f"Zalo ZNS refused the message: {_zalo_reason(reply)}")


def _zns_post(body: dict, access_token: str) -> dict:
    return _post("Zalo ZNS", _url("ZALO_ZNS_URL", ZNS_PATH), json=body, headers={"access_token": access_token})


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return value


def _zalo_reason(reply: dict) -> str:
    return f"error {reply.get('error')}: {reply.get('message') or 'no reason given'}"


def _token_rejected(reply: dict) -> bool:
    error = _int(reply.get("error"))
    if error in (0, None):
        return False
    text = str(reply.get("message") or "").lower()
    return error in ZALO_TOKEN_ERRORS or ("access token" in text or "access_token" in text)


def _fallback_to_sms(message) -> str:
    """No Zalo account for this phone (-118): the same text goes by SMS, unless the sender already queued an SMS
    for the same event (its key is ours with ":sms" for ":zalo", as `cases` names them) — then nothing more."""
    from .models import OutboxMessage
    from .services import outbox_enqueue

    key = message.idempotency_key
    if key.endswith(":zalo"):
        sibling = key[: -len("zalo")] + "sms"
        if OutboxMessage.objects.filter(idempotency_key=sibling).exists():
            return f"fallback to sms: no Zalo account (-118); SMS {sibling} is queued already"
    fallback_key = f"{key}:sms-fallback"
    max_length = OutboxMessage._meta.get_field("idempotency_key").max_length
    if len(fallback_key) > max_length:  # still unique and stable: a digest of the whole key
        fallback_key = f"{key[:max_length - 30]}:{hashlib.sha256(key.encode()).hexdigest()[:16]}:sms-fallback"
    outbox_enqueue(channel="sms", kind=message.kind, idempotency_key=fallback_key, recipient=message.recipient,
                   office=message.office, dossier_code=message.dossier_code, subject=message.subject,
                   body=message.body, payload={"fallback_from": message.pk})
    return f"fallback to sms: no Zalo account (-118); queued {fallback_key}"


def _seed_fingerprint() -> str:
    return hashlib.sha256(settings.ZALO_REFRESH_TOKEN.encode()).hexdigest()[:16]


def _zalo_tokens() -> dict:
    """The newest token pair, shared by every worker; starts over from ZALO_REFRESH_TOKEN when it changes."""
    seed = _seed_fingerprint()
    state = cache.get(TOKEN_CACHE_KEY)
    if not isinstance(state, dict) or state.get("seed") != seed:
        state = {"seed": seed, "access_token": "", "refresh_token": settings.ZALO_REFRESH_TOKEN, "expires_at": 0}
    return state


def _expired(tokens: dict) -> bool:
    return bool(tokens.get("expires_at")) and time.time() >= tokens["expires_at"]


def _fresh_since(tokens: dict, stale: dict) -> bool:
    return bool(tokens["access_token"]) and tokens["access_token"] != stale["access_token"] and not _expired(tokens)


def _zalo_refresh(stale: dict) -> dict:
    """A new token pair. One worker at a time spends the refresh token; the others wait for its result."""
    owner = uuid.uuid4().hex
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        if cache.add(LOCK_CACHE_KEY, owner, timeout=LOCK_TIMEOUT):
            try:
                current = _zalo_tokens()
                if _fresh_since(current, stale):
                    return current  # another worker refreshed between our failure and the lock
                return _zalo_refresh_now(current)
            finally:
                if cache.get(LOCK_CACHE_KEY) == owner:
                    cache.delete(LOCK_CACHE_KEY)
        current = _zalo_tokens()
        if _fresh_since(current, stale):
            return current
        if time.monotonic() >= deadline:
            raise GatewayError("another worker is refreshing the Zalo access token; will retry")
        time.sleep(0.05)


def _zalo_refresh_now(tokens: dict) -> dict:
    reply = _post("Zalo OAuth", _url("ZALO_OAUTH_URL", OAUTH_PATH),
                  data={"refresh_token": tokens["refresh_token"], "app_id": _setting("ZALO_APP_ID"),
                        "grant_type": "refresh_token"},
                  headers={"secret_key": _setting("ZALO_SECRET_KEY")})
    access, refresh = reply.get("access_token"), reply.get("refresh_token")
    if not access or not refresh:
        reason = reply.get("error_description") or reply.get("error_name") or reply.get("message") or "no reason"
        raise GatewayError(f"Zalo OAuth refused the refresh token (error {reply.get('error')}: {reason}); if this "
                           "persists, authorise the OA again and set the new ZALO_REFRESH_TOKEN")
    lifetime = _int(reply.get("expires_in"))
    expires_at = time.time() + max(lifetime - EXPIRY_MARGIN, lifetime // 2) if isinstance(lifetime, int) else 0
    new = {"seed": tokens["seed"], "access_token": access, "refresh_token": refresh, "expires_at": expires_at}
    cache.set(TOKEN_CACHE_KEY, new, timeout=None)
    log.info("Zalo access token refreshed (valid %s s)", lifetime)
    return new
