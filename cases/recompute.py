"""Recompute the open deadlines after a calendar change (DOMAIN.md §3): the legal due moment of every open
dossier whose clock runs across a changed day moves, whatever its clock mode; the appointment promised to the
citizen never does, nor the rule version the dossier was received under (§8).

Set-based: the candidates are read a page at a time, their new due moments computed in Python on one pinned
copy of the calendar, and each page is written with a constant number of statements (`core.db`): one UPDATE of
the dossiers, one of their open process steps, one INSERT of the `recompute-deadline` events (each with the
ledger's `legal_due_at`), one of the portal progress messages. The query count does not grow with the number of
dossiers; 100,000 open dossiers take a few seconds on PostgreSQL (bench/bench_recompute.py).

The clock modes (`ProcedureVersion.supplement_clock`):
- *restart* (and any dossier never paused): only the clock since the last (re)start counts: due = the time
  limit from `clock_started_at`, under the new calendar.
- *resume* after a supplement: due = resume moment + (the whole time limit − the working time used before each
  pause), all measured under the new calendar: the limit from the original clock start (receipt), the time used
  in each running segment (receipt or a resume → the next supplement request).
- *paused* (awaiting the applicant's papers): the clock is not running, but the row keeps the due moment in force
  when it stopped, and resuming reads it (`dossier_supplement_received`: time left = that due − the time used).
  So it is recomputed too, as the due the running clock had under the new calendar, and the open request's
  `clock_used` is re-measured; on resume the time left is then exact. The event says the dossier is still paused
  (to_status = awaiting_supplement), so the ledger reads "paused, due X" — a paused clock is within time anyway.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.db import insert_rows, update_from_values
from workcal import calendar

from . import budgets, versions
from .events import SYSTEM_ACTOR, DossierAction
from .models import (
    Dossier,
    DossierEvent,
    Procedure,
    ProcedureVersion,
    ProcessStep,
    Status,
    SupplementRequest,
)
from .services.common import DESK_UNIT
from .signals import dossier_events_recorded

OPEN = (Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT)
PAGE = 5000
NOTE = "Lịch làm việc thay đổi: tính lại hạn giải quyết"
DIGEST_LIST_LIMIT = 500  # dossiers listed in a director's message (the count is always the full one)

_FIELDS = ("id", "code", "status", "source", "office_id", "procedure_id", "rule_version_id", "received_at",
           "submitted_at", "clock_started_at", "legal_due_at", "apologise_by", "supplement_count")


@dataclass
class Moved:
    id: int
    code: str
    office_id: int
    status: str
    old: datetime
    new: datetime


@dataclass
class Result:
    run_key: str
    moved: list[Moved]
    digests: int = 0

    def __int__(self):
        return len(self.moved)


def recompute_open_deadlines(*, dates, run_key: str | None = None) -> int:
    """The calendar changed on `dates`: recompute the legal due moment of the open dossiers whose clock spans
    one of them, record an event on each that moved and tell the directors. Returns how many moved; running it
    again changes nothing. Appointments and rule versions are never touched (DOMAIN.md §3, §8)."""
    return len(recompute(dates=dates, run_key=run_key).moved)


def recompute(*, dates, run_key: str | None = None) -> Result:
    result = Result(run_key=run_key or uuid.uuid4().hex, moved=[])
    if not dates:
        return result
    start = timezone.make_aware(datetime.combine(min(dates), time.min))
    end = timezone.make_aware(datetime.combine(max(dates), time.max))
    # A clock (its last segment, or for a resumed clock any segment since receipt) that starts before the last
    # changed day and a due moment not before the first: nothing else can move.
    resumed = Q(supplement_count__gt=0, rule_version__supplement_clock=Procedure.SupplementClock.RESUME,
                received_at__lte=end)
    candidates = (Dossier.objects.filter(status__in=OPEN, legal_due_at__gte=start)
                  .filter(Q(clock_started_at__lte=end) | resumed))
    offices, rules = {}, {}
    with calendar.pinned():
        last = 0
        while True:
            page = list(candidates.filter(pk__gt=last).order_by("pk").values(*_FIELDS)[:PAGE])
            if not page:
                break
            last = page[-1]["id"]
            with transaction.atomic():
                result.moved.extend(_recompute_page(page, offices, rules, result.run_key))
    if result.moved:
        result.digests = _tell_directors(result)
    return result


# --- computing ------------------------------------------------------------------------------------------

def _load(offices: dict, rules: dict, page: list[dict]) -> None:
    """The offices and rule versions of a page, one query each for those not seen yet."""
    from core.models import Office

    missing = {r["office_id"] for r in page} - offices.keys()
    for office in Office.objects.filter(pk__in=missing):
        hours = office.hours()
        office.hours = lambda hours=hours: hours  # parsed once per run, not once per calendar call
        offices[office.pk] = office
    for row in page:
        if row["rule_version_id"] is None:  # an old row without a version: give it the one in force at receipt
            dossier = Dossier(**{k: v for k, v in row.items() if k in ("id", "procedure_id", "rule_version_id",
                                                                        "received_at", "submitted_at")})
            row["rule_version_id"] = versions.version_of(dossier).pk
    missing = {r["rule_version_id"] for r in page} - rules.keys()
    rules.update(ProcedureVersion.objects.in_bulk(missing))


def _limit_due(start: datetime, rule: ProcedureVersion, office) -> datetime:
    return calendar.due_at_for_limit(start, rule.time_limit_value, rule.time_limit_unit, office, rule.same_day_cutoff)


def _resumed(row: dict, rule, office, requests: list[dict]):
    """(new due, open request's new clock_used or None) of a resume-mode dossier with supplements."""
    origin = row["received_at"] or row["clock_started_at"]
    total = calendar.working_time_between(origin, _limit_due(origin, rule, office), office)
    used, segment_start, open_used = timedelta(), origin, None
    for request in requests:
        spent = max(calendar.working_time_between(segment_start, request["requested_at"], office), timedelta())
        if request["fulfilled_at"] is None:
            open_used = spent  # the pause in progress: its segment is re-measured, not counted yet
            break
        used += spent
        segment_start = calendar.clock_start(request["fulfilled_at"], office)
    if segment_start is origin:  # no supplement fulfilled yet: the first clock's own due
        return _limit_due(origin, rule, office), open_used
    return calendar.add_working_time(row["clock_started_at"], max(total - used, timedelta()), office), open_used


def _recompute_page(page: list[dict], offices: dict, rules: dict, run_key: str) -> list[Moved]:
    _load(offices, rules, page)
    resume_ids = [r["id"] for r in page if r["supplement_count"]
                  and rules[r["rule_version_id"]].supplement_clock == Procedure.SupplementClock.RESUME]
    requests: dict[int, list[dict]] = {}
    if resume_ids:
        for req in (SupplementRequest.objects.filter(dossier_id__in=resume_ids).order_by("dossier_id", "number")
                    .values("id", "dossier_id", "requested_at", "fulfilled_at", "clock_used")):
            requests.setdefault(req["dossier_id"], []).append(req)

    dossier_rows, clock_rows, moved, step_due = [], [], [], {}
    for row in page:
        office, rule = offices[row["office_id"]], rules[row["rule_version_id"]]
        if row["id"] in requests:
            due, open_used = _resumed(row, rule, office, requests[row["id"]])
            pending = requests[row["id"]][-1]
            if open_used is not None and open_used != pending["clock_used"]:
                clock_rows.append({"id": pending["id"], "clock_used": open_used})
        else:
            due = _limit_due(row["clock_started_at"], rule, office)
        if due == row["legal_due_at"]:
            continue
        dossier_rows.append({"id": row["id"], "legal_due_at": due, "apologise_by": calendar.apologise_by(due, office),
                             "old_due": row["legal_due_at"], "old_status": row["status"]})
        moved.append(Moved(row["id"], row["code"], row["office_id"], row["status"], row["legal_due_at"], due))
        step_due[row["id"]] = budgets.processing_due(row["clock_started_at"], due, office, rule)
    if clock_rows:
        update_from_values(SupplementRequest, "id", clock_rows)
    if not dossier_rows:
        return []
    # Guarded by the due and status read: a dossier an officer changed meanwhile is left to that officer's write
    # (its `updated_at` is left alone: nobody edited the row; the event says what happened).
    updated = set(update_from_values(Dossier, "id", dossier_rows, match={"old_due": "legal_due_at",
                                                                         "old_status": "status"}))
    moved = [m for m in moved if m.id in updated]
    if not moved:
        return []
    # Open processing steps follow the new legal due moment (minus the return budget); a desk step keeps its own.
    due_of = {m.id: step_due[m.id] for m in moved}
    steps = (ProcessStep.objects.filter(dossier_id__in=list(due_of), done_at__isnull=True)
             .exclude(unit=DESK_UNIT).order_by())
    steps = steps.values_list("id", "dossier_id")
    update_from_values(ProcessStep, "id", [{"id": pk, "due_at": due_of[dossier_id]} for pk, dossier_id in steps])
    _record_events(moved, page, offices)
    return moved


# --- the history and the messages -----------------------------------------------------------------------

def _record_events(moved: list[Moved], page: list[dict], offices: dict) -> None:
    """The `recompute-deadline` events of a page in one INSERT (the rows `events.deadline_recomputed` writes one
    at a time), then its side effect batched: `dossier_events_recorded` for the subscribers (the national-portal
    adapter pushes the progress of portal dossiers; the event tells the applicant nothing)."""
    now = timezone.now()
    ids = insert_rows(DossierEvent, [
        {"dossier_id": m.id, "at": now, "actor_id": None, "actor_name": SYSTEM_ACTOR,
         "action": DossierAction.RECOMPUTE_DEADLINE.value, "from_status": m.status, "to_status": m.status,
         "note": NOTE, "data": {"old": m.old.isoformat(), "new": m.new.isoformat()}, "legal_due_at": m.new}
        for m in moved], now)
    rows = {r["id"]: r for r in page}
    # Rows, not model instances: a subscriber builds the objects it needs for the few it acts on.
    recorded = [({"id": m.id, "code": m.code, "office": offices[m.office_id], "source": rows[m.id]["source"],
                  "clock_started_at": rows[m.id]["clock_started_at"], "legal_due_at": m.new, "status": m.status},
                 {"id": event_id, "dossier_id": m.id, "at": now, "actor_name": SYSTEM_ACTOR,
                  "action": DossierAction.RECOMPUTE_DEADLINE.value, "from_status": m.status, "to_status": m.status,
                  "note": NOTE, "legal_due_at": m.new})
                for m, event_id in zip(moved, ids)]
    dossier_events_recorded.send(sender=Dossier, recorded=recorded)


def _kick_delivery():
    try:
        from notifications.tasks import deliver_pending

        deliver_pending.delay()
    except Exception:  # noqa: BLE001 - the periodic delivery picks them up if the broker is down
        pass


def _local(moment) -> str:
    return f"{timezone.localtime(moment):%d/%m/%Y %H:%M}"


def _tell_directors(result: Result) -> int:
    """One message per director / deputy of each office with dossiers that moved (their own office and the
    offices under it, as the overdue digest): the dossiers whose legal due moved, code and old → new. The key
    names the run, so a retried task tells nobody twice."""
    from core.models import Office, Role, User
    from notifications.services import outbox_enqueue

    by_office: dict[int, list[Moved]] = {}
    for m in result.moved:
        by_office.setdefault(m.office_id, []).append(m)
    parents = dict(Office.objects.filter(pk__in=by_office).values_list("id", "parent_id"))
    signers = (User.objects.filter(is_active=True, role__in=[Role.DIRECTOR, Role.DEPUTY],
                                   office_id__in=set(by_office) | {p for p in parents.values() if p})
               .order_by("pk").values_list("id", "office_id"))
    sent = 0
    for user_id, office_id in signers:
        moved = sorted((m for o, ms in by_office.items() if office_id in (o, parents.get(o)) for m in ms),
                       key=lambda m: m.code)
        listed = moved[:DIGEST_LIST_LIMIT]
        lines = [f"{m.code}: {_local(m.old)} → {_local(m.new)}" for m in listed]
        if len(moved) > len(listed):
            lines.append(f"… và {len(moved) - len(listed)} hồ sơ khác")
        _, new = outbox_enqueue(
            channel="officer", kind="calendar.deadlines_moved",
            idempotency_key=f"recompute-digest:{result.run_key}:{user_id}",
            recipient_user=User(pk=user_id), office=Office(pk=office_id),
            subject=f"Lịch làm việc thay đổi: {len(moved)} hồ sơ được tính lại hạn giải quyết",
            body="\n".join(["Hạn giải quyết theo quy định đã thay đổi (ngày hẹn trả đã hứa với người dân giữ nguyên):",
                            *lines]),
            payload={"run": result.run_key, "count": len(moved),
                     "moved": [{"code": m.code, "old": m.old.isoformat(), "new": m.new.isoformat()} for m in listed]},
        )
        sent += new
    return sent
