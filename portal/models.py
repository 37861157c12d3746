"""State of the national portal adapter (CONTRACTS.md §2): pull cursors, sync runs and the quarantine.

The cursor of an office and kind is the `tungay` of its next pull; it moves in the same transaction as the
rows of the page that moved it. An item that fails validation is kept aside with its raw JSON and the reason
("an item that fails validation is kept aside with its raw payload and the reason, and the rest of the page
goes on").
"""
import json

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    DOSSIER = "dossier", _("Hồ sơ")
    PAKN = "pakn", _("Phản ánh, kiến nghị")


class SyncCursor(models.Model):
    """Where the next pull of one office and kind starts (`tungay`, yyyyMMddHHmmss, local time)."""

    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại dữ liệu"), max_length=10, choices=Kind.choices)
    position = models.CharField(_("lấy từ ngày (tungay)"), max_length=14)
    last_pull_at = models.DateTimeField(_("lần lấy thành công gần nhất"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        verbose_name = _("con trỏ đồng bộ")
        verbose_name_plural = _("con trỏ đồng bộ")
        constraints = [models.UniqueConstraint(fields=["office", "kind"], name="portal_cursor_office_kind")]

    def __str__(self):
        return f"{self.office} · {self.get_kind_display()} · {self.position}"


class SyncRun(models.Model):
    """One pull-and-push round of one office and kind. Counters move with each page's transaction, so a
    worker killed mid-round leaves exact figures behind (finished_at stays empty: an interrupted run)."""

    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại dữ liệu"), max_length=10, choices=Kind.choices)
    trigger = models.CharField(_("khởi chạy bởi"), max_length=20, default="worker")
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    ok = models.BooleanField(_("thành công"), null=True)
    pages = models.PositiveIntegerField(_("số trang"), default=0)
    stored = models.PositiveIntegerField(_("lưu mới"), default=0)
    already = models.PositiveIntegerField(_("đã có, bỏ qua"), default=0)
    quarantined = models.PositiveIntegerField(_("cách ly"), default=0)
    pushed = models.PositiveIntegerField(_("đã gửi lên Cổng"), default=0)
    push_failed = models.PositiveIntegerField(_("gửi lỗi"), default=0)
    error = models.TextField(_("lỗi"), blank=True)

    class Meta:
        verbose_name = _("lượt đồng bộ")
        verbose_name_plural = _("lượt đồng bộ")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["office", "kind", "-started_at"], name="portal_run_office_kind")]

    def __str__(self):
        return f"{self.office} · {self.get_kind_display()} · {self.started_at:%d/%m/%Y %H:%M}"


class QuarantinedItem(models.Model):
    """An item of a pulled page that failed validation, kept with its raw JSON until a retry stores it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        RESOLVED = "resolved", _("Đã lưu")

    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    kind = models.CharField(_("loại dữ liệu"), max_length=10, choices=Kind.choices)
    code = models.CharField(_("mã"), max_length=120, blank=True, db_index=True)
    reason = models.TextField(_("lý do"))
    raw = models.JSONField(_("dữ liệu gốc"), null=True)
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(_("tình trạng"), max_length=10, choices=State.choices, default=State.PENDING)
    first_seen_at = models.DateTimeField(_("lần đầu nhận"))
    last_seen_at = models.DateTimeField(_("lần cuối nhận"))
    retry_count = models.PositiveIntegerField(_("số lần thử lại"), default=0)
    last_retry_at = models.DateTimeField(_("thử lại lần cuối"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("đã lưu lúc"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("người thử lại"))

    class Meta:
        verbose_name = _("dữ liệu bị cách ly")
        verbose_name_plural = _("dữ liệu bị cách ly")
        ordering = ["-first_seen_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["kind", "office", "fingerprint"],
                                               name="portal_quarantine_uniq")]
        indexes = [models.Index(fields=["office", "state", "-first_seen_at"], name="portal_quarantine_office")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.code or '(không mã)'}: {self.reason[:60]}"

    @property
    def raw_json(self) -> str:
        return json.dumps(self.raw, ensure_ascii=False, indent=1)


class PortalLink(models.Model):
    """What the national portal knows of one dossier, and where our pushes to it stand.

    Every change of a synced dossier gets the next `last_seq` (in the transaction of the change, under the
    dossier's row lock) and one outbox row carrying that number. The pusher sends a dossier's unsent rows as
    one unit, oldest first, and `DongBoHoSoMC` always carries the dossier's state at send time, so a later
    state is never overtaken by an earlier one (portal.push)."""

    dossier = models.OneToOneField("cases.Dossier", models.CASCADE, primary_key=True, related_name="portal_link",
                                   verbose_name=_("hồ sơ"))
    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    last_seq = models.PositiveIntegerField(_("số thứ tự thay đổi gần nhất"), default=0)
    progress_seq = models.PositiveIntegerField(_("tiến độ đã được Cổng nhận đến số"), default=0)
    synced_seq = models.PositiveIntegerField(_("trạng thái đã được Cổng nhận đến số"), default=0)
    on_portal = models.BooleanField(_("đã có trên Cổng"), default=False)
    synced_at = models.DateTimeField(_("Cổng nhận lần cuối"), null=True, blank=True)
    portal_status = models.PositiveSmallIntegerField(_("trạng thái trên Cổng"), null=True, blank=True)
    portal_received_at = models.DateTimeField(_("ngày tiếp nhận trên Cổng"), null=True, blank=True)
    portal_seen_at = models.DateTimeField(_("đối chiếu với Cổng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("liên kết hồ sơ với Cổng DVCQG")
        verbose_name_plural = _("liên kết hồ sơ với Cổng DVCQG")

    def __str__(self):
        return f"{self.dossier_id} · {self.synced_seq}/{self.last_seq}"


class Disagreement(models.Model):
    """The portal says one thing about a dossier and we hold another (an officer's decision is never overwritten
    by what the portal serves): kept until the two agree again, shown on the dossier and the sync page."""

    dossier = models.ForeignKey("cases.Dossier", models.CASCADE, related_name="portal_disagreements",
                                verbose_name=_("hồ sơ"))
    office = models.ForeignKey("core.Office", models.CASCADE, related_name="+", verbose_name=_("đơn vị"))
    field = models.CharField(_("thông tin"), max_length=40, default="TrangThaiHoSo")
    ours = models.CharField(_("tại một cửa"), max_length=40)
    theirs = models.CharField(_("trên Cổng DVCQG"), max_length=40)
    first_seen_at = models.DateTimeField(_("phát hiện lúc"))
    last_seen_at = models.DateTimeField(_("thấy lần cuối"))
    resolved_at = models.DateTimeField(_("đã khớp lại lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("khác biệt với Cổng DVCQG")
        verbose_name_plural = _("khác biệt với Cổng DVCQG")
        ordering = ["-first_seen_at", "-id"]
        indexes = [models.Index(fields=["office", "-first_seen_at"], name="portal_disagree_open",
                                condition=models.Q(resolved_at__isnull=True))]

    def __str__(self):
        return f"{self.dossier_id}: {self.ours} ≠ {self.theirs}"
