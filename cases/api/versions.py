"""`GET /procedures/{code}/versions/` (CONTRACTS.md) and the `rule_version` of a dossier."""
from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import generics, serializers

from ..models import Procedure, ProcedureVersion
from ..versions import versions_list
from .outputs import ChecklistItemOut, TimeLimitOut


def _number(value):
    if value is None:
        return None
    return int(value) if value == int(value) else float(value)


def time_limit(version) -> dict:
    return {"value": _number(version.time_limit_value), "unit": version.time_limit_unit}


def rule_version_summary(version) -> dict | None:
    """What `GET /dossiers/{code}/` says of the dossier's rule version."""
    if version is None:
        return None
    return {"id": version.pk, "valid_from": version.valid_from.isoformat(), "time_limit": time_limit(version)}


class ProcedureVersionSerializer(serializers.ModelSerializer):
    time_limit = serializers.SerializerMethodField()
    documents = serializers.SerializerMethodField()
    stops_taking_at = serializers.SerializerMethodField()

    class Meta:
        model = ProcedureVersion
        fields = ["id", "valid_from", "time_limit", "supplement_clock", "supplement_window_days",
                  "max_supplement_requests", "max_reschedules", "same_day_cutoff", "documents", "legal_basis",
                  "stops_taking_at"]
        fields += ["separate_duties", "result_approval_required"]  # issue 12: who may resolve, approval first

    @extend_schema_field(TimeLimitOut)
    def get_time_limit(self, obj):
        return time_limit(obj)

    @extend_schema_field(ChecklistItemOut(many=True))
    def get_documents(self, obj):
        return [{"name": d.get("name", ""), "original": d.get("original", "either"),
                 "quantity": d.get("quantity", 1), "required": bool(d.get("required", True))}
                for d in obj.documents or []]

    @extend_schema_field({"type": "string", "format": "date-time", "nullable": True})
    def get_stops_taking_at(self, obj):
        return timezone.localtime(obj.stops_taking_at).isoformat() if obj.stops_taking_at else None


class ProcedureVersionList(generics.ListAPIView):
    """The rule versions of one procedure, oldest first (DOMAIN.md §8)."""

    serializer_class = ProcedureVersionSerializer
    queryset = ProcedureVersion.objects.none()  # for the schema; get_queryset() is what serves

    def get_queryset(self):
        procedure = Procedure.objects.filter(code=self.kwargs["code"]).first()
        if procedure is None:
            raise Http404
        return versions_list(procedure)


urlpatterns = [
    path("procedures/<str:code>/versions/", ProcedureVersionList.as_view(), name="api-procedure-versions"),
]
