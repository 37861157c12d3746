"""Benchmark: intake API requests per second, and dossier-list API latency with 1,000,000 dossiers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench python -m bench.bench_api [--rows 1000000]

Needs PostgreSQL (the database is created if missing and migrated). The dossiers are generated in the
database with one INSERT … SELECT FROM generate_series, spread over every office; the requests go through
the whole Django/DRF stack in-process (test client), so the figures exclude only the network.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path


def _setup(rows: int):
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # the test client speaks plain HTTP
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bhxh_bench")
    from bench.common import create_database

    create_database(url)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from core.demo import seed as seed_core
    from cases.catalogue import load_procedures

    seed_core()
    load_procedures()


def generate(rows: int):
    """Top the table up to `rows` generated dossiers (idempotent between runs)."""
    from django.db import connection

    from bench.common import bulk_load

    from cases.models import Dossier

    have = Dossier.objects.filter(code__startswith="BENCH-").count()
    if have >= rows:
        print(f"dossiers: {have:,} already generated")
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur, bulk_load(cur):
        cur.execute("SELECT array_agg(id ORDER BY id) FROM core_office")
        offices = cur.fetchone()[0]
        cur.execute("SELECT array_agg(id ORDER BY id) FROM cases_procedure")
        procedures = cur.fetchone()[0]
        cur.execute(
            """
            INSERT INTO cases_dossier (code, office_id, procedure_id, status, channel, source, applicant_name,
                applicant_kind, applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
                submitted_at, received_at, clock_started_at, legal_due_at, appointment_at, apologise_by,
                resolved_at, outcome, result_summary, returned_to, supplement_count,
                reschedule_count, trip_count, created_at, updated_at)
            SELECT 'BENCH-' || lpad(g::text, 8, '0'),
                   (%(offices)s::bigint[])[1 + g %% array_length(%(offices)s::bigint[], 1)],
                   (%(procedures)s::bigint[])[1 + g %% array_length(%(procedures)s::bigint[], 1)],
                   (ARRAY['received','processing','resolved','returned','returned','returned'])[1 + g %% 6],
                   (ARRAY['direct','online','postal'])[1 + g %% 3], 'desk',
                   'Người nộp ' || g, 'citizen', lpad((1000000000 + g)::text, 12, '0'), '+84912' || lpad((g %% 1000000)::text, 6, '0'),
                   '', '', '',
                   r, r, r, r + interval '14 days', r + interval '14 days', r + interval '13 days',
                   CASE WHEN g %% 6 >= 2 THEN r + interval '10 days' END, '', '', '', 0, 0, 1, r, r
            FROM (SELECT g, now() - (g %% 700) * interval '1 day' - (g %% 480) * interval '1 minute' AS r
                  FROM generate_series(%(start)s, %(stop)s) AS g) s
            """,
            {"offices": offices, "procedures": procedures, "start": have + 1, "stop": rows},
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE cases_dossier")
    print(f"dossiers: generated {rows - have:,} in {time.perf_counter() - t0:.1f} s")


def _timed(client, url, repeat):
    from django.db import connection

    times, queries = [], []
    with connection.execute_wrapper(lambda execute, sql, params, many, context: queries.append(sql)
                                    or execute(sql, params, many, context)):
        response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(queries), response.json()["count"]


def deep_cursor(client, url: str, page: int) -> str:
    """`url` with the `?cursor=` that opens page `page` (the key of the last row of page - 1, found once by
    OFFSET): what a client holds after following `next` that far."""
    from core.api.keyset import encode
    from cases.models import Dossier

    sep = "&" if "?" in url else "?"
    rows = client.get(f"{url}{sep}page={page - 1}").json()["results"]
    key = Dossier.objects.filter(code=rows[-1]["code"]).values_list("received_at", "id").get()
    return f"{url}{sep}cursor={encode(key, 'n')}"


def bench_list(repeat: int):
    from rest_framework.test import APIClient

    from core.models import User

    results = []
    for username in ("tiepnhan.hn", "phapche"):
        client = APIClient()
        client.force_authenticate(User.objects.get(username=username))
        for label, url in [
            ("first page (50)", "/api/v1/dossiers/"),
            ("page 200 (50)", "/api/v1/dossiers/?page=200"),
            ("500 per page", "/api/v1/dossiers/?page_size=500"),
            ("status=processing", "/api/v1/dossiers/?status=processing"),
            ("overdue=true", "/api/v1/dossiers/?overdue=true"),
            ("q=code prefix", "/api/v1/dossiers/?q=BENCH-0000012"),
            ("q=ID number", "/api/v1/dossiers/?q=001000123456"),
            ("first page, cursor", "/api/v1/dossiers/?cursor="),
            ("page 200, cursor", deep_cursor(client, "/api/v1/dossiers/", 200)),
            ("overdue p20, cursor", deep_cursor(client, "/api/v1/dossiers/?overdue=true", 20)),
        ]:
            p50, p95, queries, count = _timed(client, url, repeat)
            results.append((username, label, p50, p95, queries, -1 if count is None else count))
    print(f"\n{'user':<12} {'list request':<20} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'count':>10}")
    for username, label, p50, p95, queries, count in results:
        print(f"{username:<12} {label:<20} {p50:8.1f} {p95:8.1f} {queries:8d} {count:10,d}")


def bench_intake(n: int):
    from rest_framework.test import APIClient

    from core.models import User

    client = APIClient()
    client.force_authenticate(User.objects.get(username="tiepnhan.hn"))
    body = {"procedure": "1.009020", "channel": "direct", "summary": "bench",
            "applicant": {"name": "Nguyễn Văn Ánh", "id_number": "001085012345", "phone": "0912345678",
                          "kind": "citizen"}}
    t0 = time.perf_counter()
    for _ in range(n):
        response = client.post("/api/v1/dossiers/", body, format="json")
        assert response.status_code == 201, response.content[:300]
    elapsed = time.perf_counter() - t0
    print(f"\nintake: {n} POST /api/v1/dossiers/ in {elapsed:.2f} s = {n / elapsed:.0f} requests/s "
          f"({elapsed / n * 1000:.1f} ms each, one process)")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--intakes", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args(argv)
    _setup(args.rows)
    generate(args.rows)
    if args.intakes:
        bench_intake(args.intakes)
    bench_list(args.repeat)


if __name__ == "__main__":
    main()
