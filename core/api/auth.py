"""The API's token authentication: DRF's `Token` with a lifetime (core.tokens)."""
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from core.tokens import token_expired

TOKEN_EXPIRED = _("Mã truy cập API đã hết hạn, vui lòng đăng nhập lại để lấy mã mới.")


class ExpiringTokenAuthentication(TokenAuthentication):
    """An expired token is deleted and answered with a 401 (`{"detail"}`, `WWW-Authenticate: Token`)."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            token.delete()
            raise AuthenticationFailed(TOKEN_EXPIRED, code="token_expired")
        return user, token


def token_or_login_required(view):
    """For the pages whose URLs the API hands out (the slips: `receipt_url`, `pdf_url`): the API's own credentials,
    `Authorization: Token <key>`, count as a sign-in (CONTRACTS.md §1.2: such a URL answers the credentials of the
    call that returned it). A bad or expired token is a 401; no credentials at all, the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if get_authorization_header(request).split()[:1] == [b"Token"] and request.method in ("GET", "HEAD"):
            try:
                found = ExpiringTokenAuthentication().authenticate(request)
            except AuthenticationFailed as exc:
                return JsonResponse({"detail": str(exc.detail)}, status=401, headers={"WWW-Authenticate": "Token"})
            if found:
                request.user = found[0]
                return view(request, *args, **kwargs)
        return login_required(view)(request, *args, **kwargs)

    return wrapped
