"""The API's token authentication: DRF's `Token` with a lifetime (core.tokens)."""
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import TokenAuthentication
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
