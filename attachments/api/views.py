"""`GET`, `POST /api/v1/dossiers/{code}/attachments/` (CONTRACTS.md §1.2) and the file of one attachment
(`url`), read with the same credentials as the API call (session or token), scoped by office (404 outside)."""
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from cases import selectors as dossier_selectors
from cases.models import Dossier
from core import permissions, uploads
from core.api.pagination import Pagination
from core.errors import DomainError, UploadError

from .. import selectors, services
from ..models import Attachment, Kind
from ..provider import attachment_row
from ..responses import file_response

class AttachmentOut(serializers.Serializer):
    """The shape of one attachment (attachments.provider.attachment_row)."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    document = serializers.CharField(allow_null=True, help_text="the checklist item it is a copy of")
    document_index = serializers.IntegerField(allow_null=True)
    kind = serializers.ChoiceField(choices=Kind.choices)
    size = serializers.IntegerField(allow_null=True)
    content_type = serializers.CharField(allow_null=True)
    source = serializers.CharField()
    sha256 = serializers.CharField(allow_null=True)
    fetch_status = serializers.CharField(allow_null=True, help_text="papers of the portal: pending/fetched/failed")
    last_error = serializers.CharField(allow_null=True)
    created_at = serializers.DateTimeField()
    url = serializers.CharField(allow_null=True, help_text="the file, with the caller's own credentials")


AttachmentIn = inline_serializer("AttachmentUpload", {
    "file": serializers.FileField(), "document": serializers.CharField(required=False),
    "kind": serializers.ChoiceField(choices=Kind.choices, required=False),
    "generate": serializers.BooleanField(required=False)})


def _dossier(request, code) -> Dossier:
    try:
        return dossier_selectors.dossier_get(user=request.user, code=code)
    except Dossier.DoesNotExist as exc:
        raise Http404 from exc


class AttachmentListCreate(APIView):
    """The dossier's papers and result documents; POST attaches one (multipart `file`, `document`; `kind`
    `result` for the result document, with `generate=true` instead of a file to generate it)."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(responses={200: AttachmentOut(many=True)})
    def get(self, request, code):
        dossier = _dossier(request, code)
        paginator = Pagination()
        page = paginator.paginate_queryset(selectors.attachment_list(dossier=dossier), request, view=self)
        for attachment in page:
            attachment.dossier = dossier
        return paginator.get_paginated_response([attachment_row(a, request.user) for a in page])

    @extend_schema(request={"multipart/form-data": AttachmentIn}, responses={
        201: AttachmentOut, 413: OpenApiResponse(description=UploadError.TOO_LARGE.code),
        415: OpenApiResponse(description=UploadError.TYPE_REFUSED.code)})
    def post(self, request, code):
        dossier = _dossier(request, code)
        permissions.require(request.user, "attach_papers")  # a read-only role: 403 before the body is read
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > uploads.max_bytes() + 64 * 1024:
            raise DomainError(UploadError.TOO_LARGE, name="", limit=uploads.limit_label())
        kind = request.data.get("kind") or Kind.PAPER
        generate = str(request.data.get("generate", "")).lower() in ("1", "true", "yes", "on")
        if kind == Kind.RESULT and generate and not request.FILES.get("file"):
            attachment = services.result_generate(actor=request.user, dossier=dossier)
        else:
            attachment = services.attachment_upload(actor=request.user, dossier=dossier, kind=kind,
                                                    upload=request.FILES.get("file"),
                                                    document=request.data.get("document"))
        attachment.dossier = dossier
        return Response(attachment_row(attachment, request.user), status=status.HTTP_201_CREATED)


class AttachmentContent(APIView):
    """The file itself, with its stored content type and a Content-Disposition."""

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # a file, whatever the Accept header

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="the file")})
    def get(self, request, code, pk):
        dossier = _dossier(request, code)
        try:
            attachment = selectors.attachment_get(dossier=dossier, pk=pk)
        except Attachment.DoesNotExist as exc:
            raise Http404 from exc
        if not attachment.is_stored:
            raise Http404
        permissions.require(request.user, "read_papers", dossier)
        return file_response(attachment)
