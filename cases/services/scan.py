"""The deadline scan (DOMAIN.md §3; CONTRACTS.md §1.1 `scan_overdue`).

A dossier is **overdue**, **due soon** or neither as `cases.deadlines` defines it (the one home of those
predicates, shared with the desk, the lists and the reports). A dossier awaiting the applicant's supplement has
its clock stopped, so it holds no mark.

The scan stores that state in `Dossier.due_state` so lists and counts are indexed SQL. It is set-based: a
handful of UPDATE statements whatever the number of dossiers (on PostgreSQL `UPDATE … WHERE <threshold> AND
due_state <> <new> RETURNING …`, riding the partial indexes `dossier_open_due` and
`dossier_open_apologise_by`; elsewhere an indexed SELECT of the ids crossing the threshold then one UPDATE per
chunk of ids, filtered again by the threshold and the old state). Marks that no longer hold (a calendar change
moved the legal due moment later, a supplement stopped the clock) are cleared.

Only open dossiers are touched: a closed dossier keeps the mark it had when it closed (timeliness of a
resolved dossier is computed from `resolved_at` and `legal_due_at`, never from this mark).

Idempotent and safe with two workers: the whole run is one transaction; on PostgreSQL it takes a
transaction-level advisory lock (a second concurrent run returns at once, `skipped`); each UPDATE is
conditional on the old state, so a row changes state in exactly one run; and every notification is an outbox
row with an idempotency key (`dossier-due:<id>:<state>:<moment>:<user>`, `overdue-digest:<run>:<user>`), so
a replay inserts nothing. Each newly marked dossier notifies its processing officer (the assignee, or the
office's reception officers when unassigned); the directors and deputies of the office (and of its parent
province) get one digest per run listing the codes.

Other apps scan their own deadlines in the same run and transaction by subscribing to `cases.signals.
deadline_scan` (PAKN items: feedback.scan); cases does not know them.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from core.db import bulk_insert_ignore, try_advisory_xact_lock, update_returning
from core.models import Office, Role, User
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue

from ..deadlines import due_soon_q, overdue_q
from ..models import CLOCK_RUNNING, OPEN_STATUSES, Dossier, DueState, Status
from ..signals import deadline_scan

log = logging.getLogger(__name__)

RUNNING = [str(s) for s in CLOCK_RUNNING]  # received, processing
OPEN = [str(s) for s in OPEN_STATUSES if s != Status.SUBMITTED]  # the statuses a mark can be cleared in
ADVISORY_LOCK_KEY = 0x0B5C_0004  # pg_try_advisory_xact_lock key of the scan (any constant; one per job)
INSERT_BATCH = 5000
DIGEST_LIST_LIMIT = 60  # codes written into a digest's body; the payload always lists them all
_TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh: how officers read dates
RETURNED_FIELDS = ("id", "code", "office_id", "assignee_id", "legal_due_at", "apologise_by", "appointment_at")


@dataclass
class ScanResult:
    now: datetime
    run_key: str
    overdue: list[str] = field(default_factory=list)  # codes newly marked overdue
    due_soon: list[str] = field(default_factory=list)  # codes newly marked due soon
    cleared: int = 0
    notifications: int = 0  # officer notifications queued for the dossiers this run marked
    digests: int = 0
    others: dict = field(default_factory=dict)  # what each subscriber of deadline_scan did, by app label
    skipped: bool = False  # another run held the lock

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "run_key": self.run_key, "overdue": len(self.overdue),
                "due_soon": len(self.due_soon), "cleared": self.cleared, "notifications": self.notifications,
                "digests": self.digests, **self.others, "skipped": self.skipped}

    @property
    def feedback(self) -> dict | None:
        return self.others.get("feedback")


# --- the scan -------------------------------------------------------------------------------------------

def scan_overdue(*, now: datetime | None = None, run_key: str | None = None, lock: bool = True) -> ScanResult:
    """One deadline scan at `now` (default: the current time). `run_key` names the run for the directors'
    digest idempotency (the Celery task id; default a fresh one). `lock=False` skips the advisory lock (tests
    use it to show that the conditional updates alone never mark or notify a dossier twice)."""
    now = now or timezone.now()
    run_key = run_key or f"{timezone.localtime(now):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    result = ScanResult(now=now, run_key=run_key)
    with transaction.atomic():
        if lock and not try_advisory_xact_lock(ADVISORY_LOCK_KEY):
            result.skipped = True
            return result
        overdue_rows = _mark(DueState.OVERDUE, now)
        due_soon_rows = _mark(DueState.DUE_SOON, now)
        result.cleared = _clear(now)
        result.overdue = [r["code"] for r in overdue_rows]
        result.due_soon = [r["code"] for r in due_soon_rows]
        for _receiver, answer in deadline_scan.send(sender=ScanResult, now=now):
            if answer:
                result.others.update(answer)
        if overdue_rows or due_soon_rows:
            result.notifications, result.digests = _notify(overdue_rows, due_soon_rows, run_key)
    log.info("scan_overdue %s", result.as_dict())
    return result


def _mark(state: str, now: datetime) -> list[dict]:
    """Set `due_state = state` on every dossier crossing the threshold that does not have it yet; return the
    rows changed (exactly those, also when another scan runs at the same time)."""
    threshold = overdue_q(now) if state == DueState.OVERDUE else due_soon_q(now)
    return update_returning(Dossier.objects.filter(threshold).exclude(due_state=state), field="due_state",
                            value=state, returning=RETURNED_FIELDS)


def _clear(now: datetime) -> int:
    """Open dossiers whose mark no longer holds go back to '' (within time)."""
    still = overdue_q(now) | due_soon_q(now)
    return (Dossier.objects.filter(status__in=OPEN).exclude(due_state=DueState.NONE)
            .exclude(still).update(due_state=DueState.NONE))


# --- notifications ----------------------------------------------------------------------------------------

def _fmt(moment) -> str:
    return f"{moment.astimezone(_TZ):%d/%m/%Y %H:%M}" if moment else ""


def _stamp(moment) -> str:
    return f"{moment.astimezone(_TZ):%Y%m%d%H%M}" if moment else "-"


def _notify(overdue_rows: list[dict], due_soon_rows: list[dict], run_key: str) -> tuple[int, int]:
    """Officer notifications (bulk, idempotent by key) and one digest per director/deputy for this run."""
    rows = [(DueState.OVERDUE, r) for r in overdue_rows] + [(DueState.DUE_SOON, r) for r in due_soon_rows]
    office_ids = {r["office_id"] for _, r in rows}
    offices = {o["id"]: o for o in Office.objects.filter(pk__in=office_ids).values("id", "parent_id", "name")}
    related = office_ids | {o["parent_id"] for o in offices.values() if o["parent_id"]}
    staff = list(User.objects.filter(is_active=True, office_id__in=related,
                                     role__in=[Role.RECEPTION, Role.DIRECTOR, Role.DEPUTY])
                 .order_by("pk").values("id", "role", "office_id"))
    reception, signers = {}, {}
    for u in staff:
        (reception if u["role"] == Role.RECEPTION else signers).setdefault(u["office_id"], []).append(u["id"])

    messages = []
    sent_at = timezone.now()
    for state, r in rows:
        office = offices[r["office_id"]]
        if r["assignee_id"]:
            recipients = [r["assignee_id"]]
        else:
            recipients = reception.get(office["id"]) or reception.get(office["parent_id"]) or []
        moment = r["legal_due_at"] if state == DueState.OVERDUE else r["apologise_by"]
        if state == DueState.OVERDUE:
            subject = f"Hồ sơ {r['code']} đã quá hạn giải quyết"
            body = (f"Hồ sơ {r['code']} đã quá hạn giải quyết (hạn {_fmt(r['legal_due_at'])}). "
                    "Vui lòng giải quyết ngay và lập phiếu xin lỗi, hẹn lại ngày trả kết quả nếu chưa lập.")
        else:
            subject = f"Hồ sơ {r['code']} sắp đến hạn giải quyết"
            body = (f"Hồ sơ {r['code']} sắp đến hạn giải quyết (hạn {_fmt(r['legal_due_at'])}); đã qua thời điểm "
                    f"phải gửi phiếu xin lỗi ({_fmt(r['apologise_by'])}) nếu không kịp trả kết quả.")
        for user_id in recipients:
            messages.append({
                "channel": "officer", "kind": f"dossier.{state}",
                "idempotency_key": f"dossier-due:{r['id']}:{state}:{_stamp(moment)}:{user_id}",
                "recipient_user_id": user_id, "office_id": office["id"], "dossier_code": r["code"],
                "subject": subject, "body": body,
                "payload": {"state": state, "legal_due_at": r["legal_due_at"].isoformat()},
                "next_attempt_at": sent_at,
            })
    for start in range(0, len(messages), INSERT_BATCH):
        bulk_insert_ignore(OutboxMessage, messages[start:start + INSERT_BATCH])

    # One digest per director/deputy: the dossiers of their office and of the offices under it.
    digest = {}
    for state, r in rows:
        office = offices[r["office_id"]]
        for office_id in {office["id"], office["parent_id"]} - {None}:
            for user_id in signers.get(office_id, []):
                digest.setdefault(user_id, {DueState.OVERDUE: [], DueState.DUE_SOON: [], "office": office_id})
                digest[user_id][state].append(r["code"])
    digests = 0
    for user_id, lists in sorted(digest.items()):
        over, soon = sorted(set(lists[DueState.OVERDUE])), sorted(set(lists[DueState.DUE_SOON]))
        parts = []
        if over:
            parts.append(f"Quá hạn ({len(over)}): " + _codes(over))
        if soon:
            parts.append(f"Sắp đến hạn ({len(soon)}): " + _codes(soon))
        _, new = outbox_enqueue(
            channel="officer", kind="dossier.due_digest", idempotency_key=f"overdue-digest:{run_key}:{user_id}",
            recipient_user=User(pk=user_id), office=Office(pk=lists["office"]),
            subject=f"Hồ sơ quá hạn, sắp đến hạn: {len(over)} quá hạn, {len(soon)} sắp đến hạn",
            body="\n".join(parts), payload={"run": run_key, "overdue": over, "due_soon": soon},
        )
        digests += new
    if messages:
        transaction.on_commit(_kick_delivery)
    return len(messages), digests


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:DIGEST_LIST_LIMIT])
    return shown + (f" và {len(codes) - DIGEST_LIST_LIMIT} hồ sơ khác" if len(codes) > DIGEST_LIST_LIMIT else "")


def _kick_delivery():
    try:
        from notifications.tasks import deliver_pending

        deliver_pending.delay()
    except Exception:  # noqa: BLE001 - the periodic delivery picks them up if the broker is down
        pass
