"""API tokens (`Authorization: Token <key>`, CONTRACTS.md §1.2) that expire and are revoked (issue 13).

A token lives `API_TOKEN_TTL` seconds from its issue; `POST /api/v1/auth/token/` hands out the user's live token
or, once it has expired, a new one. Signing out (the page or `POST /api/v1/auth/logout/`) and any change of the
password (the password page, the admin, `set_password`, `changepassword`) revoke the user's token at once.
"""
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token):
    return token.created + timedelta(seconds=settings.API_TOKEN_TTL)


def token_expired(token: Token, now=None) -> bool:
    return token_expires_at(token) <= (now or timezone.now())


def token_issue(*, user) -> Token:
    """The user's live token, or a new one when there is none or it has expired (one token per user)."""
    cutoff = timezone.now() - timedelta(seconds=settings.API_TOKEN_TTL)
    Token.objects.filter(user=user, created__lte=cutoff).delete()
    token, _ = Token.objects.get_or_create(user=user)  # two logins at once: one creates, the other reads it
    return token


def tokens_revoke(*, user) -> int:
    """Revoke every API token of the user; the number revoked."""
    if user is None or user.pk is None:
        return 0
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


def revoke_on_logout(sender, request, user, **kwargs):
    """`user_logged_out` receiver: signing out of the pages (or the admin) also signs the API out."""
    tokens_revoke(user=user)
