"""The dossier's state machine as one table (CONTRACTS.md §1.3): for each action the statuses it starts from,
the status it leads to, the service that performs it and how a request body becomes its arguments. The API
and the dossier page dispatch through `run_action`; the buttons come from `allowed_actions`."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from core import permissions

from .. import versions
from ..errors import CoreError, DomainError
from ..events import DossierAction
from ..models import OPEN_STATUSES, Dossier, Status
from . import duties
from .intake import dossier_accept
from .lifecycle import (
    dossier_handover,
    dossier_refuse,
    dossier_request_supplement,
    dossier_resolve,
    dossier_return,
    dossier_start,
    dossier_supplement_received,
    dossier_withdraw,
)


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
    Transition(DossierAction.APPROVE_RESULT, frozenset({Status.PROCESSING}), Status.PROCESSING,
               duties.dossier_approve_result, lambda b: {"note": b.get("note") or ""},
               available=duties.approval_pending),
    Transition(DossierAction.RETURN, frozenset({Status.RESOLVED}), Status.RETURNED, dossier_return,
               lambda b: {"returned_to": b["returned_to"], "in_person": b["in_person"],
                          "channel": b.get("channel") or None}),
    Transition(DossierAction.REFUSE, frozenset({Status.SUBMITTED, Status.RECEIVED, Status.PROCESSING}),
               Status.REFUSED, dossier_refuse, lambda b: {"reason": b["reason"]}),
    Transition(DossierAction.WITHDRAW, frozenset(OPEN_STATUSES), Status.WITHDRAWN, dossier_withdraw,
               lambda b: {"reason": b["reason"]}),
)}
# The button label of each action (the event label of the same action).
ACTION_LABELS = {action: DossierAction(action).label for action in TRANSITIONS}


def run_action(action: str, *, actor, dossier, body: dict, at: datetime | None = None) -> Dossier:
    """One lifecycle action by name (CONTRACTS.md §1.3), as the API and the dossier page call it (at now) and the
    history import replays it (`at`, a moment of the past; the API never passes one)."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(CoreError.UNKNOWN_ACTION, action=action)
    return transition.service(actor=actor, dossier=dossier, at=at, **transition.parse(body))


def allowed_actions(dossier, user) -> list[str]:
    """The actions the user can take on the dossier now (drives the buttons on the dossier page)."""
    if not permissions.can_process(user, dossier):
        return []
    return [action for action, t in TRANSITIONS.items()
            if dossier.status in t.sources and (t.available is None or t.available(dossier))
            and permissions.can(user, ACTION_CAPABILITY.get(action, "process"), dossier)]


# Actions that need more than `process` (separation of duties): the buttons follow the same rule as the service.
ACTION_CAPABILITY = {DossierAction.RESOLVE: "resolve", DossierAction.APPROVE_RESULT: "approve_result"}
