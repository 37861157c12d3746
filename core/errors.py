"""Domain errors (Saleor's `error_codes.py`): each app lists its errors once, in its own `errors.py`, as an
`ErrorCode` enum. A member carries the stable code the API returns, a translatable message and the HTTP
status; services raise `DomainError(member, **params)`, the API answers `{"code", "detail"}` and the pages
show `detail`, both translated into the language of the request when they are rendered.

    class DossierError(ErrorCode):
        READ_ONLY = "READ_ONLY_ROLE", _("Tài khoản của bạn chỉ có quyền xem."), 403

Two members may share a code when the rule is the same and only the message differs (each message says
which field is missing, for instance); the code is still written only in the app's `errors.py`.
"""
import enum

from django.utils.translation import gettext_lazy as _


class ErrorCode(enum.Enum):
    """A TextChoices-like enum of coded errors: `member.code`, `member.message` (lazy), `member.status`."""

    def __new__(cls, code: str, message, status: int = 409):
        member = object.__new__(cls)
        # Members that share a code must stay distinct members (an Enum would alias equal values).
        member._value_ = f"{code}#{len(cls._member_names_)}"
        member.code, member.message, member.status = code, message, status
        return member

    @property
    def label(self):
        return self.message

    def format(self, **params) -> str:
        """The message in the active language, with its `%(name)s` placeholders filled in."""
        return str(self.message) % params if params else str(self.message)

    def __str__(self):
        return self.code

    @classmethod
    def choices(cls):
        return [(member.code, member.message) for member in cls]


class CoreError(ErrorCode):
    """Errors that every app may raise."""

    READ_ONLY_ROLE = "READ_ONLY_ROLE", _("Tài khoản của bạn chỉ có quyền xem."), 403
    UNKNOWN_ACTION = "UNKNOWN_ACTION", _("Không có thao tác “%(action)s”."), 404
    NOT_FOUND = "NOT_FOUND", _("Không tìm thấy."), 404
    INTERNAL_ERROR = "INTERNAL_ERROR", _("Lỗi hệ thống, vui lòng thử lại sau."), 500
    TOO_MANY_ATTEMPTS = "TOO_MANY_ATTEMPTS", _("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút."), 429
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS", _("Tên đăng nhập hoặc mật khẩu không đúng."), 400
    # Who may do what (core.permissions): each capability's refusal.
    ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED", _("Bạn không có quyền thực hiện thao tác này."), 403
    LOGIN_REQUIRED = "ROLE_NOT_ALLOWED", _("Vui lòng đăng nhập."), 403
    DESK_ONLY = "ROLE_NOT_ALLOWED", _("Bàn làm việc dành cho cán bộ tiếp nhận và chuyên viên."), 403
    RECEPTION_ONLY = "ROLE_NOT_ALLOWED", _("Chỉ cán bộ tiếp nhận được tiếp nhận hồ sơ."), 403
    TRACKING_BOOK_ONLY = ("ROLE_NOT_ALLOWED",
                          _("Sổ theo dõi hồ sơ dành cho Bộ phận Tiếp nhận và Trả kết quả và lãnh đạo đơn vị."), 403)
    OVERDUE_DESK_ONLY = "ROLE_NOT_ALLOWED", _("Trang này dành cho Lãnh đạo và chuyên viên phòng nghiệp vụ."), 403
    DASHBOARD_ONLY = "ROLE_NOT_ALLOWED", _("Bảng điều hành dành cho lãnh đạo đơn vị."), 403
    REPORTS_ONLY = "ROLE_NOT_ALLOWED", _("Báo cáo dành cho lãnh đạo đơn vị và Vụ Pháp chế."), 403
    OVERSIGHT_ONLY = "ROLE_NOT_ALLOWED", _("Trang giám sát toàn quốc dành cho Vụ Pháp chế."), 403
    SYNC_HEALTH_ONLY = ("ROLE_NOT_ALLOWED", _("Chỉ lãnh đạo đơn vị và quản trị hệ thống xem được trang đồng bộ."),
                        403)
    SIGNER_ONLY = ("ROLE_NOT_ALLOWED",
                   _("Chỉ Giám đốc hoặc Phó Giám đốc của đơn vị được ký, phát hành phiếu xin lỗi."), 403)
    PERSONAL_DATA_HIDDEN = "ROLE_NOT_ALLOWED", _("Bạn không được xem đầy đủ thông tin cá nhân."), 403
    APPROVER_ONLY = "ROLE_NOT_ALLOWED", _("Chỉ Giám đốc hoặc Phó Giám đốc của đơn vị được duyệt trả lời."), 403
    LEGAL_BASIS_EDITORS_ONLY = ("ROLE_NOT_ALLOWED",
                                _("Chỉ Vụ Pháp chế và quản trị hệ thống được sửa căn cứ pháp lý."), 403)
    ADMIN_ONLY = "ROLE_NOT_ALLOWED", _("Chỉ quản trị hệ thống được thực hiện thao tác này."), 403
    CLOSERS_ONLY = "ROLE_NOT_ALLOWED", _("Chỉ Giám đốc, Phó Giám đốc của đơn vị được chốt số liệu."), 403
    RESULT_DOCUMENT_ONLY = ("ROLE_NOT_ALLOWED",
                            _("Chỉ phòng nghiệp vụ và lãnh đạo đơn vị được đính kèm văn bản kết quả."), 403)
    # Idempotent writes (core.idempotency) and a database outage (issue 13).
    IDEMPOTENCY_KEY_INVALID = ("IDEMPOTENCY_KEY_INVALID",
                               _("Idempotency-Key phải gồm 1 đến 200 ký tự ASCII nhìn thấy được."), 400)
    IDEMPOTENCY_KEY_REUSED = ("IDEMPOTENCY_KEY_REUSED",
                              _("Khóa Idempotency-Key này đã được dùng cho một yêu cầu có nội dung khác; mỗi yêu cầu "
                                "mới cần một khóa mới."), 422)
    INTAKE_FORM_ALREADY_SENT = ("IDEMPOTENCY_KEY_REUSED",
                                _("Biểu mẫu này đã được gửi và tiếp nhận trước đó với nội dung khác. Kiểm tra danh "
                                  "sách hồ sơ; nếu đây là hồ sơ mới, nhấn gửi lần nữa."), 422)
    DATABASE_UNAVAILABLE = ("SERVICE_UNAVAILABLE",
                            _("Cơ sở dữ liệu tạm thời không truy cập được; vui lòng thử lại sau ít phút (gửi lại "
                              "với cùng Idempotency-Key sẽ không tạo hồ sơ trùng)."), 503)
    # Separation of duties (issue 12): who records a dossier's result, who approves it.
    RESOLVER_ONLY = ("SEPARATION_OF_DUTIES",
                     _("Chỉ chuyên viên được giao xử lý hồ sơ, trưởng phòng nghiệp vụ hoặc Giám đốc, Phó Giám đốc "
                       "được ghi kết quả giải quyết; cán bộ tiếp nhận không tự giải quyết hồ sơ mình tiếp nhận."),
                     403)
    RESULT_APPROVER_ONLY = ("SEPARATION_OF_DUTIES",
                            _("Chỉ trưởng phòng nghiệp vụ hoặc Giám đốc, Phó Giám đốc của đơn vị được duyệt kết quả "
                              "giải quyết."), 403)


class DomainError(Exception):
    """A business rule said no. `status` is the HTTP status the API answers with (the member's, by default).

    `params` fill the member's message; `extra` are further fields of the API answer (`current_status`, …).
    The message is translated when it is read (`message`, `as_dict()`), in the language active then."""

    def __init__(self, error: ErrorCode, /, *, http_status: int | None = None, extra: dict | None = None, **params):
        if not isinstance(error, ErrorCode):
            raise TypeError(f"DomainError takes an ErrorCode member, not {error!r}")
        super().__init__(error.code)
        self.error, self.code, self.params, self.extra = error, error.code, params, extra or {}
        self.status = http_status if http_status is not None else error.status

    @property
    def message(self) -> str:
        return self.error.format(**self.params)

    def __str__(self):
        return self.message

    def as_dict(self):
        return {"code": self.code, "detail": self.message, **self.extra}


class UploadError(ErrorCode):
    """A file handed to us (desk upload, a paper fetched from the national portal) refused by core.uploads."""

    TYPE_REFUSED = ("UPLOAD_TYPE_REFUSED",
                    _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (nội dung tệp được kiểm tra, không dựa vào tên "
                      "tệp)."), 415)
    TOO_LARGE = "UPLOAD_TOO_LARGE", _("Tệp “%(name)s” lớn hơn %(limit)s."), 413
    EMPTY = "UPLOAD_EMPTY", _("Tệp “%(name)s” rỗng."), 400
