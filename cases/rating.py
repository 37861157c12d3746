"""The applicant's satisfaction with one dossier (issue 12; CONTRACTS.md `POST /dossiers/{code}/rating/`): one
rating per dossier, given at the desk at collection, on the public status page or from the link in the result
message. The officer it speaks of is the one who served the applicant at the desk (`received_by`) and the one who
handled the dossier (`assignee`), copied at rating time so that later re-assignments do not move it."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import RatingLevel


class Rating(models.Model):
    class Source(models.TextChoices):
        DESK = "desk", _("Tại Bộ phận một cửa")
        PUBLIC = "public", _("Trang tra cứu")
        LINK = "link", _("Đường dẫn trong tin nhắn")
        API = "api", _("API")

    dossier = models.OneToOneField("cases.Dossier", models.PROTECT, related_name="rating")
    office = models.ForeignKey("core.Office", models.PROTECT, related_name="+")
    level = models.CharField(_("mức độ hài lòng"), max_length=12, choices=RatingLevel.choices)
    comment = models.TextField(_("góp ý"), blank=True, max_length=1000)
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices)
    receiving_officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                          related_name="+")
    processing_officer = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                           related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.PROTECT, null=True, blank=True,
                                    related_name="+")
    at = models.DateTimeField(_("thời điểm"))

    class Meta:
        verbose_name = _("đánh giá mức độ hài lòng")
        verbose_name_plural = _("đánh giá mức độ hài lòng")
        indexes = [models.Index(fields=["office", "at"], name="rating_office_at")]
