"""Choices shared by cases.models and the modules that read them without the models."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class ResultDelivery(models.TextChoices):
    """How the result reaches the applicant (CONTRACTS.md `result_delivery`, the `return` action's `channel`):
    only `counter` is a visit of the applicant (DOMAIN.md §2.6)."""

    COUNTER = "counter", _("Nhận tại Bộ phận một cửa")
    POSTAL = "postal", _("Qua dịch vụ bưu chính")
    ONLINE = "online", _("Trực tuyến")
