"""Benchmark: the deadline scan (cases.services.scan.scan_overdue) over a million open dossiers in PostgreSQL,
against the obvious per-row loop (load each open dossier, decide in Python, save the changed ones, queue their
notification one by one) run on a subset and extrapolated.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_scan_bench python -m bench.bench_scan \
        [--dossiers 1000000] [--crossing 0.01] [--subset 50000] [--keep]

Use a throw-away database: it is migrated, then filled with `--dossiers` rows (INSERT … SELECT over
generate_series, a few seconds) whose codes start with BENCH-; they are removed at the end unless --keep.
About `--crossing` of them cross a threshold at the scan moment (half overdue, half due soon), 2% were already
marked overdue by an earlier scan, the rest are due later. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import time as clock
from datetime import datetime
from zoneinfo import ZoneInfo

from bench.common import load_reference_data, setup_postgres_django

PREFIX = "BENCH-"
NOW = datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _cleanup(cursor) -> None:
    cursor.execute("DELETE FROM notifications_outboxmessage WHERE dossier_code LIKE %s OR idempotency_key LIKE %s",
                   [PREFIX + "%", "overdue-digest:bench-%"])
    cursor.execute("DELETE FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])


def _fill(cursor, n: int, crossing: float, office_id: int, procedure_id: int, assignee_id: int) -> None:
    """n open dossiers in one INSERT … SELECT generate_series. Row g (1-based):
    g % 10000 < crossing*5000          → overdue at NOW (due 1–3 days ago), not marked yet;
    next crossing*5000 of each 10000  → due soon at NOW (apologise-by passed, due in 1–20 hours);
    next 200 of each 10000 (2%)       → overdue and already marked by an earlier scan;
    the rest                           → due 2–30 days later."""
    half = max(int(crossing * 5000), 0)
    cursor.execute(
        """
        INSERT INTO cases_dossier (
            code, office_id, procedure_id, status, channel, source, applicant_name, applicant_kind,
            applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
            submitted_at, received_at, clock_started_at, legal_due_at, appointment_at, apologise_by,
            outcome, result_summary, returned_to, due_state, assignee_id, supplement_count, reschedule_count,
            trip_count, created_at, updated_at)
        SELECT %(prefix)s || g, %(office)s, %(procedure)s,
               CASE WHEN g %% 3 = 0 THEN 'received' WHEN g %% 3 = 1 THEN 'processing' ELSE 'processing' END,
               'direct', 'desk', 'Nguyễn Văn ' || g, 'citizen', lpad((g %% 1000000000)::text, 12, '0'), '', '', '', '',
               due - interval '10 days', due - interval '10 days', due - interval '10 days', due, due,
               due - interval '1 day', '', '', '',
               CASE WHEN k >= 2 * %(half)s AND k < 2 * %(half)s + 200 THEN 'overdue' ELSE '' END,
               CASE WHEN g %% 2 = 0 THEN %(assignee)s END, 0, 0, 0, now(), now()
        FROM (
            SELECT g, k,
                   CASE WHEN k < %(half)s THEN %(now)s - (1 + k %% 3) * interval '1 day'
                        WHEN k < 2 * %(half)s THEN %(now)s + (1 + k %% 20) * interval '1 hour'
                        WHEN k < 2 * %(half)s + 200 THEN %(now)s - (2 + k %% 5) * interval '1 day'
                        ELSE %(now)s + (2 + g %% 29) * interval '1 day' END AS due
            FROM (SELECT g, g %% 10000 AS k FROM generate_series(1, %(n)s) AS g) AS s
        ) AS t
        """,
        {"prefix": PREFIX, "office": office_id, "procedure": procedure_id, "assignee": assignee_id, "half": half,
         "now": NOW, "n": n},
    )


def _reset(cursor, crossing: float) -> None:
    """Back to the state _fill leaves: unmark the rows a previous run marked, drop the notifications."""
    half = max(int(crossing * 5000), 0)
    cursor.execute(
        "UPDATE cases_dossier SET due_state = '' WHERE code LIKE %s AND due_state <> '' "
        "AND (substring(code from %s)::int %% 10000) < %s", [PREFIX + "%", len(PREFIX) + 1, 2 * half])
    cursor.execute("DELETE FROM notifications_outboxmessage WHERE dossier_code LIKE %s OR idempotency_key LIKE %s "
                   "OR idempotency_key LIKE %s", [PREFIX + "%", "overdue-digest:bench-%", "perrow:%"])


def _explain(cursor, now) -> list[str]:
    from django.db import connection

    from cases.deadlines import Moments, stage_q, staged_q
    from cases.models import Dossier, DueState

    lines = []
    from cases.services.scan import OPEN, STAGES

    moments = Moments.at(now)
    clear = Dossier.objects.filter(status__in=OPEN).exclude(due_state=DueState.NONE).exclude(staged_q(moments))
    for state, qs in [*((s, Dossier.objects.filter(stage_q(s, moments)).exclude(due_state=s)) for s in STAGES),
                      ("clear", clear)]:
        where, params = qs.query.get_compiler(connection=connection).compile(qs.query.where)
        cursor.execute(f"EXPLAIN UPDATE cases_dossier SET due_state = '' WHERE {where}", params)
        lines.append(f"  {state}: " + " / ".join(r[0].strip() for r in cursor.fetchall()[1:3]))
    return lines


def per_row_scan(now, subset_ids) -> tuple[int, int]:
    """The obvious loop: every open dossier in turn, decide its state in Python, save the changed ones and queue
    their notification one by one. Returns (rows looked at, rows changed)."""
    from django.db import transaction

    from cases.deadlines import Moments, due_stage
    from cases.models import Dossier
    from notifications.services import outbox_enqueue

    seen = changed = 0
    moments = Moments.at(now)
    with transaction.atomic():
        for d in (Dossier.objects.filter(pk__in=subset_ids).select_related("office")
                  .order_by("pk").iterator(chunk_size=2000)):
            seen += 1
            state = due_stage(d, moments)
            if state != d.due_state:
                d.due_state = state
                d.save(update_fields=["due_state"])
                changed += 1
                if state:
                    outbox_enqueue(channel="officer", kind=f"dossier.{state}",
                                   idempotency_key=f"perrow:{d.pk}:{state}", recipient=f"user:{d.assignee_id}",
                                   office=d.office, dossier_code=d.code, subject=d.code)
    return seen, changed


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument("--crossing", type=float, default=0.01, help="share crossing a threshold at the scan")
    parser.add_argument("--subset", type=int, default=50_000, help="rows for the per-row comparison")
    parser.add_argument("--keep", action="store_true", help="leave the bench rows in the database")
    parser.add_argument("--reuse", action="store_true",
                        help="reuse the rows a --keep run left (reset their marks) instead of inserting them again")
    parser.add_argument("--marked-index", action="store_true",
                        help="also try the partial index on marked rows proposed for cases.Dossier (created here, "
                             "dropped at the end)")
    args = parser.parse_args(argv)
    setup_postgres_django("bench_scan")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases.models import Dossier, DueState, Procedure
    from cases.services import scan as _overdue_module
    from core.models import Role, User
    from notifications.models import OutboxMessage

    office = load_reference_data()
    procedure = Procedure.objects.get(code="1.009003")
    officer, _ = User.objects.get_or_create(username="bench.processor",
                                            defaults={"role": Role.PROCESSOR, "office": office})
    User.objects.get_or_create(username="bench.director", defaults={"role": Role.DIRECTOR, "office": office})
    User.objects.get_or_create(username="bench.reception", defaults={"role": Role.RECEPTION, "office": office})

    with connection.cursor() as cursor:
        started = clock.perf_counter()
        if args.reuse and Dossier.objects.filter(code__startswith=PREFIX).exists():
            _reset(cursor, args.crossing)
        else:
            _cleanup(cursor)
            _fill(cursor, args.dossiers, args.crossing, office.pk, procedure.pk, officer.pk)
        # A live table is vacuumed by autovacuum; do it now so the first scan does not pay for hint bits.
        cursor.execute("VACUUM ANALYZE cases_dossier")
        cursor.execute("DROP INDEX IF EXISTS bench_dossier_marked")
        if args.marked_index:
            cursor.execute("CREATE INDEX bench_dossier_marked ON cases_dossier (due_state) WHERE NOT (due_state = '')")
        filled = clock.perf_counter() - started
        plan = _explain(cursor, NOW)
    total = Dossier.objects.filter(code__startswith=PREFIX).count()
    print(f"dossiers: {total:,} open (PostgreSQL {connection.pg_version // 10000}), ready in {filled:.1f} s"
          + (" (with the proposed partial index on marked rows)" if args.marked_index else ""))
    print("plans:", *plan, sep="\n")

    # --- the set-based scan -------------------------------------------------------------------------------
    with CaptureQueriesContext(connection) as ctx:
        started = clock.perf_counter()
        result = _overdue_module.scan_overdue(now=NOW, run_key="bench-1")
        elapsed = clock.perf_counter() - started
    marks = [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE")]
    print(f"\nset-based scan: {elapsed:.3f} s, {len(ctx.captured_queries)} queries "
          f"({len(marks)} UPDATE), {len(result.overdue):,} newly overdue, {len(result.due_soon):,} newly due soon, "
          f"{len(result.apology_due):,} apology due, {len(result.appointment_missed):,} appointment missed, "
          f"{len(result.late_to_accept):,} late to accept, "
          f"{result.cleared} cleared, {result.notifications:,} officer notifications, {result.digests} digest(s)")
    in_db = sum(float(q["time"]) for q in ctx.captured_queries)
    print(f"  time in the database {in_db:.3f} s, in Python {elapsed - in_db:.3f} s")
    for q in ctx.captured_queries:
        if float(q["time"]) >= 0.001:
            print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:110]}")
    with CaptureQueriesContext(connection) as ctx:
        started = clock.perf_counter()
        again = _overdue_module.scan_overdue(now=NOW, run_key="bench-2")
        elapsed2 = clock.perf_counter() - started
    print(f"second run (nothing to do): {elapsed2:.3f} s, {len(ctx.captured_queries)} queries, "
          f"{len(again.overdue) + len(again.due_soon)} changes, {again.notifications} notifications")

    # --- the per-row loop on a subset, extrapolated ---------------------------------------------------------
    subset = min(args.subset, total)
    ids = list(Dossier.objects.filter(code__startswith=PREFIX).order_by("pk").values_list("pk", flat=True)[:subset])
    # Undo the marks in the subset so that the loop finds the same crossings again (the 2% marked by "an earlier
    # scan" become crossings too: the loop saves a few more rows than 1%, counted below).
    Dossier.objects.filter(pk__in=ids).exclude(due_state=DueState.NONE).update(due_state=DueState.NONE)
    started = clock.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        seen, changed = per_row_scan(NOW, ids)
    loop = clock.perf_counter() - started
    factor = total / seen if seen else 0
    print(f"\nper-row loop on {seen:,} rows: {loop:.2f} s, {len(ctx.captured_queries):,} queries, {changed:,} saved "
          f"→ extrapolated to {total:,}: ~{loop * factor:.0f} s, ~{int(len(ctx.captured_queries) * factor):,} queries")
    print(f"speed-up of the set-based scan: ~{loop * factor / max(elapsed, 1e-9):.0f}×")

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS bench_dossier_marked")
    if not args.keep:
        with connection.cursor() as cursor:
            _cleanup(cursor)
            cursor.execute("DELETE FROM notifications_outboxmessage WHERE idempotency_key LIKE 'perrow:%%'")
        OutboxMessage.objects.filter(idempotency_key__startswith="overdue-digest:bench-").delete()


if __name__ == "__main__":
    main()
