"""The one place where role and office scope every query.

A reception officer, processor, director or deputy sees the dossiers of their own office and of the offices
under it (a provincial office sees its grassroots offices); the Legal Department and administrators see every
office. Selectors call `scope_to_user`; no view filters by office on its own.
"""
from django.db.models import Q, QuerySet

from .models import Office


def visible_offices(user) -> QuerySet:
    if not user.is_authenticated:
        return Office.objects.none()
    if user.sees_all_offices:
        return Office.objects.all()
    if user.office_id is None:
        return Office.objects.none()
    return Office.objects.filter(Q(pk=user.office_id) | Q(parent_id=user.office_id))


def scope_to_user(queryset: QuerySet, user, office_field: str = "office") -> QuerySet:
    """Restrict any queryset with an office foreign key to what the user may see (one SQL subquery)."""
    if user.is_authenticated and user.sees_all_offices:
        return queryset
    return queryset.filter(**{f"{office_field}__in": visible_offices(user).values("pk")})


def office_in_scope(user, office) -> bool:
    """Whether `office` is one of `visible_offices(user)`, without a query (the office's parent_id is read)."""
    if not user.is_authenticated or office is None:
        return False
    if user.sees_all_offices:
        return True
    return user.office_id is not None and user.office_id in (office.pk, office.parent_id)
