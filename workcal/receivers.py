"""Keep the working-day table in step with the administrator's overrides (thin: the work is in services)."""
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import services
from .models import CalendarOverride


def _dates(instance):
    loaded = getattr(instance, "_loaded_date", None)
    return sorted({d for d in (instance.date, loaded) if d is not None})


@receiver(post_save, sender=CalendarOverride, dispatch_uid="workcal.override_saved")
def override_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata: run manage.py workcal_rebuild afterwards
        return
    services.calendar_override_changed(dates=_dates(instance))
    instance._loaded_date = instance.date


@receiver(post_delete, sender=CalendarOverride, dispatch_uid="workcal.override_deleted")
def override_deleted(sender, instance, **kwargs):
    services.calendar_override_changed(dates=_dates(instance))
