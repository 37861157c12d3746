"""Reads of dossiers. Role and office scoping is applied here, once (core.scoping), so no view can forget it."""
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from core.scoping import scope_to_user

from .deadlines import overdue_or_late_q
from .models import Dossier, DossierEvent, Procedure, Status
from .validators import validate_phone


def dossier_base(*, user) -> QuerySet:
    return scope_to_user(Dossier.objects.all(), user)


def dossier_list(*, user, filters: dict | None = None) -> QuerySet:
    """Dossiers the user may see, filtered; one query per page (related rows joined)."""
    filters = filters or {}
    qs = dossier_base(user=user).select_related("office", "procedure", "assignee")
    if filters.get("status"):
        qs = qs.filter(status__in=str(filters["status"]).split(","))
    if filters.get("office"):
        qs = qs.filter(office__code=filters["office"])
    if filters.get("procedure"):
        qs = qs.filter(procedure__code=filters["procedure"])
    if filters.get("channel"):
        qs = qs.filter(channel=filters["channel"])
    if filters.get("source"):
        qs = qs.filter(source=filters["source"])
    if filters.get("overdue") is not None:
        # The same predicate as Dossier.is_overdue: running past its due moment, or resolved after it.
        overdue = overdue_or_late_q(timezone.now())
        qs = qs.filter(overdue) if filters["overdue"] else qs.exclude(overdue)
    if filters.get("due_before"):
        qs = qs.due_before(filters["due_before"])
    if filters.get("received_after"):
        qs = qs.filter(received_at__gte=filters["received_after"])
    if filters.get("received_before"):
        qs = qs.filter(received_at__lt=filters["received_before"])
    if filters.get("q"):
        qs = qs.filter(search_q(filters["q"]))
    return qs.order_by(F("received_at").desc(nulls_first=True), "-id")


def search_q(text: str) -> Q:
    """Code (exact or prefix), ID number (exact) or applicant name (contains)."""
    text = text.strip()
    digits = text.replace(" ", "")
    q = Q(code=text) | Q(code__startswith=text) | Q(applicant_name__icontains=text)
    if digits.isdigit():
        q |= Q(applicant_id_number=digits)
    return q


def dossier_get(*, user, code: str) -> Dossier:
    """One dossier by code within the user's scope; Dossier.DoesNotExist otherwise (→ 404)."""
    return (dossier_base(user=user).select_related("office", "procedure", "rule_version", "assignee", "received_by")
            .prefetch_related("supplement_requests", "apology_slips").get(code=code))


def dossier_events(*, dossier) -> QuerySet:
    return DossierEvent.objects.filter(dossier=dossier).select_related("actor").order_by("at", "id")


def desk_summary(*, user) -> dict:
    """Today's desk of a reception officer: what came in today, what waits, what is due soon or late."""
    now = timezone.now()
    start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    qs = dossier_base(user=user).select_related("office", "procedure", "assignee")
    return {
        "received_today": qs.filter(received_at__gte=start).order_by("-received_at")[:50],
        "waiting": qs.filter(status=Status.SUBMITTED).order_by("submitted_at")[:50],
        "due_soon": qs.due_soon(now).order_by("legal_due_at")[:50],
        "overdue": qs.overdue(now).order_by("legal_due_at")[:50],
        "awaiting_supplement": qs.filter(status=Status.AWAITING_SUPPLEMENT).order_by("paused_at")[:50],
        "to_return": qs.filter(status=Status.RESOLVED).order_by("appointment_at")[:50],
    }


def procedure_list(*, active_only=True) -> QuerySet:
    qs = Procedure.objects.all()
    return qs.filter(active=True) if active_only else qs


def public_dossier(*, code: str, phone: str) -> Dossier | None:
    """For the public status page: the dossier only when the code and the applicant's phone match."""
    try:
        phone = validate_phone(phone)
    except ValidationError:
        return None
    return (Dossier.objects.select_related("office", "procedure")
            .filter(code=(code or "").strip(), applicant_phone=phone).first())
