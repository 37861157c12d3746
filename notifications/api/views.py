"""`GET /notifications/`, `POST /notifications/{id}/read/`, `POST /notifications/read-all/` (CONTRACTS.md
§1.2): the caller's own officer alerts. Another user's alert is a 404, never a 403 (its existence is not told)."""
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import selectors, services
from ..kinds import kind_label
from ..models import OutboxMessage


class AlertSerializer(serializers.ModelSerializer):
    kind_label = serializers.SerializerMethodField()
    dossier_code = serializers.SerializerMethodField()
    dossier_url = serializers.SerializerMethodField(help_text="the dossier's API URL when the alert names one")

    class Meta:
        model = OutboxMessage
        fields = ["id", "kind", "kind_label", "subject", "body", "dossier_code", "dossier_url", "created_at",
                  "read_at"]

    def get_kind_label(self, obj) -> str:
        return str(kind_label(obj.kind))

    def get_dossier_code(self, obj) -> str | None:
        return obj.dossier_code or None

    def get_dossier_url(self, obj) -> str | None:
        if not obj.dossier_code:
            return None
        try:
            url = reverse("api-dossier", kwargs={"code": obj.dossier_code})
        except NoReverseMatch:  # a code outside the contract's pattern has no resource
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


def _unread(request) -> bool:
    return request.query_params.get("unread", "").lower() in ("1", "true", "yes")


@extend_schema(parameters=[OpenApiParameter("unread", bool, description="only the alerts not read yet")])
class AlertList(generics.ListAPIView):
    serializer_class = AlertSerializer
    filterset_class = None

    def get_queryset(self):
        return selectors.alert_list(user=self.request.user, unread=_unread(self.request))


class AlertRead(APIView):
    @extend_schema(request=None, responses=AlertSerializer)
    def post(self, request, pk):
        try:
            alert = services.alert_mark_read(user=request.user, pk=pk)
        except OutboxMessage.DoesNotExist:
            raise Http404 from None
        return Response(AlertSerializer(alert, context={"request": request}).data)


class AlertReadAll(APIView):
    @extend_schema(request=None, responses=inline_serializer("AlertsMarked", {"marked": serializers.IntegerField()}))
    def post(self, request):
        return Response({"marked": services.alert_mark_all_read(user=request.user)})
