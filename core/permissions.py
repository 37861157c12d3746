"""The one place for who may do what.

Each capability is a named predicate `can_<name>(user, obj=None) -> bool`. The pages (`capability_required`),
the API (`HasCapability`), the templates (`{% load capabilities %}`: `user|can:"view_reports"`,
`{% can_do "sign_apology" dossier as may_sign %}`) and the menu (`core.context_processors.NAVIGATION`) all ask
these functions; no other module tests a role.

* Page capabilities take only the user: which role may open a page.
* Object capabilities take the user and a dossier, a slip, a feedback item or an office. Called without the
  object they answer "may this role do it in some office" (what the API checks before it reads the body, so a
  caller whose role may not act gets 403 before validation; CONTRACTS.md); with the object they add the office
  rule of `core.scoping` (own office and the offices under it; the Legal Department and administrators see every
  office).

A superuser counts as an administrator whatever their `role` field says.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework.permissions import BasePermission

from .errors import CoreError, DomainError, ErrorCode
from .models import Office, Role
from .scoping import office_in_scope

RECEPTION, PROCESSOR, DIRECTOR, DEPUTY, LEGAL, ADMIN = (
    Role.RECEPTION, Role.PROCESSOR, Role.DIRECTOR, Role.DEPUTY, Role.LEGAL, Role.ADMIN)
EVERY_ROLE = frozenset(Role.values)
SIGNERS = frozenset({DIRECTOR, DEPUTY})
WRITERS = EVERY_ROLE - {LEGAL}


def role_of(user) -> str | None:
    """The role the rules read: None for an anonymous or inactive user; a superuser is an administrator."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    return ADMIN if user.is_superuser else user.role


def _office_of(obj) -> Office | None:
    if obj is None or isinstance(obj, Office):
        return obj
    return obj.office


@dataclass(frozen=True)
class Capability:
    name: str
    check: Callable
    error: ErrorCode      # its code is the API's `code` when the role may not; its message the 403's text
    object_level: bool

    @property
    def message(self):
        return self.error.message

    def __call__(self, user, obj=None) -> bool:
        return bool(self.check(user, obj))


CAPABILITIES: dict[str, Capability] = {}


def _capability(name, *, error: ErrorCode = CoreError.ROLE_NOT_ALLOWED, object_level=False):
    def register(check):
        cap = Capability(name, check, error, object_level)
        CAPABILITIES[name] = cap

        @wraps(check)
        def can(user, obj=None) -> bool:
            return cap(user, obj)

        return can

    return register


def _roles(user, roles) -> bool:
    return role_of(user) in roles


# --- page capabilities (which role may open which page) --------------------------------------------------

@_capability("write", error=CoreError.READ_ONLY_ROLE)
def can_write(user, obj=None):
    """Every role but the Legal Department (read-only oversight)."""
    return _roles(user, WRITERS)


@_capability("view_dossiers", error=CoreError.LOGIN_REQUIRED)
def can_view_dossiers(user, obj=None):
    return role_of(user) is not None


@_capability("view_feedback", error=CoreError.LOGIN_REQUIRED)
def can_view_feedback(user, obj=None):
    return role_of(user) is not None


@_capability("view_calendar", error=CoreError.LOGIN_REQUIRED)
def can_view_calendar(user, obj=None):
    return role_of(user) is not None


@_capability("view_desk", error=CoreError.DESK_ONLY)
def can_view_desk(user, obj=None):
    return _roles(user, {RECEPTION, PROCESSOR, ADMIN})


@_capability("receive", error=CoreError.RECEPTION_ONLY)
def can_receive(user, obj=None):
    """Intake at the one-stop desk (page and `POST /dossiers/`), in the user's own office."""
    return _roles(user, {RECEPTION, ADMIN}) and (obj is None or office_in_scope(user, _office_of(obj)))


@_capability("view_tracking_book",
             error=CoreError.TRACKING_BOOK_ONLY)
def can_view_tracking_book(user, obj=None):
    return _roles(user, {RECEPTION, DIRECTOR, DEPUTY, ADMIN})


@_capability("view_overdue_desk", error=CoreError.OVERDUE_DESK_ONLY)
def can_view_overdue_desk(user, obj=None):
    return _roles(user, {PROCESSOR, DIRECTOR, DEPUTY, ADMIN})


@_capability("view_dashboard", error=CoreError.DASHBOARD_ONLY)
def can_view_dashboard(user, obj=None):
    return _roles(user, {DIRECTOR, DEPUTY, ADMIN})


@_capability("view_reports", error=CoreError.REPORTS_ONLY)
def can_view_reports(user, obj=None):
    return _roles(user, {DIRECTOR, DEPUTY, LEGAL, ADMIN})


@_capability("view_oversight", error=CoreError.OVERSIGHT_ONLY)
def can_view_oversight(user, obj=None):
    return _roles(user, {LEGAL, ADMIN})


@_capability("view_sync_health",
             error=CoreError.SYNC_HEALTH_ONLY)
def can_view_sync_health(user, obj=None):
    """The sync health page and its actions (retrying a quarantined item)."""
    return _roles(user, {DIRECTOR, DEPUTY, ADMIN})


@_capability("edit_legal_basis", error=CoreError.LEGAL_BASIS_EDITORS_ONLY)
def can_edit_legal_basis(user, obj=None):
    """The legal-basis sets by date (decrees, circulars, form numbers): the Legal Department and the
    administrator."""
    return _roles(user, {LEGAL, ADMIN})


@_capability("announce_calendar_year", error=CoreError.ADMIN_ONLY)
def can_announce_calendar_year(user, obj=None):
    """Mark a calendar year announced (with the Government's notice) or provisional: the administrator."""
    return _roles(user, {ADMIN})


# --- object capabilities (a role, and the office of the dossier or item) ---------------------------------

def _writer_in_scope(user, obj) -> bool:
    return can_write(user) and (obj is None or office_in_scope(user, _office_of(obj)))


def _signer_of(user, obj) -> bool:
    """A director or deputy of the office, or of the province office directly above it."""
    if not (_roles(user, SIGNERS) and user.office_id):
        return False
    office = _office_of(obj)
    return office is None or user.office_id in (office.pk, office.parent_id)


@_capability("process", error=CoreError.READ_ONLY_ROLE, object_level=True)
def can_process(user, obj=None):
    """The lifecycle actions of a dossier (accept, start, handover, supplement, resolve, return, refuse…)."""
    return _writer_in_scope(user, obj)


@_capability("resolve", error=CoreError.RESOLVER_ONLY, object_level=True)
def can_resolve(user, obj=None):
    """Record the result of a dossier (separation of duties, issue 12). Where the dossier's rule version separates
    duties (the default): the processing officer assigned (any processor of the office while none is), a head of
    the processing unit, the director or a deputy, the administrator; never the officer who received the dossier,
    unless the office allows it (`Office.allow_receiver_resolve`). Otherwise any officer of the office."""
    if not _writer_in_scope(user, obj):
        return False
    role, office = role_of(user), _office_of(obj)
    dossier = obj if hasattr(obj, "received_by_id") else None
    version = getattr(dossier, "rule_version", None) if dossier is not None else None
    if version is not None and not version.separate_duties:
        return True
    receiver_allowed = bool(office is not None and office.allow_receiver_resolve)
    if dossier is not None and dossier.received_by_id == user.pk and not receiver_allowed:
        return False
    if role in SIGNERS or role == ADMIN or (role == PROCESSOR and user.is_unit_head):
        return True
    if role == PROCESSOR:
        return dossier is None or dossier.assignee_id in (None, user.pk)
    # A reception officer: only the one who received it, where the office allows it.
    return receiver_allowed and (dossier is None or dossier.received_by_id == user.pk)


@_capability("approve_result", error=CoreError.RESULT_APPROVER_ONLY, object_level=True)
def can_approve_result(user, obj=None):
    """Approve a dossier's result before it is recorded, where its rule version asks for it: the head of the
    processing unit of the office, the director or a deputy, the administrator."""
    if role_of(user) == ADMIN:
        return True
    if role_of(user) == PROCESSOR and user.is_unit_head:
        return _writer_in_scope(user, obj)
    return _signer_of(user, obj)


@_capability("draft_apology", error=CoreError.READ_ONLY_ROLE, object_level=True)
def can_draft_apology(user, obj=None):
    """Any officer of the office drafts the apology and reschedule slip."""
    return _writer_in_scope(user, obj)


@_capability("sign_apology",
             error=CoreError.SIGNER_ONLY,
             object_level=True)
def can_sign_apology(user, obj=None):
    """Signed and issued only by the director or a deputy (DOMAIN.md §2.5)."""
    return _signer_of(user, obj)


@_capability("see_personal_data", error=CoreError.PERSONAL_DATA_HIDDEN, object_level=True)
def can_see_personal_data(user, obj=None):
    """The office that handles the dossier (and administrators) read the applicant's identifiers in full; the
    Legal Department and lists read them masked (`cases.privacy.applicant_for`)."""
    role = role_of(user)
    if role == ADMIN:
        return True
    return role in WRITERS and (obj is None or office_in_scope(user, _office_of(obj)))


@_capability("handle_feedback", error=CoreError.READ_ONLY_ROLE, object_level=True)
def can_handle_feedback(user, obj=None):
    """Classify, assign, forward, draft the answer, publish, close."""
    return _writer_in_scope(user, obj)


@_capability("approve_feedback",
             error=CoreError.APPROVER_ONLY,
             object_level=True)
def can_approve_feedback(user, obj=None):
    return _signer_of(user, obj)


@_capability("close_report", error=CoreError.CLOSERS_ONLY, object_level=True)
def can_close_report(user, obj=None):
    """Close a month of form 06 (chốt số liệu): the director or a deputy of the office (or of the province above
    it), and the administrator. The Legal Department reads, never closes."""
    return _roles(user, {ADMIN}) or _signer_of(user, obj)


@_capability("attach_papers", error=CoreError.READ_ONLY_ROLE, object_level=True)
def can_attach_papers(user, obj=None):
    """Attach the applicant's scanned papers to a dossier (at intake or later): any officer of its office."""
    return _writer_in_scope(user, obj)


@_capability("attach_result", error=CoreError.RESULT_DOCUMENT_ONLY, object_level=True)
def can_attach_result(user, obj=None):
    """Attach (upload or generate) the result document: the processing unit and the office's leaders."""
    return _roles(user, {PROCESSOR, DIRECTOR, DEPUTY, ADMIN}) and (obj is None or office_in_scope(user, _office_of(obj)))


@_capability("read_papers", error=CoreError.PERSONAL_DATA_HIDDEN, object_level=True)
def can_read_papers(user, obj=None):
    """Open the files of a dossier's papers (they carry personal data in full): the office that handles it and
    administrators, as for `see_personal_data`; the Legal Department sees the list, not the files."""
    return can_see_personal_data(user, obj)


def can_be_assigned(user, obj) -> bool:
    """Whom a dossier or feedback item may be given to: an active officer (not read-only) who belongs to its
    office or to the province office directly above it."""
    return (user is not None and user.is_active and can_write(user) and user.office_id is not None
            and office_in_scope(user, _office_of(obj)))


# --- lookups ----------------------------------------------------------------------------------------------

def capability(name: str) -> Capability:
    """The capability by name, with or without the `can_` prefix; an unknown name is an error (a typo fails)."""
    key = name.removeprefix("can_")
    try:
        return CAPABILITIES[key]
    except KeyError:
        raise KeyError(f"unknown capability {name!r}; one of {', '.join(sorted(CAPABILITIES))}") from None


def can(user, name: str, obj=None) -> bool:
    return capability(name)(user, obj)


def require(user, name: str, obj=None, *, error: ErrorCode | None = None) -> None:
    """Raise a coded 403 (DomainError) unless the user may: the app's own `error` when given
    (e.g. DossierError.APOLOGY_SIGNER_REQUIRED), else the capability's (READ_ONLY_ROLE or ROLE_NOT_ALLOWED…)."""
    cap = capability(name)
    if not cap(user, obj):
        raise DomainError(error or cap.error, http_status=403)


# --- pages ------------------------------------------------------------------------------------------------

def capability_required(name: str):
    """Page decorator: sign-in first (redirect to the login page), then 403 (templates/403.html) unless the
    user has the capability."""
    cap = capability(name)

    def decorate(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not cap(request.user):
                raise DjangoPermissionDenied(cap.message)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


class CapabilityRequiredMixin:
    """Class-based pages: `capability = "view_reports"`."""

    capability: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return login_required(lambda r: None)(request)
        cap = capability(self.capability)
        if not cap(request.user):
            raise DjangoPermissionDenied(cap.message)
        return super().dispatch(request, *args, **kwargs)


# --- API --------------------------------------------------------------------------------------------------

def HasCapability(name: str, *, methods: tuple[str, ...] | None = None, error: ErrorCode | None = None):
    """A DRF permission class for `permission_classes`. It checks the role before the view reads its body and
    answers the capability's coded 403 ({"code", "detail"}); `has_object_permission` adds the office rule.
    `methods` limits it to some HTTP methods (e.g. ("POST",) for intake on a list that everyone may read)."""
    cap = capability(name)
    wanted = {m.upper() for m in methods} if methods else None
    error = error or cap.error

    class _HasCapability(BasePermission):
        message = cap.message

        def _applies(self, request):
            return wanted is None or request.method in wanted

        def has_permission(self, request, view):
            if not request.user or not request.user.is_authenticated:
                return False  # 401/403 as DRF answers an anonymous caller
            if self._applies(request) and not cap(request.user):
                raise DomainError(error, http_status=403)
            return True

        def has_object_permission(self, request, view, obj):
            if self._applies(request) and cap.object_level and not cap(request.user, obj):
                raise DomainError(error, http_status=403)
            return True

    _HasCapability.__name__ = _HasCapability.__qualname__ = f"HasCapability_{cap.name}"
    return _HasCapability
