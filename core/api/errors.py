import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.errors import CoreError, DomainError

log = logging.getLogger(__name__)


def exception_handler(exc, context):
    """DRF errors as usual; domain errors as {"code", "detail"}; never a bare 500."""
    if isinstance(exc, DomainError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, (OperationalError, InterfaceError)):
        return database_unavailable(exc)
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})
    if isinstance(exc, Http404):
        exc = NotFound(CoreError.NOT_FOUND.format())
    response = drf_exception_handler(exc, context)
    if response is None:
        log.exception("Unhandled API error", exc_info=exc)
        error = DomainError(CoreError.INTERNAL_ERROR)
        return Response(error.as_dict(), status=error.status)
    return response


RETRY_AFTER = 5  # seconds a client is told to wait when the database is unreachable


def database_unavailable(exc) -> Response:
    """The database cannot be reached (restarting, failing over, connection lost mid-request): a clear 503 with
    Retry-After, never a 500. Whatever the request wrote was rolled back with its transaction — or committed, if
    the connection dropped after COMMIT: a retry with the same Idempotency-Key answers the first result."""
    log.warning("database unavailable: %s", exc)
    error = DomainError(CoreError.DATABASE_UNAVAILABLE)
    return Response(error.as_dict(), status=error.status, headers={"Retry-After": str(RETRY_AFTER)})


def not_found(request, exception=None):
    """handler404: under /api/ a URL that matches no route (a code outside the contract's pattern, a non-numeric
    id) is the JSON error object the schema documents, like any other API 404; pages keep the HTML page."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": CoreError.NOT_FOUND.code, "detail": CoreError.NOT_FOUND.format()}, status=404)
    return defaults.page_not_found(request, exception)
