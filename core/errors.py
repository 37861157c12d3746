"""Domain errors: each has a stable code that the API returns as JSON and the UI shows in Vietnamese."""


class DomainError(Exception):
    """A business rule said no. `status` is the HTTP status the API answers with (409 by default)."""

    status = 409

    def __init__(self, code: str, message: str, status: int | None = None, **extra):
        super().__init__(message)
        self.code = code
        self.message = message
        self.extra = extra
        if status is not None:
            self.status = status

    def as_dict(self):
        return {"code": self.code, "detail": self.message, **self.extra}


class PermissionDenied(DomainError):
    status = 403


# Codes of the permission rules (core.permissions); the apps re-export them.
READ_ONLY_ROLE = "READ_ONLY_ROLE"
ROLE_NOT_ALLOWED = "ROLE_NOT_ALLOWED"
