"""Benchmark: the calendar-change recompute (cases.tasks.recompute_deadlines) over 100,000 open dossiers in
PostgreSQL, a mix of clock modes: running since receipt, resumed after a supplement (resume mode), restarted
after a supplement (restart mode) and paused awaiting the applicant.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench_recompute python -m bench.bench_recompute \
        [--dossiers 100000] [--keep]

Use a throw-away database: it is migrated, then filled (INSERT … SELECT over generate_series) with dossiers
whose codes start with BENCH-R-, received on Mon 02/06/2025 with 10 working days; a day off on Tue 10/06/2025
then moves every one of them. Not a test: it prints figures (the issue's target: under 30 s).
"""
from __future__ import annotations

import argparse
import time as clock
from datetime import date

from bench.common import bulk_load, load_reference_data, setup_postgres_django

PREFIX = "BENCH-R-"
DAY_OFF = date(2025, 6, 10)


def _cleanup(cursor) -> None:
    cursor.execute("DELETE FROM notifications_outboxmessage WHERE dossier_code LIKE %s OR idempotency_key LIKE %s",
                   [PREFIX + "%", "recompute-digest:bench-%"])
    for table in ("cases_dossierevent", "cases_processstep", "cases_supplementrequest"):
        cursor.execute(f"DELETE FROM {table} WHERE dossier_id IN (SELECT id FROM cases_dossier WHERE code LIKE %s)",
                       [PREFIX + "%"])
    cursor.execute("DELETE FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])


def _fill(cursor, n, office_id, restart_version, resume_version, procedure_id, officer_id) -> None:
    """n dossiers received Mon 02/06/2025 (minute g % 240 after 07:30). g % 4: 0 running since receipt
    (restart version), 1 resumed Mon 09/06 09:00 after a request on Wed 04/06 09:00 (resume version), 2 restarted
    the same way (restart version), 3 paused since Wed 04/06 09:00 (resume version). Their due moments are what
    the services compute under today's calendar; the override added afterwards moves them all."""
    cursor.execute(
        """
        INSERT INTO cases_dossier (
            code, office_id, procedure_id, rule_version_id, status, channel, source, applicant_name, applicant_kind,
            applicant_id_number, applicant_phone, applicant_email, applicant_address, summary, submitted_at,
            received_at, clock_started_at, legal_due_at, appointment_at, apologise_by, paused_at, outcome,
            result_summary, returned_to, assignee_id, supplement_count, reschedule_count, trip_count,
            portal_payload, created_at, updated_at)
        SELECT %(prefix)s || g, %(office)s, %(procedure)s,
               CASE WHEN g %% 4 IN (1, 3) THEN %(resume)s ELSE %(restart)s END,
               CASE WHEN g %% 4 = 3 THEN 'awaiting_supplement' ELSE 'processing' END,
               'direct', 'desk', 'Nguyễn Văn ' || g, 'citizen', lpad(g::text, 12, '0'), '', '', '', '', r, r,
               CASE WHEN g %% 4 IN (1, 2) THEN timestamptz '2025-06-09 09:00+07' ELSE r END,
               NULL, NULL, NULL, CASE WHEN g %% 4 = 3 THEN timestamptz '2025-06-04 09:00+07' END, '', '', '',
               %(officer)s, CASE WHEN g %% 4 = 0 THEN 0 ELSE 1 END, 0, 0, '{}'::jsonb, now(), now()
        FROM (SELECT g, timestamptz '2025-06-02 07:30+07' + (g %% 240) * interval '1 minute' AS r
              FROM generate_series(1, %(n)s) AS g) AS s
        """,
        {"prefix": PREFIX, "office": office_id, "procedure": procedure_id, "resume": resume_version,
         "restart": restart_version, "officer": officer_id, "n": n})
    cursor.execute(
        """
        INSERT INTO cases_supplementrequest (dossier_id, number, requested_at, requested_by_id, reason, documents,
                                             clock_used, fulfilled_at)
        SELECT id, 1, timestamptz '2025-06-04 09:00+07', %(officer)s, 'Thiếu giấy tờ', '[]'::jsonb,
               NULL, CASE WHEN status = 'processing' THEN timestamptz '2025-06-09 09:00+07' END
        FROM cases_dossier WHERE code LIKE %(like)s AND supplement_count = 1
        """, {"officer": officer_id, "like": PREFIX + "%"})


def _due_under_today(cursor) -> None:
    """The due moments today's calendar gives (the recompute itself, before the override: it writes them)."""
    from cases import recompute

    cursor.execute("UPDATE cases_dossier SET legal_due_at = received_at + interval '30 days' WHERE code LIKE %s",
                   [PREFIX + "%"])
    recompute.recompute(dates=[date(2025, 6, 2)], run_key="bench-setup")
    cursor.execute("UPDATE cases_dossier SET appointment_at = legal_due_at WHERE code LIKE %s", [PREFIX + "%"])
    cursor.execute("INSERT INTO cases_processstep (dossier_id, seq, unit, handler_id, handler_name, given_at, due_at, "
                   "done_at, result, note) SELECT id, 1, 'Bộ phận một cửa', assignee_id, 'bench', received_at, "
                   "legal_due_at, NULL, '', '' FROM cases_dossier WHERE code LIKE %s", [PREFIX + "%"])
    cursor.execute("DELETE FROM cases_dossierevent WHERE dossier_id IN (SELECT id FROM cases_dossier "
                   "WHERE code LIKE %s)", [PREFIX + "%"])
    cursor.execute("DELETE FROM notifications_outboxmessage WHERE idempotency_key LIKE 'recompute-digest:bench-%%'")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="leave the bench rows in the database")
    args = parser.parse_args(argv)
    setup_postgres_django("bench_recompute")

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import tasks
    from cases.models import Dossier, DossierEvent, Procedure, ProcedureVersion
    from core.models import Role, User
    from workcal.models import CalendarOverride

    office = load_reference_data()
    procedure = Procedure.objects.get(code="1.009020")
    restart = ProcedureVersion.objects.filter(procedure=procedure).order_by("valid_from").first()
    resume, _ = ProcedureVersion.objects.get_or_create(
        procedure=procedure, valid_from=date(2000, 1, 1),
        defaults={**{f.name: getattr(restart, f.name) for f in ProcedureVersion._meta.concrete_fields
                     if f.name not in ("id", "procedure", "valid_from")}, "supplement_clock": "resume"})
    ProcedureVersion.objects.filter(pk=resume.pk).update(supplement_clock="resume",
                                                         time_limit_value=restart.time_limit_value,
                                                         time_limit_unit=restart.time_limit_unit)
    officer, _ = User.objects.get_or_create(username="bench.processor",
                                            defaults={"role": Role.PROCESSOR, "office": office})
    User.objects.get_or_create(username="bench.director", defaults={"role": Role.DIRECTOR, "office": office})
    if CalendarOverride.objects.filter(date=DAY_OFF).exists():  # left by an interrupted run
        from workcal.services import calendar_override_changed

        CalendarOverride.objects.filter(date=DAY_OFF).delete()
        calendar_override_changed(dates=[DAY_OFF])

    started = clock.perf_counter()
    with connection.cursor() as cursor, bulk_load(cursor):
        _cleanup(cursor)
        _fill(cursor, args.dossiers, office.pk, restart.pk, resume.pk, procedure.pk, officer.pk)
        _due_under_today(cursor)
        cursor.execute("VACUUM ANALYZE cases_dossier")
    ready = clock.perf_counter() - started
    bench = Dossier.objects.filter(code__startswith=PREFIX)
    before = dict(bench.values_list("pk", "legal_due_at"))
    print(f"dossiers: {len(before):,} open (PostgreSQL {connection.pg_version // 10000}; restart, resumed, "
          f"restarted, paused in equal parts), ready in {ready:.1f} s")

    # The day off as the admin saves it, without queueing the task on commit (no broker here): it runs below.
    from workcal.services import calendar_override_changed
    from workcal.signals import calendar_changed

    calendar_changed.disconnect(dispatch_uid="cases.recompute_open_deadlines")
    CalendarOverride.objects.bulk_create([CalendarOverride(date=DAY_OFF, kind="off", note="bench")])
    assert calendar_override_changed(dates=[DAY_OFF]) == [DAY_OFF]
    with CaptureQueriesContext(connection) as ctx:
        started = clock.perf_counter()
        moved = tasks.recompute_deadlines.apply(kwargs={"dates": [DAY_OFF.isoformat()]}, task_id="bench-1").get()
        elapsed = clock.perf_counter() - started
    in_db = sum(float(q["time"]) for q in ctx.captured_queries)
    after = dict(bench.values_list("pk", "legal_due_at"))
    changed = sum(1 for pk in before if before[pk] != after[pk])
    events = DossierEvent.objects.filter(dossier__code__startswith=PREFIX, action="recompute-deadline").count()
    print(f"\nrecompute task: {elapsed:.2f} s for {moved:,} dossiers moved ({changed:,} legal dues changed, "
          f"{events:,} events), {len(ctx.captured_queries)} queries; time in the database {in_db:.2f} s, "
          f"in Python {elapsed - in_db:.2f} s")
    for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:6]:
        print(f"  {float(q['time']) * 1000:8.1f} ms  {q['sql'][:100]}")
    started = clock.perf_counter()
    again = tasks.recompute_deadlines.apply(kwargs={"dates": [DAY_OFF.isoformat()]}, task_id="bench-2").get()
    print(f"second run (nothing to move): {clock.perf_counter() - started:.2f} s, {again} moved")

    CalendarOverride.objects.filter(date=DAY_OFF).delete()
    calendar_override_changed(dates=[DAY_OFF])
    if not args.keep:
        with connection.cursor() as cursor:
            _cleanup(cursor)


if __name__ == "__main__":
    main()
