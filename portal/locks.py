"""One sync of one office at a time, whatever the number of workers (STYLE.md: "a lock so two workers never
run the same job for the same office at once").

On PostgreSQL: a session-level advisory lock. It dies with the worker's connection, so a worker killed with
SIGKILL never leaves an office locked. Elsewhere (the embedded SQLite set-up, where the cache is a
FileBasedCache, or Redis): a cache key taken with `add` and a time-out, refreshed after every page; a killed
worker blocks its office until the time-out passes.
"""
import threading
import uuid
from contextlib import contextmanager

from django.core.cache import cache
from django.db import connection

NAMESPACE = 0x504F5254  # "PORT": first key of the advisory lock, the office id is the second
# One lock per job and office: the pull round ("sync"), the pushes of dossier changes ("push", portal.push) and the
# TraCuuHoSo sweep ("sweep") may run at once for one office, never twice the same one.
PURPOSES = {"sync": 0, "push": 1, "sweep": 2}
CACHE_TTL = 15 * 60
_held = threading.local()  # advisory locks are re-entrant per connection: refuse a nested take in-thread


def _held_here() -> set:
    if not hasattr(_held, "offices"):
        _held.offices = set()
    return _held.offices


class OfficeLock:
    def __init__(self, office_id: int, purpose: str = "sync"):
        self.office_id, self.purpose = office_id, purpose
        self.namespace = NAMESPACE + PURPOSES[purpose]
        self.held = (purpose, office_id)
        self.key = f"portal:lock:{office_id}" if purpose == "sync" else f"portal:lock:{purpose}:{office_id}"
        self.token = uuid.uuid4().hex
        self.acquired = False
        self.advisory = connection.vendor == "postgresql"

    def acquire(self) -> bool:
        if self.held in _held_here():
            self.acquired = False
        elif self.advisory:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [self.namespace, self.office_id])
                self.acquired = bool(cursor.fetchone()[0])
        else:
            self.acquired = cache.add(self.key, self.token, CACHE_TTL)
        if self.acquired:
            _held_here().add(self.held)
        return self.acquired

    def refresh(self):
        """Called between pages: keeps a cache lock alive while the round makes progress."""
        if self.acquired and not self.advisory:
            cache.touch(self.key, CACHE_TTL)

    def release(self):
        if not self.acquired:
            return
        if self.advisory:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [self.namespace, self.office_id])
        elif cache.get(self.key) == self.token:
            cache.delete(self.key)
        _held_here().discard(self.held)
        self.acquired = False


@contextmanager
def office_lock(office_id: int, purpose: str = "sync"):
    """`with office_lock(pk) as lock:` — `lock.acquired` is False when another worker runs that job for that
    office."""
    lock = OfficeLock(office_id, purpose)
    lock.acquire()
    try:
        yield lock
    finally:
        lock.release()
