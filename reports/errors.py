"""Coded errors of the reports (the API returns {"code", "detail"}; the UI shows `detail`)."""
REPORT_MONTH_CLOSED = "REPORT_MONTH_CLOSED"
REPORT_MONTH_NOT_OVER = "REPORT_MONTH_NOT_OVER"
REPORT_CLOSE_NOT_ALLOWED = "REPORT_CLOSE_NOT_ALLOWED"
