from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Hồ sơ thủ tục hành chính"

    def ready(self):
        from workcal.signals import calendar_changed

        from . import alerts
        from .signals import dossier_event_recorded

        calendar_changed.connect(_recompute_on_commit, dispatch_uid="cases.recompute_open_deadlines")
        from notifications.delivery import ATTACHMENT_SOURCES, LINK_SOURCES

        from .signatures import slip_attachment, slip_link

        ATTACHMENT_SOURCES["slip"] = slip_attachment  # e-mails to the applicant carry the sealed slip
        LINK_SOURCES["slip"] = slip_link  # and SMS a link to it
        dossier_event_recorded.connect(alerts.dossier_event_recorded, dispatch_uid="cases.officer_alerts")


def _recompute_on_commit(sender, dates=(), **kwargs):
    """The calendar changed: once that commits, a Celery task recomputes the open deadlines it moved
    (never inside the administrator's request)."""
    from django.db import transaction

    from .tasks import recompute_deadlines

    days = sorted({d.isoformat() for d in dates})
    if days:
        transaction.on_commit(lambda: recompute_deadlines.delay(dates=days))
