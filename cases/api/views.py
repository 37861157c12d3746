
from django.db import IntegrityError
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import idempotency, throttle
from core.errors import CoreError, DomainError
from core.models import Office
from core.permissions import HasCapability

from .. import selectors, services
from ..errors import DossierError
from ..export import EXPORT_FORMATS, XLSX_TYPE, ExportTooLarge, export_response
from ..filtering import APOLOGY_CHOICES, STATUS_GROUP_CHOICES, TIMELINESS_CHOICES
from ..models import Channel, Dossier, DossierEvent, DueState, Source, Status
from .filters import BoundedIsoDateTimeFilter, DayOrMomentFilter
from .serializers import (
    ActionIn,
    DossierIn,
    DossierListSerializer,
    DossierSerializer,
    EventSerializer,
    ProcedureSerializer,
    PublicDossierSerializer,
)


INTAKE_EXAMPLE = OpenApiExample("Một hồ sơ nhận trực tiếp", request_only=True, value={
    "procedure": "1.009020", "channel": "direct", "summary": "Đề nghị hưởng BHXH một lần",
    "applicant": {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345",
                  "phone": "0912345678", "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}})


class ProcedureList(generics.ListAPIView):
    """The procedure catalogue."""

    serializer_class = ProcedureSerializer
    filterset_fields = ["is_covid_support", "active", "field"]

    def get_queryset(self):
        return selectors.procedure_list(active_only=False).prefetch_related("versions").order_by("code")


DOSSIER_STAGES = [(v, label) for v, label in DueState.choices
                  if v not in (DueState.FORWARD_DUE_SOON, DueState.FORWARD_OVERDUE)]


class DossierFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=Status.choices, method="noop")
    office = filters.CharFilter(method="noop", max_length=60)
    procedure = filters.CharFilter(method="noop", max_length=30)
    channel = filters.ChoiceFilter(choices=Channel.choices, method="noop")
    source = filters.ChoiceFilter(choices=Source.choices, method="noop")
    overdue = filters.BooleanFilter(method="noop")
    due_stage = filters.ChoiceFilter(choices=DOSSIER_STAGES, method="noop",
                                     help_text="The stage the last deadline scan marked (\"\" = none).")
    due_before = BoundedIsoDateTimeFilter(method="noop")
    received_after = DayOrMomentFilter(method="noop", help_text="A day (the whole local day) or an ISO moment.")
    received_before = DayOrMomentFilter(method="noop", help_text="A day (included) or an ISO moment (excluded).")
    status_group = filters.ChoiceFilter(choices=STATUS_GROUP_CHOICES, method="noop",
                                        help_text="open: received, processing or awaiting supplement.")
    overdue_open = filters.BooleanFilter(method="noop", help_text="The clock runs and the legal due moment has "
                                         "passed (the dashboard's and the desk's \"Quá hạn\").")
    rescheduled = filters.BooleanFilter(method="noop", help_text="An apology slip moved the appointment.")
    province = filters.CharFilter(method="noop", help_text="A province office code: it and its grassroots offices.")
    resolved_after = DayOrMomentFilter(method="noop")
    resolved_before = DayOrMomentFilter(method="noop")
    timeliness = filters.ChoiceFilter(choices=TIMELINESS_CHOICES, method="noop")
    apology = filters.ChoiceFilter(choices=APOLOGY_CHOICES, method="noop")
    apology_after = DayOrMomentFilter(method="noop", help_text="An apology slip issued from this day or moment.")
    apology_before = DayOrMomentFilter(method="noop")
    over_visit_limit = filters.BooleanFilter(method="noop")
    came_back = filters.BooleanFilter(method="noop")
    q = filters.CharFilter(method="noop", max_length=200, help_text="Part of the code, the applicant's name (accents and case "
                           "ignored), the ID number or the phone in any form.")
    assignee = filters.CharFilter(method="noop", max_length=150, help_text="The processing officer's username.")
    received_by = filters.CharFilter(method="noop", max_length=150, help_text="The receiving officer's username.")

    class Meta:
        model = Dossier
        fields = []

    def noop(self, queryset, name, value):
        return queryset  # parsing and validation only; the selector applies the filters

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "", [])}
        if self.request.query_params.get("due_stage") == "":  # "" is a value here: the dossiers in no stage
            data["due_stage"] = ""
        if "status" in data:
            data["status"] = ",".join(data["status"])
        return selectors.dossier_list(user=self.request.user, filters=data)


# A filter without a label has one derived from the model at every request (django-filter's label_for_filter,
# ~1.5 ms for these 25 filters): name them once.
for _name, _filter in DossierFilter.base_filters.items():
    _filter.label = _filter.label if _filter._label is not None else _name


class DossierListCreate(generics.ListCreateAPIView):
    """List the dossiers in the caller's scope, or receive one at the desk (intake)."""

    filterset_class = DossierFilter
    permission_classes = [IsAuthenticated, HasCapability("receive", methods=("POST",))]
    keyset_field = "received_at"  # ?cursor= pages by (received_at DESC NULLS FIRST, id DESC), the list's index

    def get_serializer_class(self):
        return DossierIn if self.request.method == "POST" else DossierListSerializer

    def get_queryset(self):
        return selectors.dossier_list(user=self.request.user)

    def perform_content_negotiation(self, request, force=False):
        # `?format=csv|xlsx` is an export, not a renderer: negotiate JSON (for errors) and let get() stream it.
        return super().perform_content_negotiation(
            request, force=force or request.query_params.get("format") in EXPORT_FORMATS)

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=["json", *EXPORT_FORMATS],
                                                description="csv/xlsx: the filtered, scoped list as a file "
                                                            "(at most 100,000 rows, streamed)")],
                   responses={(200, "application/json"): DossierListSerializer(many=True),
                              (200, "text/csv"): OpenApiResponse(OpenApiTypes.BINARY, description="format=csv"),
                              (200, XLSX_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="format=xlsx")})
    def get(self, request, *args, **kwargs):
        fmt = request.query_params.get("format")
        if fmt not in EXPORT_FORMATS:
            return super().get(request, *args, **kwargs)
        qs = self.filter_queryset(self.get_queryset())
        try:
            return export_response(qs, fmt)
        except ExportTooLarge as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)

    @extend_schema(request=DossierIn, responses={201: DossierSerializer}, examples=[INTAKE_EXAMPLE], parameters=[
        OpenApiParameter(
            "Idempotency-Key", {"type": "string", "minLength": 1, "maxLength": 200}, OpenApiParameter.HEADER,
            required=False, pattern=r"^[\x21-\x7e]{1,200}$",
            description="Any unique value (a UUID) per dossier handed in: a retry with the same key and body answers "
                        "the first result (the same dossier, status and body) and never receives twice; the same key "
                        "with another body is a 422 IDEMPOTENCY_KEY_REUSED. Keys are kept IDEMPOTENCY_KEY_HOURS.")])
    def post(self, request):
        key = request.headers.get("Idempotency-Key")
        if key is None:
            status_code, body = self._receive(request)
            return Response(body, status=status_code)
        outcome = idempotency.run_once(user=request.user, key=key, scope="api:dossier-intake",
                                       data=_plain(request.data), run=lambda: self._receive(request))
        response = Response(outcome.body, status=outcome.status)
        if outcome.replayed:
            response["Idempotent-Replayed"] = "true"
        return response

    def _receive(self, request) -> tuple[int, dict]:
        data = DossierIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        office = None
        if v["office"]:
            office = Office.objects.current().filter(code=v["office"]).first()
            if office is None:
                raise ValidationError({"office": [f"Không có đơn vị mã “{v['office']}”."]})
        try:
            dossier = services.dossier_receive(
                actor=request.user, procedure=v["procedure"], applicant=dict(v["applicant"]), channel=v["channel"],
                summary=v["summary"], office=office, received_at=v["received_at"], documents=v["documents"],
                social_insurance_number=v["social_insurance_number"], date_of_birth=v["date_of_birth"],
                result_delivery=v["result_delivery"], postal_address=v["postal_address"],
                contact_channel=v["contact_channel"], messages_opt_out=v["messages_opt_out"],
            )
        except IntegrityError as exc:  # e.g. a code collision on a database without row locks
            raise DomainError(DossierError.CODE_CONFLICT) from exc
        selectors.as_just_received(dossier)  # what dossier_get would read back, known already: no query
        return status.HTTP_201_CREATED, DossierSerializer(dossier, context={"request": request}).data


def _plain(data):
    """The request body as plain JSON-able data (a form-encoded body is a QueryDict)."""
    return {key: data.getlist(key) for key in data} if hasattr(data, "getlist") else data


class DossierMixin:
    def get_dossier(self):
        try:
            return selectors.dossier_get(user=self.request.user, code=self.kwargs["code"])
        except Dossier.DoesNotExist as exc:
            raise Http404 from exc


class DossierDetail(DossierMixin, generics.RetrieveAPIView):
    serializer_class = DossierSerializer

    def get_object(self):
        return self.get_dossier()


class DossierEvents(DossierMixin, generics.ListAPIView):
    """The append-only history of a dossier."""

    serializer_class = EventSerializer
    queryset = DossierEvent.objects.none()  # for the schema; get_queryset() is what serves

    def get_queryset(self):
        return selectors.dossier_events(dossier=self.get_dossier())


ACTIONS = list(services.TRANSITIONS)


class DossierAction(DossierMixin, APIView):
    """One transition of the dossier (CONTRACTS.md §1.3); 409 with a coded reason when not allowed now."""

    permission_classes = [IsAuthenticated, HasCapability("process")]

    @extend_schema(request=ActionIn, responses={200: DossierSerializer},
                   parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=ACTIONS)])
    def post(self, request, code, action):
        if action not in ACTIONS:
            raise DomainError(CoreError.UNKNOWN_ACTION, action=action)
        dossier = self.get_dossier()
        body = ActionIn(data=request.data)
        body.is_valid(raise_exception=True)
        services.run_action(action, actor=request.user, dossier=dossier, body=body.validated_data)
        dossier = selectors.dossier_get(user=request.user, code=code)
        return Response(DossierSerializer(dossier, context={"request": request}).data)


class PublicThrottle(throttle.ClientAddressThrottle):
    scope = "public"


class PublicDossier(APIView):
    """No login: the status and appointment of one dossier, given its code and the applicant's phone.
    The same 404 for an unknown code and a wrong phone, so codes cannot be probed."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]

    @extend_schema(parameters=[OpenApiParameter("phone", str, required=True)], responses=PublicDossierSerializer)
    def get(self, request, code):
        dossier = selectors.public_dossier(code=code, phone=request.query_params.get("phone", ""))
        if dossier is None:
            raise DomainError(DossierError.NOT_FOUND_FOR_PHONE)
        return Response(PublicDossierSerializer(dossier).data)
