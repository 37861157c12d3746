"""Which version of the working-day table is current, at no query on the common path.

The state of the committed table (`stamp`, first and last year, `holidays` version: a CalendarStamp row) is
kept in Django's cache, which all processes share (Redis in production). A writer (workcal.services)
publishes the new state when its transaction commits; a reader takes it from the cache and, only on a miss
(first use, eviction, TTL), reads the CalendarStamp row — one query, counted like any other — and stores it
with `cache.add`, so a stale read never overwrites a state published meanwhile.

While this connection holds an uncommitted calendar write, readers read the row every time instead: the
writer sees its own change, nothing uncommitted reaches the cache, and a rollback leaves no trace.

The cache is an accelerator, never a dependency: while it is unreachable (Redis down) every read takes the row
from the database and a publish is skipped with a warning (issue 13: intake and the desk keep working; a state
published meanwhile is at most TTL seconds late once the cache is back).
"""
from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import connection, transaction

from . import index, selectors

log = logging.getLogger(__name__)
KEY = "workcal:stamp:v1"
# Bounds how long a change made outside workcal.services (a restored database) can go unnoticed.
TTL = 300


class _Publish:
    """The on-commit callback that publishes a new state (a class, so that pending() can recognise it)."""

    def __init__(self, state: tuple):
        self.state = tuple(state)

    def __call__(self):
        try:
            cache.set(KEY, self.state, TTL)
        except Exception:  # noqa: BLE001 - the cache is down: readers use the database meanwhile
            log.warning("calendar stamp: cache unavailable, state not published", exc_info=True)


def publish_on_commit(state: tuple) -> None:
    """Publish `state` (stamp, first_year, last_year, holidays_version) when the current transaction commits.
    The request or task that wrote stops reusing its scope's copy of the calendar (workcal.index)."""
    index.invalidate_scope()
    transaction.on_commit(_Publish(state))


def pending() -> bool:
    """Whether this connection has written the calendar in a transaction that has not committed yet.
    (Django drops a rolled-back savepoint's on-commit callbacks, so a rolled-back write is not pending.)"""
    return connection.in_atomic_block and any(isinstance(entry[1], _Publish) for entry in connection.run_on_commit)


def current() -> tuple | None:
    """(stamp, first_year, last_year, holidays_version) of the table this connection should read, or None
    before the first build. Usually no query; see the module docstring."""
    if pending():
        return selectors.calendar_stamp()
    try:
        state = cache.get(KEY)
    except Exception:  # noqa: BLE001 - the cache is down: the database answers
        log.warning("calendar stamp: cache unavailable, reading the database", exc_info=True)
        return selectors.calendar_stamp()
    if state is None:
        state = selectors.calendar_stamp()
        if state is not None:
            try:
                cache.add(KEY, tuple(state), TTL)
            except Exception:  # noqa: BLE001 - see above
                log.warning("calendar stamp: cache unavailable, state not stored", exc_info=True)
    return state


def forget() -> None:
    """Drop the cached state (the next read asks the database)."""
    try:
        cache.delete(KEY)
    except Exception:  # noqa: BLE001 - nothing cached can be read while the cache is down either
        log.warning("calendar stamp: cache unavailable, nothing to forget", exc_info=True)
