"""The kinds of officer alerts (outbox rows of channel "officer", shown by the bell and on /thong-bao/) and how
each reads in Vietnamese. The kind strings are written by the apps that raise the alerts (cases.alerts,
cases.services.scan, cases.recompute); this table only names them, so notifications imports no domain app."""
from django.utils.translation import pgettext_lazy

ASSIGNED = "dossier.assigned"
DUE_SOON = "dossier.due_soon"
APOLOGY_DUE = "dossier.apology_due"
OVERDUE = "dossier.overdue"
APPOINTMENT_MISSED = "dossier.appointment_missed"
LATE_TO_ACCEPT = "dossier.late_to_accept"
AWAITING_SIGNATURE = "dossier.awaiting_signature"
DUE_DIGEST = "dossier.due_digest"
DUE_NOTICE = "dossier.due_notice"  # the deadline scan: one per officer per run, listing its dossiers
DEADLINES_MOVED = "calendar.deadlines_moved"

KIND_LABELS = {
    ASSIGNED: pgettext_lazy("alert", "Giao xử lý"),
    DUE_SOON: pgettext_lazy("alert", "Sắp đến hạn"),
    APOLOGY_DUE: pgettext_lazy("alert", "Đến hạn xin lỗi"),
    OVERDUE: pgettext_lazy("alert", "Quá hạn"),
    APPOINTMENT_MISSED: pgettext_lazy("alert", "Lỡ hẹn trả kết quả"),
    LATE_TO_ACCEPT: pgettext_lazy("alert", "Chậm tiếp nhận hồ sơ trực tuyến"),
    AWAITING_SIGNATURE: pgettext_lazy("alert", "Chờ ký phiếu xin lỗi"),
    DUE_DIGEST: pgettext_lazy("alert", "Tổng hợp hồ sơ quá hạn, sắp đến hạn"),
    DUE_NOTICE: pgettext_lazy("alert", "Hồ sơ của bạn đến hạn, quá hạn"),
    DEADLINES_MOVED: pgettext_lazy("alert", "Tính lại hạn giải quyết"),
    "feedback.due_soon": pgettext_lazy("alert", "Phản ánh sắp đến hạn"),
    "feedback.overdue": pgettext_lazy("alert", "Phản ánh quá hạn"),
}
OTHER = pgettext_lazy("alert", "Thông báo")


def kind_label(kind: str):
    """How an alert's kind reads (a generic "Thông báo" for a kind this table does not name yet)."""
    return KIND_LABELS.get(kind, OTHER)
