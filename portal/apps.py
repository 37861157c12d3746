from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Cổng Dịch vụ công Quốc gia"

    def ready(self):
        from cases.signals import dossier_event_recorded, dossier_events_recorded
        from feedback.signals import feedback_answer_published

        from . import (
            delivery,  # noqa: F401 - registers the "portal" outbox sender
            receivers,
        )

        dossier_event_recorded.connect(receivers.dossier_event_recorded, dispatch_uid="portal.dossier_progress")
        dossier_events_recorded.connect(receivers.dossier_events_recorded, dispatch_uid="portal.dossier_progress_bulk")
        feedback_answer_published.connect(receivers.feedback_answer_published, dispatch_uid="portal.pakn_answer")
