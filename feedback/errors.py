"""Coded errors of the handling of feedback items (PAKN). The API returns {"code", "detail"}; the UI shows
`detail`, translated at render time."""
from django.utils.translation import gettext_lazy as _

from core.errors import CoreError, DomainError, ErrorCode  # noqa: F401 - re-exported for callers


class FeedbackError(ErrorCode):
    ACTION_NOT_ALLOWED = ("ACTION_NOT_ALLOWED",
                          _("Không thể “%(action)s” khi phản ánh đang ở trạng thái “%(status)s”."), 409)
    SIGNER_REQUIRED = ("FEEDBACK_SIGNER_REQUIRED",
                       _("Chỉ Giám đốc hoặc Phó Giám đốc của đơn vị được duyệt trả lời."), 403)
    CATEGORY_INVALID = "CATEGORY_INVALID", _("Phân loại không hợp lệ."), 400
    ASSIGNEE_INVALID = ("ASSIGNEE_INVALID",
                        _("Không thể giao cho “%(username)s”: người này không thuộc đơn vị."), 400)
    OFFICER_INVALID = ("ASSIGNEE_INVALID",
                       _("Không thể ghi nhận phản ánh về “%(username)s”: người này không thuộc đơn vị."), 400)
    # REASON_REQUIRED: a required text is missing; each message says which one.
    AGENCY_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi cơ quan có thẩm quyền nhận phản ánh."), 400
    ANSWER_REQUIRED = "REASON_REQUIRED", _("Vui lòng nhập nội dung trả lời."), 400
    CLOSE_REASON_REQUIRED = "REASON_REQUIRED", _("Vui lòng ghi lý do đóng phản ánh."), 400
