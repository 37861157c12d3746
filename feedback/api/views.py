from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from cases.listing import sane_year
from cases.validators import mask_phone
from core.errors import CoreError, DomainError
from core.permissions import HasCapability

from .. import selectors, services
from ..models import Category, FeedbackItem, Source, Status


class FeedbackSerializer(serializers.ModelSerializer):
    related_dossier = serializers.SerializerMethodField()
    office = serializers.CharField(source="office.code")
    assignee = serializers.CharField(source="assignee.username", default=None, allow_null=True)
    officer = serializers.CharField(source="officer.username", default=None, allow_null=True)
    sender = serializers.SerializerMethodField()

    class Meta:
        model = FeedbackItem
        fields = ["id", "code", "title", "content", "status", "category", "source", "office", "received_at", "due_at",
                  "forward_due_at", "due_state", "related_dossier", "sender", "assignee", "officer", "answer", "answered_at",
                  "is_public", "forwarded_to", "close_reason"]

    def get_related_dossier(self, obj) -> str | None:
        return obj.related_dossier_code or None

    def get_sender(self, obj) -> dict:
        return {"name": obj.sender_name, "phone": mask_phone(obj.sender_phone)}


class FeedbackFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Status.choices, method="noop")
    category = filters.ChoiceFilter(choices=Category.choices, method="noop")
    source = filters.ChoiceFilter(choices=Source.choices, method="noop")
    q = filters.CharFilter(method="noop", max_length=200)
    province = filters.CharFilter(method="noop", help_text="A province office code: it and its grassroots offices.")
    received_after = filters.DateFilter(method="noop", validators=[sane_year],
                                        help_text="Received from this local day.")
    received_before = filters.DateFilter(method="noop", validators=[sane_year],
                                         help_text="Received up to this local day (included).")
    deadline = filters.ChoiceFilter(choices=[("answered_on_time", "answered on time"),
                                             ("late_or_overdue", "answered late or unanswered past the due moment"),
                                             ("forwarded_late", "forwarded after the forwarding due moment")],
                                    method="noop")

    class Meta:
        model = FeedbackItem
        fields = []

    def noop(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        data = {k: v for k, v in self.form.cleaned_data.items() if v}
        return selectors.feedback_list(user=self.request.user, filters=data)


class FeedbackList(generics.ListAPIView):
    serializer_class = FeedbackSerializer
    filterset_class = FeedbackFilter
    keyset_field = "received_at"  # ?cursor= pages by (received_at DESC, id DESC)

    def get_queryset(self):
        return selectors.feedback_list(user=self.request.user)


def _item(request, pk):
    try:
        return selectors.feedback_get(user=request.user, pk=pk)
    except FeedbackItem.DoesNotExist as exc:
        raise Http404 from exc


class FeedbackDetail(generics.RetrieveAPIView):
    serializer_class = FeedbackSerializer

    def get_object(self):
        return _item(self.request, self.kwargs["pk"])


class ActionIn(serializers.Serializer):
    category = serializers.CharField(required=False, allow_blank=True, default="", max_length=40)
    officer = serializers.CharField(required=False, allow_blank=True, default="", max_length=150,
                                    help_text="classify, conduct items: the officer the feedback is about")
    assignee = serializers.CharField(required=False, allow_blank=True, default="", max_length=150)
    agency = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    answer = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    public = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    class Meta:
        ref_name = "FeedbackActionIn"  # cases.api has its own ActionIn


class FeedbackAction(APIView):
    """One step of handling (CONTRACTS.md §1.4); 409 with a coded reason when not allowed now."""

    permission_classes = [IsAuthenticated, HasCapability("handle_feedback")]

    @extend_schema(request=ActionIn, responses=FeedbackSerializer, parameters=[
        OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(services.TRANSITIONS))])
    def post(self, request, pk, action):
        if action not in services.TRANSITIONS:
            raise DomainError(CoreError.UNKNOWN_ACTION, action=action)
        item = _item(request, pk)
        body = ActionIn(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.run_action(action, actor=request.user, item=item, body=body.validated_data)
        return Response(FeedbackSerializer(selectors.feedback_get(user=request.user, pk=item.pk)).data)
