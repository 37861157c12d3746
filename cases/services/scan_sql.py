"""The deadline scan on PostgreSQL: ONE statement per run (cases.services.scan).

    WITH cand      -- the open dossiers near or past a deadline, four index range scans (UNION ALL of disjoint
                   --   branches: dossier_open_due, dossier_open_apologise_by, dossier_open_rescheduled,
                   --   dossier_waiting_submitted), whatever the number of dossiers far from their deadline
         wanted    -- their stage by precedence (the SQL of cases.deadlines.stage_q, as one CASE)
         marks     -- the open marks (cases_duemark)
         diff      -- wanted stage differs from the mark          stale -- a mark no longer wanted
         up        -- INSERT … ON CONFLICT (dossier_id) DO UPDATE … WHERE the stage changed RETURNING
         cleared   -- DELETE of the stale marks of dossiers still open
         closing   -- the stale marks of dossiers that closed: flagged closed, kept
         changed   -- what `up` really wrote, with its code, office and assignee from `diff` (a concurrent run that
                   --   marked a row first wins: its row is not returned)
         n_…, sent -- the notices and digests, grouped by officer (cases.services.scan_notices.notice_ctes)
    SELECT the codes newly marked by stage, and the counts.

The stage CASE and the branches are checked against `stage_q` by the tests (the ORM path of the scan writes the
same marks and notices on SQLite and here).
"""
from __future__ import annotations

from django.db import connection

from ..deadlines import (APOLOGY_DUE_SQL, LATE_TO_ACCEPT_SQL, MISSED_SQL, OVERDUE_SQL, RUNNING_SQL,
                         WARNED_SQL, Moments)
from ..models import CLOCK_RUNNING, OPEN_STATUSES, DueState, Status
from .scan_notices import NOTICE, notice_ctes

assert tuple(CLOCK_RUNNING) == (Status.RECEIVED, Status.PROCESSING)
assert RUNNING_SQL.endswith("('received', 'processing')")
_OPEN = "(" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
# What the stage needs, and what a notice names (code, office, assignee): read once, from the heap pages the
# candidates' index scans visit anyway; a join back to cases_dossier for the changed rows was planned as a hash of
# the whole table (565 ms of 854 at 1,000,000 dossiers).
_COLUMNS = ("d.id, d.code, d.office_id, d.assignee_id, d.status, d.reschedule_count, d.appointment_at, "
            "d.legal_due_at, d.apologise_by, d.submitted_at")

MARK_SQL = f"""
WITH cand AS (
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {OVERDUE_SQL}
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {WARNED_SQL}
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {MISSED_SQL}
        AND NOT coalesce({OVERDUE_SQL}, false) AND NOT coalesce({WARNED_SQL}, false)
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {LATE_TO_ACCEPT_SQL}),
wanted AS (
    SELECT d.id, d.code, d.office_id, d.assignee_id,
           CASE WHEN {MISSED_SQL} THEN '{DueState.APPOINTMENT_MISSED}'
                WHEN {OVERDUE_SQL} THEN '{DueState.OVERDUE}'
                WHEN {APOLOGY_DUE_SQL} THEN '{DueState.APOLOGY_DUE}'
                WHEN {WARNED_SQL} THEN '{DueState.DUE_SOON}'
                ELSE '{DueState.LATE_TO_ACCEPT}' END AS stage
    FROM cand d),
marks AS MATERIALIZED (SELECT dossier_id, stage FROM cases_duemark WHERE NOT closed),
diff AS (  -- a hash anti join: no sort of the 30,000 wanted rows
    SELECT w.* FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM marks k WHERE k.dossier_id = w.id AND k.stage = w.stage)),
stale AS (
    SELECT k.dossier_id, k.stage, coalesce(d.status IN {_OPEN}, false) AS open FROM marks k
    LEFT JOIN cases_dossier d ON d.id = k.dossier_id
    WHERE NOT EXISTS (SELECT 1 FROM wanted w WHERE w.id = k.dossier_id)),
up AS (
    INSERT INTO cases_duemark AS m (dossier_id, stage, since, closed)
    SELECT id, stage, %(now)s, false FROM diff ORDER BY id
    ON CONFLICT (dossier_id) DO UPDATE SET stage = EXCLUDED.stage, since = EXCLUDED.since, closed = false
    WHERE m.stage <> EXCLUDED.stage OR m.closed
    RETURNING m.dossier_id, m.stage),
cleared AS (
    DELETE FROM cases_duemark m USING stale s
    WHERE m.dossier_id = s.dossier_id AND s.open AND m.stage = s.stage AND NOT m.closed RETURNING 1),
closing AS (
    UPDATE cases_duemark m SET closed = true FROM stale s
    WHERE m.dossier_id = s.dossier_id AND NOT s.open AND NOT m.closed RETURNING 1),
changed AS MATERIALIZED (
    SELECT w.id, w.code::text COLLATE "C" AS code, w.office_id, w.assignee_id, u.stage::text COLLATE "C" AS stage
    FROM up u JOIN diff w ON w.id = u.dossier_id),  -- "C": the sorts below compare bytes (a code is ASCII)
{{notices}}
SELECT 'mark', stage, array_agg(code ORDER BY code COLLATE "C") FROM changed GROUP BY stage
UNION ALL SELECT 'cleared', NULL, ARRAY[(SELECT count(*) FROM cleared)::text]
UNION ALL SELECT 'closed', NULL, ARRAY[(SELECT count(*) FROM closing)::text]
UNION ALL SELECT 'sent', kind, ARRAY[count(*)::text] FROM sent GROUP BY kind
"""


def statement(moments: Moments, run_key: str) -> tuple[str, dict]:
    notices, params = notice_ctes("changed")
    return (MARK_SQL.replace("{notices}", notices.strip() + "\n"),
            {**params, "now": moments.now, "horizon": moments.horizon, "cutoff": moments.cutoff, "run_key": run_key})


def mark_and_notify(moments: Moments, run_key: str) -> dict:
    """Run the statement. Returns {"marked": {stage: [codes]}, "cleared",
    "closed", "notices", "digests"}."""
    sql, params = statement(moments, run_key)
    out = {"marked": {}, "cleared": 0, "closed": 0, "notices": 0, "digests": 0}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for tag, key, values in cursor.fetchall():
            if tag == "mark":
                out["marked"][key] = list(values)
            elif tag == "sent":
                out["notices" if key == NOTICE else "digests"] = int(values[0])
            else:
                out[tag] = int(values[0])
    return out

