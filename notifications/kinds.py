"""The kinds of officer alerts (outbox rows of channel "officer", shown by the bell and on /thong-bao/) and how
each reads in Vietnamese. The kind strings are written by the apps that raise the alerts (cases.alerts,
cases.services.scan, cases.recompute); this table only names them, so notifications imports no domain app."""
from django.utils.translation import gettext_lazy as _

ASSIGNED = "dossier.assigned"
DUE_SOON = "dossier.due_soon"
APOLOGY_DUE = "dossier.apology_due"
OVERDUE = "dossier.overdue"
APPOINTMENT_MISSED = "dossier.appointment_missed"
LATE_TO_ACCEPT = "dossier.late_to_accept"
AWAITING_SIGNATURE = "dossier.awaiting_signature"
DUE_DIGEST = "dossier.due_digest"
DEADLINES_MOVED = "calendar.deadlines_moved"

KIND_LABELS = {
    ASSIGNED: _("Giao xử lý"),
    DUE_SOON: _("Sắp đến hạn"),
    APOLOGY_DUE: _("Đến hạn xin lỗi"),
    OVERDUE: _("Quá hạn"),
    APPOINTMENT_MISSED: _("Lỡ hẹn trả kết quả"),
    LATE_TO_ACCEPT: _("Chậm tiếp nhận hồ sơ trực tuyến"),
    AWAITING_SIGNATURE: _("Chờ ký phiếu xin lỗi"),
    DUE_DIGEST: _("Tổng hợp hồ sơ quá hạn, sắp đến hạn"),
    DEADLINES_MOVED: _("Tính lại hạn giải quyết"),
    "feedback.due_soon": _("Phản ánh sắp đến hạn"),
    "feedback.overdue": _("Phản ánh quá hạn"),
}
OTHER = _("Thông báo")


def kind_label(kind: str):
    """How an alert's kind reads (a generic "Thông báo" for a kind this table does not name yet)."""
    return KIND_LABELS.get(kind, OTHER)
