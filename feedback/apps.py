from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Phản ánh, kiến nghị"

    def ready(self):
        from cases.signals import deadline_scan

        from .scan import on_deadline_scan

        deadline_scan.connect(on_deadline_scan, dispatch_uid="feedback.scan")
