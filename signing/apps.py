from django.apps import AppConfig


class SigningConfig(AppConfig):
    name = "signing"
    verbose_name = "Ký số văn bản"
    default_auto_field = "django.db.models.BigAutoField"
