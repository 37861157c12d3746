from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Tổ chức và người dùng"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from .middleware import session_started
        from .tokens import revoke_on_logout

        user_logged_out.connect(revoke_on_logout, dispatch_uid="core.tokens.revoke_on_logout")
        user_logged_in.connect(session_started, dispatch_uid="core.middleware.session_started")
