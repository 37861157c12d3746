import sys

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

from . import permissions, throttle
from .api.errors import RETRY_AFTER
from .errors import CoreError, DomainError
from .context_processors import NAVIGATION
from .models import Role

LOCKED_MESSAGE = _("Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau 15 phút.")

# Where each role lands after signing in: the first of these menu pages the user may open.
ROLE_HOME = {
    Role.RECEPTION: ["cases:desk"],
    Role.PROCESSOR: ["cases:desk"],
    Role.DIRECTOR: ["reports:dashboard", "cases:overdue"],
    Role.DEPUTY: ["reports:dashboard", "cases:overdue"],
    Role.LEGAL: ["reports:oversight", "reports:tthc"],
    Role.ADMIN: ["reports:dashboard", "cases:desk"],
}


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        username = request.POST.get("username", "")
        # One attempt is reserved atomically before the password is checked (see core.throttle).
        if not throttle.begin_attempt(username, throttle.client_ip(request)):
            form = self.get_form_class()(request, initial={"username": username})  # unbound: no password check
            return render(request, self.template_name, {"form": form, "locked_message": LOCKED_MESSAGE}, status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        throttle.succeeded(self.request.POST.get("username", ""), throttle.client_ip(self.request))
        return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Đổi mật khẩu: Django's validators (settings.AUTH_PASSWORD_VALIDATORS); this session stays signed in, the
    user's other sessions and API tokens end (core.models.User.save)."""

    template_name = "registration/password_change.html"

    def get_success_url(self):
        return reverse("home") + "?stay=1"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu."))
        return response


@login_required
def home(request):
    role = permissions.role_of(request.user)
    if request.GET.get("stay") is None:
        gates = {name: cap for _label, name, cap in NAVIGATION}
        for name in ROLE_HOME.get(role, []):
            if permissions.can(request.user, gates[name]):
                return redirect(reverse(name))
    return render(request, "core/home.html", {"role": Role(role)})


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # noqa: BLE001 - health reports any failure as text
        return f"error: {exc.__class__.__name__}"


def _check_broker():
    from celery import current_app as app  # the project's app (bhxh_portal/__init__.py sets it)

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:  # noqa: BLE001
        return f"error: {exc.__class__.__name__}"


def _worker_seen():
    from .models import WorkerHeartbeat

    try:
        seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except Exception:  # noqa: BLE001 - the database check reports the cause
        return None
    return seen.isoformat() if seen else None


@never_cache
def healthz(request):
    database, broker = _check_database(), _check_broker()
    healthy = database == "ok" and broker == "ok"
    body = {"status": "ok" if healthy else "degraded", "database": database, "broker": broker,
            "broker_transport": settings.CELERY_BROKER_URL.split("://", 1)[0], "worker_seen_at": _worker_seen()}
    return JsonResponse(body, status=200 if healthy else 503)


def server_error(request):
    """handler500: an unreachable database (restarting, failing over) is a 503 saying so — JSON under /api/,
    with Retry-After — never a 500; anything else is the plain 500 page. Django calls it while handling the
    exception, so sys.exc_info() names it, also for an error raised in a middleware."""
    if isinstance(sys.exc_info()[1], (OperationalError, InterfaceError)):
        if request.path.startswith("/api/"):
            response = JsonResponse(DomainError(CoreError.DATABASE_UNAVAILABLE).as_dict(), status=503)
        else:
            response = HttpResponse(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())
