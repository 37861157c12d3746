"""Login throttling: too many failures for one username from one address → refuse for a while.

The key is (username, client address) so that an attacker guessing one account cannot lock its owner out
from another desk, and nobody can lock out everyone.
"""
import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(username: str, ip: str) -> str:
    digest = hashlib.sha256(f"{(username or '').strip().lower()}|{ip}".encode()).hexdigest()[:32]
    return f"login-fail:{digest}"


def client_ip(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def is_locked(username: str, ip: str) -> bool:
    return cache.get(_key(username, ip), 0) >= settings.LOGIN_FAILURE_LIMIT


def register_failure(username: str, ip: str) -> None:
    key = _key(username, ip)
    if cache.add(key, 1, settings.LOGIN_FAILURE_WINDOW):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, settings.LOGIN_FAILURE_WINDOW)


def reset(username: str, ip: str) -> None:
    cache.delete(_key(username, ip))
