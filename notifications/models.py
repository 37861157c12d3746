"""The outbox: every message to a citizen, an officer or the national portal is a row written in the same
transaction as the change that causes it; Celery delivers it after commit, with retries and back-off."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", "SMS"
    EMAIL = "email", _("Thư điện tử")
    ZALO = "zalo", "Zalo"
    OFFICER = "officer", _("Thông báo nội bộ")
    PORTAL = "portal", _("Cổng DVCQG")


# The states in which a row waits for its next attempt (a "sending" row whose lease ran out: its worker died).
DUE_STATES = ["pending", "failed", "sending"]


class OutboxMessage(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        FAILED = "failed", _("Lỗi, sẽ thử lại")
        DEAD = "dead", _("Không gửi được")

    channel = models.CharField(max_length=10, choices=Channel.choices)
    kind = models.CharField(_("loại"), max_length=40)
    idempotency_key = models.CharField(max_length=120, unique=True)
    recipient = models.CharField(_("người nhận"), max_length=200, blank=True)
    recipient_user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True,
                                       related_name="notifications")
    office = models.ForeignKey("core.Office", models.PROTECT, null=True, blank=True, related_name="+")
    dossier_code = models.CharField(max_length=60, blank=True, db_index=True)
    subject = models.CharField(max_length=300, blank=True)
    body = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # Not delivered before this moment (messages to citizens are held outside CITIZEN_MESSAGE_HOURS).
    not_before = models.DateTimeField(_("không gửi trước"), null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)  # officer alerts: when the recipient marked it read

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="outbox_due", condition=Q(state__in=DUE_STATES)),
            models.Index(fields=["recipient_user", "-created_at"], name="outbox_user"),
            # The bell's count and the unread list: a user's officer alerts not read yet.
            models.Index(fields=["recipient_user", "-created_at"], name="outbox_unread_alert",
                         condition=Q(channel="officer", read_at__isnull=True)),
        ]

    def __str__(self):
        return f"{self.channel}:{self.kind}:{self.recipient or self.recipient_user_id}"

    @property
    def kind_label(self):
        """How an officer alert's kind reads (notifications.kinds)."""
        from .kinds import kind_label

        return kind_label(self.kind)


class DeliveryAttempt(models.Model):
    message = models.ForeignKey(OutboxMessage, models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(auto_now_add=True)
    ok = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
