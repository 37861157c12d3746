"""Online dossiers waiting (DOMAIN.md §2.1) on the dossier list: their waiting time, and accepting or refusing
several at once. Thin: the decisions are cases.services.dossiers_decide, one service call per dossier."""
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.permissions import capability_required
from workcal import calendar

from .. import selectors, services
from ..events import DossierAction
from ..models import Status

SORT_WAITING = "waiting"  # the list's ?sort=: the longest waiting first


def waiting_rows(rows, now=None) -> list:
    """Each submitted dossier of a page with `.waited` (working time since its arrival) and `.waited_hours`
    (rounded to tenths): no query per row (the calendar is read once)."""
    now = now or timezone.now()
    rows = list(rows)
    with calendar.pinned():
        for d in rows:
            d.waited = (calendar.working_time_between(d.submitted_at, now, d.office)
                        if d.status == Status.SUBMITTED and d.submitted_at else None)
            d.waited_hours = round(d.waited.total_seconds() / 3600, 1) if d.waited is not None else None
    return rows


@capability_required("receive")
@require_POST
def dossier_bulk(request):
    decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
    codes = [c for c in request.POST.getlist("code") if c.strip()]
    back = request.POST.get("next") or f"{reverse('cases:list')}?status={Status.SUBMITTED}&sort={SORT_WAITING}"
    if not back.startswith("/"):
        back = reverse("cases:list")
    if not codes:
        messages.error(request, gettext("Chưa chọn hồ sơ nào."))
        return redirect(back)
    found = {d.code: d for d in selectors.dossier_base(user=request.user).filter(code__in=codes)}
    try:
        outcomes = services.dossiers_decide(actor=request.user, dossiers=[found[c] for c in codes if c in found],
                                            decision=decision, reason=reason)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    done = [o.code for o in outcomes if o.ok]
    if done:
        text = (gettext("Đã tiếp nhận %(n)d hồ sơ: %(codes)s.") if decision == DossierAction.ACCEPT
                else gettext("Đã từ chối %(n)d hồ sơ: %(codes)s."))
        messages.success(request, text % {"n": len(done), "codes": ", ".join(done)})
    for o in outcomes:
        if not o.ok:
            messages.error(request, gettext("Hồ sơ %(code)s: %(reason)s") % {"code": o.code, "reason": o.message})
    for code in codes:
        if code not in found:
            messages.error(request, gettext("Hồ sơ %(code)s: không tìm thấy.") % {"code": code})
    return redirect(back)
