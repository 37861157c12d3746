"""Benchmark: the director's dashboard, the Legal Department's national dashboard and oversight, and form 06 for
one month (one province and the nation) over millions of dossiers in 34 provinces and 11 months.

    python -m bench reports -- [--dossiers 5000000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench_reports python -m bench.bench_reports --reuse

The rows are written by one INSERT … SELECT generate_series (realistic mix: 60% online, 35% at the desk, 5% by
post; 5% withdrawn, 2% refused after acceptance, the rest resolved 2–13 days after receipt, 8% of them after
the legal due moment; those whose resolution falls after 1 December 2026 are still open; 1 in 37 over the visit
limit), with the tally's triggers off, then the tally rebuilt in one statement (`manage.py retally_dossiers`,
what a bulk import does), then VACUUM ANALYZE. They carry no event history: the ledger reads such rows as they
stand, which is what a bulk import of another system's data looks like. `--reuse` keeps a filled database
between runs (`python -m bench --keep reports` once, then `DATABASE_URL=…/bhxh_bench_reports python -m
bench.bench_reports --reuse`). Each measure is the median of --repeat warm runs, with
its query count; the heaviest statement of each is explained (EXPLAIN (ANALYZE, BUFFERS)). Not a test: it
prints figures and the targets of issue 14 beside them.
"""
from __future__ import annotations

import argparse
import statistics
import time as clock
from datetime import date

from bench.common import bulk_load, load_reference_data, setup_postgres_django

PREFIX = "RPT-"
TARGETS = {"dashboard": 0.300, "oversight": 1.0, "form 06": 2.0}


def _fill(cursor, first: int, n: int, offices: list[int], procedures: list[int]) -> None:
    cursor.execute(
        """
        INSERT INTO cases_dossier (
            code, office_id, procedure_id, status, channel, source, applicant_name, applicant_kind,
            applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
            submitted_at, received_at, clock_started_at, legal_due_at, appointment_at, apologise_by,
            resolved_at, returned_at, closed_at, outcome, result_summary, returned_to,
            supplement_count, reschedule_count, trip_count, created_at, updated_at)
        SELECT %(prefix)s || g, (%(offices)s::bigint[])[1 + g %% 34], (%(procedures)s::bigint[])[1 + (g / 34) %% %(np)s],
               CASE WHEN k BETWEEN 85 AND 89 THEN 'withdrawn' WHEN k BETWEEN 90 AND 91 THEN 'refused'
                    WHEN done > %(now)s THEN 'processing' WHEN done + interval '1 day' > %(now)s THEN 'resolved'
                    ELSE 'returned' END,
               ch, CASE WHEN ch = 'online' THEN 'national_portal' ELSE 'desk' END,
               'Nguyễn Văn ' || g, 'citizen', lpad(g::text, 12, '0'), '', '', '', '',
               recv - interval '2 hours', recv, recv, due, due, due - interval '1 day',
               CASE WHEN k BETWEEN 85 AND 89 THEN NULL WHEN k BETWEEN 90 AND 91 THEN LEAST(recv + interval '4 days', %(now)s)
                    WHEN done <= %(now)s THEN done END,
               CASE WHEN k NOT BETWEEN 85 AND 91 AND done + interval '1 day' <= %(now)s THEN done + interval '1 day' END,
               CASE WHEN k BETWEEN 85 AND 89 THEN LEAST(recv + interval '3 days', %(now)s)
                    WHEN k BETWEEN 90 AND 91 THEN LEAST(recv + interval '4 days', %(now)s)
                    WHEN done + interval '1 day' <= %(now)s THEN done + interval '1 day' END,
               CASE WHEN k < 85 OR k > 91 THEN 'approved' ELSE '' END, '', '', 0, 0,
               CASE WHEN g %% 37 = 0 THEN 3 ELSE 2 END, now(), now()
        FROM (
            SELECT g, k, ch, recv, recv + (5 + g %% 15) * interval '1 day' AS due,
                   CASE WHEN k < 92 THEN recv + (2 + (g * 7) %% 12) * interval '1 day'  -- mostly on time
                        ELSE recv + (5 + g %% 15 + 1 + g %% 10) * interval '1 day' END AS done  -- 8%% late
            FROM (
                SELECT g, g %% 100 AS k,
                       CASE WHEN g %% 20 < 12 THEN 'online' WHEN g %% 20 < 19 THEN 'direct' ELSE 'postal' END AS ch,
                       timestamptz '2026-01-01 08:00+07' + (g %% 334) * interval '1 day'
                           + ((g * 7919) %% 540) * interval '1 minute' AS recv
                FROM generate_series(%(first)s::bigint + 1, %(first)s::bigint + %(n)s) AS g
            ) AS a
        ) AS b
        """,
        {"prefix": PREFIX, "offices": offices, "procedures": procedures, "np": len(procedures), "n": n, "first": first,
         "now": "2026-12-01T00:00:00+07:00"},
    )


def _timed(label: str, fn, repeat: int, target: float | None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn()  # warm
    times, heaviest = [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as ctx:
            started = clock.perf_counter()
            fn()
            times.append(clock.perf_counter() - started)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]))
        heaviest = heaviest if heaviest and float(heaviest["time"]) >= float(slowest["time"]) else slowest
    median = statistics.median(times)
    verdict = f"target < {target * 1000:.0f} ms: {'met' if median < target else 'MISSED'}" if target else ""
    print(f"{label:<44} {median * 1000:9.1f} ms  {len(ctx.captured_queries):3d} queries   {verdict}", flush=True)
    return median, heaviest


def _write_cost(n: int = 300) -> None:
    """What the tally's triggers add to a write: n dossiers resolved one by one (one UPDATE and its transaction
    each), with the triggers off, then on (each put back as it was with the triggers in the same state)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from cases.models import Dossier

    ids = list(Dossier.objects.filter(code__startswith=PREFIX, status="processing").values_list("pk", flat=True)[:n])
    now = timezone.now()
    for state in ("DISABLE", "ENABLE"):
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE cases_dossier {state} TRIGGER USER")
        started = clock.perf_counter()
        for pk in ids:
            with transaction.atomic():
                Dossier.objects.filter(pk=pk).update(status="resolved", resolved_at=now)
        spent = clock.perf_counter() - started
        for pk in ids:
            Dossier.objects.filter(pk=pk).update(status="processing", resolved_at=None)
        print(f"resolving one dossier, tally triggers {'on' if state == 'ENABLE' else 'off'}: "
              f"{spent / max(len(ids), 1) * 1000:.2f} ms per write ({len(ids)} writes)", flush=True)


def _explain(query: dict) -> None:
    from django.db import connection

    sql = query["sql"]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [r[0] for r in cursor.fetchall()]
    print("    " + "\n    ".join(lines[:14] + (["    …"] if len(lines) > 14 else []) + lines[-2:]))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=5_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="reuse the rows a previous run left")
    parser.add_argument("--no-explain", action="store_true")
    parser.add_argument("--verify", action="store_true",
                        help="also compute form 06 and oversight over the dossiers (the raw forms) and compare")
    args = parser.parse_args(argv)
    setup_postgres_django("bench_reports")

    from django.db import connection

    from cases.models import Dossier, Procedure
    from core.models import Office, Role, User
    from reports import selectors

    hanoi = load_reference_data()
    provinces = list(Office.objects.current().filter(level=Office.Level.PROVINCE).order_by("code"))
    procedures = list(Procedure.objects.order_by("code").values_list("pk", flat=True))
    director, _ = User.objects.get_or_create(username="bench.giamdoc", defaults={"role": Role.DIRECTOR,
                                                                                  "office": hanoi})
    central = Office.objects.current().get(code="00")
    legal, _ = User.objects.get_or_create(username="bench.phapche", defaults={"role": Role.LEGAL, "office": central})

    from reports import tally
    from reports.models import DossierTally

    started = clock.perf_counter()
    if not (args.reuse and Dossier.objects.filter(code__startswith=PREFIX).exists()):
        with connection.cursor() as cursor, bulk_load(cursor):  # the tally rebuilt once at the end
            cursor.execute("DELETE FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])
            step = 1_000_000
            for first in range(0, args.dossiers, step):
                count = min(step, args.dossiers - first)
                _fill(cursor, first, count, [o.pk for o in provinces], procedures)
                print(f"  filled {first + count:,} of {args.dossiers:,} ({clock.perf_counter() - started:.0f} s)",
                      flush=True)
            cursor.execute("VACUUM ANALYZE cases_dossier")
        print(f"  filled, tally rebuilt in {clock.perf_counter() - started:.0f} s", flush=True)
    elif not DossierTally.objects.exists():
        tally.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_dossier")
        cursor.execute("VACUUM ANALYZE reports_dossiertally")
    total = Dossier.objects.count()
    print(f"dossiers: {total:,} in {len(provinces)} provinces (PostgreSQL {connection.pg_version // 10000}), "
          f"{DossierTally.objects.count():,} tally rows, ready in {clock.perf_counter() - started:.0f} s\n")

    month = (date(2026, 11, 1), date(2026, 11, 30))
    measures = [
        ("director's dashboard (one province)", lambda: selectors.dashboard(user=director), TARGETS["dashboard"]),
        ("Legal Department dashboard (national)", lambda: selectors.dashboard(user=legal), TARGETS["dashboard"]),
        ("oversight, national, November", lambda: selectors.oversight(user=legal, first=month[0], last=month[1]),
         TARGETS["oversight"]),
        ("form 06, one province, November",
         lambda: selectors.report_tthc(user=director, first=month[0], last=month[1]), None),
        ("form 06, national, November",
         lambda: selectors.report_tthc(user=legal, first=month[0], last=month[1]), TARGETS["form 06"]),
    ]
    heaviest = []
    for label, fn, target in measures:
        heaviest.append((label, _timed(label, fn, args.repeat, target)[1]))
    _write_cost()
    if args.verify:
        for label, tallied, raw in [
                ("form 06, national", lambda: selectors.report_tthc(user=legal, first=month[0], last=month[1]),
                 lambda: selectors.report_tthc_raw(user=legal, first=month[0], last=month[1])),
                ("oversight, national", lambda: selectors.oversight(user=legal, first=month[0], last=month[1]),
                 lambda: selectors.oversight_raw(user=legal, first=month[0], last=month[1]))]:
            started = clock.perf_counter()
            same = tallied() == raw()
            print(f"{label}: tally {'equals' if same else 'DIFFERS FROM'} the raw query "
                  f"(raw and tally together {clock.perf_counter() - started:.1f} s)", flush=True)
    if not args.no_explain:
        for label, query in heaviest:
            print(f"\nheaviest statement of {label} ({float(query['time']) * 1000:.0f} ms):")
            _explain(query)


if __name__ == "__main__":
    main()
