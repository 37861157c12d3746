"""Handling of feedback items (PAKN; Decree 20/2008/NĐ-CP as amended by 48/2013; CONTRACTS.md §1.4).

classify → assign → draft-answer → approve (director or deputy) → publish (pushed back to the national PAKN
system); or forward to the competent agency (within 5 working days), or close with a reason (complaints and
denunciations are out of scope). Each action is one transaction that locks the item, checks its rule,
changes the row and appends a FeedbackEvent.
"""
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core import permissions
from core.models import User

from . import deadlines, events
from .errors import CoreError, DomainError, FeedbackError
from .events import FeedbackAction
from .models import OPEN_STATUSES, Category, FeedbackItem, Status
from .signals import feedback_answer_published


def _begin(actor, item, action: FeedbackAction) -> tuple[FeedbackItem, str]:
    """Lock the item and check that `action` is allowed from its status now (TRANSITIONS), else a 409."""
    permissions.require(actor, "handle_feedback", error=CoreError.READ_ONLY_ROLE)
    item = FeedbackItem.objects.select_for_update().select_related("office").get(pk=item.pk)
    if item.status not in TRANSITIONS[action].sources:
        raise DomainError(FeedbackError.ACTION_NOT_ALLOWED, action=FeedbackAction(action).label,
                          status=Status(item.status).label, extra={"current_status": item.status})
    return item, item.status


def _required(value, error: FeedbackError):
    value = (value or "").strip()
    if not value:
        raise DomainError(error)
    return value


def _staff_of(item, username, error: FeedbackError) -> User:
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None or not permissions.can_be_assigned(user, item):
        raise DomainError(error, username=username)
    return user


@transaction.atomic
def feedback_classify(*, actor: User, item: FeedbackItem, category: str, officer: str = "") -> FeedbackItem:
    """Classify on receipt (Decree 20/2008 Art. 5). A complaint or denunciation is marked out of scope and
    must then be closed with a reason. A conduct item may name the officer it is about: it then counts in the
    director's view of officers (letter 1568 item 5)."""
    item, old = _begin(actor, item, FeedbackAction.CLASSIFY)
    if category not in Category.values:
        raise DomainError(FeedbackError.CATEGORY_INVALID, extra={"choices": Category.values})
    item.category, item.classified_at = category, timezone.now()
    item.officer = _staff_of(item, officer, FeedbackError.OFFICER_INVALID) \
        if officer and category == Category.CONDUCT else None
    if item.status == Status.NEW:  # a later re-classification keeps the status
        item.status = TRANSITIONS[FeedbackAction.CLASSIFY].target
    item.save(update_fields=["category", "classified_at", "officer", "status", "updated_at"])
    events.feedback_classified(item, actor=actor, from_status=old)
    return item


@transaction.atomic
def feedback_assign(*, actor: User, item: FeedbackItem, assignee: str) -> FeedbackItem:
    item, old = _begin(actor, item, FeedbackAction.ASSIGN)
    user = _staff_of(item, assignee, FeedbackError.ASSIGNEE_INVALID)
    item.assignee, item.status = user, TRANSITIONS[FeedbackAction.ASSIGN].target
    item.save(update_fields=["assignee", "status", "updated_at"])
    events.feedback_assigned(item, actor=actor, from_status=old)
    return item


@transaction.atomic
def feedback_forward(*, actor: User, item: FeedbackItem, agency: str, note: str = "") -> FeedbackItem:
    """Outside our competence: forwarded to the competent agency, due within 5 working days of receipt."""
    item, old = _begin(actor, item, FeedbackAction.FORWARD)
    agency = _required(agency, FeedbackError.AGENCY_REQUIRED)
    now = timezone.now()
    item.forwarded_to, item.forward_note, item.forwarded_at = agency, (note or "").strip(), now
    item.status, item.closed_at = TRANSITIONS[FeedbackAction.FORWARD].target, now
    item.save(update_fields=["forwarded_to", "forward_note", "forwarded_at", "status", "closed_at", "updated_at"])
    late = deadlines.is_forward_late(item, now)
    events.feedback_forwarded(item, actor=actor, from_status=old, late=late)
    return item


@transaction.atomic
def feedback_draft_answer(*, actor: User, item: FeedbackItem, answer: str) -> FeedbackItem:
    """Draft (or revise) the answer; a revised answer needs a new approval."""
    item, old = _begin(actor, item, FeedbackAction.DRAFT_ANSWER)
    item.answer = _required(answer, FeedbackError.ANSWER_REQUIRED)
    item.answered_by, item.status = actor, TRANSITIONS[FeedbackAction.DRAFT_ANSWER].target
    item.approved_by, item.approved_at = None, None
    item.save(update_fields=["answer", "answered_by", "status", "approved_by", "approved_at", "updated_at"])
    events.feedback_answer_drafted(item, actor=actor, from_status=old)
    return item


@transaction.atomic
def feedback_approve(*, actor: User, item: FeedbackItem) -> FeedbackItem:
    """The director or a deputy of the office approves and signs the answer."""
    permissions.require(actor, "approve_feedback", item, error=FeedbackError.SIGNER_REQUIRED)
    item, old = _begin(actor, item, FeedbackAction.APPROVE)
    now = timezone.now()
    item.status, item.approved_by, item.approved_at, item.answered_at = \
        TRANSITIONS[FeedbackAction.APPROVE].target, actor, now, now
    item.answer_signer_name, item.answer_signer_title = actor.display_name, actor.title or actor.get_role_display()
    item.save(update_fields=["status", "approved_by", "approved_at", "answered_at", "answer_signer_name",
                             "answer_signer_title", "updated_at"])
    events.feedback_answer_approved(item, actor=actor, from_status=old, late=deadlines.is_answer_late(item, now))
    return item


@transaction.atomic
def feedback_publish(*, actor: User, item: FeedbackItem, public: bool) -> FeedbackItem:
    """Send the approved answer (published or not); the subscribers of `feedback_answer_published` push it back
    (the national PAKN system, through the portal adapter)."""
    item, old = _begin(actor, item, FeedbackAction.PUBLISH)
    now = timezone.now()
    item.status, item.is_public, item.published_at, item.closed_at = \
        TRANSITIONS[FeedbackAction.PUBLISH].target, bool(public), now, now
    item.save(update_fields=["status", "is_public", "published_at", "closed_at", "updated_at"])
    feedback_answer_published.send(sender=FeedbackItem, item=item)
    events.feedback_published(item, actor=actor, from_status=old)
    return item


@transaction.atomic
def feedback_close(*, actor: User, item: FeedbackItem, reason: str) -> FeedbackItem:
    item, old = _begin(actor, item, FeedbackAction.CLOSE)
    item.close_reason = _required(reason, FeedbackError.CLOSE_REASON_REQUIRED)
    item.status, item.closed_at = TRANSITIONS[FeedbackAction.CLOSE].target, timezone.now()
    item.save(update_fields=["close_reason", "status", "closed_at", "updated_at"])
    events.feedback_closed(item, actor=actor, from_status=old)
    return item


# --- the state machine (CONTRACTS.md §1.4) --------------------------------------------------------------

@dataclass(frozen=True)
class Transition:
    """One handling action: the statuses it starts from, the status it leads to (`classify` moves only a new
    item), the service that performs it and how a request body becomes the service's arguments."""

    action: FeedbackAction
    sources: frozenset
    target: Status
    service: Callable
    parse: Callable[[dict], dict] = lambda body: {}


_BEFORE_ANSWER = frozenset({Status.NEW, Status.CLASSIFIED, Status.ASSIGNED})
TRANSITIONS: dict[str, Transition] = {t.action: t for t in (
    Transition(FeedbackAction.CLASSIFY, _BEFORE_ANSWER, Status.CLASSIFIED, feedback_classify,
               lambda b: {"category": b.get("category", ""), "officer": b.get("officer", "")}),
    Transition(FeedbackAction.ASSIGN, _BEFORE_ANSWER, Status.ASSIGNED, feedback_assign,
               lambda b: {"assignee": b.get("assignee", "")}),
    Transition(FeedbackAction.FORWARD, _BEFORE_ANSWER, Status.FORWARDED, feedback_forward,
               lambda b: {"agency": b.get("agency", ""), "note": b.get("note", "")}),
    Transition(FeedbackAction.DRAFT_ANSWER,
               frozenset({Status.CLASSIFIED, Status.ASSIGNED, Status.ANSWERED_DRAFT, Status.APPROVED}),
               Status.ANSWERED_DRAFT, feedback_draft_answer, lambda b: {"answer": b.get("answer", "")}),
    Transition(FeedbackAction.APPROVE, frozenset({Status.ANSWERED_DRAFT}), Status.APPROVED, feedback_approve),
    Transition(FeedbackAction.PUBLISH, frozenset({Status.APPROVED}), Status.PUBLISHED, feedback_publish,
               lambda b: {"public": bool(b.get("public", False))}),
    Transition(FeedbackAction.CLOSE, frozenset(OPEN_STATUSES), Status.CLOSED, feedback_close,
               lambda b: {"reason": b.get("reason", "")}),
)}
# The button label of each action.
ACTION_LABELS = {action: FeedbackAction(action).label for action in TRANSITIONS}


def run_action(action: str, *, actor, item, body: dict) -> FeedbackItem:
    """One handling action by name (CONTRACTS.md §1.4), as the API and the item page call it."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise DomainError(CoreError.UNKNOWN_ACTION, action=action)
    return transition.service(actor=actor, item=item, **transition.parse(body))


def allowed_actions(item, user) -> list[str]:
    if not permissions.can_handle_feedback(user, item):
        return []
    actions = [action for action, t in TRANSITIONS.items() if item.status in t.sources]
    if FeedbackAction.APPROVE in actions and not permissions.can_approve_feedback(user, item):
        actions.remove(FeedbackAction.APPROVE)
    return actions
