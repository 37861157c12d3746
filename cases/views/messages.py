"""The dossier page's "send again" of a message to the applicant that finally failed (issue 12)."""
from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from django.core.exceptions import PermissionDenied

from core import permissions
from core.errors import DomainError
from core.permissions import capability_required

from .. import selectors
from ..models import Dossier
from ..services.messages import citizen_message_retry


@capability_required("view_dossiers")
@require_POST
def retry_message(request, code, pk):
    try:
        dossier = selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc
    if not permissions.can_process(request.user, dossier):  # read-only roles: a 403, as every dossier action
        raise PermissionDenied(permissions.capability("process").message)
    try:
        message = citizen_message_retry(actor=request.user, dossier=dossier, message_id=pk)
        flash.success(request, gettext("Đã đưa thông báo %(channel)s tới %(recipient)s vào hàng đợi gửi lại.")
                      % {"channel": message.get_channel_display(), "recipient": message.recipient})
    except DomainError as exc:
        flash.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)
