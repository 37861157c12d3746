from django.apps import AppConfig


class AttachmentsConfig(AppConfig):
    name = "attachments"
    verbose_name = "Tệp đính kèm hồ sơ"

    def ready(self):
        from cases import papers
        from cases.signals import dossier_event_recorded

        from . import receivers
        from .provider import PapersProvider

        papers.register(PapersProvider())
        dossier_event_recorded.connect(receivers.dossier_event_recorded, dispatch_uid="attachments.result_ready")
