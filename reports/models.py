"""Closed months (chốt số liệu, DOMAIN.md §6): form 06 of an office for a month, stored as it was when a director
closed it, with who and when. A closed month is served as stored; rows are never edited."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportClosure(models.Model):
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+", verbose_name=_("đơn vị"))
    month = models.DateField(_("tháng"), help_text=_("Ngày đầu tháng"))
    figures = models.JSONField(_("số liệu đã chốt"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, related_name="+",
                                  verbose_name=_("người chốt"))
    closed_by_name = models.CharField(_("người chốt"), max_length=200)
    closed_at = models.DateTimeField(_("chốt lúc"))

    class Meta:
        verbose_name = _("kỳ báo cáo đã chốt")
        verbose_name_plural = _("kỳ báo cáo đã chốt")
        constraints = [models.UniqueConstraint(fields=["office", "month"], name="report_closure_once")]
        ordering = ["-month", "office"]

    def __str__(self):
        return f"{self.office} {self.month:%m/%Y}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("A closed month is never edited")
        super().save(*args, **kwargs)


class DossierTally(models.Model):
    """Delta rows of the dossier tally (reports.tally): kept by database triggers on cases_dossier, folded by
    reports.tasks.compact_dossier_tally; sum `n` per key to read it."""
    office = models.ForeignKey("core.Office", models.DO_NOTHING, related_name="+", db_constraint=False,
                               db_index=False)
    procedure = models.ForeignKey("cases.Procedure", models.DO_NOTHING, related_name="+", db_constraint=False,
                                  db_index=False)
    kind = models.CharField(max_length=24)
    day = models.DateField()
    month = models.BooleanField(default=False)  # a month's row, dated the 1st
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["month", "kind", "day"], name="tally_month_kind_day")]
