from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkcalConfig(AppConfig):
    name = "workcal"
    verbose_name = "Lịch làm việc"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the override signals

        post_migrate.connect(build_covered_years, sender=self, dispatch_uid="workcal.build_covered_years")
        from celery.signals import task_postrun, task_prerun

        from .middleware import task_finished, task_started

        task_prerun.connect(task_started, dispatch_uid="workcal.task_started", weak=False)
        task_postrun.connect(task_finished, dispatch_uid="workcal.task_finished", weak=False)


def build_covered_years(sender, using="default", **kwargs):
    """After `migrate` (and a test flush): build the years of settings.WORKCAL_YEARS if they are missing, or
    rebuild them after an upgrade of the `holidays` package. Does nothing when the table is current."""
    from django.db import connections

    from . import services, stamp
    from .models import WorkingDay

    if using != "default" or WorkingDay._meta.db_table not in connections[using].introspection.table_names():
        return  # migrated backwards past 0001, or another database
    services.calendar_materialise()
    stamp.forget()  # a cache kept across a database reset must not name the old table
