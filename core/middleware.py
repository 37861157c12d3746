from django.conf import settings
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
