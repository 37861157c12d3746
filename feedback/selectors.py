from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import Office
from core.scoping import scope_to_user

from . import deadlines
from .models import FeedbackEvent, FeedbackItem


# The figures of oversight that count feedback items, as list filters (`?deadline=`): each is feedback.deadlines'.
DEADLINE_FILTERS = {
    "answered_on_time": lambda now: deadlines.answered_on_time_q(),
    "late_or_overdue": deadlines.late_or_overdue_q,
    "forwarded_late": lambda now: deadlines.forwarded_late_q(),
}


def day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def feedback_list(*, user, filters: dict | None = None) -> QuerySet:
    """Feedback items in the user's scope, newest first; one query per page."""
    filters = filters or {}
    qs = scope_to_user(FeedbackItem.objects.all(), user).select_related("office", "assignee", "officer")
    for key in ("status", "category", "source"):
        if filters.get(key):
            qs = qs.filter(**{key: filters[key]})
    if filters.get("province"):  # the province and its grassroots offices (as oversight rolls them up)
        qs = qs.filter(Q(office__code=filters["province"])
                       | Q(office__level=Office.Level.DISTRICT, office__parent__code=filters["province"]))
    if filters.get("received_after"):
        qs = qs.filter(received_at__gte=day_start(filters["received_after"]))
    if filters.get("received_before"):
        qs = qs.filter(received_at__lt=day_start(filters["received_before"] + timedelta(days=1)))
    if filters.get("deadline"):
        qs = qs.filter(DEADLINE_FILTERS[filters["deadline"]](timezone.now()))
    if filters.get("q"):
        text = filters["q"].strip()
        qs = qs.filter(Q(code__startswith=text) | Q(title__icontains=text) | Q(sender_name__icontains=text))
    return qs.order_by("-received_at", "-id")


def feedback_get(*, user, pk) -> FeedbackItem:
    items = FeedbackItem.objects.select_related("office", "assignee", "officer", "related_dossier")
    return scope_to_user(items, user).get(pk=pk)


def feedback_events(*, item) -> QuerySet:
    return FeedbackEvent.objects.filter(item=item).order_by("at", "id")
