from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from cases.listing import EARLIEST_YEAR, LATEST_YEAR
from core.errors import DomainError
from core.permissions import capability_required
from core.models import User

from . import selectors, services
from .events import FeedbackAction
from .models import Category, FeedbackItem, Status


def _clean(value: str, limit: int) -> str:
    """Form input as the database accepts it: no NUL characters, at most `limit` characters."""
    return value.replace("\x00", "").strip()[:limit]


@capability_required("view_feedback")
def feedback_list(request):
    filters = {k: _clean(request.GET.get(k, ""), 200) for k in ("status", "category", "q", "province")}
    for key in ("received_after", "received_before"):  # days (yyyy-mm-dd), the end day included
        value = _clean(request.GET.get(key, ""), 10)
        if value:
            try:
                day = date.fromisoformat(value)
                if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
                    raise ValueError(value)
                filters[key] = day
            except ValueError:
                messages.error(request, gettext("Ngày không hợp lệ (yyyy-mm-dd): %(value)s") % {"value": value})
    deadline = request.GET.get("deadline", "")
    if deadline in selectors.DEADLINE_FILTERS:
        filters["deadline"] = deadline
    page = Paginator(selectors.feedback_list(user=request.user, filters=filters), 30).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "feedback/list.html", {"page": page, "filters": filters, "statuses": Status.choices,
                                                  "categories": Category.choices, "query": query.urlencode(),
                                                  "kept": [(k, request.GET[k]) for k in KEPT if request.GET.get(k)]})


KEPT = ("province", "received_after", "received_before", "deadline")  # the figure filters, kept as hidden fields


def _get(request, pk):
    try:
        return selectors.feedback_get(user=request.user, pk=pk)
    except FeedbackItem.DoesNotExist as exc:
        raise Http404 from exc


@capability_required("view_feedback")
def feedback_detail(request, pk):
    item = _get(request, pk)
    return render(request, "feedback/detail.html", {
        "item": item, "events": selectors.feedback_events(item=item),
        "actions": services.allowed_actions(item, request.user), "labels": services.ACTION_LABELS, "Action": FeedbackAction,
        "categories": Category.choices,
        "assignees": User.objects.filter(office_id__in=[item.office_id, item.office.parent_id], is_active=True)
        .exclude(role="legal").order_by("username"),
    })


@capability_required("handle_feedback")  # the read-only Legal Department gets a 403, not a redirect (issue 13)
@require_POST
def feedback_action(request, pk, action):
    item = _get(request, pk)
    limits = {"agency": 300, "answer": 20000}
    body = {k: _clean(request.POST.get(k, ""), limits.get(k, 2000))
            for k in ("category", "officer", "assignee", "agency", "note", "answer", "reason")}
    body["public"] = request.POST.get("public") == "1"
    try:
        services.run_action(action, actor=request.user, item=item, body=body)
        label = services.ACTION_LABELS.get(action, action)
        messages.success(request, gettext("Đã thực hiện: %(action)s.") % {"action": label})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("feedback:detail", pk=item.pk)
