from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "workcal"
    verbose_name = "Lịch làm việc"

    def ready(self):
        from . import receivers  # noqa: F401 - connects the override signals
