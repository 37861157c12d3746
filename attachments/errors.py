"""Coded errors of the dossier's papers (the API returns {"code", "detail"}; the pages show `detail`). The
refusals of a file itself (type, size, empty) are core.errors.UploadError, shared with the intake form."""
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCode


class AttachmentError(ErrorCode):
    FILE_REQUIRED = "ATTACHMENT_FILE_REQUIRED", _("Vui lòng chọn tệp cần đính kèm."), 400
    DOCUMENT_REQUIRED = ("ATTACHMENT_DOCUMENT_REQUIRED",
                         _("Vui lòng chọn giấy tờ trong thành phần hồ sơ mà tệp này là bản chụp."), 400)
    DOCUMENT_UNKNOWN = ("ATTACHMENT_DOCUMENT_UNKNOWN",
                        _("“%(document)s” không có trong thành phần hồ sơ của thủ tục."), 400)
    KIND_INVALID = "ATTACHMENT_KIND_INVALID", _("Loại tệp phải là “paper” (giấy tờ) hoặc “result” (kết quả)."), 400
    RESULT_NOT_READY = ("ATTACHMENT_RESULT_NOT_READY",
                        _("Hồ sơ chưa có kết quả giải quyết nên chưa thể lập văn bản kết quả."), 409)
    PDF_UNREADABLE = ("ATTACHMENT_PDF_UNREADABLE",
                      _("Không đọc được tệp PDF “%(name)s” để đóng dấu số của đơn vị; vui lòng xuất lại tệp PDF."), 415)
    NOT_RETRYABLE = "ATTACHMENT_NOT_RETRYABLE", _("Tệp này không phải tệp tải từ Cổng DVCQG bị lỗi."), 409
    # Why a paper of the national portal was not fetched (stored on the row, shown on the dossier page).
    PORTAL_NOT_CONFIGURED = ("ATTACHMENT_PORTAL_NOT_CONFIGURED",
                             _("Chưa cấu hình địa chỉ Cổng DVCQG (NATIONAL_PORTAL_URL)."), 409)
    BAD_LINK = "ATTACHMENT_BAD_LINK", _("Đường dẫn tệp (DuongDanTaiTepTin) “%(url)s” không hợp lệ."), 400
    OTHER_HOST = ("ATTACHMENT_OTHER_HOST",
                  _("Từ chối tải tệp từ “%(host)s”: chỉ tải tệp từ máy chủ của Cổng DVCQG (%(portal)s)."), 400)
    FETCH_HTTP = "ATTACHMENT_FETCH_FAILED", _("Cổng DVCQG trả lỗi HTTP %(status)s khi tải tệp."), 502
    FETCH_NETWORK = "ATTACHMENT_FETCH_FAILED", _("Không kết nối được Cổng DVCQG để tải tệp: %(error)s"), 502
    TOO_MANY_REDIRECTS = "ATTACHMENT_FETCH_FAILED", _("Cổng DVCQG chuyển hướng quá nhiều lần khi tải tệp."), 502
