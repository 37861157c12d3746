"""Coded errors of the reports (the API returns {"code", "detail"}; the UI shows `detail`)."""
from django.utils.translation import gettext_lazy as _

from core.errors import ErrorCode


class ReportError(ErrorCode):
    MONTH_CLOSED = "REPORT_MONTH_CLOSED", _("Số liệu tháng %(month)s của đơn vị đã được chốt."), 409
    MONTH_NOT_OVER = "REPORT_MONTH_NOT_OVER", _("Tháng %(month)s chưa kết thúc, chưa thể chốt số liệu."), 409
    MONTH_INVALID = "REPORT_MONTH_INVALID", _("Tháng phải có dạng YYYY-MM, ví dụ 2026-11."), 400
    OFFICE_NOT_FOUND = ("REPORT_OFFICE_NOT_FOUND",
                        _("Không có đơn vị mã “%(code)s” trong phạm vi của bạn."), 400)
