"""Benchmark: the deadline scan (cases.services.scan.scan_overdue) over a million open dossiers in PostgreSQL,
side by side with django-helpdesk 2.6.1's overdue job (`/work/shared/perf/helpdesk_peer.sh`, same server).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench_scan python -m bench.bench_scan \
        [--dossiers 1000000] [--crossing 0.01] [--runs 5] [--peer/--no-peer] [--peer-tickets 5000] [--keep]
    python -m bench scan                       # the same in a throw-away database bhxh_bench_scan

Use a throw-away database: it is migrated, then filled with `--dossiers` open dossiers (INSERT … SELECT over
generate_series) whose codes start with BENCH-. `--crossing` of them crossed a threshold since the last run, an
hour before the scan moment (half newly overdue, half newly due soon: 5,000 + 5,000 at the defaults), 2% were
marked overdue by an earlier scan (their marks in cases_duemark), the rest are due later. Each timed run starts
from that state (the new marks and the notices of the previous run removed, not timed); each figure is the
median of `--runs`:
- the **incremental** run, as the periodic scan runs every few minutes: the last run stood an hour before;
- the **full** run, as after a deploy, a bulk load or once a day: no last run, every dossier in a stage read;
- the **idle** run: a minute later, nothing changed.
Then `EXPLAIN (ANALYZE, BUFFERS)` of both marking statements, and the peer with the same CaptureQueriesContext
timing. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import time as clock
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bench.common import bulk_load, load_reference_data, setup_postgres_django

PREFIX = "BENCH-"
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
BEFORE = NOW - timedelta(hours=1)  # where the last run stood
PEER = os.environ.get("HELPDESK_PEER", "/work/shared/perf/helpdesk_peer.sh")


def _fill(cursor, n: int, crossing: float, office_id: int, procedure_id: int, assignee_id: int) -> None:
    """n open dossiers in one INSERT … SELECT generate_series. Row g (1-based), k = g % 10000:
    k < crossing*5000                  → overdue at NOW, not at BEFORE (due 1–59 minutes ago), not marked yet;
    next crossing*5000                 → due soon at NOW, not at BEFORE (apologise-by in the hour before NOW's
                                         warning horizon, due a day later);
    next 200 of each 10000 (2%)        → overdue and already marked by an earlier scan;
    the rest                           → due 3–30 days later. Half of them assigned to one officer."""
    from cases.deadlines import Moments

    half = max(int(crossing * 5000), 0)
    cursor.execute(
        """
        INSERT INTO cases_dossier (
            code, office_id, procedure_id, status, channel, source, applicant_name, applicant_kind,
            applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
            submitted_at, received_at, clock_started_at, legal_due_at, appointment_at, apologise_by,
            outcome, result_summary, returned_to, assignee_id, supplement_count, reschedule_count,
            trip_count, created_at, updated_at)
        SELECT %(prefix)s || g, %(office)s, %(procedure)s,
               CASE WHEN g %% 3 = 0 THEN 'received' ELSE 'processing' END,
               'direct', 'desk', 'Nguyễn Văn ' || g, 'citizen', lpad((g %% 1000000000)::text, 12, '0'), '', '', '', '',
               due - interval '10 days', due - interval '10 days', due - interval '10 days', due, due,
               due - interval '1 day',
               '', '', '', CASE WHEN g %% 2 = 0 THEN %(assignee)s END, 0, 0, 0, now(), now()
        FROM (
            SELECT g, k,
                   CASE WHEN k < %(half)s THEN %(now)s - (1 + k %% 59) * interval '1 minute'
                        WHEN k < 2 * %(half)s THEN %(horizon)s - (k %% 59) * interval '1 minute' + interval '1 day'
                        WHEN k < 2 * %(half)s + 200 THEN %(now)s - (2 + k %% 5) * interval '1 day'
                        ELSE %(now)s + (3 + g %% 28) * interval '1 day' END AS due
            FROM (SELECT g, g %% 10000 AS k FROM generate_series(1, %(n)s) AS g) AS s
        ) AS t
        """,
        {"prefix": PREFIX, "office": office_id, "procedure": procedure_id, "assignee": assignee_id, "half": half,
         "now": NOW, "horizon": Moments.at(NOW).horizon, "n": n},
    )
    cursor.execute(
        "INSERT INTO cases_duemark (dossier_id, stage, since, closed) SELECT id, 'overdue', %s - interval '1 day', false "
        "FROM cases_dossier WHERE code LIKE %s AND (substring(code from %s)::int %% 10000) >= %s "
        "AND (substring(code from %s)::int %% 10000) < %s",
        [NOW, PREFIX + "%", len(PREFIX) + 1, 2 * half, len(PREFIX) + 1, 2 * half + 200])


def _reset(cursor, incremental: bool) -> None:
    """Back to the state _fill leaves (not timed): the marks a run wrote and the notices go; the last run stood at
    BEFORE (incremental), or there was none (full)."""
    from cases.deadlines import Moments
    from cases.services import scan_sql

    cursor.execute("DELETE FROM cases_duemark WHERE since >= %s", [NOW])
    cursor.execute("DELETE FROM notifications_outboxmessage")
    scan_sql.forget()
    if incremental:
        last = Moments.at(BEFORE)
        cursor.execute("INSERT INTO cases_scanstate (id, now_at, horizon, cutoff, full_at) VALUES (1, %s, %s, %s, %s)",
                       [last.now, last.horizon, last.cutoff, last.now])
    cursor.execute("VACUUM ANALYZE cases_duemark")
    cursor.execute("VACUUM ANALYZE notifications_outboxmessage")


def _timed(run_key: str, now: datetime = NOW):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.services.scan import scan_overdue

    with CaptureQueriesContext(connection) as ctx:
        started = clock.perf_counter()
        result = scan_overdue(now=now, run_key=run_key)
        elapsed = clock.perf_counter() - started
    return elapsed, ctx.captured_queries, result


def _explain(cursor, incremental: bool) -> list[str]:
    """EXPLAIN (ANALYZE, BUFFERS) of the marking statement, in a transaction rolled back."""
    from django.db import transaction

    from cases.deadlines import Moments
    from cases.services import scan_sql

    since = Moments.at(BEFORE) if incremental else None
    sql, params = scan_sql.statement(Moments.at(NOW), "bench-explain", since, BEFORE)
    lines = []
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL work_mem = '64MB'")  # as cases.services.scan runs it
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [r[0] for r in cursor.fetchall()]
            raise _Rollback
    except _Rollback:
        pass
    return lines


def _series(label: str, runs: int, incremental: bool) -> tuple[float, list, object]:
    """`runs` timed runs from the same state; prints each and the median; returns (median, statements, result)."""
    from django.db import connection

    timed = []
    for i in range(runs):
        with connection.cursor() as cursor:
            _reset(cursor, incremental)
        elapsed, queries, result = _timed(f"bench-{label}-{i}")
        assert result.incremental is incremental, result.as_dict()
        timed.append((elapsed, queries, result))
        print(f"  {label} run {i + 1}: {elapsed * 1000:7.1f} ms, {len(queries)} statements, {len(result.overdue):,} "
              f"newly overdue, {len(result.due_soon):,} newly due soon, {result.notifications} notices, "
              f"{result.digests} digests")
    median = statistics.median(r[0] for r in timed)
    elapsed, queries, result = sorted(timed, key=lambda r: r[0])[len(timed) // 2]
    marked = sum(len(getattr(result, stage)) for stage in
                 ("overdue", "due_soon", "apology_due", "appointment_missed", "late_to_accept"))
    print(f"{label} scan: median {median * 1000:.1f} ms of {runs} (min {min(r[0] for r in timed) * 1000:.1f}, "
          f"max {max(r[0] for r in timed) * 1000:.1f}), {len(queries)} statements, {marked:,} dossiers marked "
          f"({median / max(marked, 1) * 1000:.4f} ms each), {result.cleared} cleared")
    for q in queries:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {' '.join(q['sql'].split())[:110]}")
    return median, queries, marked


class _Rollback(Exception):
    pass


def _peer(tickets: int) -> dict | None:
    env = {**os.environ, "PEER_DATABASE_URL": os.environ.get(
        "PEER_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/peer_helpdesk_scan")}
    env.pop("DATABASE_URL", None)
    try:
        out = subprocess.run([PEER, str(tickets)], env=env, capture_output=True, text=True, timeout=1800)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"peer: not run ({exc})")
        return None
    for line in reversed(out.stdout.splitlines()):
        if line.startswith("{"):
            return json.loads(line)
    print("peer: no figure\n" + (out.stdout + out.stderr)[-2000:])
    return None


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=float, default=0.01, help="share crossing a threshold at the scan")
    parser.add_argument("--runs", type=int, default=5, help="timed runs (the median is reported)")
    parser.add_argument("--peer", action=argparse.BooleanOptionalAction, default=True,
                        help="also run django-helpdesk's escalate_tickets (helpdesk_peer.sh) on the same server")
    parser.add_argument("--peer-tickets", type=int, default=5000)
    parser.add_argument("--keep", action="store_true", help="leave the bench rows in the database")
    args = parser.parse_args(argv)
    setup_postgres_django("bench_scan")

    from django.db import connection

    from cases.models import Dossier, Procedure
    from core.models import Role, User

    office = load_reference_data()
    procedure = Procedure.objects.get(code="1.009003")
    officer, _ = User.objects.get_or_create(username="bench.processor",
                                            defaults={"role": Role.PROCESSOR, "office": office})
    User.objects.get_or_create(username="bench.director", defaults={"role": Role.DIRECTOR, "office": office})
    User.objects.get_or_create(username="bench.reception", defaults={"role": Role.RECEPTION, "office": office})

    with connection.cursor() as cursor, bulk_load(cursor):
        started = clock.perf_counter()
        cursor.execute("DELETE FROM cases_duemark")
        cursor.execute("DELETE FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])
        _fill(cursor, args.dossiers, args.crossing, office.pk, procedure.pk, officer.pk)
        # A live table is vacuumed by autovacuum; do it now so the first scan does not pay for hint bits.
        cursor.execute("VACUUM ANALYZE cases_dossier")
        filled = clock.perf_counter() - started
    total = Dossier.objects.filter(code__startswith=PREFIX).count()
    print(f"dossiers: {total:,} open (PostgreSQL {connection.pg_version // 10000}), ready in {filled:.1f} s")

    # --- the scan: median of --runs, each from the same state -------------------------------------------
    median, queries, marked = _series("incremental", args.runs, incremental=True)
    full, _, _ = _series("full", args.runs, incremental=False)

    idle = []
    for i in range(args.runs):  # a minute apart after the last full run, nothing crossing in between
        elapsed_idle, idle_queries, again = _timed(f"bench-idle-{i}", NOW + timedelta(minutes=i + 1))
        assert again.incremental
        idle.append(elapsed_idle)
    print(f"idle run (nothing changed): median {statistics.median(idle) * 1000:.1f} ms, {len(idle_queries)} "
          f"statements, {len(again.overdue) + len(again.due_soon)} changes, {again.notifications} notices")
    for q in idle_queries:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {' '.join(q['sql'].split())[:110]}")

    for incremental in (True, False):
        with connection.cursor() as cursor:
            _reset(cursor, incremental)
            plan = _explain(cursor, incremental)
        print(f"\nEXPLAIN (ANALYZE, BUFFERS) of the {'incremental' if incremental else 'full'} marking statement "
              f"({marked:,} to mark):")
        print("\n".join("  " + line for line in plan))

    # --- the peer -------------------------------------------------------------------------------------------
    if args.peer:
        print(f"\npeer: django-helpdesk escalate_tickets, {args.peer_tickets:,} overdue tickets (same server) …",
              flush=True)
        peer = _peer(args.peer_tickets)
        if peer:
            per_ticket = peer["seconds"] / max(peer["escalated"], 1)
            ours = median / max(marked, 1)
            print(f"peer: {json.dumps(peer)}")
            print(f"side by side: ours {median * 1000:.1f} ms incremental ({full * 1000:.1f} ms full) for "
                  f"{marked:,} dossiers marked among {total:,} open, "
                  f"{len(queries)} statements; peer {peer['seconds']:.1f} s for {peer['escalated']:,} tickets, "
                  f"{peer['queries']:,} queries")
            print(f"ratio (peer's whole run / ours): {peer['seconds'] / median:,.0f}× incremental, "
                  f"{peer['seconds'] / full:,.0f}× full; per marked item: "
                  f"{per_ticket / ours:,.0f}× ({per_ticket * 1000:.1f} ms against {ours * 1000:.4f} ms)")

    if not args.keep:
        with connection.cursor() as cursor, bulk_load(cursor):  # a million rows out: no tally row by row
            cursor.execute("DELETE FROM cases_duemark")
            cursor.execute("DELETE FROM notifications_outboxmessage")
            cursor.execute("DELETE FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])


if __name__ == "__main__":
    main()
