"""/xac-thuc/: the public verification page (no login, throttled) and the download of a signed document by its
verification id (the QR code on the document; also the link sent by SMS and Zalo)."""
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from . import lookup, selectors
from .errors import DomainError, SigningError


@require_http_methods(["GET", "POST"])
def verify(request):
    source = request.POST if request.method == "POST" else request.GET
    token = source.get("ma", "").strip()
    code = source.get("ho_so", "").strip()
    document = source.get("van_ban", "").strip()
    upload = request.FILES.get("file")
    context = {"token": token, "code": code, "document": document, "results": None}
    if not (token or code or upload):
        if request.method == "POST":
            context["error"] = SigningError.VERIFY_INPUT_REQUIRED.format()
            return render(request, "signing/verify.html", context, status=400)
        return render(request, "signing/verify.html", context)
    if not lookup.VerifyThrottle().allow_request(request, None):
        context["error"] = SigningError.THROTTLED.format()
        return render(request, "signing/verify.html", context, status=429)
    try:
        context["results"] = lookup.verify_request(upload=upload, token=token, dossier_code=code, document=document)
    except DomainError as exc:
        context["error"] = exc.message
        return render(request, "signing/verify.html", context, status=exc.status)
    return render(request, "signing/verify.html", context)


def download(request, token):
    """The signed PDF as issued: the exact stored bytes (the verification id is the capability)."""
    found = selectors.signed_document_by_token(token)
    if found is None:
        raise Http404("Không tìm thấy văn bản.")
    response = HttpResponse(found.read(), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, found.filename)
    return response
