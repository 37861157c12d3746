"""The sync health page (directors, deputies, administrators): thin views over selectors and services."""
import logging

from django.conf import settings
from django.contrib import messages
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.permissions import capability_required
from core.scoping import visible_offices

from . import selectors, services
from .client import PortalClient, PortalError
from .models import QuarantinedItem

log = logging.getLogger(__name__)


@capability_required("view_sync_health")
def health(request):
    quarantine, quarantine_total = selectors.quarantine_list(request.user)
    disagreements, disagreements_total = selectors.disagreement_list(request.user)
    return render(request, "portal/health.html", {
        "disagreements": disagreements,
        "disagreements_total": disagreements_total,
        "rows": selectors.sync_health(request.user),
        "quarantine": quarantine,
        "quarantine_total": quarantine_total,
        "portal_configured": bool(settings.NATIONAL_PORTAL_URL),
    })


def _lookup_client():
    """A client for looking the item up again (TraCuuHoSo), quick to give up: this is a page request."""
    if not settings.NATIONAL_PORTAL_URL:
        return None
    try:
        return PortalClient(retries=0, timeout=min(settings.NATIONAL_PORTAL_TIMEOUT, 5))
    except PortalError:
        return None


@capability_required("view_sync_health")
@require_POST
def quarantine_retry(request, pk):
    item = get_object_or_404(QuarantinedItem, pk=pk, office__in=visible_offices(request.user).values("pk"))
    try:
        stored, message = services.quarantine_retry(item=item, user=request.user, client=_lookup_client())
    except DatabaseError:
        log.exception("retry of quarantined item %s failed", pk)
        stored, message = False, "Chưa lưu được do lỗi cơ sở dữ liệu, vui lòng thử lại sau."
    (messages.success if stored else messages.error)(request, message)
    return redirect("portal:health")
