"""Login lockout and the client address every throttle is keyed on.

Two failure counters, each atomic (cache `add` then `incr`, never read-modify-write):
- per account (the username, whatever the address): LOGIN_FAILURE_LIMIT failures lock that account for
  everyone for LOGIN_FAILURE_WINDOW seconds (password guessing or spraying against one account);
- per client address (whatever the accounts): LOGIN_ADDRESS_FAILURE_LIMIT failures lock that address
  (one machine trying many accounts).

`begin_attempt` reserves one attempt on both counters BEFORE the password is checked, so parallel requests
cannot all slip past a check: at most LIMIT passwords are ever checked in one window. A successful login
releases its reservation (`succeeded`).

The cache (Redis) being down must not stop anyone from logging in: every cache error is logged and the
request is allowed (throttling degrades, logins keep working).
"""
import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import AnonRateThrottle

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client address as the configured proxy chain reports it (the same rule as DRF's throttles):
    NUM_PROXIES = 0 → REMOTE_ADDR only (X-Forwarded-For is the client's to forge); N > 0 → the address the
    N-th proxy from the app appended to X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR", "") or "unknown"
    num_proxies = getattr(settings, "NUM_PROXIES", 0) or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if num_proxies > 0 and forwarded:
        addrs = [a.strip() for a in forwarded.split(",") if a.strip()]
        if addrs:
            return addrs[-min(num_proxies, len(addrs))]
    return remote


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _account_key(username: str) -> str:
    return f"login-fail:user:{_digest((username or '').strip().lower())}"


def _address_key(ip: str) -> str:
    return f"login-fail:addr:{_digest(ip)}"


def _count_up(key: str) -> int:
    """Atomically add one to `key` (created with the window as its lifetime); return the new count."""
    window = settings.LOGIN_FAILURE_WINDOW
    for _ in range(3):
        if cache.add(key, 1, window):
            return 1
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr: start again
            continue
    return 1


def _over(count_account: int, count_address: int) -> bool:
    return count_account > settings.LOGIN_FAILURE_LIMIT or count_address > settings.LOGIN_ADDRESS_FAILURE_LIMIT


def is_locked(username: str, ip: str) -> bool:
    """Already locked (read only): the account or the address has used up its attempts."""
    try:
        return (cache.get(_account_key(username), 0) >= settings.LOGIN_FAILURE_LIMIT
                or cache.get(_address_key(ip), 0) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT)
    except Exception:  # noqa: BLE001 - a cache outage degrades the lockout, it does not stop logins
        logger.warning("login lockout: cache unavailable, allowing the attempt", exc_info=True)
        return False


def begin_attempt(username: str, ip: str) -> bool:
    """Reserve one attempt for (account, address) before any password is checked. False = locked: refuse
    without checking the password. Each reservation counts as a failure until `succeeded` releases it."""
    try:
        if is_locked(username, ip):
            return False
        account, address = _count_up(_account_key(username)), _count_up(_address_key(ip))
        return not _over(account, address)
    except Exception:  # noqa: BLE001 - see is_locked
        logger.warning("login lockout: cache unavailable, allowing the attempt", exc_info=True)
        return True


def succeeded(username: str, ip: str) -> None:
    """The password was right: clear the account's failures and give back this attempt's address slot."""
    try:
        cache.delete(_account_key(username))
        try:
            if cache.decr(_address_key(ip)) <= 0:
                cache.delete(_address_key(ip))
        except ValueError:
            pass
    except Exception:  # noqa: BLE001 - see is_locked
        logger.warning("login lockout: cache unavailable, not resetting the counters", exc_info=True)


class ClientAddressThrottle(AnonRateThrottle):
    """DRF's anonymous throttle keyed on the client address the configured proxy chain reports (`client_ip`:
    a forged X-Forwarded-For is ignored); a cache outage lets the request through with a warning instead of a
    500. Subclasses name their `scope` (its rate in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES)."""

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except Exception:  # noqa: BLE001 - throttling degrades when the cache is down
            logger.warning("%s throttle: cache unavailable, allowing the request", self.scope, exc_info=True)
            return True

