"""Writes of the dossier lifecycle (DOMAIN.md §2, CONTRACTS.md §1.3).

Each function is one use case in one transaction: it locks the dossier, checks the rule, changes the row,
appends a DossierEvent and queues its side effects (outbox rows) in the same transaction.
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.models import Office, User
from core import permissions
from core.scoping import office_in_scope
from workcal import calendar

from . import events, versions
from .errors import CoreError, DomainError, DossierError
from .events import DossierAction
from .models import (
    OPEN_STATUSES,
    Channel,
    Dossier,
    IntakeGuidance,
    Outcome,
    ProcessStep,
    Procedure,
    Source,
    Status,
    SupplementRequest,
    Trip,
)
from .deadlines import dossier_timeliness, step_timeliness

DESK_UNIT = "Bộ phận Tiếp nhận và Trả kết quả"
EARLIEST_RECEIPT_YEAR = 2015  # the first year of the materialised working-day calendar
PROCESSING_UNIT = "Phòng nghiệp vụ"


# --- helpers --------------------------------------------------------------------------------------------

def _require_writer(actor):
    permissions.require(actor, "write", error=CoreError.READ_ONLY_ROLE)


def _require_office_in_scope(actor, office):
    if not office_in_scope(actor, office):
        raise DomainError(DossierError.OFFICE_OUT_OF_SCOPE)




def _lock(dossier) -> Dossier:
    # of=("self",): rule_version is nullable (a LEFT JOIN), which PostgreSQL cannot lock; only the row is locked.
    return (Dossier.objects.select_for_update(of=("self",)).select_related("procedure", "office", "rule_version")
            .get(pk=dossier.pk))


def _check_from(dossier, action: DossierAction) -> "Transition":
    """The transition of `action` if the dossier's status allows it now (TRANSITIONS), else a 409."""
    transition = TRANSITIONS[action]
    if dossier.status not in transition.sources:
        raise DomainError(DossierError.ACTION_NOT_ALLOWED, action=DossierAction(action).label,
                          status=Status(dossier.status).label, extra={"current_status": dossier.status})
    return transition


def _count_trip(dossier, purpose, officer, at):
    Trip.objects.create(dossier=dossier, office=dossier.office, procedure=dossier.procedure,
                        applicant_id_number=dossier.applicant_id_number, officer=officer, at=at, purpose=purpose)
    Dossier.objects.filter(pk=dossier.pk).update(trip_count=dossier.trip_count + 1)
    dossier.trip_count += 1


def _set_clock(dossier, start_moment: datetime):
    """Start (or restart) the legal clock from a moment of receipt under the dossier's rule version; the
    appointment follows the legal due."""
    office, version = dossier.office, versions.version_of(dossier)
    dossier.clock_started_at = calendar.clock_start(start_moment, office)
    dossier.legal_due_at = calendar.due_at_for_limit(start_moment, version.time_limit_value, version.time_limit_unit,
                                                     office, version.same_day_cutoff)
    dossier.apologise_by = calendar.apologise_by(dossier.legal_due_at, office)


def next_dossier_code(office: Office, day) -> str:
    """`<agency code>-<YYMMDD>-<NNNN>`, gap-free per office and day (Circular 01/2018 Art. 19).

    One upsert that increments and returns the counter; its row lock is held until the intake transaction
    commits, so concurrent intakes at one office are serialised and a rolled-back intake gives its number back.
    """
    if not office.agency_code:
        raise DomainError(DossierError.OFFICE_HAS_NO_AGENCY_CODE, office=office.name)
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO cases_dailysequence (office_id, day, last) VALUES (%s, %s, 1) "
                "ON CONFLICT (office_id, day) DO UPDATE SET last = cases_dailysequence.last + 1 RETURNING last",
                [office.pk, day],
            )
            number = cursor.fetchone()[0]
        code = f"{office.agency_code}-{day:%y%m%d}-{number:04d}"
        # A dossier filed on the national portal may already carry this number (same agency, same series).
        if not Dossier.objects.filter(code=code).exists():
            return code


# --- intake ---------------------------------------------------------------------------------------------

@transaction.atomic
def dossier_receive(*, actor: User, procedure: Procedure, applicant: dict, channel: str, summary: str = "",
                    office: Office | None = None, received_at: datetime | None = None) -> Dossier:
    """Receive a complete dossier at the desk (or by post): code, legal clock, appointment, Form 01, trip."""
    _require_writer(actor)
    office = office or actor.office
    if office is None:
        raise DomainError(DossierError.USER_WITHOUT_OFFICE)
    _require_office_in_scope(actor, office)
    if not procedure.active:
        raise DomainError(DossierError.PROCEDURE_INACTIVE)
    if procedure.channels and channel not in procedure.channels:
        raise DomainError(DossierError.CHANNEL_NOT_OFFERED, channel=Channel(channel).label)
    now = timezone.now()
    received_at = received_at or now
    if received_at > now + timezone.timedelta(minutes=5):
        raise DomainError(DossierError.RECEIVED_IN_FUTURE)
    received_at = min(received_at, now)  # a few minutes of clock skew is tolerated, never kept
    if received_at.year < EARLIEST_RECEIPT_YEAR:
        raise DomainError(DossierError.RECEIVED_TOO_EARLY, year=EARLIEST_RECEIPT_YEAR)
    version = versions.version_for_receipt(procedure, received_at)
    versions.check_taking(version, received_at)

    dossier = Dossier(
        code=next_dossier_code(office, timezone.localtime(received_at).date()),
        office=office, procedure=procedure, rule_version=version, status=Status.RECEIVED, channel=channel, source=Source.DESK,
        applicant_name=applicant["name"], applicant_kind=applicant.get("kind", "citizen"),
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        summary=summary, submitted_at=received_at, received_at=received_at, received_by=actor,
    )
    _set_clock(dossier, received_at)
    dossier.appointment_at = dossier.legal_due_at
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=received_at, due_at=dossier.legal_due_at, done_at=None)
    if channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.INTAKE, actor, received_at)
    events.dossier_received(dossier, actor=actor, at=received_at, channel=channel)
    return dossier


@transaction.atomic
def intake_guidance_issue(*, actor: User, kind: str, procedure: Procedure, applicant: dict, reason: str,
                          documents: list[str], office: Office | None = None) -> IntakeGuidance:
    """Form 02 (incomplete papers) or Form 03 (not eligible) at the desk: nothing is received, the slip is kept
    and the visit counts as a trip of the applicant for that procedure."""
    _require_writer(actor)
    office = office or actor.office
    _require_office_in_scope(actor, office)
    if not (reason or "").strip():
        raise DomainError(DossierError.REASON_REQUIRED)
    if kind == IntakeGuidance.Kind.SUPPLEMENT and not [d for d in documents if d.strip()]:
        raise DomainError(DossierError.SUPPLEMENT_DOCUMENTS_REQUIRED)
    now = timezone.now()
    prefix = f"{office.code}-{'YCBS' if kind == IntakeGuidance.Kind.SUPPLEMENT else 'TC'}-{timezone.localtime(now):%Y}-"
    Office.objects.select_for_update().filter(pk=office.pk).first()  # one number at a time per office
    last = (IntakeGuidance.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    guidance = IntakeGuidance.objects.create(
        kind=kind, number=f"{prefix}{int(last.rsplit('-', 1)[1]) + 1 if last else 1:05d}", office=office,
        procedure=procedure, issued_at=now, issued_by=actor, applicant_name=applicant["name"],
        applicant_id_number=applicant["id_number"], applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""), applicant_address=applicant.get("address", ""),
        reason=reason.strip(), documents=[d.strip() for d in documents if d.strip()],
    )
    Trip.objects.create(dossier=None, office=office, procedure=procedure, officer=actor, at=now,
                        applicant_id_number=guidance.applicant_id_number, purpose=Trip.Purpose.GUIDANCE)
    return guidance


# --- lifecycle ------------------------------------------------------------------------------------------

@transaction.atomic
def dossier_accept(*, actor: User, dossier: Dossier, at: datetime | None = None) -> Dossier:
    """An online dossier from the national portal is accepted: the legal clock starts now."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.ACCEPT)
    now = at or timezone.now()
    dossier.rule_version = versions.version_for_receipt(dossier.procedure, now)
    versions.check_taking(dossier.rule_version, now)
    old = dossier.status
    dossier.status, dossier.received_at, dossier.received_by = transition.target, now, actor
    _set_clock(dossier, now)
    dossier.appointment_at = dossier.legal_due_at
    dossier.save()
    ProcessStep.objects.create(dossier=dossier, seq=1, unit=DESK_UNIT, handler=actor, handler_name=actor.display_name,
                               given_at=now, due_at=dossier.legal_due_at)
    events.dossier_accepted(dossier, actor=actor, from_status=old, at=now)
    return dossier


def _close_open_step(dossier, now):
    step = dossier.steps.filter(done_at__isnull=True).order_by("-seq").first()
    if step:
        step.done_at = now
        step.result = step_timeliness(now, step.due_at)
        step.save(update_fields=["done_at", "result"])
    return step


def _open_step(dossier, unit, handler, now, due_at):
    seq = (dossier.steps.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return ProcessStep.objects.create(dossier=dossier, seq=seq, unit=unit, handler=handler,
                                      handler_name=handler.display_name if handler else "", given_at=now, due_at=due_at)


def _resolve_assignee(dossier, username):
    if not username:
        return None
    assignee = User.objects.filter(username=username, is_active=True).select_related("office").first()
    if assignee is None or not permissions.can_be_assigned(assignee, dossier):
        raise DomainError(DossierError.ASSIGNEE_INVALID, username=username)
    return assignee


@transaction.atomic
def dossier_start(*, actor: User, dossier: Dossier, assignee: str | None = None) -> Dossier:
    """The desk hands the dossier to the processing department (a row of the process-control slip)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.START)
    handler = _resolve_assignee(dossier, assignee)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, PROCESSING_UNIT, handler, now, dossier.legal_due_at)
    old = dossier.status
    dossier.status = transition.target
    dossier.assignee = handler
    dossier.save(update_fields=["status", "assignee", "updated_at"])
    events.dossier_started(dossier, actor=actor, from_status=old, unit=PROCESSING_UNIT, handler=handler)
    return dossier


@transaction.atomic
def dossier_handover(*, actor: User, dossier: Dossier, unit: str, assignee: str | None = None, note: str = ""):
    """Hand a dossier in processing to another unit or officer: closes the current step, opens the next."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, DossierAction.HANDOVER)
    if not (unit or "").strip():
        raise DomainError(DossierError.HANDOVER_UNIT_REQUIRED)
    handler = _resolve_assignee(dossier, assignee)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, unit.strip(), handler, now, dossier.legal_due_at)
    dossier.assignee = handler or dossier.assignee
    dossier.save(update_fields=["assignee", "updated_at"])
    events.dossier_handed_over(dossier, actor=actor, unit=unit.strip(), handler=handler, note=note)
    return dossier


@transaction.atomic
def dossier_request_supplement(*, actor: User, dossier: Dossier, reason: str, documents: list[str]) -> Dossier:
    """At most `max_supplement_requests` (default once, Decree 61/2018) written request listing every missing
    paper; the legal clock stops until the papers arrive."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.REQUEST_SUPPLEMENT)
    if not _supplement_left(dossier):
        raise DomainError(DossierError.SUPPLEMENT_ALREADY_REQUESTED)
    now = timezone.now()
    versions.check_supplement_window(dossier, now)
    documents = [d.strip() for d in documents or [] if d and d.strip()]
    if not (reason or "").strip() or not documents:
        raise DomainError(DossierError.SUPPLEMENT_REQUEST_INCOMPLETE)
    used = calendar.working_time_between(dossier.clock_started_at, now, dossier.office)
    SupplementRequest.objects.create(dossier=dossier, number=dossier.supplement_count + 1, requested_at=now,
                                     requested_by=actor, reason=reason.strip(), documents=documents, clock_used=used)
    old = dossier.status
    dossier.status, dossier.paused_at = transition.target, now
    dossier.supplement_count += 1
    dossier.save(update_fields=["status", "paused_at", "supplement_count", "updated_at"])
    events.supplement_requested(dossier, actor=actor, from_status=old, reason=reason.strip(), documents=documents)
    return dossier


@transaction.atomic
def dossier_supplement_received(*, actor: User, dossier: Dossier, in_person: bool | None = None) -> Dossier:
    """The papers arrived: the clock restarts from zero (default) or resumes with the time left, per procedure."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.SUPPLEMENT_RECEIVED)
    now = timezone.now()
    request = dossier.supplement_requests.order_by("-number").first()
    request.fulfilled_at = now
    request.save(update_fields=["fulfilled_at"])
    if versions.version_of(dossier).supplement_clock == Procedure.SupplementClock.RESUME:
        total = calendar.working_time_between(dossier.clock_started_at, dossier.legal_due_at, dossier.office)
        remaining = max(total - (request.clock_used or timezone.timedelta()), timezone.timedelta())
        dossier.clock_started_at = calendar.clock_start(now, dossier.office)
        dossier.legal_due_at = calendar.add_working_time(dossier.clock_started_at, remaining, dossier.office)
        dossier.apologise_by = calendar.apologise_by(dossier.legal_due_at, dossier.office)
    else:
        _set_clock(dossier, now)
    ProcessStep.objects.filter(dossier=dossier, done_at__isnull=True).update(due_at=dossier.legal_due_at)
    # The applicant is given a new appointment with the supplement receipt; never earlier than the one promised.
    dossier.appointment_at = max(dossier.legal_due_at, dossier.appointment_at or dossier.legal_due_at)
    old = dossier.status
    dossier.status, dossier.paused_at, dossier.due_state = transition.target, None, ""
    dossier.save()
    if in_person if in_person is not None else dossier.channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.SUPPLEMENT, actor, now)
    events.supplement_received(dossier, actor=actor, from_status=old)
    return dossier


@transaction.atomic
def dossier_resolve(*, actor: User, dossier: Dossier, outcome: str, result_summary: str = "") -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.RESOLVE)
    if outcome not in Outcome.values:
        raise DomainError(DossierError.OUTCOME_INVALID)
    if outcome == Outcome.REJECTED and not (result_summary or "").strip():
        raise DomainError(DossierError.REJECTION_REASON_REQUIRED)
    now = timezone.now()
    _close_open_step(dossier, now)
    _open_step(dossier, DESK_UNIT, dossier.received_by, now, dossier.appointment_at)
    old = dossier.status
    dossier.status, dossier.resolved_at = transition.target, now
    dossier.outcome, dossier.result_summary = outcome, (result_summary or "").strip()
    dossier.save(update_fields=["status", "resolved_at", "outcome", "result_summary", "updated_at"])
    events.dossier_resolved(dossier, actor=actor, from_status=old, timeliness=dossier_timeliness(dossier))
    return dossier


@transaction.atomic
def dossier_return(*, actor: User, dossier: Dossier, returned_to: str = "", in_person: bool | None = None) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.RETURN)
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.returned_at, dossier.closed_at = transition.target, now, now
    dossier.returned_to = (returned_to or dossier.applicant_name)[:200]
    dossier.save(update_fields=["status", "returned_at", "closed_at", "returned_to", "updated_at"])
    if in_person if in_person is not None else dossier.channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.COLLECTION, actor, now)
    events.dossier_returned(dossier, actor=actor, from_status=old)
    return dossier


@transaction.atomic
def dossier_refuse(*, actor: User, dossier: Dossier, reason: str) -> Dossier:
    """Refusal with written reasons (Form 03). From `submitted` it is a refusal at intake (not received)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.REFUSE)
    if not (reason or "").strip():
        raise DomainError(DossierError.REFUSAL_REASON_REQUIRED)
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at, dossier.result_summary = transition.target, now, reason.strip()
    if old != Status.SUBMITTED:
        dossier.resolved_at = now  # refused after acceptance counts as resolved (DOMAIN.md §6)
    dossier.save(update_fields=["status", "closed_at", "result_summary", "resolved_at", "updated_at"])
    events.dossier_refused(dossier, actor=actor, from_status=old, reason=reason.strip())
    return dossier


@transaction.atomic
def dossier_withdraw(*, actor: User, dossier: Dossier, reason: str) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.WITHDRAW)
    if not (reason or "").strip():
        raise DomainError(DossierError.WITHDRAWAL_REASON_REQUIRED)
    now = timezone.now()
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at = transition.target, now
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    events.dossier_withdrawn(dossier, actor=actor, from_status=old, reason=reason.strip())
    return dossier


def _supplement_left(dossier) -> bool:
    return dossier.supplement_count < versions.version_of(dossier).max_supplement_requests


# --- the state machine (CONTRACTS.md §1.3) --------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """One action of the lifecycle: the statuses it starts from, the status it leads to, the service that
    performs it, how a request body (API or page form) becomes the service's arguments, and an optional
    further condition for offering it (`available(dossier)`)."""

    action: DossierAction
    sources: frozenset
    target: Status
    service: Callable
    parse: Callable[[dict], dict] = lambda body: {}
    available: Callable | None = None


TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition(DossierAction.ACCEPT, frozenset({Status.SUBMITTED}), Status.RECEIVED, dossier_accept),
    Transition(DossierAction.START, frozenset({Status.RECEIVED}), Status.PROCESSING, dossier_start,
               lambda b: {"assignee": b.get("assignee") or None}),
    Transition(DossierAction.HANDOVER, frozenset({Status.PROCESSING}), Status.PROCESSING, dossier_handover,
               lambda b: {"unit": b["unit"], "assignee": b.get("assignee") or None, "note": b["note"]}),
    Transition(DossierAction.REQUEST_SUPPLEMENT, frozenset({Status.RECEIVED, Status.PROCESSING}),
               Status.AWAITING_SUPPLEMENT, dossier_request_supplement,
               lambda b: {"reason": b["reason"], "documents": b["documents"]},
               available=lambda dossier: versions.supplement_allowed(dossier, timezone.now())),
    Transition(DossierAction.SUPPLEMENT_RECEIVED, frozenset({Status.AWAITING_SUPPLEMENT}), Status.PROCESSING,
               dossier_supplement_received, lambda b: {"in_person": b["in_person"]}),
    Transition(DossierAction.RESOLVE, frozenset({Status.PROCESSING}), Status.RESOLVED, dossier_resolve,
               lambda b: {"outcome": b["outcome"], "result_summary": b["result_summary"]}),
    Transition(DossierAction.RETURN, frozenset({Status.RESOLVED}), Status.RETURNED, dossier_return,
               lambda b: {"returned_to": b["returned_to"], "in_person": b["in_person"]}),
    Transition(DossierAction.REFUSE, frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING}),
               Status.REFUSED, dossier_refuse, lambda b: {"reason": b["reason"]}),
    Transition(DossierAction.WITHDRAW, frozenset(OPEN_STATUSES), Status.WITHDRAWN, dossier_withdraw,
               lambda b: {"reason": b["reason"]}),
)}
# The button label of each action (the event label of the same action).
ACTION_LABELS = {action: DossierAction(action).label for action in TRANSITIONS}


def run_action(action: str, *, actor, dossier, body: dict) -> Dossier:
    """One lifecycle action by name (CONTRACTS.md §1.3), as the API and the dossier page call it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(CoreError.UNKNOWN_ACTION, action=action)
    return transition.service(actor=actor, dossier=dossier, **transition.parse(body))


def allowed_actions(dossier, user) -> list[str]:
    """The actions the user can take on the dossier now (drives the buttons on the dossier page)."""
    if not permissions.can_process(user, dossier):
        return []
    return [action for action, t in TRANSITIONS.items()
            if dossier.status in t.sources and (t.available is None or t.available(dossier))]
