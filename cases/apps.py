from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self):
        from workcal.signals import calendar_changed

        calendar_changed.connect(_recompute, dispatch_uid="cases.recompute_open_deadlines")


def _recompute(sender, dates=(), **kwargs):
    from .services import recompute_open_deadlines

    recompute_open_deadlines(dates=list(dates))
