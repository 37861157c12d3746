"""Every deadline of a feedback item (PAKN; DOMAIN.md §5), defined once, in its SQL and its Python form.

* the **answer** is due settings.FEEDBACK_ANSWER_DAYS working days after receipt, the **forwarding** of an item
  outside our competence settings.FEEDBACK_FORWARD_DAYS (the same calendar as a dossier's legal due moment);
* an open item is **overdue** once its answer due moment has passed, **due soon** once less than one working
  day is left (`due_soon_until`: the same lead as a dossier's must-apologise-by moment);
* an answer is **on time** when given (approved) no later than the due moment, **late** after it; an item that
  is neither answered nor closed past its due moment is **unanswered overdue** (the oversight report);
* a forwarding is **late** after its forwarding due moment; an item still new or classified (neither assigned
  for our own answer nor forwarded) is **forward overdue** past it and **forward due soon** less than one
  working day before it.

The scan (feedback.scan), the lists, the handling services, the portal pull and the reports call these;
`tests/feedback/test_deadlines.py` holds the SQL and the Python forms equal over random items.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

# --- the due moments ---------------------------------------------------------------------------------------

def answer_due_at(received_at: datetime, office) -> datetime:
    from workcal import calendar

    return calendar.legal_due_at(received_at, settings.FEEDBACK_ANSWER_DAYS, office)


def forward_due_at(received_at: datetime, office) -> datetime:
    from workcal import calendar

    return calendar.legal_due_at(received_at, settings.FEEDBACK_FORWARD_DAYS, office)


def due_soon_until(now: datetime) -> datetime:
    """The moment one working day after `now`: an item due before it is due soon. On a non-working day, the
    end of the next working day (an answer due then can no longer wait for a working day to pass)."""
    from workcal import calendar

    local = timezone.localtime(now)
    if calendar.is_working_day(local.date()):
        return timezone.make_aware(datetime.combine(calendar.add_working_days(local.date(), 1), local.time()))
    following = calendar.next_working_day(local.date()) + timedelta(days=1)
    return timezone.make_aware(datetime.combine(following, time.min))


# --- SQL ---------------------------------------------------------------------------------------------------

def overdue_q(now: datetime) -> Q:
    return Q(status__in=_open(), due_at__lt=now)


def due_soon_q(now: datetime, until: datetime | None = None) -> Q:
    """`until` is due_soon_until(now), passed in when already computed."""
    return Q(status__in=_open(), due_at__gte=now, due_at__lt=until or due_soon_until(now))


def forwarding_q() -> Q:
    """Items whose forwarding decision is still pending: not yet assigned for our own answer, not forwarded."""
    return Q(status__in=_forwardable(), forwarded_at__isnull=True, forward_due_at__isnull=False)


def forward_overdue_q(now: datetime) -> Q:
    return forwarding_q() & Q(forward_due_at__lt=now)


def forward_due_soon_q(now: datetime, until: datetime | None = None) -> Q:
    return forwarding_q() & Q(forward_due_at__gte=now, forward_due_at__lt=until or due_soon_until(now))


def forwarded_late_q() -> Q:
    """Forwarded after the forwarding due moment (oversight: "forwarded late")."""
    return Q(forwarded_at__isnull=False, forward_due_at__isnull=False, forwarded_at__gt=F("forward_due_at"))


def forwarded_on_time_q() -> Q:
    return Q(forwarded_at__isnull=False, forward_due_at__isnull=False, forwarded_at__lte=F("forward_due_at"))


def answered_on_time_q() -> Q:
    return Q(answered_at__isnull=False, answered_at__lte=F("due_at"))


def answered_late_q() -> Q:
    return Q(answered_at__isnull=False, answered_at__gt=F("due_at"))


def unanswered_overdue_q(now: datetime) -> Q:
    return Q(answered_at__isnull=True, closed_at__isnull=True, due_at__lt=now)


def late_or_overdue_q(now: datetime) -> Q:
    """The oversight report's "overdue": answered late, or still unanswered past the due moment."""
    return answered_late_q() | unanswered_overdue_q(now)


class FeedbackQuerySet(models.QuerySet):
    """`FeedbackItem.objects`: the deadline predicates as chainable filters."""

    def overdue(self, now: datetime):
        return self.filter(overdue_q(now))

    def due_soon(self, now: datetime):
        return self.filter(due_soon_q(now))

    def answered_on_time(self):
        return self.filter(answered_on_time_q())

    def late_or_overdue(self, now: datetime):
        return self.filter(late_or_overdue_q(now))


# --- Python ------------------------------------------------------------------------------------------------

def is_overdue(item, now: datetime) -> bool:
    return item.status in _open() and item.due_at < now


def is_due_soon(item, now: datetime, until: datetime | None = None) -> bool:
    return item.status in _open() and now <= item.due_at < (until or due_soon_until(now))


def is_forward_pending(item) -> bool:
    return item.status in _forwardable() and item.forwarded_at is None and item.forward_due_at is not None


def is_forward_overdue(item, now: datetime) -> bool:
    return is_forward_pending(item) and item.forward_due_at < now


def is_forward_due_soon(item, now: datetime, until: datetime | None = None) -> bool:
    return is_forward_pending(item) and now <= item.forward_due_at < (until or due_soon_until(now))


def is_forwarded_late(item) -> bool:
    return item.forwarded_at is not None and is_forward_late(item, item.forwarded_at)


def is_answered_on_time(item) -> bool:
    return item.answered_at is not None and item.answered_at <= item.due_at


def is_answered_late(item) -> bool:
    return item.answered_at is not None and is_answer_late(item, item.answered_at)


def is_unanswered_overdue(item, now: datetime) -> bool:
    return item.answered_at is None and item.closed_at is None and item.due_at < now


def is_late_or_overdue(item, now: datetime) -> bool:
    return is_answered_late(item) or is_unanswered_overdue(item, now)


def is_answer_late(item, at: datetime) -> bool:
    """An answer given (approved) at `at` is late."""
    return at > item.due_at


def is_forward_late(item, at: datetime) -> bool:
    """A forwarding at `at` is late (an item without a forwarding due moment never is)."""
    return item.forward_due_at is not None and at > item.forward_due_at


def _open():
    return OPEN_STATUSES


def _forwardable():
    """Before classification decides it is ours (assigned) or forwards it: new or classified."""
    return (Status.NEW, Status.CLASSIFIED)


# feedback.models builds FeedbackItem.objects from FeedbackQuerySet, so its names are imported last (the
# predicates above read them when called): either module may then be imported first.
from .models import OPEN_STATUSES, Status  # noqa: E402
