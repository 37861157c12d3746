"""Choices shared by cases.models and the modules that read them without the models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultDelivery(models.TextChoices):
    """How the result reaches the applicant (CONTRACTS.md `result_delivery`, the `return` action's `channel`):
    only `counter` is a visit of the applicant (DOMAIN.md §2.6)."""

    COUNTER = "counter", _("Nhận tại Bộ phận một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến")


class Channel(models.TextChoices):
    DIRECT = "direct", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POSTAL = "postal", _("Bưu chính")


class Source(models.TextChoices):
    DESK = "desk", _("Bộ phận một cửa")
    NATIONAL_PORTAL = "national_portal", _("Cổng DVCQG")


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", _("Công dân")
    ENTERPRISE = "enterprise", _("Doanh nghiệp")
    ORGANISATION = "organisation", _("Tổ chức")


class Outcome(models.TextChoices):
    APPROVED = "approved", _("Chấp thuận")
    REJECTED = "rejected", _("Không chấp thuận")


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("ngày làm việc")
    HALF_DAYS = "half_days", _("buổi làm việc")
    WORKING_HOURS = "working_hours", _("giờ làm việc")


class DueState(models.TextChoices):
    NONE = "", _("Trong hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    APOLOGY_DUE = "apology_due", _("Phải gửi phiếu xin lỗi")
    OVERDUE = "overdue", _("Quá hạn")
    APPOINTMENT_MISSED = "appointment_missed", _("Trễ hẹn đã hẹn lại")
    LATE_TO_ACCEPT = "late_to_accept", _("Chậm tiếp nhận trực tuyến")
    FORWARD_DUE_SOON = "forward_due_soon", _("Sắp đến hạn chuyển")  # PAKN only (feedback.deadlines)
    FORWARD_OVERDUE = "forward_overdue", _("Quá hạn chuyển")


class ContactChannel(models.TextChoices):
    """The applicant's preferred channel for messages, taken at intake (blank = every channel we have)."""

    ANY = "", _("Mọi kênh có thể")
    SMS = "sms", "SMS"
    ZALO = "zalo", "Zalo"
    EMAIL = "email", _("Thư điện tử")


class RatingLevel(models.TextChoices):
    """The applicant's satisfaction (CONTRACTS.md: `POST /dossiers/{code}/rating/` `level`)."""

    SATISFIED = "satisfied", _("Hài lòng")
    ACCEPTABLE = "acceptable", _("Chấp nhận được")
    DISSATISFIED = "dissatisfied", _("Không hài lòng")
