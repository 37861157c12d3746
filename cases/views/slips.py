"""The slip pages: each official slip as a print-ready HTML page and as PDF (`?format=pdf`). Every view needs a
signed-in user, or the API's token (the API returns these URLs), and loads its row through
`core.scoping.scope_to_user` (404 outside the scope); the applicant is masked for whoever need not see them
(cases.privacy)."""
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from core.api.auth import token_or_login_required
from core.documents import Document
from core.documents.pdf import render_pdf
from core.errors import DomainError
from core.permissions import can_see_personal_data
from core.scoping import scope_to_user

from ..documents.slips import (
    apology_document,
    control_document,
    guidance_document,
    receipt_document,
    refusal_document,
    supplement_document,
)
from .. import signatures
from ..models import ApologySlip, Dossier, IntakeGuidance, Status, SupplementRequest
from ..privacy import mask_applicant


# --- responses --------------------------------------------------------------------------------------------

def pdf_response(doc: Document) -> HttpResponse:
    response = HttpResponse(render_pdf(doc), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, doc.filename)
    return response


def signed_response(signed) -> HttpResponse:
    """The signed PDF exactly as stored (what was signed is what is served)."""
    response = HttpResponse(signed.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, signed.filename)
    response["X-Content-SHA256"] = signed.sha256
    return response


def signing_failed(request, exc: DomainError) -> HttpResponse:
    return render(request, "cases/slips/signing_failed.html", {"error": exc}, status=exc.status)


def render_slip(request, doc: Document, *, back_url: str = "", sealed=None):
    """The slip page, or its PDF. `sealed(kind)`: the office-sealed copy, for whoever reads the slip in full."""
    if request.GET.get("format") == "pdf":
        if sealed is not None:
            try:
                return signed_response(sealed())
            except DomainError as exc:  # never an unsealed copy instead
                return signing_failed(request, exc)
        return pdf_response(doc)
    query = request.GET.copy()
    query["format"] = "pdf"
    return render(request, "cases/slips/slip.html",
                  {"doc": doc, "pdf_url": f"{request.path}?{query.urlencode()}", "back_url": back_url})


def _dossier(request, code) -> Dossier:
    qs = Dossier.objects.select_related("office__parent", "procedure", "received_by")
    return mask_applicant(request.user, get_object_or_404(scope_to_user(qs, request.user), code=code))


def _detail_url(code):
    return reverse("cases:detail", kwargs={"code": code})


def _seal(request, kind, obj):
    """The sealed copy goes to whoever reads the applicant in full; a masked reader gets the masked draft."""
    if not can_see_personal_data(request.user, getattr(obj, "dossier", obj) if kind == "supplement" else obj):
        return None
    return lambda: signatures.sealed_copy(kind, obj)


# --- views ------------------------------------------------------------------------------------------------

@token_or_login_required
def receipt(request, code):
    d = _dossier(request, code)
    if d.received_at is None:
        raise Http404("Hồ sơ chưa được tiếp nhận nên chưa có giấy tiếp nhận.")
    return render_slip(request, receipt_document(d), back_url=_detail_url(code), sealed=_seal(request, "receipt", d))


@token_or_login_required
def supplement_slip(request, code, number):
    d = _dossier(request, code)
    req = get_object_or_404(SupplementRequest.objects.select_related("requested_by"), dossier=d, number=number)
    req.dossier = d
    return render_slip(request, supplement_document(req), back_url=_detail_url(code),
                       sealed=_seal(request, "supplement", req))


@token_or_login_required
def guidance_slip(request, number):
    qs = IntakeGuidance.objects.select_related("office__parent", "procedure", "issued_by")
    g = mask_applicant(request.user, get_object_or_404(scope_to_user(qs, request.user), number=number))
    return render_slip(request, guidance_document(g), sealed=_seal(request, "guidance", g))


@token_or_login_required
def refusal_slip(request, code):
    d = _dossier(request, code)
    if d.status != Status.REFUSED:
        raise Http404("Hồ sơ không bị từ chối.")
    return render_slip(request, refusal_document(d), back_url=_detail_url(code), sealed=_seal(request, "refusal", d))


@token_or_login_required
def control_slip(request, code):
    return render_slip(request, control_document(_dossier(request, code)), back_url=_detail_url(code))


@token_or_login_required
def apology_slip(request, code, pk):
    d = _dossier(request, code)
    slip = get_object_or_404(ApologySlip.objects.select_related("office__parent", "signed_by"), dossier=d, pk=pk)
    slip.dossier = d
    signed = signatures.apology_signed(slip) if slip.state == ApologySlip.State.ISSUED else None
    if signed is not None and request.GET.get("format") == "pdf" and can_see_personal_data(request.user, d):
        return signed_response(signed)  # the bytes the director signed, never a new rendering
    return render_slip(request, apology_document(slip), back_url=_detail_url(code))
