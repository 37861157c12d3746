"""Coded errors of signing and verification. A signature that cannot be made leaves the document unissued:
the caller's transaction rolls back and the API answers the member's status (503 when the key or the
time-stamping service cannot be reached now, 409 when the certificate itself forbids signing)."""
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, ErrorCode  # noqa: F401 - re-exported for callers


class SigningError(ErrorCode):
    KEY_NOT_CONFIGURED = ("SIGNING_KEY_NOT_CONFIGURED",
                          _("Chưa cấu hình khóa ký số cho %(owner)s; văn bản chưa được phát hành."), 503)
    KEY_FILE_MISSING = ("SIGNING_KEY_UNAVAILABLE",
                        _("Không đọc được tệp khóa ký số của %(owner)s; văn bản chưa được phát hành."), 503)
    TOKEN_ABSENT = ("SIGNING_TOKEN_ABSENT",
                    _("Không tìm thấy thiết bị ký số (token/HSM) của %(owner)s; văn bản chưa được phát hành."), 503)
    PASSPHRASE_INVALID = ("SIGNING_PASSPHRASE_INVALID",
                          _("Mật khẩu/mã PIN khóa ký số của %(owner)s không đúng; văn bản chưa được phát hành."), 503)
    CERT_EXPIRED = ("SIGNING_CERT_EXPIRED",
                    _("Chứng thư số của %(owner)s đã hết hạn ngày %(until)s; văn bản chưa được phát hành."), 409)
    CERT_NOT_YET_VALID = ("SIGNING_CERT_EXPIRED",
                          _("Chứng thư số của %(owner)s chỉ có hiệu lực từ ngày %(since)s; văn bản chưa được phát "
                            "hành."), 409)
    CERT_REVOKED = ("SIGNING_CERT_REVOKED",
                    _("Chứng thư số của %(owner)s đã bị thu hồi; văn bản chưa được phát hành."), 409)
    CERT_UNTRUSTED = ("SIGNING_CERT_UNTRUSTED",
                      _("Chứng thư số của %(owner)s không thuộc tổ chức chứng thực được tin cậy; văn bản chưa được "
                        "phát hành."), 409)
    TSA_UNAVAILABLE = ("SIGNING_TSA_UNAVAILABLE",
                       _("Không lấy được dấu thời gian từ dịch vụ cấp dấu thời gian; văn bản chưa được phát hành."),
                       503)
    FAILED = "SIGNING_FAILED", _("Ký số không thành công (%(reason)s); văn bản chưa được phát hành."), 503
    # Verification (/xac-thuc/, POST /api/v1/verify/)
    VERIFY_INPUT_REQUIRED = ("VERIFY_INPUT_REQUIRED",
                             _("Vui lòng tải lên tệp PDF hoặc nhập mã hồ sơ cần xác thực."), 400)
    VERIFY_NOT_PDF = "VERIFY_NOT_PDF", _("Tệp tải lên không phải là tệp PDF đọc được."), 400
    VERIFY_TOO_LARGE = "VERIFY_TOO_LARGE", _("Tệp tải lên quá lớn (tối đa %(limit)s MB)."), 413
    DOCUMENT_NOT_FOUND = "NOT_FOUND", _("Không tìm thấy văn bản đã ký số với thông tin này."), 404
    THROTTLED = "THROTTLED", _("Bạn đã tra cứu quá nhiều lần, vui lòng thử lại sau ít phút."), 429
