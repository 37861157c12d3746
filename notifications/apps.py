from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Thông báo"

    def ready(self):
        # The SMS and Zalo senders register themselves while their gateway URL is set (notifications.gateways).
        from . import gateways

        gateways.register_configured()
