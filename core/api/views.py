from django.contrib.auth import SESSION_KEY, authenticate, logout
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from core import throttle
from core.errors import CoreError, DomainError
from core.models import Office
from core.tokens import token_expires_at, token_issue, tokens_revoke


class TokenRequest(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(trim_whitespace=False, max_length=4096)


class TokenView(APIView):
    permission_classes = [AllowAny]
    authentication_classes = []
    documents_throttle = True  # the login lockout answers 429 (core.throttle), not a DRF throttle class

    @extend_schema(request=TokenRequest, responses=inline_serializer(
        "Token", {"token": serializers.CharField(), "expires_at": serializers.DateTimeField()}))
    def post(self, request):
        data = TokenRequest(data=request.data)
        data.is_valid(raise_exception=True)
        username, ip = data.validated_data["username"], throttle.client_ip(request)
        if not throttle.begin_attempt(username, ip):  # reserved atomically before the password is checked
            raise DomainError(CoreError.TOO_MANY_ATTEMPTS)
        user = authenticate(request, username=username, password=data.validated_data["password"])
        if user is None or not user.is_active:
            raise DomainError(CoreError.INVALID_CREDENTIALS)
        throttle.succeeded(username, ip)
        token = token_issue(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})


class LogoutView(APIView):
    """`POST /api/v1/auth/logout/`: revokes the caller's API token (and ends the session when called with one)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: None})
    def post(self, request):
        tokens_revoke(user=request.user)
        if SESSION_KEY in request.session:
            logout(request._request)
        return Response(status=204)


class OfficeSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Office
        fields = ["code", "name", "level", "parent", "agency_code"]


class OfficeList(generics.ListAPIView):
    """The BHXH offices (the whole tree: office names are public information)."""

    serializer_class = OfficeSerializer
    filterset_fields = ["level"]

    def get_queryset(self):
        return Office.objects.current().select_related("parent").order_by("code")  # "current" as of this request
