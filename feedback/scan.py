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
    over, soon = deadlines.overdue_q(now), deadlines.due_soon_q(now)
    items = FeedbackItem.objects
    overdue = update_returning(items.filter(over).exclude(due_state=DueState.OVERDUE), field="due_state",
                               value=DueState.OVERDUE, returning=RETURNED_FIELDS)
    due_soon = update_returning(items.filter(soon).exclude(due_state=DueState.DUE_SOON), field="due_state",
                                value=DueState.DUE_SOON, returning=RETURNED_FIELDS)
    cleared = (items.filter(status__in=OPEN_STATUSES).exclude(due_state=DueState.NONE)
               .exclude(over | soon).update(due_state=DueState.NONE))
    return {"overdue": len(overdue), "due_soon": len(due_soon), "cleared": cleared}


def on_deadline_scan(sender, *, now, **kwargs) -> dict:
    return {"feedback": scan_feedback(now=now)}
