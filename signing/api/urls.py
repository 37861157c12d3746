"""`POST /api/v1/verify/`: verify a signed document (no login, throttled). Multipart `file` (a PDF), or JSON /
form `id` (the verification id of the QR code), or `dossier` (a dossier code) with an optional `document`
(a kind: apology, receipt, supplement, refusal, guidance, result, or a reference such as `apology:12`). A lookup
by dossier code never answers the documents' ids (the ids open the documents, personal data included). 200 with
`{"valid", "results": [{"valid", "sha256", "signatures": [...], "document": {...} | null}]}`; 400/404/413/429
with `{"code", "detail"}`."""
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from ..errors import SigningError
from ..lookup import VerifyThrottle, verify_request


class VerifyIn(serializers.Serializer):
    file = serializers.FileField(required=False)
    id = serializers.CharField(required=False, allow_blank=True, max_length=64)
    dossier = serializers.CharField(required=False, allow_blank=True, max_length=40)
    document = serializers.CharField(required=False, allow_blank=True, max_length=120)


class Verify(APIView):
    """Whether each signature of a document is intact, who signed, when, and whether it chains to a trusted
    root."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [VerifyThrottle]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request={"multipart/form-data": VerifyIn, "application/json": VerifyIn}, responses={
        200: inline_serializer("VerifyOut", {"valid": serializers.BooleanField(),
                                             "results": serializers.ListField(child=serializers.DictField())}),
        400: OpenApiResponse(description=f"{SigningError.VERIFY_INPUT_REQUIRED.code}, {SigningError.VERIFY_NOT_PDF.code}"),
        404: OpenApiResponse(description=SigningError.DOCUMENT_NOT_FOUND.code),
        413: OpenApiResponse(description=SigningError.VERIFY_TOO_LARGE.code)})
    def post(self, request):
        data = VerifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        body = data.validated_data
        results = verify_request(upload=body.get("file"), token=body.get("id", ""),
                                 dossier_code=body.get("dossier", ""), document=body.get("document", ""))
        out = [report.as_dict() for _, report in results]
        return Response({"valid": all(r["valid"] for r in out), "results": out})


urlpatterns = [path("verify/", Verify.as_view(), name="api-verify")]
