"""What the deadline scan tells officers: one notice per officer per run, listing the dossiers newly marked that
are theirs, and one digest per director or deputy per run, listing those of their office and the offices under
it (cases.services.scan).

Who hears of a newly marked dossier: its processing officer (the assignee; the office's reception officers
when it is unassigned, or for "late to accept"; the parent office's when the office has none); for a missed
appointment also the office's directors and deputies (the parent office's when it has none). Each of them gets
ONE `dossier.due_notice` for the run (`due-notice:<run>:<user>`), whatever the number of dossiers: that is
what an officer would rather read, and 10,000 marks cost one INSERT of a few hundred rows instead of 10,000.
The directors and deputies of the office and of its parent get the run's `dossier.due_digest`
(`overdue-digest:<run>:<user>`). A replayed run inserts nothing (the idempotency keys).

The subject, body and payload are the same for both kinds: the counts by stage, then per stage its label, its
count and its codes (sorted, at most DIGEST_LIST_LIMIT written, the payload lists them all).

Two forms that write the same rows: `notice_ctes` (PostgreSQL: SQL that groups by officer inside the scan's
one statement, no row goes through Python) and `write_notices` (elsewhere, and the reference the tests compare
the SQL with).
"""
from __future__ import annotations

from django.utils import timezone

from core.db import bulk_insert_ignore
from core.models import Office, Role, User
from notifications.models import OutboxMessage

from ..models import DueState

NOTICE, DIGEST = "dossier.due_notice", "dossier.due_digest"
DIGEST_LIST_LIMIT = 60  # codes written into a body; the payload always lists them all
STAGES = (DueState.APPOINTMENT_MISSED, DueState.OVERDUE, DueState.APOLOGY_DUE, DueState.DUE_SOON,
          DueState.LATE_TO_ACCEPT)
LABEL = {DueState.APPOINTMENT_MISSED: "Trễ hẹn lần hai", DueState.OVERDUE: "Quá hạn",
         DueState.APOLOGY_DUE: "Phải gửi phiếu xin lỗi", DueState.DUE_SOON: "Sắp đến hạn",
         DueState.LATE_TO_ACCEPT: "Chậm tiếp nhận trực tuyến"}
SUBJECT = "Hồ sơ quá hạn, sắp đến hạn: "
KEY = {NOTICE: "due-notice", DIGEST: "overdue-digest"}


# --- Python (SQLite; the reference) ----------------------------------------------------------------------

def recipients(changed: list[dict]) -> dict[str, dict[int, dict[str, set]]]:
    """{kind: {user id: {stage: {codes}}}} for the rows newly marked (dicts with code, stage, office_id,
    assignee_id)."""
    office_ids = {r["office_id"] for r in changed}
    offices = {o["id"]: o for o in Office.objects.filter(pk__in=office_ids).values("id", "parent_id")}
    related = office_ids | {o["parent_id"] for o in offices.values() if o["parent_id"]}
    reception, signers = {}, {}
    for u in (User.objects.filter(is_active=True, office_id__in=related,
                                  role__in=[Role.RECEPTION, Role.DIRECTOR, Role.DEPUTY]).values("id", "role", "office_id")):
        (reception if u["role"] == Role.RECEPTION else signers).setdefault(u["office_id"], set()).add(u["id"])
    out = {NOTICE: {}, DIGEST: {}}

    def add(kind, users, r):
        for user_id in users:
            out[kind].setdefault(user_id, {}).setdefault(r["stage"], set()).add(r["code"])

    for r in changed:
        office = offices[r["office_id"]]
        desk = reception.get(office["id"]) or reception.get(office["parent_id"]) or set()
        late = r["stage"] == DueState.LATE_TO_ACCEPT or not r["assignee_id"]
        add(NOTICE, desk if late else {r["assignee_id"]}, r)
        if r["stage"] == DueState.APPOINTMENT_MISSED:  # the citizen let down twice: the leaders at once
            add(NOTICE, signers.get(office["id"]) or signers.get(office["parent_id"]) or set(), r)
        add(DIGEST, signers.get(office["id"], set()) | signers.get(office["parent_id"], set()), r)
    return out


def render(kind: str, run_key: str, by_stage: dict[str, set]) -> dict:
    """Subject, body, payload and dossier code of one message."""
    lists = {s: sorted(by_stage.get(s, ())) for s in STAGES}
    n = {s: len(codes) for s, codes in lists.items()}
    subject = (SUBJECT + f"{n[DueState.OVERDUE]} quá hạn, {n[DueState.DUE_SOON]} sắp đến hạn"
               + "".join(f", {n[s]} {LABEL[s].lower()}" for s in STAGES
                         if s not in (DueState.OVERDUE, DueState.DUE_SOON) and n[s]))
    body = "\n".join(f"{LABEL[s]} ({n[s]}): " + ", ".join(codes[:DIGEST_LIST_LIMIT])
                     + (f" và {n[s] - DIGEST_LIST_LIMIT} hồ sơ khác" if n[s] > DIGEST_LIST_LIMIT else "")
                     for s, codes in lists.items() if codes)
    codes = [c for s in STAGES for c in lists[s]]
    return {"subject": subject, "body": body, "payload": {"run": run_key, **lists},
            "dossier_code": codes[0] if kind == NOTICE and len(codes) == 1 else ""}


def write_notices(changed: list[dict], run_key: str) -> tuple[int, int]:
    """The notices and digests of the rows newly marked, inserted in bulk; (notices, digests) written."""
    if not changed:
        return 0, 0
    by_kind = recipients(changed)
    users = {u["id"]: u["office_id"] for u in User.objects.filter(
        pk__in={u for kind in by_kind.values() for u in kind}).values("id", "office_id")}
    keys = [f"{KEY[kind]}:{run_key}:{user}" for kind, by_user in by_kind.items() for user in by_user]
    known = set(OutboxMessage.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True))
    now, rows, written = timezone.now(), [], {NOTICE: 0, DIGEST: 0}
    for kind, by_user in by_kind.items():
        for user_id, by_stage in sorted(by_user.items()):
            key = f"{KEY[kind]}:{run_key}:{user_id}"
            if key in known:
                continue
            written[kind] += 1
            rows.append({"channel": "officer", "kind": kind, "idempotency_key": key, "recipient_user_id": user_id,
                         "office_id": users.get(user_id), "next_attempt_at": now,
                         **render(kind, run_key, by_stage)})
    bulk_insert_ignore(OutboxMessage, rows)
    return written[NOTICE], written[DIGEST]


# --- SQL (PostgreSQL, inside the scan's statement) ----------------------------------------------------------

def notice_ctes(changed: str) -> tuple[str, dict]:
    """CTEs (to follow others in a WITH) that write the run's notices and digests for the CTE `changed`
    (id, code, office_id, assignee_id, stage), and `sent` (kind) the rows written. Parameters are named
    (`%(n_…)s`); `%(run_key)s` and `%(now)s` come from the caller."""
    labels = ", ".join(f"(%(n_stage{i})s, {i}, %(n_label{i})s, %(n_lower{i})s)" for i in range(len(STAGES)))
    params = {"n_reception": Role.RECEPTION, "n_leaders": [Role.DIRECTOR, Role.DEPUTY],
              "n_notice": NOTICE, "n_digest": DIGEST, "n_notice_key": KEY[NOTICE], "n_digest_key": KEY[DIGEST],
              "n_subject": SUBJECT, "n_limit": DIGEST_LIST_LIMIT, "n_missed": DueState.APPOINTMENT_MISSED,
              "n_late": DueState.LATE_TO_ACCEPT, "n_over": DueState.OVERDUE, "n_soon": DueState.DUE_SOON,
              "n_empty": "{" + ", ".join(f'"{s}": []' for s in STAGES) + "}"}
    for i, s in enumerate(STAGES):
        params |= {f"n_stage{i}": str(s), f"n_label{i}": LABEL[s], f"n_lower{i}": LABEL[s].lower()}
    sql = f"""
    n_labels (stage, rank, label, lower) AS (VALUES {labels}),
    n_office AS (SELECT o.id, o.parent_id FROM core_office o WHERE o.id IN (SELECT office_id FROM {changed})),
    n_staff AS (
        SELECT u.id, u.role = %(n_reception)s AS desk, u.office_id FROM core_user u
        WHERE u.is_active AND (u.role = %(n_reception)s OR u.role = ANY(%(n_leaders)s))
          AND u.office_id IN (SELECT id FROM n_office UNION SELECT parent_id FROM n_office)),
    n_first AS (  -- each office's reception desk and leaders: its own, else its parent's
        SELECT o.id AS office_id, t.desk,
               CASE WHEN EXISTS (SELECT 1 FROM n_staff s WHERE s.office_id = o.id AND s.desk = t.desk)
                    THEN o.id ELSE o.parent_id END AS from_office
        FROM n_office o CROSS JOIN (VALUES (true), (false)) AS t(desk)),
    n_team AS (SELECT f.office_id, f.desk, s.id AS user_id FROM n_first f
               JOIN n_staff s ON s.office_id = f.from_office AND s.desk = f.desk),
    n_to AS (  -- "C": the de-duplicating sort compares bytes, not the database's collation
        SELECT %(n_notice)s::text COLLATE "C" AS kind, c.assignee_id AS user_id, c.stage::text COLLATE "C" AS stage,
               c.code::text COLLATE "C" AS code FROM {changed} c
        WHERE c.assignee_id IS NOT NULL AND c.stage <> %(n_late)s
        UNION
        SELECT %(n_notice)s, t.user_id, c.stage, c.code FROM {changed} c
        JOIN n_team t ON t.office_id = c.office_id AND t.desk
        WHERE c.assignee_id IS NULL OR c.stage = %(n_late)s
        UNION
        SELECT %(n_notice)s, t.user_id, c.stage, c.code FROM {changed} c
        JOIN n_team t ON t.office_id = c.office_id AND NOT t.desk WHERE c.stage = %(n_missed)s
        UNION
        SELECT %(n_digest)s, s.id, c.stage, c.code FROM {changed} c JOIN n_office o ON o.id = c.office_id
        JOIN n_staff s ON NOT s.desk AND s.office_id IN (o.id, o.parent_id)),
    n_group AS (  -- grouped on the narrow keys; the labels joined to the few groups
        SELECT t.kind, t.user_id, t.stage, count(*) AS n, array_agg(t.code ORDER BY t.code) AS codes
        FROM n_to t GROUP BY t.kind, t.user_id, t.stage),
    n_stage AS (SELECT g.*, l.rank, l.label, l.lower FROM n_group g JOIN n_labels l ON l.stage = g.stage),
    n_message AS (
        SELECT kind, user_id,
               %(n_subject)s || coalesce(sum(n) FILTER (WHERE stage = %(n_over)s), 0) || ' quá hạn, '
                   || coalesce(sum(n) FILTER (WHERE stage = %(n_soon)s), 0) || ' sắp đến hạn'
                   || coalesce(string_agg(', ' || n || ' ' || lower, '' ORDER BY rank)
                               FILTER (WHERE stage NOT IN (%(n_over)s, %(n_soon)s)), '') AS subject,
               string_agg(label || ' (' || n || '): ' || array_to_string(codes[1:%(n_limit)s], ', ')
                          || CASE WHEN n > %(n_limit)s THEN ' và ' || (n - %(n_limit)s) || ' hồ sơ khác' ELSE '' END,
                          E'\\n' ORDER BY rank) AS body,
               %(n_empty)s::jsonb || jsonb_build_object('run', %(run_key)s::text)
                   || jsonb_object_agg(stage, to_jsonb(codes)) AS payload,
               CASE WHEN kind = %(n_notice)s AND sum(n) = 1 THEN min(codes[1]) ELSE '' END AS dossier_code
        FROM n_stage GROUP BY kind, user_id),
    sent AS (
        INSERT INTO notifications_outboxmessage (channel, kind, idempotency_key, recipient, recipient_user_id,
            office_id, dossier_code, subject, body, payload, state, attempts, next_attempt_at, not_before,
            last_error, created_at, sent_at, read_at)
        SELECT 'officer', m.kind,
               CASE WHEN m.kind = %(n_notice)s THEN %(n_notice_key)s ELSE %(n_digest_key)s END
                   || ':' || %(run_key)s || ':' || m.user_id,
               '', m.user_id, u.office_id, m.dossier_code, m.subject, m.body, m.payload, 'pending', 0, %(now)s,
               NULL, '', now(), NULL, NULL
        FROM n_message m JOIN core_user u ON u.id = m.user_id
        ORDER BY m.kind, m.user_id
        ON CONFLICT (idempotency_key) DO NOTHING
        RETURNING kind)"""
    return sql, params
