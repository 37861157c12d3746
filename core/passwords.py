"""Password rules (settings.AUTH_PASSWORD_VALIDATORS): Django's four validators. Django's Vietnamese catalogue lacks
the minimum length's error message, so it is given here in Vietnamese (English in locale/en)."""
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            message = _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}
            raise ValidationError(message, code="password_too_short", params={"min_length": self.min_length})
