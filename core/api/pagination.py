"""The API's pagination: page numbers with an exact count (CONTRACTS.md §1.2), or a keyset `?cursor=` for deep
pages (core/api/keyset.py); a count that would cost more than it tells is estimated and said so."""
from django.conf import settings
from django.core.paginator import EmptyPage, Paginator
from django.utils.functional import cached_property
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from core.db import estimated_count

from .keyset import CURSOR_PARAM, KeysetPage


ESTIMATE_FAR_BEYOND = 5  # a hinted estimate over 5 × the exact limit is taken without a bounded count


class EstimatingPaginator(Paginator):
    """An exact COUNT up to LIST_EXACT_COUNT_LIMIT rows (a bounded count: `COUNT(*)` over `LIMIT n + 1`); beyond
    it, on PostgreSQL, the planner's estimate (never below the limit), and `estimated` is True so that the
    response says so. A national list of millions of rows then costs a bounded count instead of a full one.
    A queryset may carry its own `count_hint` (exact limit, estimate or None): a search counts exactly up to
    1,000 and gives the estimate it was planned with (cases.selectors.dossier_list), taken as it is when it is
    far beyond the limit (a common name: counting even 1,001 of its rows costs more than the page).
    `exact_limit` replaces the setting for lists without a hint (0: always exact: the dossier list page)."""

    estimated = False
    keys = None  # a search's first keys, in the list's order (count)
    all_keys = False  # … and they are all of its rows

    def __init__(self, *args, exact_limit: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_limit = settings.LIST_EXACT_COUNT_LIMIT if exact_limit is None else exact_limit

    @cached_property
    def count(self):
        hint = getattr(self.object_list, "count_hint", None)
        limit, guess = hint if hint else (self.exact_limit, None)
        if not limit or not hasattr(self.object_list, "query"):
            return super().count
        if guess is not None and guess > ESTIMATE_FAR_BEYOND * limit:
            self.estimated = True  # the planner expects far more than the limit: no rows are counted
            return guess
        if hint:  # a search: its first limit + 1 keys in the list's order give the count and the page (below)
            self.keys = list(self.object_list.values_list("pk", flat=True)[:limit + 1])
            bounded = len(self.keys)
            self.all_keys = bounded <= limit
        else:
            bounded = self.object_list.order_by()[:limit + 1].count()  # one query, as an exact COUNT would be
        if bounded <= limit:
            return bounded
        if guess is None:
            guess = estimated_count(self.object_list)  # beyond the limit only: the planner's estimate
        if guess is None:  # no planner estimate here (SQLite): count exactly
            return self.object_list.count()
        self.estimated = True
        return max(guess, bounded)

    def validate_number(self, number):
        """Beyond an estimate, any page from 1: the rows decide whether it is empty, not the estimate."""
        try:
            return super().validate_number(number)
        except EmptyPage:
            if not self.estimated or int(number) < 1:
                raise
            return int(number)

    def page(self, number):
        """A full page even where the estimate falls short of the rows (Django would cut the page at `count`).
        A search's page among the keys already read is fetched by those keys: the search is run once."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if self.keys is not None and (top <= len(self.keys) or self.all_keys):
            keys = self.keys[bottom:top]
            rows = {row.pk: row for row in self.object_list.filter(pk__in=keys)} if keys else {}
            return self._get_page([rows[pk] for pk in keys if pk in rows], number, self)
        if not self.estimated:
            return super().page(number)
        return self._get_page(self.object_list[bottom:top], number, self)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500  # CONTRACTS.md §1.2: at most 500; a larger value is served as 500
    django_paginator_class = EstimatingPaginator

    def paginate_queryset(self, queryset, request, view=None):
        self.keyset = None
        if CURSOR_PARAM not in request.query_params:
            return super().paginate_queryset(queryset, request, view)
        field = getattr(view, "keyset_field", None)
        if field is None:
            raise ValidationError({CURSOR_PARAM: ["Danh sách này không phân trang theo con trỏ."]})
        self.keyset = KeysetPage(queryset, request, field=field, page_size=self.get_page_size(request))
        return self.keyset.rows

    def get_paginated_response(self, data):
        if self.keyset is not None:
            return Response({"count": None, "next": self.keyset.link("n"), "previous": self.keyset.link("p"),
                             "results": data})
        body = {"count": self.page.paginator.count, "next": self.get_next_link(),
                "previous": self.get_previous_link(), "results": data}
        if self.page.paginator.estimated:
            body["count_estimated"] = True
        return Response(body)

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        props = schema["properties"]
        props["count"] = {**props["count"], "nullable": True,
                          "description": "null on a keyset page (?cursor=); estimated when count_estimated"}
        props["count_estimated"] = {"type": "boolean", "description": "present and true when `count` is the "
                                    "planner's estimate (lists over LIST_EXACT_COUNT_LIMIT rows)"}
        return schema

    def get_schema_operation_parameters(self, view):
        """The bounds in the schema too (page from 1, page_size 1–500, default 50), and `cursor` where the list
        pages by keyset."""
        params = super().get_schema_operation_parameters(view)
        for parameter in params:
            if parameter["name"] == self.page_query_param:
                parameter["schema"].update({"minimum": 1})
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"].update({"minimum": 1, "maximum": self.max_page_size, "default": self.page_size})
        if getattr(view, "keyset_field", None):
            params.append({"name": CURSOR_PARAM, "required": False, "in": "query", "schema": {"type": "string"},
                           "description": "keyset paging: empty for the first page, then the cursor of `next` "
                                          "or `previous`; `count` is null"})
        return params
