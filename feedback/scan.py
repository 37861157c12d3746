"""The PAKN part of the deadline scan (DOMAIN.md §5; CONTRACTS.md §1.1 `scan_overdue`): items overdue or due
soon as feedback.deadlines defines them are marked, marks that no longer hold are cleared. It runs inside the
dossier scan's run and transaction, subscribed to `cases.signals.deadline_scan` (feedback.apps)."""
from datetime import datetime

from cases.models import DueState
from core.db import update_returning

from . import deadlines
from .models import OPEN_STATUSES, FeedbackItem

RETURNED_FIELDS = ("id", "code")


def scan_feedback(*, now: datetime) -> dict:
    """Marks only: the feedback desk lists and counts on them. Open statuses ride the partial index
    `feedback_open_due`."""
    until = deadlines.due_soon_until(now)
    over, soon = deadlines.overdue_q(now), deadlines.due_soon_q(now, until) & ~deadlines.overdue_q(now)
    # The forwarding deadline (DOMAIN.md §5) ranks below the answer's own marks.
    fwd_over = deadlines.forward_overdue_q(now) & ~over & ~soon
    fwd_soon = deadlines.forward_due_soon_q(now, until) & ~over & ~soon & ~fwd_over
    items = FeedbackItem.objects
    overdue = update_returning(items.filter(over).exclude(due_state=DueState.OVERDUE), field="due_state",
                               value=DueState.OVERDUE, returning=RETURNED_FIELDS)
    due_soon = update_returning(items.filter(soon).exclude(due_state=DueState.DUE_SOON), field="due_state",
                                value=DueState.DUE_SOON, returning=RETURNED_FIELDS)
    forward_overdue = update_returning(items.filter(fwd_over).exclude(due_state=DueState.FORWARD_OVERDUE),
                                       field="due_state", value=DueState.FORWARD_OVERDUE, returning=RETURNED_FIELDS)
    forward_due_soon = update_returning(items.filter(fwd_soon).exclude(due_state=DueState.FORWARD_DUE_SOON),
                                        field="due_state", value=DueState.FORWARD_DUE_SOON, returning=RETURNED_FIELDS)
    cleared = (items.filter(status__in=OPEN_STATUSES).exclude(due_state=DueState.NONE)
               .exclude(over | soon | fwd_over | fwd_soon).update(due_state=DueState.NONE))
    result = {"overdue": len(overdue), "due_soon": len(due_soon), "cleared": cleared}
    if forward_overdue or forward_due_soon:
        result.update(forward_overdue=len(forward_overdue), forward_due_soon=len(forward_due_soon))
    return result


def on_deadline_scan(sender, *, now, **kwargs) -> dict:
    return {"feedback": scan_feedback(now=now)}
