"""Benchmark: the forgiving search of the dossier list at national scale (issue 12; target under 50 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench python -m bench.bench_search [--rows 1000000]

Needs PostgreSQL (the database is created if missing and migrated). It tops the table up to `--rows` dossiers
whose names, codes and phones look like a province's: Vietnamese names with their diacritics (a family name
weighted as in the population, Nguyễn about 38 %), codes `<agency>-<YYMMDD>-<NNNN>` over 700 days and every
office, mobile numbers, each row's `search_name` = cases.search.normalise(name) (checked on a sample). Then it
times, through the whole Django/DRF stack in-process (`GET /api/v1/dossiers/?q=…`, page and `count`), what an
officer types: a name without accents, the same with accents, part of a code, a phone in any form, an ID
number; for a reception officer of one province and for the Legal Department (every office). It also prints
the SQL time of the page query alone and the indexes PostgreSQL read (EXPLAIN): the word index of the name
(migration 0013), the trigram ones of the code and the phone, the list order.
"""
from __future__ import annotations

import argparse
import statistics
import time

from bench.common import bulk_load, load_reference_data, setup_postgres_django

MARK = "bench-search"  # the summary of the generated rows (what "top up" counts)
# (accented, normalised); the family names weighted roughly as in the population (Nguyễn 19 of 50)
FAMILY = ([("Nguyễn", "nguyen")] * 19 + [("Trần", "tran")] * 6 + [("Lê", "le")] * 5 + [("Phạm", "pham")] * 4
          + [("Hoàng", "hoang")] * 3 + [("Huỳnh", "huynh")] * 2 + [("Phan", "phan")] * 2 + [("Vũ", "vu")] * 2
          + [("Võ", "vo"), ("Đặng", "dang"), ("Bùi", "bui"), ("Đỗ", "do"), ("Hồ", "ho"), ("Ngô", "ngo"),
             ("Dương", "duong")])
MIDDLE = [("Văn", "van"), ("Thị", "thi"), ("Hữu", "huu"), ("Đức", "duc"), ("Minh", "minh"), ("Thu", "thu"),
          ("Ngọc", "ngoc"), ("Quang", "quang"), ("Thanh", "thanh"), ("Xuân", "xuan"), ("Hồng", "hong"),
          ("Kim", "kim"), ("Bảo", "bao"), ("Gia", "gia"), ("Thùy", "thuy")]
GIVEN = [("An", "an"), ("Anh", "anh"), ("Bình", "binh"), ("Châu", "chau"), ("Cường", "cuong"), ("Dũng", "dung"),
         ("Duy", "duy"), ("Đạt", "dat"), ("Giang", "giang"), ("Hà", "ha"), ("Hải", "hai"), ("Hằng", "hang"),
         ("Hiền", "hien"), ("Hiếu", "hieu"), ("Hoa", "hoa"), ("Hòa", "hoa"), ("Hùng", "hung"), ("Hương", "huong"),
         ("Huy", "huy"), ("Khánh", "khanh"), ("Lan", "lan"), ("Linh", "linh"), ("Long", "long"), ("Mai", "mai"),
         ("Nam", "nam"), ("Nga", "nga"), ("Nhung", "nhung"), ("Phong", "phong"), ("Phúc", "phuc"),
         ("Phương", "phuong"), ("Quân", "quan"), ("Sơn", "son"), ("Tâm", "tam"), ("Thảo", "thao"),
         ("Thắng", "thang"), ("Thành", "thanh"), ("Trang", "trang"), ("Trung", "trung"), ("Tú", "tu"),
         ("Tuấn", "tuan"), ("Vân", "van"), ("Việt", "viet"), ("Yến", "yen")]
DAYS = 700


def generate(rows: int) -> None:
    """Top the table up to `rows` generated dossiers (one INSERT … SELECT FROM generate_series)."""
    from django.db import connection

    from cases.models import Dossier

    have = Dossier.objects.filter(summary=MARK).count()
    if have >= rows:
        print(f"dossiers: {have:,} already generated")
        return
    t0 = time.perf_counter()
    with connection.cursor() as cur, bulk_load(cur):
        cur.execute("SELECT array_agg(id ORDER BY id), array_agg(COALESCE(NULLIF(agency_code, ''), 'BHXH.' || code) "
                    "ORDER BY id) FROM core_office")
        offices, agencies = cur.fetchone()
        cur.execute("SELECT array_agg(id ORDER BY id) FROM cases_procedure")
        procedures = cur.fetchone()[0]
        n_off = len(offices)
        params = {
            "offices": offices, "agencies": agencies, "procedures": procedures, "start": have + 1, "stop": rows,
            "fam": [a for a, _ in FAMILY], "fam_n": [b for _, b in FAMILY],
            "mid": [a for a, _ in MIDDLE], "mid_n": [b for _, b in MIDDLE],
            "giv": [a for a, _ in GIVEN], "giv_n": [b for _, b in GIVEN],
            "nf": len(FAMILY), "nm": len(MIDDLE), "ng": len(GIVEN), "days": DAYS, "n_off": n_off,
        }
        cur.execute(
            """
            INSERT INTO cases_dossier (code, office_id, procedure_id, status, channel, source, applicant_name,
                search_name, applicant_kind, applicant_id_number, applicant_phone, applicant_email,
                applicant_address, summary, submitted_at, received_at, clock_started_at, legal_due_at,
                appointment_at, apologise_by, resolved_at, outcome, result_summary, returned_to,
                supplement_count, reschedule_count, trip_count, created_at, updated_at)
            SELECT (%(agencies)s::text[])[1 + o] || '-' || to_char(r, 'YYMMDD') || '-' || lpad(seq::text, 4, '0'),
                   (%(offices)s::bigint[])[1 + o],
                   (%(procedures)s::bigint[])[1 + g %% array_length(%(procedures)s::bigint[], 1)],
                   (ARRAY['received','processing','resolved','returned','returned','returned'])[1 + g %% 6],
                   (ARRAY['direct','online','postal'])[1 + g %% 3], 'desk',
                   (%(fam)s::text[])[1 + h1 %% %(nf)s] || ' ' || (%(mid)s::text[])[1 + h2 %% %(nm)s] || ' '
                       || (%(giv)s::text[])[1 + h3 %% %(ng)s],
                   (%(fam_n)s::text[])[1 + h1 %% %(nf)s] || ' ' || (%(mid_n)s::text[])[1 + h2 %% %(nm)s] || ' '
                       || (%(giv_n)s::text[])[1 + h3 %% %(ng)s],
                   'citizen', '001' || lpad(g::text, 9, '0'),
                   '+84' || (ARRAY['912','983','868','358','707','936'])[1 + g %% 6]
                       || lpad(((g * 7919) %% 1000000)::text, 6, '0'),
                   '', '', %(mark)s,
                   r, r, r, r + interval '14 days', r + interval '14 days', r + interval '13 days',
                   CASE WHEN g %% 6 >= 2 THEN r + interval '10 days' END, '', '', '', 0, 0, 1, r, r
            FROM (SELECT g, (g - 1) %% %(days)s AS d, ((g - 1) / %(days)s) %% %(n_off)s AS o,
                         -- the name's parts scrambled from g: independent of the day and the office (a name
                         -- picked as g %% 50 would give every dossier of a day the same family name)
                         hashint8(g)::bigint & 2147483647 AS h1, hashint8(-g)::bigint & 2147483647 AS h2,
                         hashint8(g + 1000000007)::bigint & 2147483647 AS h3,
                         (g - 1) / (%(days)s * %(n_off)s) + 1 AS seq,
                         date_trunc('day', now()) - ((g - 1) %% %(days)s) * interval '1 day'
                             + interval '1 hour' + (g %% 480) * interval '1 minute' AS r
                  FROM generate_series(%(start)s::bigint, %(stop)s::bigint) AS g) s
            """,
            {**params, "mark": MARK},
        )
        cur.execute("VACUUM ANALYZE cases_dossier")  # also the statistics of the word index's expression
    print(f"dossiers: generated {rows - have:,} in {time.perf_counter() - t0:.1f} s")


def check_sample() -> None:
    """search_name is exactly cases.search.normalise(applicant_name) on a sample (what intake writes)."""
    from cases.models import Dossier
    from cases.search import normalise

    sample = list(Dossier.objects.filter(summary=MARK).order_by("?").values_list("applicant_name", "search_name")[:200])
    bad = [(a, b) for a, b in sample if normalise(a) != b]
    assert not bad, bad[:5]


def queries(office_code: str) -> list[tuple[str, str]]:
    """(label, q) pairs: what officers type; the code and phone are taken from real generated rows."""
    from cases.models import Dossier

    rows = Dossier.objects.filter(summary=MARK, office__code=office_code).order_by("pk")
    row = rows.values("code", "applicant_phone", "applicant_id_number")[rows.count() // 2]
    partial_code = row["code"].split("-", 1)[1]  # "261201-0006": the day and number, no agency
    phone = row["applicant_phone"].removeprefix("+84")
    return [
        ("name, no accents", "nguyen van hung"),
        ("name, accents", "Nguyễn Văn Hùng"),
        ("name, 2 words", "tran thi"),
        ("given name only", "phuong"),
        ("family name only", "nguyen"),
        ("partial code", partial_code),
        ("phone 0xxx xxx xxx", f"0{phone[:3]} {phone[3:6]} {phone[6:]}"),
        ("phone last 6", phone[-6:]),
        ("ID number", row["applicant_id_number"]),
    ]


def _timed(client, params, repeat):
    times = []
    response = client.get("/api/v1/dossiers/", params, secure=True)  # warm (HTTPS: SECURE_SSL_REDIRECT)
    assert response.status_code == 200, response.content[:300]
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get("/api/v1/dossiers/", params, secure=True)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)], response.json()["count"]


def _sql(user, q):
    """The page query's SQL time alone and the indexes its plan reads (words, trigram, the list order)."""
    from django.db import connection

    from cases.selectors import dossier_list

    qs = dossier_list(user=user, filters={"q": q})[:50]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, FORMAT TEXT) " + sql, params)
        plan = "\n".join(r[0] for r in cur.fetchall())
    ms = float(plan.rsplit("Execution Time: ", 1)[1].split(" ")[0])
    used = [name for key, name in (("dossier_office_words", "words"), ("dossier_code_end", "code_end"), ("_trgm", "trgm"), ("dossier_list_order", "order"))
            if key in plan]
    return ms, "+".join(used) or "-"


def bench(repeat: int) -> None:
    from rest_framework.test import APIClient

    from core.models import User

    print(f"\n{'user':<12} {'search':<20} {'q':<26} {'API p50':>8} {'p95':>7} {'SQL page':>9} {'index':>11} {'count':>9}")
    for username in ("tiepnhan.hn", "phapche"):
        user = User.objects.get(username=username)
        client = APIClient()
        client.force_authenticate(user)
        for label, q in queries("01"):
            p50, p95, count = _timed(client, {"q": q}, repeat)
            sql_ms, used = _sql(user, q)
            print(f"{username:<12} {label:<20} {q[:26]:<26} {p50:8.1f} {p95:7.1f} {sql_ms:9.1f} "
                  f"{used:>11} {count:9,d}", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per search (the median is shown)")
    args = parser.parse_args(argv)
    setup_postgres_django("bench_search")
    load_reference_data()
    from core.demo import seed as seed_core

    seed_core()  # the demo users (tiepnhan.hn, phapche)
    generate(args.rows)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE cases_dossier")  # fresh statistics, also of the word index's expression (0013)
    check_sample()
    bench(args.repeat)


if __name__ == "__main__":
    main()
