"""A dossier's papers: the applicant's papers (scanned at the desk or uploaded on the national portal) and the
result documents, each a file in Django's default storage (a local folder, or an S3-compatible store) with its
sniffed content type, size and SHA-256. A paper of the portal is registered `pending` when its dossier is pulled
and fetched in the background (attachments.fetch)."""
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cases.choices import Source


class Kind(models.TextChoices):
    PAPER = "paper", _("Giấy tờ người nộp")
    RESULT = "result", _("Văn bản kết quả")


class FetchStatus(models.TextChoices):
    NONE = "", _("Tải lên tại một cửa")
    PENDING = "pending", _("Đang chờ tải từ Cổng DVCQG")
    FETCHED = "fetched", _("Đã tải từ Cổng DVCQG")
    FAILED = "failed", _("Không tải được")


def upload_path(instance, filename) -> str:
    """attachments/<dossier id>/<random>.<ext>: nothing of the applicant's file name reaches the store."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attachments/{instance.dossier_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    dossier = models.ForeignKey("cases.Dossier", models.PROTECT, related_name="attachments",
                                verbose_name=_("hồ sơ"))
    kind = models.CharField(_("loại"), max_length=8, choices=Kind.choices, default=Kind.PAPER)
    source = models.CharField(_("nguồn"), max_length=20, choices=Source.choices, default=Source.DESK)
    name = models.CharField(_("tên tệp"), max_length=255)
    # The checklist item of the dossier's rule version (ProcedureVersion.documents) this paper is a copy of.
    document_index = models.PositiveSmallIntegerField(_("thành phần hồ sơ (thứ tự)"), null=True, blank=True)
    document_name = models.CharField(_("thành phần hồ sơ"), max_length=500, blank=True, default="")
    size = models.PositiveBigIntegerField(_("dung lượng (byte)"), null=True, blank=True)
    content_type = models.CharField(_("kiểu nội dung"), max_length=40, blank=True, default="")
    sha256 = models.CharField(max_length=64, blank=True, default="")
    file = models.FileField(_("tệp"), upload_to=upload_path, max_length=300, blank=True)
    # Papers of the national portal (TaiLieuNop): fetched in the background.
    fetch_status = models.CharField(_("tình trạng tải"), max_length=8, choices=FetchStatus.choices, blank=True,
                                    default=FetchStatus.NONE)
    attempts = models.PositiveSmallIntegerField(_("số lần tải"), default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("lỗi lần tải gần nhất"), blank=True, default="")
    last_error_code = models.CharField(max_length=40, blank=True, default="")
    portal_file_id = models.CharField(_("TepDinhKemId"), max_length=200, blank=True, default="")
    portal_url = models.CharField(_("DuongDanTaiTepTin"), max_length=2000, blank=True, default="")
    fetched_at = models.DateTimeField(null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("người tải lên"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tệp đính kèm")
        verbose_name_plural = _("tệp đính kèm")
        ordering = ["dossier", "kind", "document_index", "id"]
        constraints = [
            # A paper of the portal is registered once, however often its dossier is pulled.
            models.UniqueConstraint(fields=["dossier", "portal_file_id"], condition=~Q(portal_file_id=""),
                                    name="attachment_portal_file_uniq"),
        ]
        indexes = [
            # The background fetch: pending papers whose next attempt is due.
            models.Index(fields=["next_attempt_at"], name="attachment_fetch_due", condition=Q(fetch_status="pending")),
        ]

    def __str__(self):
        return f"{self.dossier_id}: {self.name}"

    @property
    def is_stored(self) -> bool:
        return bool(self.file)
