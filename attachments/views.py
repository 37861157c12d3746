"""Pages of the papers: attach a file on the dossier page, generate the result document, fetch a failed paper
of the portal again, and the public signed link (no login) the national portal and the applicant open."""
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from cases import selectors as dossier_selectors
from cases.models import Dossier
from core.errors import DomainError
from core.permissions import capability_required

from . import links, selectors, services
from .models import Attachment, Kind
from .responses import file_response


def _dossier(request, code) -> Dossier:
    try:
        return dossier_selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


@capability_required("attach_papers")
@require_POST
def upload(request, code):
    dossier = _dossier(request, code)
    kind = request.POST.get("kind") or Kind.PAPER
    try:
        attachment = services.attachment_upload(actor=request.user, dossier=dossier, kind=kind,
                                                upload=request.FILES.get("file"),
                                                document=request.POST.get("document"))
        messages.success(request, gettext("Đã đính kèm tệp “%(name)s”.") % {"name": attachment.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)


@capability_required("attach_papers")
@require_POST
def generate_result(request, code):
    dossier = _dossier(request, code)
    try:
        attachment = services.result_generate(actor=request.user, dossier=dossier)
        messages.success(request, gettext("Đã lập văn bản kết quả “%(name)s”.") % {"name": attachment.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)


@capability_required("attach_papers")
@require_POST
def retry_fetch(request, code, pk):
    dossier = _dossier(request, code)
    try:
        attachment = selectors.attachment_get(dossier=dossier, pk=pk)
    except Attachment.DoesNotExist as exc:
        raise Http404 from exc
    try:
        services.attachment_fetch_retry(actor=request.user, attachment=attachment)
        messages.success(request, gettext("Đang tải lại tệp “%(name)s” từ Cổng DVCQG.") % {"name": attachment.name})
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("cases:detail", code=dossier.code)


@never_cache
@require_GET
def signed(request, token):
    """A time-limited signed link (attachments.links): 403 tampered or unknown, 410 expired."""
    try:
        pk, digest = links.read_token(token)
    except links.LinkExpired:
        return HttpResponse(gettext("Đường dẫn tải tệp đã hết hạn."), status=410,
                            content_type="text/plain; charset=utf-8")
    except links.LinkInvalid:
        return _forbidden()
    attachment = Attachment.objects.filter(pk=pk).first()
    if attachment is None or not attachment.is_stored or not digest or not attachment.sha256.startswith(digest):
        return _forbidden()
    return file_response(attachment)


def _forbidden():
    return HttpResponse(gettext("Đường dẫn tải tệp không hợp lệ."), status=403, content_type="text/plain; charset=utf-8")
