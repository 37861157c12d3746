"""The working-day calendar as data (STYLE.md "Deadlines"): overrides an administrator maintains, and the
materialised list of working days built from them and the `holidays` package (see workcal/rules.py)."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarOverride(models.Model):
    """One day whose status an administrator sets by hand; it wins over the `holidays` package.

    Use it for a day off the Government swapped that the package does not know yet, or for a make-up
    working Saturday. Saving or deleting one rebuilds the working-day table (workcal/receivers.py).
    """

    class Kind(models.TextChoices):
        OFF = "off", _("Ngày nghỉ")
        WORK = "work", _("Ngày làm việc")

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại ngày"), max_length=4, choices=Kind.choices)
    note = models.CharField(_("ghi chú"), max_length=200, blank=True,
                            help_text=_("Căn cứ, ví dụ số văn bản thông báo hoán đổi ngày làm việc."))
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("ngày điều chỉnh lịch làm việc")
        verbose_name_plural = _("ngày điều chỉnh lịch làm việc")
        ordering = ["-date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} · {self.get_kind_display()}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_date = instance.__dict__.get("date")  # lets the rebuild see a moved date
        return instance


class WorkingDay(models.Model):
    """One working day. `ordinal` numbers working days consecutively, so "the N-th working day after D"
    is `ordinal(D') + N` — a lookup, never a day-by-day loop. Built by workcal.services; never edit by hand."""

    date = models.DateField(_("ngày"), primary_key=True)
    ordinal = models.IntegerField(_("số thứ tự"), unique=True)

    class Meta:
        verbose_name = _("ngày làm việc")
        verbose_name_plural = _("ngày làm việc")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} (#{self.ordinal})"


class CalendarStamp(models.Model):
    """A single row describing the materialised table: the years it covers, the `holidays` version it was
    built with, and `stamp`, a hash of its content. Every process reads `stamp` (one primary-key query) to
    know whether its in-memory copy of the calendar is still current."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON)
    stamp = models.CharField(_("dấu phiên bản"), max_length=64)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    holidays_version = models.CharField(_("phiên bản gói holidays"), max_length=20)
    built_at = models.DateTimeField(_("dựng lúc"), auto_now=True)

    class Meta:
        verbose_name = _("phiên bản lịch làm việc")
        verbose_name_plural = _("phiên bản lịch làm việc")

    def __str__(self):
        return f"{self.first_year}–{self.last_year} · {self.stamp[:12]}"


class CalendarYear(models.Model):
    """Whether a year's days off and make-up days have been announced by the Government (DOMAIN.md §3), and by
    which notice. A year without a row is provisional: computed by rule from the `holidays` package, and a due
    date in it carries a warning. Marking a year announced recomputes the open deadlines (workcal/years.py)."""

    class Status(models.TextChoices):
        ANNOUNCED = "announced", _("Đã công bố")
        PROVISIONAL = "provisional", _("Tạm tính")

    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    status = models.CharField(_("tình trạng"), max_length=12, choices=Status.choices, default=Status.PROVISIONAL)
    source = models.CharField(_("văn bản công bố"), max_length=300, blank=True,
                              help_text=_("Số, ký hiệu và trích yếu thông báo lịch nghỉ lễ, Tết của năm."))
    source_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    announced_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+",
                                     verbose_name=_("người đánh dấu đã công bố"))
    announced_at = models.DateTimeField(_("đánh dấu lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("năm lịch nghỉ")
        verbose_name_plural = _("năm lịch nghỉ")
        ordering = ["year"]

    def __str__(self):
        return f"{self.year} · {self.get_status_display()}"
