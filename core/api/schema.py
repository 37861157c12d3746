"""The OpenAPI schema tells the truth (issue 13, item 12): every operation documents the errors it can answer,
as the error object `core.api.errors.exception_handler` writes, besides its success body.

- 400 `ValidationError`: per-field messages (`{"field": ["…"]}`, nested for `applicant`), or a coded
  `{"code", "detail"}` (e.g. INVALID_CREDENTIALS).
- 401/403/404/409/415/429 `Error`: `{"code"?, "detail", …}` — `code` for domain errors (errors.py), extra fields
  such as `current_status` on a 409.

`DEFAULT_SCHEMA_CLASS` is `AutoSchema` below; views keep declaring only their success bodies."""
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class Error(serializers.Serializer):
    """What every refusal answers: a readable `detail`, with the stable `code` of a domain error."""

    code = serializers.CharField(required=False, help_text="The stable error code (each app's errors.py).")
    detail = serializers.CharField(help_text="A readable message, in the language of the request.")


class ValidationError(serializers.Serializer):
    """Bad input: per-field messages (`{"field": ["…"]}`; a nested object for a nested field such as
    `applicant`), `non_field_errors`, or a coded `{"code", "detail"}`."""

    code = serializers.CharField(required=False)
    detail = serializers.CharField(required=False)
    non_field_errors = serializers.ListField(child=serializers.CharField(), required=False)


ERRORS = {
    "400": OpenApiResponse(ValidationError, description="Bad input: per-field messages or a coded error."),
    "401": OpenApiResponse(Error, description="No or invalid credentials (`Authorization: Token <key>`)."),
    "403": OpenApiResponse(Error, description="The caller's role may not do this (checked before the body)."),
    "404": OpenApiResponse(Error, description="Not found, or outside the caller's scope."),
    "409": OpenApiResponse(Error, description="A rule says no now: a coded reason."),
    "415": OpenApiResponse(Error, description="A body that cannot be read as the Content-Type it claims "
                                              "(e.g. a broken multipart body)."),
    "429": OpenApiResponse(Error, description="Throttled: too many requests or failed log-ins."),
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        view = self.view
        public = any(isinstance(p, AllowAny) for p in view.get_permissions())
        codes = ["400"]
        if not public:
            codes += ["401", "403"]
        codes.append("404")  # unknown path objects, out-of-scope objects, a page past the last
        if self.method in ("POST", "PUT", "PATCH", "DELETE") and not public:
            codes.append("409")
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if view.get_throttles() or getattr(view, "documents_throttle", False):
            codes.append("429")
        return codes

    def _get_filter_parameters(self):
        """django-filter's `max_length` as the parameter's maxLength (drf-spectacular leaves it out)."""
        parameters = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        filters = getattr(filterset, "base_filters", {})
        for parameter in parameters:
            f = filters.get(parameter["name"])
            limit = f.extra.get("max_length") if f is not None else None
            if limit and parameter.get("schema", {}).get("type") == "string":
                parameter["schema"]["maxLength"] = limit
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        if direction != "response":
            return responses
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(ERRORS[code], code, direction=direction)
        for code, response in responses.items():  # a view's own error description gets the error body too
            if code in ERRORS and "content" not in response:
                response["content"] = self._get_response_for_code(ERRORS[code], code, direction=direction)["content"]
        return responses
