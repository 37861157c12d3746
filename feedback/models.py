"""Feedback (phản ánh, kiến nghị — PAKN) under Decree 20/2008/NĐ-CP as amended by Decree 48/2013/NĐ-CP.

Items arrive from the national PAKN system (pulled by portal/, code = MaPAKN) or at the desk. The answer is due
settings.FEEDBACK_ANSWER_DAYS working days after receipt (our default 10), an item outside our competence must
be forwarded within settings.FEEDBACK_FORWARD_DAYS (5) (feedback.deadlines); both moments are stored so that
the overdue scan is one indexed query. The history is the append-only FeedbackEvent table.
"""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.models import DueState  # the same marks as dossiers, set by the deadline scan
from core.models import HistoryEvent


class Status(models.TextChoices):
    NEW = "new", _("Mới nhận")
    CLASSIFIED = "classified", _("Đã phân loại")
    ASSIGNED = "assigned", _("Đã giao xử lý")
    FORWARDED = "forwarded", _("Đã chuyển cơ quan có thẩm quyền")
    ANSWERED_DRAFT = "answered_draft", _("Đã dự thảo trả lời")
    APPROVED = "approved", _("Lãnh đạo đã duyệt")
    PUBLISHED = "published", _("Đã trả lời, công khai")
    CLOSED = "closed", _("Đã đóng")


OPEN_STATUSES = (Status.NEW, Status.CLASSIFIED, Status.ASSIGNED, Status.ANSWERED_DRAFT, Status.APPROVED)

from .deadlines import FeedbackQuerySet  # noqa: E402 - reads OPEN_STATUSES above


class Category(models.TextChoices):
    """Decree 20/2008 Art. 5 (CONTRACTS.md §1.4)."""

    CONDUCT = "conduct", _("Hành vi chậm trễ, gây phiền hà, không thực hiện hoặc thực hiện sai quy định")
    UNSUITABLE_RULE = "unsuitable_rule", _("Quy định hành chính không phù hợp với thực tế")
    INCONSISTENT_RULES = "inconsistent_rules", _("Quy định hành chính không đồng bộ, không thống nhất")
    UNLAWFUL_RULE = "unlawful_rule", _("Quy định hành chính không hợp pháp")
    TREATY_CONFLICT = "treaty_conflict", _("Quy định trái với điều ước quốc tế")
    OTHER = "other", _("Vấn đề khác")
    PROPOSAL = "proposal", _("Phương án xử lý")
    INITIATIVE = "initiative", _("Sáng kiến ban hành mới quy định hành chính")
    OUT_OF_SCOPE = "out_of_scope", _("Khiếu nại, tố cáo (không thuộc phạm vi)")


class Source(models.TextChoices):
    NATIONAL_PORTAL = "national_portal", _("Hệ thống PAKN quốc gia")
    DESK = "desk", _("Bộ phận một cửa")



class FeedbackItem(models.Model):
    code = models.CharField(_("mã PAKN"), max_length=40, unique=True)
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="feedback_items", verbose_name=_("đơn vị"))
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices, default=Source.NATIONAL_PORTAL)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.NEW)
    category = models.CharField(_("phân loại"), max_length=20, choices=Category.choices, blank=True)

    title = models.CharField(_("tiêu đề"), max_length=500)
    content = models.TextField(_("nội dung"), blank=True)
    field_code = models.CharField(_("mã lĩnh vực"), max_length=60, blank=True)
    sender_name = models.CharField(_("người gửi"), max_length=200, blank=True)
    sender_phone = models.CharField(_("điện thoại"), max_length=16, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    received_at = models.DateTimeField(_("ngày gửi"))
    related_dossier_code = models.CharField(_("mã hồ sơ liên quan"), max_length=60, blank=True, db_index=True)
    related_dossier = models.ForeignKey("cases.Dossier", models.SET_NULL, null=True, blank=True,
                                        related_name="feedback_items", verbose_name=_("hồ sơ liên quan"))
    officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                verbose_name=_("cán bộ bị phản ánh"))

    due_at = models.DateTimeField(_("hạn trả lời"))
    forward_due_at = models.DateTimeField(_("hạn chuyển cơ quan có thẩm quyền"), null=True, blank=True)
    due_state = models.CharField(_("tình trạng hạn"), max_length=20, choices=DueState.choices, blank=True,
                                 default=DueState.NONE)

    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                 related_name="assigned_feedback", verbose_name=_("cán bộ xử lý"))
    classified_at = models.DateTimeField(_("ngày phân loại"), null=True, blank=True)
    forwarded_to = models.CharField(_("chuyển đến cơ quan"), max_length=300, blank=True)
    forward_note = models.TextField(_("ghi chú chuyển"), blank=True)
    forwarded_at = models.DateTimeField(_("ngày chuyển"), null=True, blank=True)

    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("người dự thảo trả lời"))
    answer_signer_name = models.CharField(_("người trả lời (NguoiTraLoi)"), max_length=200, blank=True)
    answer_signer_title = models.CharField(_("chức vụ người trả lời"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("ngày trả lời"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("lãnh đạo duyệt"))
    approved_at = models.DateTimeField(_("ngày duyệt"), null=True, blank=True)
    is_public = models.BooleanField(_("công khai trả lời"), default=False)
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True)
    closed_at = models.DateTimeField(_("ngày đóng"), null=True, blank=True)
    close_reason = models.TextField(_("lý do đóng"), blank=True)

    raw_payload = models.JSONField(_("dữ liệu gốc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["office", "status", "-received_at"], name="feedback_office_status"),
            models.Index(fields=["office", "received_at"], name="feedback_office_received"),
            models.Index(fields=["due_at"], name="feedback_open_due",
                         condition=Q(status__in=["new", "classified", "assigned", "answered_draft", "approved"])),
        ]

    def __str__(self):
        return f"{self.code} – {self.title[:60]}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class FeedbackEvent(HistoryEvent):
    """One row per change of a feedback item: who, when, from which status to which, why. Append-only."""

    item = models.ForeignKey(FeedbackItem, models.PROTECT, related_name="events")
    from_status = models.CharField(_("từ trạng thái"), max_length=16, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=16, blank=True)

    class Meta(HistoryEvent.Meta):
        verbose_name = _("nhật ký PAKN")
        verbose_name_plural = _("nhật ký PAKN")
