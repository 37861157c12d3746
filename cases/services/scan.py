"""The deadline scan (DOMAIN.md §3; CONTRACTS.md §1.1 `scan_overdue`).

A dossier is in one **stage** as `cases.deadlines.stage_q` defines it (the one home of those predicates,
shared with the desk, the lists and the reports): appointment missed > overdue > apology due > due soon, or
late to accept for an online dossier still submitted; or none. A dossier awaiting the applicant's supplement
has its clock stopped, so it holds no mark.

The scan stores that stage as a mark in the narrow table `cases.DueMark` (cases.marks; `Dossier.due_state`
reads it), never in `cases_dossier`: a mark written is one narrow row and one index entry, not a new version
of the wide dossier row in each of its indexes. On PostgreSQL a run is ONE statement (cases.services.scan_sql:
the wanted stages through the partial indexes on due moments, compared with the marks, upserted `ON CONFLICT …
WHERE the stage changed`, stale marks deleted, the officers' notices grouped in SQL; after the first run, only
the dossiers that can have changed stage since the last run are read); elsewhere the same
marks and notices through the ORM (`_mark_orm`, scan_notices.write_notices). Marks that no longer hold (a
calendar change moved the legal due moment later, a supplement stopped the clock) are removed; the mark of a
dossier that closed is kept, flagged closed (timeliness of a resolved dossier is computed from `resolved_at`
and `legal_due_at`, never from this mark).

Idempotent and safe with two workers: the whole run is one transaction; on PostgreSQL it takes a
transaction-level advisory lock (a second concurrent run returns at once, `skipped`); each mark is written
only where the stage changed (a concurrent run that wrote it first wins, and only it notifies); every
notification has an idempotency key (`due-notice:<run>:<user>`, `overdue-digest:<run>:<user>`), so a replay
inserts nothing. Each officer concerned gets one notice per run listing its dossiers newly marked, each
director and deputy one digest per run (cases.services.scan_notices says who).

Other apps scan their own deadlines in the same run and transaction by subscribing to `cases.signals.
deadline_scan` (PAKN items: feedback.scan); cases does not know them.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.utils import timezone

from core.db import try_advisory_xact_lock

from . import scan_sql
from ..deadlines import Moments, staged_q, stage_q
from ..models import OPEN_STATUSES, Dossier, DueMark
from ..signals import deadline_scan
from .scan_notices import STAGES, write_notices

log = logging.getLogger(__name__)

OPEN = [str(s) for s in OPEN_STATUSES]  # the statuses a mark can be cleared in
# STAGES: the stages in precedence order (DOMAIN.md §3, §2.5, §2.1); exactly one holds for a dossier at a time.
ADVISORY_LOCK_KEY = 0x0B5C_0004  # pg_try_advisory_xact_lock key of the scan (any constant; one per job)


@dataclass
class ScanResult:
    now: datetime
    run_key: str
    overdue: list[str] = field(default_factory=list)  # codes newly marked overdue
    due_soon: list[str] = field(default_factory=list)  # codes newly marked due soon
    apology_due: list[str] = field(default_factory=list)
    appointment_missed: list[str] = field(default_factory=list)
    late_to_accept: list[str] = field(default_factory=list)
    cleared: int = 0
    notifications: int = 0  # officer notices queued for the dossiers this run marked (one per officer)
    digests: int = 0
    others: dict = field(default_factory=dict)  # what each subscriber of deadline_scan did, by app label
    skipped: bool = False  # another run held the lock
    incremental: bool = False  # read only what changed since the last run (PostgreSQL; cases.services.scan_sql)

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "run_key": self.run_key,
                **{str(stage): len(getattr(self, stage)) for stage in STAGES}, "cleared": self.cleared, "notifications": self.notifications,
                "digests": self.digests, **self.others, "skipped": self.skipped, "incremental": self.incremental}

    @property
    def feedback(self) -> dict | None:
        return self.others.get("feedback")


# --- the scan -------------------------------------------------------------------------------------------

def scan_overdue(*, now: datetime | None = None, run_key: str | None = None, lock: bool = True,
                 sql: bool = True) -> ScanResult:
    """One deadline scan at `now` (default: the current time). `run_key` names the run for the notices'
    idempotency (the Celery task id; default a fresh one). `lock=False` skips the advisory lock (tests use it
    to show that the conditional writes alone never mark or notify a dossier twice); `sql=False` takes the ORM
    path on PostgreSQL too (tests compare the two)."""
    now = now or timezone.now()
    run_key = run_key or f"{timezone.localtime(now):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    result = ScanResult(now=now, run_key=run_key)
    fast = sql and connection.vendor == "postgresql"
    with transaction.atomic():
        if fast:
            with connection.cursor() as cursor:
                # The lock, this transaction's work_mem, and a commit that does not wait for the WAL flush (a
                # crash loses at most this run, which the next one redoes): one round trip.
                # (The planner misjudges the row counts of CTEs: it would sort 30,000 rows to merge-join them.)
                cursor.execute("SELECT CASE WHEN %s THEN pg_try_advisory_xact_lock(%s) ELSE true END, "
                               "set_config('work_mem', '64MB', true), set_config('synchronous_commit', 'off', true), "
                               "set_config('enable_mergejoin', 'off', true)", [lock, ADVISORY_LOCK_KEY])
                locked = cursor.fetchone()[0]
        else:
            locked = not lock or try_advisory_xact_lock(ADVISORY_LOCK_KEY)
        if not locked:
            result.skipped = True
            return result
        moments = Moments.at(now)
        if fast:
            done = scan_sql.mark_and_notify(moments, run_key)
            result.incremental = done["incremental"]
        else:
            done = _mark_orm(moments)
            done["notices"], done["digests"] = write_notices(done.pop("changed"), run_key)
            if connection.vendor == "postgresql":
                scan_sql.forget()  # its marks are of `now`, whatever the last SQL run's state: the next one is full
        for stage in STAGES:
            setattr(result, stage, done["marked"].get(stage, []))
        result.cleared, result.notifications, result.digests = done["cleared"], done["notices"], done["digests"]
        for _receiver, answer in deadline_scan.send(sender=ScanResult, now=now):
            if answer:
                result.others.update(answer)
        if result.notifications or result.digests:
            transaction.on_commit(_kick_delivery)
    log.info("scan_overdue %s", result.as_dict())
    return result


def _mark_orm(moments: Moments) -> dict:
    """The portable form of scan_sql.MARK_SQL: the same marks, in a few statements."""
    stage = Case(*[When(stage_q(s, moments), then=Value(str(s))) for s in STAGES], default=Value(""))
    wanted = {r["id"]: r for r in Dossier.objects.filter(staged_q(moments)).annotate(stage=stage)
              .values("id", "code", "office_id", "assignee_id", "stage")}
    marks = dict(DueMark.objects.filter(closed=False).values_list("dossier_id", "stage"))
    changed = sorted((r for r in wanted.values() if marks.get(r["id"]) != r["stage"]), key=lambda r: r["id"])
    DueMark.objects.bulk_create([DueMark(dossier_id=r["id"], stage=r["stage"], since=moments.now) for r in changed],
                                update_conflicts=True, unique_fields=["dossier"],
                                update_fields=["stage", "since", "closed"], batch_size=500)
    stale = [pk for pk in marks if pk not in wanted]
    still_open = set(Dossier.objects.filter(pk__in=stale, status__in=OPEN).values_list("pk", flat=True))
    cleared, _ = DueMark.objects.filter(dossier_id__in=still_open, closed=False).delete()
    closed = DueMark.objects.filter(dossier_id__in=set(stale) - still_open, closed=False).update(closed=True)
    marked = {}
    for r in changed:
        marked.setdefault(r["stage"], []).append(r["code"])
    return {"marked": {s: sorted(codes) for s, codes in marked.items()}, "cleared": cleared, "closed": closed,
            "changed": changed}


def _kick_delivery():
    try:
        from notifications.tasks import deliver_pending

        deliver_pending.delay()
    except Exception:  # noqa: BLE001 - the periodic delivery picks them up if the broker is down
        pass
