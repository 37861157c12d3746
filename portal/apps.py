from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Cổng Dịch vụ công Quốc gia"

    def ready(self):
        from . import delivery  # noqa: F401 - registers the "portal" outbox sender
