"""Reading from a replica (issue 14): with REPORTS_DATABASE_URL set, the dashboard, oversight, the reports and
the exports read from that database (a streaming replica of the primary); everything else, and every write,
stays on the primary.

- `ReplicaMiddleware` decides per request, in one place: a GET of one of the READ_FROM_REPLICA views, or any
  GET export (`?format=csv|xlsx|pdf`), reads from the replica — unless the same browser or client wrote
  something in the last REPORTS_REPLICA_PIN seconds (a cookie set by every unsafe request), so that a director
  who just closed a month sees it at once whatever the replica's lag.
- `ReplicaRouter` sends reads there only while the middleware says so and no transaction is open on the
  primary (a read inside a write's transaction must see that write); writes always go to the primary and no
  migration ever runs on the replica (it copies the primary's schema by replication).
"""
from __future__ import annotations

import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "reports"
PIN_COOKIE = "bhxh_primary_until"

#: The views whose GETs read from the replica (URL names as `reverse` knows them).
READ_FROM_REPLICA = frozenset({
    "reports:tthc", "reports:dashboard", "reports:oversight", "api-report-tthc", "api-dashboard",
    "cases:tracking_book",
})
EXPORT_FORMATS = frozenset({"csv", "xlsx", "pdf"})

#: Who is asking is always read from the primary: a session, a token or a password changed a moment ago must
#: count at once, whatever the replica's lag.
PRIMARY_ONLY = frozenset({"sessions", "auth", "authtoken", "contenttypes", "admin"})
PRIMARY_ONLY_MODELS = frozenset({"core.User"})

_reading_replica: ContextVar[bool] = ContextVar("reading_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if (_reading_replica.get() and replica_configured()
                and model._meta.app_label not in PRIMARY_ONLY and model._meta.label not in PRIMARY_ONLY_MODELS
                and not connections[DEFAULT_DB_ALIAS].in_atomic_block):
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


def wants_replica(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if request.method not in ("GET", "HEAD") or match is None:
        return False
    if match.view_name not in READ_FROM_REPLICA and request.GET.get("format") not in EXPORT_FORMATS:
        return False
    try:
        return float(request.COOKIES.get(PIN_COOKIE, 0)) < time.time()
    except ValueError:
        return True


def _on_replica(chunks):
    """Each chunk of a streamed export is produced reading from the replica (after the view has returned)."""
    chunks = iter(chunks)
    while True:
        token = _reading_replica.set(True)
        try:
            chunk = next(chunks)
        except StopIteration:
            return
        finally:
            _reading_replica.reset(token)
        yield chunk


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request._replica_token = None
        try:
            response = self.get_response(request)
        finally:
            if request._replica_token is not None:
                _reading_replica.reset(request._replica_token)
        if request._replica_token is not None and response.streaming:
            response.streaming_content = _on_replica(response.streaming_content)  # an export reads as it streams
        if request.method not in ("GET", "HEAD", "OPTIONS") and replica_configured():
            pin = settings.REPORTS_REPLICA_PIN
            response.set_cookie(PIN_COOKIE, str(int(time.time()) + pin), max_age=pin, httponly=True,
                                samesite="Lax", secure=request.is_secure())
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if replica_configured() and wants_replica(request):
            request._replica_token = _reading_replica.set(True)
