"""Load: concurrent officers (bench/locustfile.py) against gunicorn + PostgreSQL + Redis on this machine.

    python -m bench load -- --users 50 --duration 120            # one run
    python -m bench load -- --users 50,100,200 --duration 90     # one run per level, same server

Creates a throw-away PostgreSQL database (from DATABASE_URL's server, default postgres://postgres@127.0.0.1:5432;
dropped at the end unless --keep-db), migrates, loads the offices, the catalogue and 20 reception officers per
province (Hà Nội, Hồ Chí Minh City), seeds --dossiers dossiers of the past with one INSERT … SELECT, starts
gunicorn on 127.0.0.1 with --workers sync workers (Redis at REDIS_URL, default db 14, for the cache and the
broker; no worker consumes the messages intake queues: they are discarded at the end when the queue was
empty before), runs locust headless, prints throughput, p50/p95/p99 and errors per request
kind and overall, then stops everything. Needs the `bench` extra (locust). Target: 0 errors, p95 < 300 ms.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "load-pass-2026!"
SECRET_KEY = secrets.token_urlsafe(50)
LOGIN_ROWS = ("login: API token", "login: form", "login: session")
RUNNER_PREFIX = "bhxh_bench_"  # the databases python -m bench creates and drops (bench/__main__.py)


def _args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", default="50", help="concurrent officers; a comma list runs one level after another")
    parser.add_argument("--duration", type=int, default=120, help="seconds per level (default 120)")
    parser.add_argument("--spawn-rate", type=float, default=10, help="officers started per second")
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn sync workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker (gthread when > 1)")
    parser.add_argument("--dossiers", type=int, default=50_000, help="dossiers of the past seeded before the run")
    parser.add_argument("--think", default="1-3", help="seconds an officer waits between actions, min-max (0: none)")
    parser.add_argument("--conn-max-age", type=int, default=0, help="persistent database connections (seconds)")
    parser.add_argument("--login", choices=["issued", "form"], default="issued",
                        help="issued: each officer starts with a token and a session made beforehand (logged in "
                             "earlier in the day); form: each logs in through POST /auth/token/ and the login "
                             "form (a PBKDF2 hash each, CPU-heavy on 2 cores)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn port (default: a free one)")
    parser.add_argument("--keep-db", action="store_true", help="keep the throw-away database")
    return parser.parse_args(argv)


def _database_url():
    import environ

    base = os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/bhxh_load"
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("bench load needs PostgreSQL: DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_load")
    cfg = environ.Env.db_url_config(base)
    # `python -m bench load` made a throw-away database for this run (bhxh_bench_load) and drops it afterwards:
    # use that one; run alone, a database of our own.
    name = cfg["NAME"] if cfg["NAME"].startswith(RUNNER_PREFIX) else f"bhxh_load_{os.getpid()}"
    auth = cfg["USER"] + (f":{cfg['PASSWORD']}" if cfg["PASSWORD"] else "")
    return f"postgres://{auth}@{cfg['HOST'] or '127.0.0.1'}:{cfg['PORT'] or 5432}/{name}", cfg, name


def _admin(cfg):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432)
    conn.autocommit = True
    return conn


def prepare(url: str, dossiers: int) -> list[list[str]]:
    """Migrate, reference data, the officers (one password hash for all) and the dossiers; return the accounts."""
    os.environ["DATABASE_URL"] = url
    os.environ["SECRET_KEY"] = SECRET_KEY  # the sessions made here are signed with the server's key
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command

    from cases.catalogue import load_procedures
    from core.demo import load_offices
    from core.models import Office, Role, User

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    load_offices()
    load_procedures()
    offices = {o.code: o for o in Office.objects.current().filter(code__in=["01", "79"])}
    hashed = make_password(PASSWORD)
    accounts = []
    for code, slug in (("01", "hn"), ("79", "hcm")):
        for i in range(1, 21):
            username = f"tiepnhan{i:02d}.{slug}"
            user, _ = User.objects.get_or_create(username=username, defaults={
                "role": Role.RECEPTION, "office": offices[code], "password": hashed,
                "first_name": f"Cán bộ {i:02d}", "last_name": "Tiếp nhận"})
            accounts.append([username, PASSWORD, *_logged_in(user)])
    _seed_dossiers(offices, dossiers)
    print(f"database ready in {time.perf_counter() - t0:.1f} s: {dossiers:,} dossiers, {len(accounts)} officers",
          flush=True)
    return accounts


def _logged_in(user) -> tuple[str, str]:
    """A token and a session for `user`, as after a log-in (without paying for the password hash)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from importlib import import_module
    from rest_framework.authtoken.models import Token

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY], store[BACKEND_SESSION_KEY] = str(user.pk), settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return Token.objects.get_or_create(user=user)[0].key, store.session_key


def _seed_dossiers(offices, rows: int) -> None:
    """Dossiers of the past 365 days (never today: intake numbers today's series), codes by the contract's
    pattern, half Hà Nội, half Hồ Chí Minh City; statuses and channels mixed."""
    from django.db import connection

    from bench.common import bulk_load

    from cases.models import Procedure

    procedures = list(Procedure.objects.filter(active=True).values_list("pk", flat=True))
    with connection.cursor() as cur, bulk_load(cur):
        cur.execute(
            """
            INSERT INTO cases_dossier (code, office_id, procedure_id, status, channel, source, applicant_name,
                applicant_kind, applicant_id_number, applicant_phone, applicant_email, applicant_address, summary,
                submitted_at, received_at, clock_started_at, legal_due_at, appointment_at, apologise_by,
                resolved_at, outcome, result_summary, returned_to, supplement_count,
                reschedule_count, trip_count, created_at, updated_at)
            SELECT agency || '-' || to_char(r AT TIME ZONE 'Asia/Ho_Chi_Minh', 'YYMMDD') || '-'
                       || lpad((g / 730 + 1)::text, 4, '0'),
                   office, (%(procedures)s::bigint[])[1 + g %% array_length(%(procedures)s::bigint[], 1)],
                   (ARRAY['received','processing','resolved','returned','returned','returned'])[1 + g %% 6],
                   (ARRAY['direct','online','postal'])[1 + g %% 3], 'desk',
                   (ARRAY['Nguyễn Văn ','Trần Thị ','Lê Văn ','Phạm Thị '])[1 + g %% 4] || 'Người nộp ' || g,
                   'citizen', lpad((1000000000 + g)::text, 12, '0'), '+84912' || lpad((g %% 1000000)::text, 6, '0'),
                   '', '', 'Hồ sơ sinh để đo tải',
                   r, r, r, r + interval '14 days', r + interval '14 days', r + interval '13 days',
                   CASE WHEN g %% 6 >= 2 THEN r + interval '10 days' END,
                   CASE WHEN g %% 6 >= 2 THEN 'approved' ELSE '' END, '', '', 0, 0, 1, r, r
            FROM (SELECT g, CASE WHEN g %% 2 = 0 THEN %(hn)s ELSE %(hcm)s END AS office,
                         CASE WHEN g %% 2 = 0 THEN %(hn_agency)s ELSE %(hcm_agency)s END AS agency,
                         date_trunc('day', now()) - (1 + (g / 2) %% 365) * interval '1 day'
                             + interval '2 hours' + (g %% 420) * interval '1 minute' AS r
                  FROM generate_series(1, %(rows)s) AS g) s
            """,
            {"procedures": procedures, "rows": rows, "hn": offices["01"].pk, "hcm": offices["79"].pk,
             "hn_agency": offices["01"].agency_code, "hcm_agency": offices["79"].agency_code},
        )
        cur.execute("ANALYZE")


def _celery_queue(redis_url: str):
    """The Redis list of Celery's default queue, where intake's messages wait (no worker runs in the bench)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    return client, client.llen("celery")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(url: str, args, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url + (f"?conn_max_age={args.conn_max_age}" if args.conn_max_age else ""),
           "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings", "DEBUG": "false",
           "SECRET_KEY": SECRET_KEY, "ALLOWED_HOSTS": "127.0.0.1,localhost",
           # Production settings over plain HTTP on loopback (no TLS proxy in front of gunicorn here) ...
           "SECURE_SSL_REDIRECT": "false", "SESSION_COOKIE_SECURE": "false", "CSRF_COOKIE_SECURE": "false",
           "SECURE_HSTS_SECONDS": "0",
           # ... and test signing keys, made on first use in a directory of this run (the receipt PDF is sealed).
           "SIGNING_DEMO_KEYS_ON_DEMAND": "true", "SIGNING_DIR": args.signing_dir}
    command = [sys.executable, "-m", "gunicorn", "bhxh_portal.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--timeout", "60", "--log-level", "warning"]
    if args.threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(args.threads)]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
        if server.poll() is not None:
            sys.exit("gunicorn stopped while starting")
    stop(server)
    sys.exit("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)  # gunicorn's master stops its workers gracefully
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_cpu_seconds(server: subprocess.Popen) -> float:
    """CPU time (user + system) used so far by gunicorn's master and workers (psutil comes with locust)."""
    import psutil

    total = 0.0
    try:
        master = psutil.Process(server.pid)
        for proc in [master, *master.children(recursive=True)]:
            times = proc.cpu_times()
            total += times.user + times.system
    except psutil.Error:
        pass
    return total


def run_locust(users: int, args, port: int, accounts, workdir: Path) -> dict:
    """Run one level; return locust's final per-request stats (its --json output)."""
    result = workdir / f"locust-u{users}.json"
    env = {**os.environ, "LOAD_USERS": json.dumps(accounts), "LOAD_THINK": args.think, "LOAD_LOGIN": args.login,
           "LOAD_RESULT": str(result)}
    with (workdir / f"locust-u{users}.log").open("w") as log:
        subprocess.run([sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
                        "-u", str(users), "-r", str(args.spawn_rate), "-t", f"{args.duration}s",
                        "--host", f"http://127.0.0.1:{port}", "--only-summary", "--loglevel", "WARNING",
                        "--stop-timeout", "10"], cwd=ROOT, env=env, check=True, stdout=log, stderr=log)
    return json.loads(result.read_text(encoding="utf-8"))


def _percentiles(entries) -> dict:
    """p50/p95/p99 over the response-time histograms of `entries` (locust rounds each time to 2 digits)."""
    counts: dict[float, int] = {}
    for e in entries:
        for ms, n in e["response_times"].items():
            counts[float(ms)] = counts.get(float(ms), 0) + n
    total, out, seen = sum(counts.values()), {}, 0
    points = sorted(counts.items())
    for p in (50, 95, 99):
        target, seen = p / 100 * total, 0
        for ms, n in points:
            seen += n
            if seen >= target:
                out[p] = ms
                break
    return out


def _line(name, entries, seconds) -> dict:
    count = sum(e["num_requests"] for e in entries)
    errors = sum(e["num_failures"] for e in entries)
    pct = _percentiles(entries) if count else {}
    worst = max((e["max_response_time"] for e in entries), default=0)
    print(f"{name[:32]:<32} {count:>7} {errors:>7} {count / seconds:>7.1f} {pct.get(50, 0):>7.0f} "
          f"{pct.get(95, 0):>7.0f} {pct.get(99, 0):>7.0f} {worst:>7.0f}")
    return {"count": count, "errors": errors, "rps": count / seconds, **{f"p{k}": v for k, v in pct.items()}}


def report(users: int, stats, duration: int, errors_by_kind) -> dict:
    print(f"\n{users} officers, {duration} s")
    print(f"{'request':<32} {'count':>7} {'errors':>7} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
          f"{'max ms':>7}")
    for e in sorted(stats, key=lambda e: e["name"]):
        _line(e["name"], [e], duration)
    work = [e for e in stats if e["name"] not in LOGIN_ROWS]
    print("-" * 88)
    total = _line("all requests", stats, duration)
    officers_work = _line("officers' work (no log-ins)", work, duration)
    for kind, n in errors_by_kind:
        print(f"  error x{n}: {kind[:200]}")
    verdict = "met" if total["errors"] == 0 and officers_work.get("p95", 1e9) < 300 else "MISSED"
    print(f"target 0 errors and p95 < 300 ms (officers' work): {verdict}")
    return {"users": users, **officers_work, "errors": total["errors"], "all": total["count"]}
def main(argv=None):
    args = _args(argv)
    levels = [int(u) for u in args.users.split(",")]
    url, cfg, name = _database_url()
    admin = _admin(cfg)
    if not name.startswith(RUNNER_PREFIX):
        with admin.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}"')
    server = None
    redis_url = os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
    queue, queued_before = _celery_queue(redis_url)
    signing = tempfile.TemporaryDirectory(prefix="bhxh-load-signing-")
    args.signing_dir = signing.name
    try:
        accounts = prepare(url, args.dossiers)
        from django.db import connections

        connections.close_all()
        port = args.port or _free_port()
        server = start_gunicorn(url, args, port)
        print(f"gunicorn: {args.workers} workers x {args.threads} threads on 127.0.0.1:{port}; "
              f"think time {args.think} s; machine load {os.getloadavg()[0]:.1f}", flush=True)
        summary = []
        with tempfile.TemporaryDirectory(prefix="bhxh-load-") as tmp:
            for users in levels:
                cpu0, load0 = server_cpu_seconds(server), os.getloadavg()[0]
                result = run_locust(users, args, port, accounts, Path(tmp))
                cpu, load1 = server_cpu_seconds(server) - cpu0, os.getloadavg()[0]
                summary.append(report(users, result["stats"], args.duration,
                                      [(f"{e['method']} {e['name']}: {e['error']}", e["occurrences"])
                                       for e in result["errors"]]))
                served = summary[-1]["all"] or 1  # log-ins included: they spend CPU too (a password hash)
                print(f"app CPU: {cpu:.0f} s in {args.duration} s ({cpu / args.duration:.2f} cores of "
                      f"{os.cpu_count()}), {cpu / served * 1000:.0f} ms per request; machine load "
                      f"{load0:.1f} → {load1:.1f} (other processes share these cores)")
                summary[-1].update(cpu_ms=cpu / served * 1000, load=load1)
        print("\nofficers  req/s  p50 ms  p95 ms  p99 ms  errors  app CPU ms/req  load   (log-ins excluded)")
        for row in summary:
            print(f"{row['users']:>8} {row['rps']:>6.1f} {row.get('p50', 0):>7.0f} {row.get('p95', 0):>7.0f} "
                  f"{row.get('p99', 0):>7.0f} {row['errors']:>7} {row['cpu_ms']:>15.0f} {row['load']:>5.1f}")
    finally:
        if server is not None:
            stop(server)
        queued = queue.llen("celery") - queued_before
        if queued_before == 0 and queued > 0:  # ours alone: they name a database that is about to go
            queue.delete("celery")
            print(f"discarded the {queued} messages the run queued in {redis_url} (no worker in the bench)")
        elif queued > 0:
            print(f"note: {queued} messages queued in {redis_url}'s 'celery' list, which held others before")
        if not args.keep_db and not name.startswith(RUNNER_PREFIX):  # the runner drops its own
            with admin.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()
        signing.cleanup()


if __name__ == "__main__":
    main()
