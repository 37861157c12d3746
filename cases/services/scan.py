"""The deadline scan (DOMAIN.md §3; CONTRACTS.md §1.1 `scan_overdue`).

A dossier is in one **stage** as `cases.deadlines.stage_q` defines it (the one home of those predicates,
shared with the desk, the lists and the reports): appointment missed > overdue > apology due > due soon, or
late to accept for an online dossier still submitted; or none. A dossier awaiting the applicant's supplement
has its clock stopped, so it holds no mark.

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
office's reception officers when unassigned; late to accept: the office's reception officers); a missed
appointment also alerts the office's directors and deputies at once; the directors and deputies of the office
(and of its parent province) get one digest per run listing the codes by stage.

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

from ..deadlines import Moments, staged_q, stage_q
from ..models import OPEN_STATUSES, Dossier, DueState
from ..signals import deadline_scan

log = logging.getLogger(__name__)

OPEN = [str(s) for s in OPEN_STATUSES]  # the statuses a mark can be cleared in
# The stages in precedence order (DOMAIN.md §3, §2.5, §2.1); exactly one holds for a dossier at a time.
STAGES = (DueState.APPOINTMENT_MISSED, DueState.OVERDUE, DueState.APOLOGY_DUE, DueState.DUE_SOON,
          DueState.LATE_TO_ACCEPT)
ADVISORY_LOCK_KEY = 0x0B5C_0004  # pg_try_advisory_xact_lock key of the scan (any constant; one per job)
DIGEST_LIST_LIMIT = 60  # codes written into a digest's body; the payload always lists them all
_TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh: how officers read dates
RETURNED_FIELDS = ("id", "code", "office_id", "assignee_id", "legal_due_at", "apologise_by", "appointment_at",
                   "submitted_at")


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
    notifications: int = 0  # officer notifications queued for the dossiers this run marked
    digests: int = 0
    others: dict = field(default_factory=dict)  # what each subscriber of deadline_scan did, by app label
    skipped: bool = False  # another run held the lock

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "run_key": self.run_key,
                **{str(stage): len(getattr(self, stage)) for stage in STAGES}, "cleared": self.cleared, "notifications": self.notifications,
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
        moments = Moments.at(now)
        marked = {stage: _mark(stage, moments) for stage in STAGES}
        result.cleared = _clear(moments)
        for stage, rows in marked.items():
            setattr(result, stage, [r["code"] for r in rows])
        for _receiver, answer in deadline_scan.send(sender=ScanResult, now=now):
            if answer:
                result.others.update(answer)
        if any(marked.values()):
            result.notifications, result.digests = _notify(marked, run_key)
    log.info("scan_overdue %s", result.as_dict())
    return result


def _mark(state: str, moments: Moments) -> list[dict]:
    """Set `due_state = state` on every dossier in that stage that does not have it yet; return the rows
    changed (exactly those, also when another scan runs at the same time)."""
    return update_returning(Dossier.objects.filter(stage_q(state, moments)).exclude(due_state=state),
                            field="due_state", value=state, returning=RETURNED_FIELDS)


def _clear(moments: Moments) -> int:
    """Open dossiers whose mark no longer holds go back to '' (within time)."""
    return (Dossier.objects.filter(status__in=OPEN).exclude(due_state=DueState.NONE)
            .exclude(staged_q(moments)).update(due_state=DueState.NONE))


# --- notifications ----------------------------------------------------------------------------------------

def _fmt(moment) -> str:
    return f"{moment.astimezone(_TZ):%d/%m/%Y %H:%M}" if moment else ""


def _stamp(moment) -> str:
    return f"{moment.astimezone(_TZ):%Y%m%d%H%M}" if moment else "-"


# What each stage says, and which moment keys its idempotency (a moved moment is a new stage change).
_MOMENT = {DueState.APPOINTMENT_MISSED: "appointment_at", DueState.OVERDUE: "legal_due_at",
           DueState.APOLOGY_DUE: "apologise_by", DueState.DUE_SOON: "apologise_by",
           DueState.LATE_TO_ACCEPT: "submitted_at"}
_DIGEST_LABEL = {DueState.APPOINTMENT_MISSED: "Trễ hẹn lần hai", DueState.OVERDUE: "Quá hạn",
                 DueState.APOLOGY_DUE: "Phải gửi phiếu xin lỗi", DueState.DUE_SOON: "Sắp đến hạn",
                 DueState.LATE_TO_ACCEPT: "Chậm tiếp nhận trực tuyến"}


def _message(state: str, r: dict) -> tuple[str, str]:
    code, due = r["code"], _fmt(r["legal_due_at"])
    if state == DueState.APPOINTMENT_MISSED:
        return (f"Hồ sơ {code} đã trễ ngày hẹn lại",
                f"Hồ sơ {code} chưa có kết quả dù đã qua ngày hẹn lại ({_fmt(r['appointment_at'])}) sau phiếu xin "
                "lỗi. Vui lòng giải quyết ngay và báo lại cho người nộp.")
    if state == DueState.OVERDUE:
        return (f"Hồ sơ {code} đã quá hạn giải quyết",
                f"Hồ sơ {code} đã quá hạn giải quyết (hạn {due}). "
                "Vui lòng giải quyết ngay và lập phiếu xin lỗi, hẹn lại ngày trả kết quả nếu chưa lập.")
    if state == DueState.APOLOGY_DUE:
        return (f"Hồ sơ {code} phải gửi phiếu xin lỗi",
                f"Hồ sơ {code} đã qua thời điểm phải gửi phiếu xin lỗi ({_fmt(r['apologise_by'])}) mà chưa có "
                f"phiếu được ký (hạn giải quyết {due}).")
    if state == DueState.DUE_SOON:
        return (f"Hồ sơ {code} sắp đến hạn giải quyết",
                f"Hồ sơ {code} sắp đến hạn giải quyết (hạn {due}); nếu không kịp trả kết quả, phiếu xin lỗi "
                f"phải được gửi trước {_fmt(r['apologise_by'])}.")
    return (f"Hồ sơ trực tuyến {code} chậm tiếp nhận",
            f"Hồ sơ trực tuyến {code} nộp lúc {_fmt(r['submitted_at'])} vẫn chờ tiếp nhận quá 1 ngày làm việc. "
            "Vui lòng tiếp nhận hoặc từ chối ngay.")


def _notify(marked: dict[str, list[dict]], run_key: str) -> tuple[int, int]:
    """Officer notifications (bulk, idempotent by key) and one digest per director/deputy for this run."""
    rows = [(state, r) for state in STAGES for r in marked.get(state, [])]
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
        desk = reception.get(office["id"]) or reception.get(office["parent_id"]) or []
        if state == DueState.LATE_TO_ACCEPT or not r["assignee_id"]:
            recipients = list(desk)
        else:
            recipients = [r["assignee_id"]]
        if state == DueState.APPOINTMENT_MISSED:  # the citizen let down twice: the leaders at once
            recipients += signers.get(office["id"]) or signers.get(office["parent_id"]) or []
        subject, body = _message(state, r)
        moment = r[_MOMENT[state]]
        for user_id in dict.fromkeys(recipients):
            messages.append({
                "channel": "officer", "kind": f"dossier.{state}",
                "idempotency_key": f"dossier-due:{r['id']}:{state}:{_stamp(moment)}:{user_id}",
                "recipient_user_id": user_id, "office_id": office["id"], "dossier_code": r["code"],
                "subject": subject, "body": body,
                "payload": {"state": state, "legal_due_at": r["legal_due_at"].isoformat() if r["legal_due_at"] else None,
                            "moment": moment.isoformat() if moment else None},
                "next_attempt_at": sent_at,
            })
    bulk_insert_ignore(OutboxMessage, messages)  # one statement on PostgreSQL, whatever the number of rows

    # One digest per director/deputy: the dossiers of their office and of the offices under it.
    digest = {}
    for state, r in rows:
        office = offices[r["office_id"]]
        for office_id in {office["id"], office["parent_id"]} - {None}:
            for user_id in signers.get(office_id, []):
                digest.setdefault(user_id, {"office": office_id, **{s: [] for s in STAGES}})
                digest[user_id][state].append(r["code"])
    digests = 0
    for user_id, lists in sorted(digest.items()):
        by_stage = {s: sorted(set(lists[s])) for s in STAGES}
        parts = [f"{_DIGEST_LABEL[s]} ({len(codes)}): " + _codes(codes) for s, codes in by_stage.items() if codes]
        over, soon = by_stage[DueState.OVERDUE], by_stage[DueState.DUE_SOON]
        _, new = outbox_enqueue(
            channel="officer", kind="dossier.due_digest", idempotency_key=f"overdue-digest:{run_key}:{user_id}",
            recipient_user=User(pk=user_id), office=Office(pk=lists["office"]),
            subject=(f"Hồ sơ quá hạn, sắp đến hạn: {len(over)} quá hạn, {len(soon)} sắp đến hạn"
                     + "".join(f", {len(by_stage[s])} {_DIGEST_LABEL[s].lower()}"
                               for s in (DueState.APPOINTMENT_MISSED, DueState.APOLOGY_DUE, DueState.LATE_TO_ACCEPT)
                               if by_stage[s])),
            body="\n".join(parts), payload={"run": run_key, **by_stage},
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
