"""Which version of the working-day table is current, at no query on the common path.

The state of the committed table (`stamp`, first and last year, `holidays` version: a CalendarStamp row) is
kept in Django's cache, which all processes share (Redis in production). A writer (workcal.services)
publishes the new state when its transaction commits; a reader takes it from the cache and, only on a miss
(first use, eviction, TTL), reads the CalendarStamp row — one query, counted like any other — and stores it
with `cache.add`, so a stale read never overwrites a state published meanwhile.

While this connection holds an uncommitted calendar write, readers read the row every time instead: the
writer sees its own change, nothing uncommitted reaches the cache, and a rollback leaves no trace.
"""
from __future__ import annotations

from django.core.cache import cache
from django.db import connection, transaction

from . import selectors

KEY = "workcal:stamp:v1"
# Bounds how long a change made outside workcal.services (a restored database) can go unnoticed.
TTL = 300


class _Publish:
    """The on-commit callback that publishes a new state (a class, so that pending() can recognise it)."""

    def __init__(self, state: tuple):
        self.state = tuple(state)

    def __call__(self):
        cache.set(KEY, self.state, TTL)


def publish_on_commit(state: tuple) -> None:
    """Publish `state` (stamp, first_year, last_year, holidays_version) when the current transaction commits."""
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
    state = cache.get(KEY)
    if state is None:
        state = selectors.calendar_stamp()
        if state is not None:
            cache.add(KEY, tuple(state), TTL)
    return state


def forget() -> None:
    """Drop the cached state (the next read asks the database)."""
    cache.delete(KEY)
