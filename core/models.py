from datetime import time

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OfficeQuerySet(models.QuerySet):
    def current(self, on=None):
        """Offices whose code is in force on the given date (codes are reused after mergers)."""
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gte=on) | Q(valid_to__isnull=True)
        )


class Office(models.Model):
    class Level(models.TextChoices):
        CENTRAL = "central", _("Trung ương")
        PROVINCE = "province", _("Tỉnh, thành phố")
        DISTRICT = "district", _("Cơ sở (quận, huyện)")

    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", models.PROTECT, null=True, blank=True, related_name="children",
                               verbose_name=_("đơn vị cấp trên"))
    agency_code = models.CharField(
        _("mã định danh điện tử"), max_length=40, null=True, blank=True, unique=True,
        help_text=_("Mã đơn vị (madonvi) theo QĐ 20/2020/QĐ-TTg, tiền tố của mã hồ sơ, ví dụ 000.00.01.H29"),
    )
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    office_hours = models.JSONField(
        _("giờ làm việc"), null=True, blank=True,
        help_text=_('Các khoảng giờ, ví dụ [["07:30", "11:30"], ["13:00", "17:00"]]; để trống = mặc định.'),
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    # Separation of duties (core.permissions.can_resolve): may the officer who received a dossier also resolve it?
    allow_receiver_resolve = models.BooleanField(_("cho phép cán bộ tiếp nhận giải quyết hồ sơ mình tiếp nhận"),
                                                 default=False)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị BHXH")
        verbose_name_plural = _("đơn vị BHXH")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code", "valid_from"], name="office_code_valid_from_uniq")]

    def __str__(self):
        return self.name

    @property
    def province(self):
        return self if self.level != self.Level.DISTRICT else self.parent

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.office_hours:
            try:
                spans = [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in self.office_hours]
            except (TypeError, ValueError) as exc:
                raise ValidationError({"office_hours": _('Dạng đúng: [["07:30", "11:30"], ["13:00", "17:00"]].')}) \
                    from exc
            if any(a >= b for a, b in spans) or any(spans[i][1] > spans[i + 1][0] for i in range(len(spans) - 1)):
                raise ValidationError({"office_hours": _("Các khoảng giờ phải tăng dần và không chồng nhau.")})

    def hours(self):
        """Office hours as a list of (time, time) pairs; falls back to settings.OFFICE_HOURS."""
        from django.conf import settings

        spans = self.office_hours or settings.OFFICE_HOURS
        return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans]


class Role(models.TextChoices):
    RECEPTION = "reception", _("Cán bộ tiếp nhận")
    PROCESSOR = "processor", _("Chuyên viên phòng nghiệp vụ")
    DIRECTOR = "director", _("Giám đốc")
    DEPUTY = "deputy", _("Phó Giám đốc")
    LEGAL = "legal", _("Vụ Pháp chế")
    ADMIN = "admin", _("Quản trị hệ thống")


class User(AbstractUser):
    role = models.CharField(_("vai trò"), max_length=12, choices=Role.choices, default=Role.RECEPTION)
    office = models.ForeignKey(Office, models.PROTECT, null=True, blank=True, related_name="staff",
                               verbose_name=_("đơn vị"))
    title = models.CharField(_("chức danh"), max_length=120, blank=True)
    # The head of a processing unit (trưởng phòng nghiệp vụ) approves results where the rule version asks for it.
    is_unit_head = models.BooleanField(_("trưởng phòng nghiệp vụ"), default=False)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self._password_replaced = True

    def set_unusable_password(self):
        super().set_unusable_password()
        self._password_replaced = True

    def check_password(self, raw_password):
        """Django's, but when a correct password's hash is upgraded (a new hasher or more iterations) the password
        has not changed: the tokens stay."""
        from django.contrib.auth.hashers import check_password, make_password

        def rehash(raw):
            self.password = make_password(raw)
            self.save(update_fields=["password"])

        return check_password(raw_password, self.password, rehash)

    def save(self, *args, **kwargs):
        """A new password (set_password: the password page, the admin, `changepassword`) revokes the user's API
        tokens once it is saved (issue 13); sessions are already ended by Django's session hash."""
        super().save(*args, **kwargs)
        if getattr(self, "_password_replaced", False):
            self._password_replaced = False
            from .tokens import tokens_revoke

            tokens_revoke(user=self)

    @property
    def display_name(self):
        """Vietnamese order: family name first (Nguyễn Thị Hoa)."""
        return f"{self.last_name} {self.first_name}".strip() or self.username

    @property
    def sees_all_offices(self):
        """Office scope (core.scoping); who may do what is core.permissions."""
        return self.is_superuser or self.role in (Role.LEGAL, Role.ADMIN)


class WorkerHeartbeat(models.Model):
    """Written by the Celery worker on a beat schedule; /healthz shows when a worker was last alive."""

    worker = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField()
    tasks_seen = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("tín hiệu tiến trình nền")
        verbose_name_plural = _("tín hiệu tiến trình nền")


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self):
        raise TypeError(f"{self.model.__name__} rows are append-only")


class HistoryEvent(models.Model):
    """One change of a tracked object: who, when, what, why. Rows are appended, never edited or deleted (by the
    model, its queryset and the admin). Subclasses add the object and the from/to status."""

    at = models.DateTimeField(_("thời điểm"), db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True, related_name="+")
    actor_name = models.CharField(_("người thực hiện"), max_length=200)
    action = models.CharField(_("thao tác"), max_length=40)
    note = models.TextField(_("ghi chú"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError(f"{type(self).__name__} rows are append-only")


class IdempotentRequest(models.Model):
    """The first answer to a write sent with an idempotency key (the API's `Idempotency-Key` header, the intake
    page's hidden token), written in the same transaction as the write itself: a retry with the same key gets
    this answer back instead of a second write (core.idempotency)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    scope = models.CharField(max_length=60)  # which write: "api:dossier-intake", "page:intake"
    fingerprint = models.CharField(max_length=64)  # sha256 of the scope and the request body
    status = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotent_request_user_key")]

    def __str__(self):
        return f"{self.scope}:{self.key}"
