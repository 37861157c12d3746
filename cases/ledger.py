"""The legal clock as a ledger (DOMAIN.md §3, §6): what a dossier's history says it was at any moment.

Every DossierEvent records the status the dossier went to and the legal due moment in force after it, so the
history is a ledger: the state at a moment T is the last event before T. `legal_due_at` on the dossier row is
only the indexed current value; reports of a past period read the ledger, so that what happens after the
period's end (a supplement request, a resolution, a calendar change, a catalogue edit) never changes it.

One function in Python (`state_at`, `intervals`) and one in SQL (`annotate_state_at`); a test holds them equal.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import DateTimeField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from . import deadlines
from .models import CLOCK_RUNNING, DossierEvent, Status

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"
FINAL = (Status.RESOLVED, Status.RETURNED, Status.REFUSED, Status.WITHDRAWN)


@dataclass(frozen=True)
class ClockState:
    """A dossier as its history stood at a moment: "" status = it did not exist yet."""

    status: str
    legal_due_at: datetime | None

    @property
    def running(self) -> bool:
        return self.status in CLOCK_RUNNING

    def overdue_at(self, moment: datetime) -> bool:
        """Open with the clock running past the legal due moment then in force (a paused clock is within time)."""
        return deadlines.is_overdue_then(self, moment)


@dataclass(frozen=True)
class Interval:
    kind: str  # running, paused (waiting for the applicant's papers) or stopped (finished)
    start: datetime
    end: datetime | None  # None: still so


def state_at(events: Iterable[DossierEvent], moment: datetime) -> ClockState:
    """The state after the last event strictly before `moment` (events in (at, id) order)."""
    last = None
    for event in events:
        if event.at >= moment:
            break
        last = event
    return ClockState(last.to_status, last.legal_due_at) if last is not None else ClockState("", None)


def dossier_state_at(dossier, moment: datetime) -> ClockState:
    return state_at(DossierEvent.objects.filter(dossier=dossier, at__lt=moment).order_by("at", "id"), moment)


def _kind(status: str) -> str | None:
    if status in CLOCK_RUNNING:
        return RUNNING
    if status == Status.AWAITING_SUPPLEMENT:
        return PAUSED
    if status in FINAL:
        return STOPPED
    return None  # submitted: the clock has not started


def intervals(events: Iterable[DossierEvent]) -> list[Interval]:
    """The dossier's clock as intervals, derived from its history: running, paused for the applicant, stopped."""
    out: list[Interval] = []
    for event in events:
        kind = _kind(event.to_status)
        if out and out[-1].end is None and out[-1].kind == kind:
            continue
        if out and out[-1].end is None:
            out[-1] = Interval(out[-1].kind, out[-1].start, event.at)
        if kind is not None:
            out.append(Interval(kind, event.at, None))
    return out


def annotate_state_at(queryset: QuerySet, moment: datetime) -> QuerySet:
    """`status_then` and `legal_due_then`: the SQL form of `state_at` (one correlated, indexed subquery each).

    A dossier with no event before the moment keeps its row values (rows written without a history, e.g. by a
    bulk import of another system's data, are read as they stand)."""
    last = DossierEvent.objects.filter(dossier=OuterRef("pk"), at__lt=moment).order_by("-at", "-id")
    return queryset.annotate(
        status_then=Coalesce(Subquery(last.values("to_status")[:1]), "status"),
        legal_due_then=Coalesce(Subquery(last.values("legal_due_at")[:1]), "legal_due_at",
                                output_field=DateTimeField()),
    )
