"""The deadline scan on PostgreSQL: ONE statement per run (cases.services.scan).

    WITH cand      -- the open dossiers whose stage is read (see below)
         wanted    -- their stage by precedence (the SQL of cases.deadlines.stage_q, as one CASE), where one holds
         marks     -- the open marks (cases_duemark) of the dossiers read
         diff      -- wanted stage differs from the mark          stale -- a mark no longer wanted
         up        -- INSERT … ON CONFLICT (dossier_id) DO UPDATE … WHERE the stage changed RETURNING
         cleared   -- DELETE of the stale marks of dossiers still open
         closing   -- the stale marks of dossiers that closed: flagged closed, kept
         changed   -- what `up` really wrote, with its code, office and assignee from `diff` (a concurrent run that
                   --   marked a row first wins: its row is not returned)
         n_…, sent -- the notices and digests, grouped by officer (cases.services.scan_notices.notice_ctes)
         consumed  -- the change signals read (DELETE FROM cases_scandirty)     state -- this run's thresholds
    SELECT the codes newly marked by stage, and the counts.

Which dossiers are read:
* a **full** run reads every dossier in a stage: four index range scans (UNION ALL of disjoint branches:
  dossier_open_due, dossier_open_apologise_by, dossier_open_rescheduled, dossier_waiting_submitted), whatever
  the number of dossiers far from their deadline, and every open mark;
* an **incremental** run reads only what can have changed since the last run (`cases.ScanState`): the dossiers
  whose deadline columns changed (a row trigger on `cases_dossier` writes their ids to `cases_scandirty`, a
  table with no index) and the dossiers with a deadline moment between the last run's threshold and this
  run's: a stage is a function of the row and of the thresholds `now`, `horizon` and `cutoff`, each compared
  with one column; with the row unchanged, a comparison can only turn when its threshold passed its column's
  value. The thresholds only move forward with time; where one moved back (a test's clock, a changed setting or
  calendar), where there is no state, or a day after the last full run (FULL_EVERY, a safety net for writes
  made with triggers off), the run is full.
The signals are consumed in the same statement (one snapshot) that reads the dossiers: a change committed
after it is read by the next run.

The stage CASE and the branches are checked against `stage_q` by the tests (the ORM path of the scan writes the
same marks and notices on SQLite and here; tests/cases/test_scan_incremental.py holds an incremental run equal
to the stages of every dossier over random histories).
"""
from __future__ import annotations

from datetime import timedelta

from django.db import connection

from ..deadlines import (APOLOGY_DUE_SQL, CROSSED_SQL, LATE_TO_ACCEPT_SQL, MISSED_SQL, OVERDUE_SQL, RUNNING_SQL,
                         WARNED_SQL, Moments)
from ..models import CLOCK_RUNNING, OPEN_STATUSES, DueState, Status
from .scan_notices import NOTICE, notice_ctes

assert tuple(CLOCK_RUNNING) == (Status.RECEIVED, Status.PROCESSING)
assert RUNNING_SQL.endswith("('received', 'processing')")
_OPEN = "(" + ", ".join(f"'{s}'" for s in OPEN_STATUSES) + ")"
FULL_EVERY = timedelta(hours=24)  # an incremental run a day after the last full one is full
DIRTY = "cases_scandirty"
# The columns a stage reads (cases.deadlines): an UPDATE that changes none of them signals nothing.
STAGE_COLUMNS = ("status", "reschedule_count", "appointment_at", "legal_due_at", "apologise_by", "submitted_at")
# What the stage needs, and what a notice names (code, office, assignee): read once, from the heap pages the
# candidates' index scans visit anyway; a join back to cases_dossier for the changed rows was planned as a hash of
# the whole table (565 ms of 854 at 1,000,000 dossiers).
_COLUMNS = ("d.id, d.code, d.office_id, d.assignee_id, d.status, d.reschedule_count, d.appointment_at, "
            "d.legal_due_at, d.apologise_by, d.submitted_at")

_STAGE = f"""CASE WHEN {MISSED_SQL} THEN '{DueState.APPOINTMENT_MISSED}'
                WHEN {OVERDUE_SQL} THEN '{DueState.OVERDUE}'
                WHEN {APOLOGY_DUE_SQL} THEN '{DueState.APOLOGY_DUE}'
                WHEN {WARNED_SQL} THEN '{DueState.DUE_SOON}'
                WHEN {LATE_TO_ACCEPT_SQL} THEN '{DueState.LATE_TO_ACCEPT}' END"""

# A full run: every dossier in a stage, every open mark.
_FULL = f"""
cand AS (
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {OVERDUE_SQL}
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {WARNED_SQL}
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {MISSED_SQL}
        AND NOT coalesce({OVERDUE_SQL}, false) AND NOT coalesce({WARNED_SQL}, false)
    UNION ALL
    SELECT {_COLUMNS} FROM cases_dossier d WHERE {LATE_TO_ACCEPT_SQL}),
marks AS MATERIALIZED (SELECT dossier_id, stage FROM cases_duemark WHERE NOT closed),"""

_crossed = "\n    UNION\n    ".join(f"SELECT {_COLUMNS} FROM cases_dossier d WHERE {window}" for window in CROSSED_SQL)
# An incremental run: the dossiers signalled changed, and those a threshold crossed since the last run (the
# previous thresholds are %(now0)s, %(horizon0)s, %(cutoff0)s); with the marks of those dossiers only.
_SINCE = f"""
cand AS MATERIALIZED (
    SELECT {_COLUMNS} FROM cases_dossier d WHERE d.id IN (SELECT dossier_id FROM consumed)
    UNION
    {_crossed}),
marks AS MATERIALIZED (
    SELECT k.dossier_id, k.stage FROM cases_duemark k WHERE NOT k.closed AND k.dossier_id IN (SELECT id FROM cand)),"""

MARK_SQL = f"""
WITH consumed AS (DELETE FROM {DIRTY} RETURNING dossier_id),
{{read}}
wanted AS (
    SELECT * FROM (SELECT d.id, d.code, d.office_id, d.assignee_id, {_STAGE} AS stage FROM cand d) s
    WHERE stage IS NOT NULL),
diff AS (  -- a hash anti join: no sort of the 30,000 wanted rows
    SELECT w.* FROM wanted w WHERE NOT EXISTS (SELECT 1 FROM marks k WHERE k.dossier_id = w.id AND k.stage = w.stage)),
stale AS (  -- the status of a marked dossier: from its row (a full run), or from the rows read (incremental)
    SELECT k.dossier_id, k.stage, coalesce(d.status IN {_OPEN}, false) AS open FROM marks k
    LEFT JOIN {{status_from}} d ON d.id = k.dossier_id
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
state AS (
    INSERT INTO cases_scanstate AS t (id, now_at, horizon, cutoff, full_at)
    VALUES (1, %(now)s, %(horizon)s, %(cutoff)s, %(full_at)s)
    ON CONFLICT (id) DO UPDATE SET now_at = EXCLUDED.now_at, horizon = EXCLUDED.horizon,
        cutoff = EXCLUDED.cutoff, full_at = EXCLUDED.full_at),
{{notices}}
SELECT 'mark', stage, array_agg(code ORDER BY code COLLATE "C") FROM changed GROUP BY stage
UNION ALL SELECT 'cleared', NULL, ARRAY[(SELECT count(*) FROM cleared)::text]
UNION ALL SELECT 'closed', NULL, ARRAY[(SELECT count(*) FROM closing)::text]
UNION ALL SELECT 'sent', kind, ARRAY[count(*)::text] FROM sent GROUP BY kind
"""


def statement(moments: Moments, run_key: str, since: Moments | None = None, full_at=None) -> tuple[str, dict]:
    """The run's statement and parameters: incremental from the thresholds `since` when given, else full."""
    notices, params = notice_ctes("changed")
    sql = (MARK_SQL.replace("{read}", (_SINCE if since else _FULL).strip() + "\n")
           .replace("{status_from}", "cand" if since else "cases_dossier").replace("{notices}", notices.strip() + "\n"))
    params = {**params, "now": moments.now, "horizon": moments.horizon, "cutoff": moments.cutoff,
              "run_key": run_key, "full_at": moments.now if since is None else full_at}
    if since:
        params.update(now0=since.now, horizon0=since.horizon, cutoff0=since.cutoff)
    return sql, params


def last_run(cursor, moments: Moments) -> tuple[Moments | None, object]:
    """(the last run's thresholds when this run can be incremental, else None; when the last full run was)."""
    cursor.execute("SELECT now_at, horizon, cutoff, full_at FROM cases_scanstate WHERE id = 1")
    row = cursor.fetchone()
    if row is None:
        return None, None
    since, full_at = Moments(now=row[0], horizon=row[1], cutoff=row[2]), row[3]
    forward = since.now <= moments.now and since.horizon <= moments.horizon and since.cutoff <= moments.cutoff
    return (since if forward and moments.now - full_at < FULL_EVERY else None), full_at


def forget(using=None) -> None:
    """The next run is full: after writes made with the triggers off (a bulk load), or by the ORM path."""
    from django.db import connections

    with connections[using or "default"].cursor() as cursor:
        cursor.execute("DELETE FROM cases_scanstate")


def mark_and_notify(moments: Moments, run_key: str) -> dict:
    """Run the statement. Returns {"marked": {stage: [codes]}, "cleared",
    "closed", "notices", "digests", "incremental"}."""
    out = {"marked": {}, "cleared": 0, "closed": 0, "notices": 0, "digests": 0}
    with connection.cursor() as cursor:
        since, full_at = last_run(cursor, moments)
        sql, params = statement(moments, run_key, since, full_at)
        out["incremental"] = since is not None
        cursor.execute(sql, params)
        for tag, key, values in cursor.fetchall():
            if tag == "mark":
                out["marked"][key] = list(values)
            elif tag == "sent":
                out["notices" if key == NOTICE else "digests"] = int(values[0])
            else:
                out[tag] = int(values[0])
    return out


# The change signal: a row trigger on cases_dossier writes the id of every dossier inserted, or updated in a
# column a stage reads, to cases_scandirty (no index, no key: one heap row). BEFORE, so that a bulk update
# queues no after-trigger events.
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in STAGE_COLUMNS)
INSTALL_SQL = [
    f"CREATE TABLE IF NOT EXISTS {DIRTY} (dossier_id bigint NOT NULL)",
    f"""CREATE OR REPLACE FUNCTION cases_scan_signal() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN INSERT INTO {DIRTY} (dossier_id) VALUES (NEW.id); RETURN NEW; END $$""",
    "DROP TRIGGER IF EXISTS cases_scan_signal_ins ON cases_dossier",
    "DROP TRIGGER IF EXISTS cases_scan_signal_upd ON cases_dossier",
    "CREATE TRIGGER cases_scan_signal_ins BEFORE INSERT ON cases_dossier FOR EACH ROW "
    "EXECUTE FUNCTION cases_scan_signal()",
    f"CREATE TRIGGER cases_scan_signal_upd BEFORE UPDATE OF {', '.join(STAGE_COLUMNS)} ON cases_dossier "
    f"FOR EACH ROW WHEN ({_CHANGED}) EXECUTE FUNCTION cases_scan_signal()",
]
UNINSTALL_SQL = [
    "DROP TRIGGER IF EXISTS cases_scan_signal_ins ON cases_dossier",
    "DROP TRIGGER IF EXISTS cases_scan_signal_upd ON cases_dossier",
    "DROP FUNCTION IF EXISTS cases_scan_signal()",
    f"DROP TABLE IF EXISTS {DIRTY}",
]
