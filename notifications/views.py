"""The officer's alerts page (/thong-bao/): their own alerts, newest first, unread ones highlighted; mark one read
(optionally opening its dossier), or all. Every signed-in user has the page: an alert belongs to its recipient."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import OutboxMessage

PAGE_SIZE = 30


@login_required
def alert_list(request):
    unread = request.GET.get("chua-doc") == "1"
    page = Paginator(selectors.alert_list(user=request.user, unread=unread), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page, "unread_only": unread})


@login_required
@require_POST
def alert_read(request, pk):
    try:
        alert = services.alert_mark_read(user=request.user, pk=pk)
    except OutboxMessage.DoesNotExist as exc:
        raise Http404 from exc
    if request.POST.get("open") == "1" and alert.dossier_code:
        try:
            return redirect(reverse("cases:detail", kwargs={"code": alert.dossier_code}))
        except NoReverseMatch:  # a code outside the contract's pattern has no page
            pass
    return redirect(_back(request))


@login_required
@require_POST
def alert_read_all(request):
    marked = services.alert_mark_all_read(user=request.user)
    messages.success(request, gettext("Đã đánh dấu %(n)s thông báo là đã đọc.") % {"n": marked})
    return redirect(_back(request))


def _back(request) -> str:
    url = reverse("notifications:list")
    return url + "?chua-doc=1" if request.POST.get("unread_only") == "1" else url
