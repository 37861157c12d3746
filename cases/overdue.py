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
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.db import OperationalError, ProgrammingError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.models import Office, Role, User
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue

from .deadlines import due_soon_q, overdue_q
from .models import CLOCK_RUNNING, OPEN_STATUSES, Dossier, DueState, Status

log = logging.getLogger(__name__)

RUNNING = [str(s) for s in CLOCK_RUNNING]  # received, processing
OPEN = [str(s) for s in OPEN_STATUSES if s != Status.SUBMITTED]  # the statuses a mark can be cleared in
ADVISORY_LOCK_KEY = 0x0B5C_0004  # pg_try_advisory_xact_lock key of the scan (any constant; one per job)
CHUNK = 500  # ids per UPDATE on the portable path (well under SQLite's bound-variable limit)
INSERT_BATCH = 5000
DIGEST_LIST_LIMIT = 60  # codes written into a digest's body; the payload always lists them all
_TZ = timezone.get_default_timezone()  # Asia/Ho_Chi_Minh: how officers read dates
RETURNED_FIELDS = ("id", "code", "office_id", "assignee_id", "legal_due_at", "apologise_by", "appointment_at")


class ScanRaced(Exception):
    """Another writer changed a row between the SELECT and the UPDATE of the portable path: the run is rolled
    back (nothing marked, nothing sent) and the next run does the work."""


@dataclass
class ScanResult:
    now: datetime
    run_key: str
    overdue: list[str] = field(default_factory=list)  # codes newly marked overdue
    due_soon: list[str] = field(default_factory=list)  # codes newly marked due soon
    cleared: int = 0
    notifications: int = 0  # officer notifications queued for the dossiers this run marked
    digests: int = 0
    feedback: dict | None = None  # what the PAKN hook did, None when feedback has no due_state yet
    skipped: bool = False  # another run held the lock

    def as_dict(self) -> dict:
        return {"now": self.now.isoformat(), "run_key": self.run_key, "overdue": len(self.overdue),
                "due_soon": len(self.due_soon), "cleared": self.cleared, "notifications": self.notifications,
                "digests": self.digests, "feedback": self.feedback, "skipped": self.skipped}


# --- the scan -------------------------------------------------------------------------------------------

def scan_overdue(*, now: datetime | None = None, run_key: str | None = None, lock: bool = True) -> ScanResult:
    """One deadline scan at `now` (default: the current time). `run_key` names the run for the directors'
    digest idempotency (the Celery task id; default a fresh one). `lock=False` skips the advisory lock (tests
    use it to show that the conditional updates alone never mark or notify a dossier twice)."""
    now = now or timezone.now()
    run_key = run_key or f"{timezone.localtime(now):%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
    result = ScanResult(now=now, run_key=run_key)
    with transaction.atomic():
        if lock and not _try_lock():
            result.skipped = True
            return result
        overdue_rows = _mark(DueState.OVERDUE, now)
        due_soon_rows = _mark(DueState.DUE_SOON, now)
        result.cleared = _clear(now)
        result.overdue = [r["code"] for r in overdue_rows]
        result.due_soon = [r["code"] for r in due_soon_rows]
        result.feedback = scan_feedback_items(now=now)
        if overdue_rows or due_soon_rows:
            result.notifications, result.digests = _notify(overdue_rows, due_soon_rows, run_key)
    log.info("scan_overdue %s", result.as_dict())
    return result


def _try_lock() -> bool:
    if connection.vendor != "postgresql":
        return True  # SQLite serialises writers itself; the conditional updates do the rest
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        return bool(cursor.fetchone()[0])


def _mark(state: str, now: datetime) -> list[dict]:
    """Set `due_state = state` on every dossier crossing the threshold that does not have it yet; return the
    rows changed (exactly those, also when another scan runs at the same time)."""
    threshold = overdue_q(now) if state == DueState.OVERDUE else due_soon_q(now)
    return set_state(Dossier, threshold, state, RETURNED_FIELDS)


def set_state(model, threshold: Q, state: str, fields) -> list[dict]:
    """`UPDATE <model> SET due_state = state WHERE threshold AND due_state <> state`, returning `fields` of the
    rows it changed. PostgreSQL: one statement with RETURNING (the WHERE is the queryset's own, compiled by
    Django, so the page, the scan and the indexes agree). Other databases: the indexed SELECT of the rows
    crossing the threshold, then one UPDATE per chunk of their ids, filtered again by the threshold and the
    old state; if a concurrent writer got there first the run is rolled back (ScanRaced)."""
    candidates = model.objects.filter(threshold).exclude(due_state=state)
    if connection.vendor == "postgresql":
        query = candidates.query
        where, params = query.get_compiler(connection=connection).compile(query.where)
        table = connection.ops.quote_name(model._meta.db_table)
        columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f.removesuffix("_id")).column
                                                      if f.endswith("_id") else f) for f in fields)
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET due_state = %s WHERE {where} RETURNING {columns}", [state, *params])
            return [dict(zip(fields, row)) for row in cursor.fetchall()]
    rows = list(candidates.order_by().values(*fields))
    changed = 0
    for start in range(0, len(rows), CHUNK):
        ids = [r["id"] for r in rows[start:start + CHUNK]]
        changed += candidates.filter(pk__in=ids).update(due_state=state)
    if changed != len(rows):
        raise ScanRaced(f"{len(rows) - changed} row(s) of {model._meta.label} changed under the scan")
    return rows


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
        insert_ignoring_duplicates(OutboxMessage, messages[start:start + INSERT_BATCH])

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


def insert_ignoring_duplicates(model, rows: list[dict]) -> None:
    """INSERT the rows (dicts of attname → value, every row the same keys), skipping any that would violate a
    unique constraint (here: the outbox idempotency key, so a replayed notification inserts nothing).

    PostgreSQL: one `INSERT … SELECT … FROM UNNEST(<one array per varying column>) ON CONFLICT DO NOTHING`; every
    other column (defaults, auto_now_add) is computed once from a template instance, so a new field with a
    default still gets it. That is Django's own UNNEST strategy without its per-value preparation in Python,
    which is most of a large scan's time (17 columns × 10,000 rows). Other databases: bulk_create."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], ignore_conflicts=True)
        return
    import json

    from django.db.models import JSONField

    template = model(**rows[0])
    qn = connection.ops.quote_name
    columns, selects, constants, arrays, unnest = [], [], [], [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.attname not in rows[0]:
            continue  # the sequence gives it
        db_type = f.db_type(connection).split("(")[0]
        columns.append(qn(f.column))
        if f.attname in rows[0]:
            values = [row[f.attname] for row in rows]
            if isinstance(f, JSONField):
                values = [json.dumps(v, cls=f.encoder) for v in values]
            selects.append(f"u.c{len(arrays)}")
            unnest.append(f"%s::{db_type}[]")
            arrays.append(values)
        else:
            selects.append(f"%s::{db_type}")
            constants.append(f.get_db_prep_save(f.pre_save(template, add=True), connection))
    aliases = ", ".join(f"c{i}" for i in range(len(arrays)))
    sql = (f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(selects)} "
           f"FROM UNNEST({', '.join(unnest)}) AS u({aliases}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants, *arrays])


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:DIGEST_LIST_LIMIT])
    return shown + (f" và {len(codes) - DIGEST_LIST_LIMIT} hồ sơ khác" if len(codes) > DIGEST_LIST_LIMIT else "")


def _kick_delivery():
    try:
        from notifications.tasks import deliver_pending

        deliver_pending.delay()
    except Exception:  # noqa: BLE001 - the periodic delivery picks them up if the broker is down
        pass


# --- PAKN feedback items --------------------------------------------------------------------------------

def scan_feedback_items(*, now: datetime) -> dict | None:
    """Hook for PAKN items (feedback.models.FeedbackItem): marks overdue / due soon like dossiers once the
    model has `due_at`, `status` and `due_state`. Returns None (and does nothing) until then."""
    try:
        from feedback.models import FeedbackItem
    except ImportError:
        return None
    names = {f.name for f in FeedbackItem._meta.get_fields()}
    if not {"due_at", "status", "due_state"} <= names:
        return None
    return _scan_feedback(FeedbackItem, now)


def _scan_feedback(model, now) -> dict:
    """PAKN items: overdue and due soon as feedback.deadlines defines them, cleared when neither holds any
    longer. Open statuses ride the partial index `feedback_open_due`. Marks only: the feedback desk lists and
    notifies on them."""
    from feedback import deadlines
    from feedback.models import OPEN_STATUSES as FEEDBACK_OPEN

    open_statuses = [str(s) for s in FEEDBACK_OPEN]
    over, soon = deadlines.overdue_q(now), deadlines.due_soon_q(now)
    try:
        with transaction.atomic():  # a savepoint: a missing table (migration not applied yet) leaves the run intact
            overdue_rows = set_state(model, over, DueState.OVERDUE, ("id", "code"))
            due_soon_rows = set_state(model, soon, DueState.DUE_SOON, ("id", "code"))
            cleared = (model.objects.filter(status__in=open_statuses).exclude(due_state=DueState.NONE)
                       .exclude(over | soon).update(due_state=DueState.NONE))
    except (ProgrammingError, OperationalError) as exc:
        log.warning("feedback scan skipped: %s", exc)
        return None
    return {"overdue": len(overdue_rows), "due_soon": len(due_soon_rows), "cleared": cleared}


# --- the director's overdue desk (a read; scoped once here) ----------------------------------------------

DESK_LIST_LIMIT = 200


def overdue_desk(*, user, now: datetime | None = None, office=None) -> dict:
    """Everything the overdue desk shows, in a constant number of queries whatever the number of dossiers:
    the counts, the due-soon / overdue-without-apology / overdue-with-apology lists, late apologies, counts
    per procedure and per officer, and the drafts awaiting signature. Live conditions at `now` (the same
    ones the scan stores), so the page is right even between two scans."""
    from django.db.models import Count

    from core.scoping import scope_to_user

    from .models import ApologySlip

    now = now or timezone.now()
    base = scope_to_user(Dossier.objects.all(), user)
    if office is not None:
        base = base.filter(office=office)
    over, soon = overdue_q(now), due_soon_q(now)
    with_apology = Q(reschedule_count__gt=0)
    marked = base.filter(over | soon)
    counts = marked.aggregate(
        overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
        overdue_apologised=Count("pk", filter=over & with_apology),
        overdue_not_apologised=Count("pk", filter=over & ~with_apology),
    )
    rows = base.select_related("office", "procedure", "assignee")
    year = timezone.localtime(now).year
    slips = scope_to_user(ApologySlip.objects.all(), user)
    if office is not None:
        slips = slips.filter(office=office)
    late = slips.filter(state=ApologySlip.State.ISSUED, is_late=True, year=year)
    counts["late_apologies"] = late.count()
    drafts = (slips.filter(state=ApologySlip.State.DRAFT, dossier__status__in=RUNNING + [Status.AWAITING_SUPPLEMENT])
              .select_related("dossier", "office", "drafted_by").order_by("drafted_at", "pk"))
    drafts = list(drafts[:DESK_LIST_LIMIT])
    counts["drafts"] = len(drafts)
    per_procedure = list(
        marked.values("procedure__code", "procedure__name")
        .annotate(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
                  apologised=Count("pk", filter=over & with_apology))
        .order_by("-overdue", "-due_soon", "procedure__code"))
    per_officer = list(
        marked.values("assignee_id", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(overdue=Count("pk", filter=over), due_soon=Count("pk", filter=soon),
                  apologised=Count("pk", filter=over & with_apology))
        .order_by("-overdue", "-due_soon", "assignee__username"))
    for row in per_officer:
        full = f"{row['assignee__last_name'] or ''} {row['assignee__first_name'] or ''}".strip()  # family name first
        row["name"] = full or row["assignee__username"] or "Chưa giao cán bộ xử lý"
    return {
        "now": now, "year": year, "counts": counts,
        "due_soon": list(rows.filter(soon).order_by("legal_due_at", "pk")[:DESK_LIST_LIMIT]),
        "overdue_not_apologised": list(rows.filter(over & ~with_apology).order_by("legal_due_at", "pk")
                                       [:DESK_LIST_LIMIT]),
        "overdue_apologised": list(rows.filter(over & with_apology).order_by("appointment_at", "pk")
                                   [:DESK_LIST_LIMIT]),
        "late_apologies": list(late.select_related("dossier", "office", "signed_by")
                               .order_by("-issued_at", "-pk")[:DESK_LIST_LIMIT]),
        "drafts": drafts, "per_procedure": per_procedure, "per_officer": per_officer, "limit": DESK_LIST_LIMIT,
    }
