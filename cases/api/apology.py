"""`POST /api/v1/dossiers/{code}/apology-slips/` (CONTRACTS.md §1.2): a director or deputy issues the apology and
reschedule slip of a dossier in one call. Body `reason`, `new_appointment_at` (ISO 8601; without an offset it is
read as Asia/Ho_Chi_Minh). 201 with `number`, `issued_at`, `pdf_url`, `is_late`, `new_appointment_at`;
403 APOLOGY_SIGNER_REQUIRED for anyone else; 404 for a dossier outside the caller's scope; 400 with per-field
Vietnamese messages for bad input; 409 with a code when a rule says no."""
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core import permissions
from core.api.fields import DateTimeField
from core.errors import DomainError

from .. import errors, selectors
from ..models import ApologySlip, Dossier
from ..links import slip_url
from ..services import apology


class ApologySlipIn(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, trim_whitespace=True,
        error_messages={"required": "Vui lòng ghi rõ lý do chậm trả kết quả.",
                        "blank": "Vui lòng ghi rõ lý do chậm trả kết quả.",
                        "null": "Vui lòng ghi rõ lý do chậm trả kết quả.",
                        "max_length": "Lý do không quá {max_length} ký tự.",
                        "invalid": "Lý do phải là văn bản."},
    )
    new_appointment_at = DateTimeField(
        error_messages={"required": "Vui lòng nhập ngày hẹn trả kết quả mới.",
                        "null": "Vui lòng nhập ngày hẹn trả kết quả mới.",
                        "invalid": "Ngày hẹn mới không hợp lệ; dùng dạng ISO 8601, ví dụ 2026-02-24T09:00:00+07:00.",
                        "date": "Cần cả ngày và giờ hẹn, ví dụ 2026-02-24T09:00:00+07:00.",
                        "make_aware": "Thời điểm không hợp lệ theo múi giờ Việt Nam.",
                        "overflow": "Ngày hẹn mới không hợp lệ."},
    )


class ApologySlipOut(serializers.ModelSerializer):
    number = serializers.CharField(source="number_label")
    dossier = serializers.CharField(source="dossier.code")
    pdf_url = serializers.SerializerMethodField()
    signed_by = serializers.CharField(source="signed_by.display_name", default=None, allow_null=True)

    class Meta:
        model = ApologySlip
        fields = ["id", "number", "dossier", "state", "issued_at", "pdf_url", "is_late", "reason",
                  "original_appointment_at", "new_appointment_at", "legal_due_at", "signed_by"]

    def get_pdf_url(self, obj) -> str | None:
        return slip_url("apology", obj, pdf=True)  # relative, like the dossier's receipt_url


class ApologySlipCreate(APIView):
    """Issue the apology and reschedule slip of a dossier (director or deputy of its office)."""

    @extend_schema(request=ApologySlipIn, responses={
        201: ApologySlipOut, 400: OpenApiResponse(description="per-field messages"),
        403: OpenApiResponse(description=errors.DossierError.APOLOGY_SIGNER_REQUIRED.code),
        404: OpenApiResponse(description="not found"),
        409: OpenApiResponse(description=", ".join(
            (errors.DossierError.APOLOGY_NOT_ALLOWED.code, errors.DossierError.APOLOGY_LIMIT_REACHED.code)))})
    def post(self, request, code):
        try:
            dossier = selectors.dossier_get(user=request.user, code=code)
        except Dossier.DoesNotExist:
            return Response({"detail": "Không tìm thấy hồ sơ."}, status=status.HTTP_404_NOT_FOUND)
        permissions.require(request.user, "sign_apology", dossier, error=errors.DossierError.APOLOGY_SIGNER_REQUIRED)  # 403 before the body is read
        data = ApologySlipIn(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            slip = apology.apology_slip_issue(actor=request.user, dossier=dossier, **data.validated_data)
        except DomainError as exc:
            body = exc.as_dict()
            field = body.pop("field", None)
            if field:
                body[field] = [exc.message]
            return Response(body, status=exc.status)
        return Response(ApologySlipOut(slip, context={"request": request}).data, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("dossiers/<dossier_code:code>/apology-slips/", ApologySlipCreate.as_view(), name="api-dossier-apology-slips"),
]
