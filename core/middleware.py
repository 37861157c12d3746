import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _


class LanguageMiddleware:
    """Vietnamese unless the user chose another language (the language switch sets a cookie).

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored: an officer whose browser is in
    English still works in Vietnamese, the language of the procedures, until they switch."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.languages = dict(settings.LANGUAGES)

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NulRefusalMiddleware:
    """A NUL byte in the path or a query parameter is a 400, before any view: PostgreSQL refuses NUL in text, so
    `?office=%00` or a dossier code with one would otherwise be a 500 on every route (issue 13)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any("\x00" in key or any("\x00" in v for v in values)
                                         for key, values in request.GET.lists()):
            message = _("Yêu cầu chứa ký tự không hợp lệ (NUL).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": str(message)}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


_STARTED, _SEEN = "_session_started_at", "_session_seen_at"
_TOUCH_EVERY = 60  # seconds: the last-seen stamp is written at most once a minute (not a session write per request)


def session_started(sender, request, user, **kwargs):
    """`user_logged_in` receiver: the session's lifetime and idle clock start at sign-in."""
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[_STARTED] = request.session[_SEEN] = now


class SessionTimeoutMiddleware:
    """A signed-in session ends after `SESSION_IDLE_TIMEOUT` seconds without a request (each request slides it)
    and `SESSION_LIFETIME` seconds after sign-in whatever the activity (issue 13). The next request is then
    anonymous: a page redirects to the login page, the API answers 401/403."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            now = int(time.time())
            started, seen = session.get(_STARTED), session.get(_SEEN)
            if started is None or seen is None:  # a session from before this middleware: start its clocks now
                session[_STARTED], session[_SEEN] = started or now, seen or now
            elif now - seen > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_LIFETIME:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, _("Phiên làm việc đã hết hạn, vui lòng đăng nhập lại."))
            elif now - seen >= _TOUCH_EVERY:
                session[_SEEN] = now
        return self.get_response(request)
