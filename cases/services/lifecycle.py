"""The lifecycle after intake (DOMAIN.md §2.2–2.4, CONTRACTS.md §1.3): hand-overs between units (rows of the
process-control slip), the one supplement request and its papers, the result, its return, refusal and
withdrawal. Each function is one use case in one transaction."""
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core import permissions
from core.models import User
from workcal import calendar

from .. import budgets, checklist, events, numbering, versions, visits
from ..deadlines import dossier_timeliness, step_timeliness
from ..errors import DomainError, DossierError
from ..events import DossierAction
from ..marks import drop_mark
from ..models import (
    OPEN_STATUSES,
    Channel,
    Dossier,
    Outcome,
    ProcessStep,
    Procedure,
    ResultDelivery,
    Status,
    SupplementRequest,
    Trip,
)
from . import duties
from .common import (
    DESK_UNIT,
    PROCESSING_UNIT,
    _check_from,
    _count_trip,
    _lock,
    _moment,
    _require_writer,
    _set_clock,
)


TRANSITIONS_WITHDRAW_FROM = frozenset(OPEN_STATUSES)


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
def dossier_start(*, actor: User, dossier: Dossier, assignee: str | None = None,
                  at: datetime | None = None) -> Dossier:
    """The desk hands the dossier to the processing department (a row of the process-control slip)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.START)
    handler = _resolve_assignee(dossier, assignee)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    _open_step(dossier, PROCESSING_UNIT, handler, now, budgets.processing_due_at(dossier))
    old = dossier.status
    dossier.status = transition.target
    dossier.assignee = handler
    dossier.save(update_fields=["status", "assignee", "updated_at"])
    events.dossier_started(dossier, actor=actor, from_status=old, unit=PROCESSING_UNIT, handler=handler, at=now)
    return dossier


@transaction.atomic
def dossier_handover(*, actor: User, dossier: Dossier, unit: str, assignee: str | None = None, note: str = "",
                     at: datetime | None = None):
    """Hand a dossier in processing to another unit or officer: closes the current step, opens the next."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, DossierAction.HANDOVER)
    if not (unit or "").strip():
        raise DomainError(DossierError.HANDOVER_UNIT_REQUIRED)
    handler = _resolve_assignee(dossier, assignee)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    _open_step(dossier, unit.strip(), handler, now, budgets.processing_due_at(dossier))
    dossier.assignee = handler or dossier.assignee
    dossier.save(update_fields=["assignee", "updated_at"])
    events.dossier_handed_over(dossier, actor=actor, unit=unit.strip(), handler=handler, note=note, at=now)
    return dossier


@transaction.atomic
def dossier_request_supplement(*, actor: User, dossier: Dossier, reason: str, documents: list[str],
                               at: datetime | None = None) -> Dossier:
    """At most `max_supplement_requests` (default once, Decree 61/2018) written request listing every missing
    paper; the legal clock stops until the papers arrive."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.REQUEST_SUPPLEMENT)
    if not _supplement_left(dossier):
        raise DomainError(DossierError.SUPPLEMENT_ALREADY_REQUESTED)
    now = _moment(at, dossier)
    versions.check_supplement_window(dossier, now)
    # Picked from the checklist of the dossier's rule version (indexes or names) or typed (issue 12).
    documents, bad = checklist.pick(checklist.items_of(versions.version_of(dossier)), documents or [])
    if bad:
        raise DomainError(DossierError.DOCUMENT_NOT_IN_CHECKLIST, items=", ".join(bad))
    if not (reason or "").strip() or not documents:
        raise DomainError(DossierError.SUPPLEMENT_REQUEST_INCOMPLETE)
    used = calendar.working_time_between(dossier.clock_started_at, now, dossier.office)
    request = SupplementRequest.objects.create(dossier=dossier, number=dossier.supplement_count + 1, requested_at=now,
                                               requested_by=actor, reason=reason.strip(), documents=documents,
                                               clock_used=used)
    numbering.allocate(kind="supplement", key=f"supplement:{request.pk}", office=dossier.office, at=now)
    old = dossier.status
    dossier.status, dossier.paused_at = transition.target, now
    dossier.supplement_count += 1
    dossier.save(update_fields=["status", "paused_at", "supplement_count", "updated_at"])
    events.supplement_requested(dossier, actor=actor, from_status=old, reason=reason.strip(), documents=documents,
                                at=now)
    return dossier


@transaction.atomic
def dossier_supplement_received(*, actor: User, dossier: Dossier, in_person: bool | None = None,
                                at: datetime | None = None) -> Dossier:
    """The papers arrived: the clock restarts from zero (default) or resumes with the time left, per procedure."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.SUPPLEMENT_RECEIVED)
    now = _moment(at, dossier)
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
    # The processing unit's budget follows the new legal due moment; a desk step keeps its own.
    (ProcessStep.objects.filter(dossier=dossier, done_at__isnull=True).exclude(unit=DESK_UNIT)
     .update(due_at=budgets.processing_due_at(dossier)))
    # The applicant is given a new appointment with the supplement receipt; never earlier than the one promised.
    dossier.appointment_at = max(dossier.legal_due_at, dossier.appointment_at or dossier.legal_due_at)
    old = dossier.status
    dossier.status, dossier.paused_at = transition.target, None
    dossier.save()
    drop_mark(dossier)
    if in_person if in_person is not None else dossier.channel == Channel.DIRECT:
        _count_trip(dossier, Trip.Purpose.SUPPLEMENT, actor, now)
    events.supplement_received(dossier, actor=actor, from_status=old, at=now)
    return dossier


@transaction.atomic
def dossier_resolve(*, actor: User, dossier: Dossier, outcome: str, result_summary: str = "",
                    at: datetime | None = None) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.RESOLVE)
    duties.check_resolver(actor, dossier)
    if outcome not in Outcome.values:
        raise DomainError(DossierError.OUTCOME_INVALID)
    if outcome == Outcome.REJECTED and not (result_summary or "").strip():
        raise DomainError(DossierError.REJECTION_REASON_REQUIRED)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    _open_step(dossier, DESK_UNIT, dossier.received_by, now,
               budgets.return_due_at(now, dossier.office, versions.version_of(dossier)))
    old = dossier.status
    dossier.status, dossier.resolved_at = transition.target, now
    dossier.outcome, dossier.result_summary = outcome, (result_summary or "").strip()
    dossier.save(update_fields=["status", "resolved_at", "outcome", "result_summary", "updated_at"])
    events.dossier_resolved(dossier, actor=actor, from_status=old, timeliness=dossier_timeliness(dossier), at=now)
    return dossier


@transaction.atomic
def dossier_return(*, actor: User, dossier: Dossier, returned_to: str = "", in_person: bool | None = None,
                   channel: str | None = None, at: datetime | None = None) -> Dossier:
    """The result goes back to the applicant by `channel` (counter/postal/online, default the dossier's result
    delivery); only at the counter is it a visit (DOMAIN.md §2.6)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.RETURN)
    if channel and channel not in ResultDelivery.values:
        raise DomainError(DossierError.RETURN_CHANNEL_INVALID, channels=", ".join(ResultDelivery.values))
    channel = visits.return_channel(dossier, channel, in_person)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.returned_at, dossier.closed_at = transition.target, now, now
    dossier.returned_to = (returned_to or dossier.applicant_name)[:200]
    dossier.save(update_fields=["status", "returned_at", "closed_at", "returned_to", "updated_at"])
    if channel == ResultDelivery.COUNTER:
        _count_trip(dossier, Trip.Purpose.COLLECTION, actor, now)
    events.dossier_returned(dossier, actor=actor, from_status=old, channel=channel, at=now)
    return dossier


@transaction.atomic
def dossier_refuse(*, actor: User, dossier: Dossier, reason: str, at: datetime | None = None) -> Dossier:
    """Refusal with written reasons (Form 03). From `submitted` it is a refusal at intake (not received)."""
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.REFUSE)
    if not (reason or "").strip():
        raise DomainError(DossierError.REFUSAL_REASON_REQUIRED)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at, dossier.result_summary = transition.target, now, reason.strip()
    if old != Status.SUBMITTED:
        dossier.resolved_at = now  # refused after acceptance counts as resolved (DOMAIN.md §6)
    dossier.save(update_fields=["status", "closed_at", "result_summary", "resolved_at", "updated_at"])
    numbering.allocate(kind="refusal", key=f"refusal:{dossier.pk}", office=dossier.office, at=now)  # Form 03's "Số"
    events.dossier_refused(dossier, actor=actor, from_status=old, reason=reason.strip(), at=now)
    return dossier


@transaction.atomic
def dossier_withdraw(*, actor: User, dossier: Dossier, reason: str, at: datetime | None = None) -> Dossier:
    _require_writer(actor)
    dossier = _lock(dossier)
    transition = _check_from(dossier, DossierAction.WITHDRAW)
    if not (reason or "").strip():
        raise DomainError(DossierError.WITHDRAWAL_REASON_REQUIRED)
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at = transition.target, now
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    events.dossier_withdrawn(dossier, actor=actor, from_status=old, reason=reason.strip(), at=now)
    return dossier


@transaction.atomic
def dossier_withdraw_elsewhere(*, dossier: Dossier, reason: str, actor_name: str, data: dict,
                               at: datetime | None = None) -> Dossier | None:
    """The applicant withdrew the dossier outside our desks (on the national portal): an open dossier becomes
    `withdrawn` with an event naming who reported it; None when it is no longer open (an officer's decision
    stands). Its deadline marks go with it: a withdrawn dossier is never overdue nor apologised for."""
    dossier = _lock(dossier)
    if dossier.status not in TRANSITIONS_WITHDRAW_FROM:
        return None
    now = _moment(at, dossier)
    _close_open_step(dossier, now)
    old = dossier.status
    dossier.status, dossier.closed_at = Status.WITHDRAWN, now
    dossier.save(update_fields=["status", "closed_at", "updated_at"])
    drop_mark(dossier)
    events.dossier_withdrawn(dossier, actor=None, from_status=old, reason=reason, at=now, actor_name=actor_name,
                             data=data)
    return dossier


@transaction.atomic
def dossier_note_elsewhere(*, dossier: Dossier, note: str, actor_name: str, data: dict, at: datetime | None = None):
    """A change reported by an outside system that leaves our status as it is (payment requested or made on the
    national portal): one event of the history."""
    dossier = _lock(dossier)
    return events.dossier_changed_elsewhere(dossier, actor_name=actor_name, note=note, data=data,
                                            at=_moment(at, dossier))


def _supplement_left(dossier) -> bool:
    return dossier.supplement_count < versions.version_of(dossier).max_supplement_requests
