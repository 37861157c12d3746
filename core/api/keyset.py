"""Keyset pagination (`?cursor=`, CONTRACTS.md §1.2): deep pages over millions of rows at the cost of the first.

A list ordered newest first — `(received_at DESC NULLS FIRST, id DESC)`, the order of the dossier and feedback
lists and of their index — is paged by the last row seen instead of an OFFSET: the next page is the rows
"after" that row in the same order, which PostgreSQL reads straight from the index however deep the page.
The cursor is opaque to the client (base64 of the row's key and the direction); a cursor that does not
decode is a 400 like any bad parameter. `count` is `null`: counting millions of rows is what a keyset page
avoids (the page-number form keeps its exact count).
"""
from __future__ import annotations

import base64
import json
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.fields.tuple_lookups import Tuple, TupleGreaterThan, TupleLessThan  # Django ≥ 5.2
from rest_framework.exceptions import ValidationError
from rest_framework.utils.urls import remove_query_param, replace_query_param

CURSOR_PARAM = "cursor"


def encode(key: tuple[datetime | None, int], direction: str) -> str:
    moment, pk = key
    raw = json.dumps([moment.isoformat() if moment else None, pk, direction]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> tuple[tuple[datetime | None, int], str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk, direction = json.loads(raw)
        if direction not in ("n", "p") or not isinstance(pk, int) or isinstance(pk, bool):
            raise ValueError
        moment = datetime.fromisoformat(moment) if moment is not None else None
        if moment is not None and moment.tzinfo is None:
            raise ValueError
    except (ValueError, TypeError, json.JSONDecodeError, UnicodeDecodeError):
        raise ValidationError({CURSOR_PARAM: ["Con trỏ trang không hợp lệ."]}) from None
    return (moment, pk), direction


def _row(field: str):
    return Tuple(F(field), F("pk"))


def after(field: str, key: tuple[datetime | None, int]) -> Q:
    """Rows after `key` in `field DESC NULLS FIRST, id DESC` order: `(field, id) < (moment, id)` as one ROW
    comparison, which PostgreSQL reads as a single range of the (field DESC, id DESC) index (a NULL `field`
    never compares, and those rows all come first anyway)."""
    moment, pk = key
    if moment is None:  # still among the rows without a moment, then every row with one
        return Q(**{f"{field}__isnull": True, "pk__lt": pk}) | Q(**{f"{field}__isnull": False})
    return Q(TupleLessThan(_row(field), (moment, pk)))


def before(field: str, key: tuple[datetime | None, int]) -> Q:
    """Rows before `key` in the same order (the previous page, read backwards): the rows without a moment,
    and `(field, id) > (moment, id)` as a ROW comparison."""
    moment, pk = key
    if moment is None:
        return Q(**{f"{field}__isnull": True, "pk__gt": pk})
    return Q(**{f"{field}__isnull": True}) | Q(TupleGreaterThan(_row(field), (moment, pk)))


class KeysetPage:
    """One page of `queryset` (already filtered and scoped) by keyset on (`field`, id)."""

    def __init__(self, queryset: QuerySet, request, *, field: str, page_size: int):
        self.request, self.field = request, field
        cursor = request.query_params.get(CURSOR_PARAM, "")
        key, direction = decode(cursor) if cursor else (None, "n")
        newest_first = (F(field).desc(nulls_first=True), "-pk")
        oldest_first = (F(field).asc(nulls_last=True), "pk")
        if key is None:
            rows = list(queryset.order_by(*newest_first)[:page_size + 1])
        elif direction == "n":
            rows = list(queryset.filter(after(field, key)).order_by(*newest_first)[:page_size + 1])
        else:
            rows = list(queryset.filter(before(field, key)).order_by(*oldest_first)[:page_size + 1])
        more = len(rows) > page_size
        rows = rows[:page_size]
        if direction == "p":
            rows.reverse()
        self.rows = rows
        self.has_next = more if direction == "n" else key is not None
        self.has_previous = key is not None if direction == "n" else more

    def _key(self, row) -> tuple[datetime | None, int]:
        return getattr(row, self.field), row.pk

    def link(self, direction: str) -> str | None:
        if not self.rows or not (self.has_next if direction == "n" else self.has_previous):
            return None
        row = self.rows[-1] if direction == "n" else self.rows[0]
        url = remove_query_param(self.request.build_absolute_uri(), "page")
        return replace_query_param(url, CURSOR_PARAM, encode(self._key(row), direction))
