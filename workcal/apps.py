from django.apps import AppConfig


class WorkcalConfig(AppConfig):
    name = "workcal"
    verbose_name = "Lịch làm việc"
