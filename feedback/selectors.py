from django.db.models import Q, QuerySet

from core.scoping import scope_to_user

from .models import FeedbackEvent, FeedbackItem


def feedback_list(*, user, filters: dict | None = None) -> QuerySet:
    """Feedback items in the user's scope, newest first; one query per page."""
    filters = filters or {}
    qs = scope_to_user(FeedbackItem.objects.all(), user).select_related("office", "assignee", "officer")
    for key in ("status", "category", "source"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("q"):
        text = filters["q"].strip()
        qs = qs.filter(Q(code__startswith=text) | Q(title__icontains=text) | Q(sender_name__icontains=text))
    return qs.order_by("-received_at", "-id")


def feedback_get(*, user, pk) -> FeedbackItem:
    items = FeedbackItem.objects.select_related("office", "assignee", "officer", "related_dossier")
    return scope_to_user(items, user).get(pk=pk)


def feedback_events(*, item) -> QuerySet:
    return FeedbackEvent.objects.filter(item=item).order_by("at", "id")
