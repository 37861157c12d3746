"""The applicant rates the service (issue 12): on a desk screen at collection (an officer's session), on the
public status page (code and phone) and from the signed link in the result message. Thin: one service call."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from core import permissions
from core.errors import DomainError
from core.permissions import capability_required

from .. import selectors
from ..choices import RatingLevel
from ..links import rating_code
from ..models import Dossier, Rating
from ..services import rating as ratings

THANKS = "Cảm ơn Ông/Bà đã đánh giá. Ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn."


def _throttled(request) -> bool:
    from ..api.views import PublicThrottle

    return not PublicThrottle().allow_request(request, None)


@capability_required("view_dossiers")
@require_POST
def rate_at_desk(request, code):
    try:
        dossier = selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_process(request.user, dossier):
        raise PermissionDenied(permissions.capability("process").message)
    try:
        ratings.dossier_rate(dossier=dossier, level=request.POST.get("level", ""),
                             comment=request.POST.get("comment", ""), source=Rating.Source.DESK, actor=request.user)
        messages.success(request, gettext(THANKS))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)


@require_POST
def public_rate(request):
    """From the public status page: the same code and phone that found the dossier."""
    code, phone = request.POST.get("ma", "").strip(), request.POST.get("dt", "").strip()
    if _throttled(request):
        return render(request, "cases/public_lookup.html", {"code": code, "throttled": True}, status=429)
    dossier = selectors.public_dossier(code=code, phone=phone)
    if dossier is None:
        raise Http404
    try:
        ratings.dossier_rate(dossier=dossier, level=request.POST.get("level", ""),
                             comment=request.POST.get("comment", ""), source=Rating.Source.PUBLIC)
        messages.success(request, gettext(THANKS))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("cases:public_lookup") + "?" + urlencode({"ma": code, "dt": phone}))


@require_http_methods(["GET", "POST"])
def rating_link(request, token):
    """The link in the result message: signed with the dossier's code, so no phone is typed."""
    code = rating_code(token)
    dossier = Dossier.objects.select_related("office", "procedure").filter(code=code).first() if code else None
    if dossier is None:
        raise Http404
    done, status = False, 200
    if request.method == "POST":
        if _throttled(request):
            return render(request, "cases/rating_link.html", {"throttled": True}, status=429)
        try:
            ratings.dossier_rate(dossier=dossier, level=request.POST.get("level", ""),
                                 comment=request.POST.get("comment", ""), source=Rating.Source.LINK)
            done = True
        except DomainError as exc:
            messages.error(request, exc.message)
            status = exc.status
    return render(request, "cases/rating_link.html", {
        "dossier": dossier, "done": done, "may_rate": ratings.may_rate(dossier), "levels": RatingLevel.choices,
    }, status=status)
