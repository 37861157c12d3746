"""The applicant's satisfaction (CONTRACTS.md §1.2): `POST /dossiers/{code}/rating/` (an officer of the office
records it at the desk) and `POST /public/dossiers/{code}/rating/?phone=…` (no login, the applicant's phone,
throttled like the public lookup). Body `level` (satisfied/acceptable/dissatisfied), optional `comment`; once per
dossier (409 RATING_EXISTS), only once the dossier has an outcome (409 RATING_NOT_YET). 201 with the rating."""
from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core.errors import DomainError
from core.permissions import HasCapability

from .. import selectors
from ..choices import RatingLevel
from ..errors import DossierError
from ..models import Rating
from ..services import rating as ratings
from .views import DossierMixin, PublicThrottle


class RatingIn(serializers.Serializer):
    level = serializers.ChoiceField(choices=RatingLevel.choices,
                                    error_messages={"invalid_choice": "Mức độ hài lòng phải là “satisfied”, "
                                                                      "“acceptable” hoặc “dissatisfied”."})
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=ratings.MAX_COMMENT)


class RatingOut(serializers.ModelSerializer):
    dossier = serializers.CharField(source="dossier.code")

    class Meta:
        model = Rating
        fields = ["dossier", "level", "comment", "source", "at"]


def _rate(request, dossier, source, actor):
    body = RatingIn(data=request.data)
    body.is_valid(raise_exception=True)
    rating = ratings.dossier_rate(dossier=dossier, actor=actor, source=source, **body.validated_data)
    return Response(RatingOut(rating).data, status=status.HTTP_201_CREATED)


class DossierRating(DossierMixin, APIView):
    permission_classes = [IsAuthenticated, HasCapability("process")]

    @extend_schema(request=RatingIn, responses={201: RatingOut})
    def post(self, request, code):
        return _rate(request, self.get_dossier(), Rating.Source.DESK, request.user)


class PublicDossierRating(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [PublicThrottle]

    @extend_schema(request=RatingIn, responses={201: RatingOut},
                   parameters=[OpenApiParameter("phone", str, required=True)])
    def post(self, request, code):
        dossier = selectors.public_dossier(code=code, phone=request.query_params.get("phone", ""))
        if dossier is None:
            raise DomainError(DossierError.NOT_FOUND_FOR_PHONE)
        return _rate(request, dossier, Rating.Source.PUBLIC, None)


urlpatterns = [
    path("dossiers/<dossier_code:code>/rating/", DossierRating.as_view(), name="api-dossier-rating"),
    path("public/dossiers/<dossier_code:code>/rating/", PublicDossierRating.as_view(), name="api-public-rating"),
]
