"""Benchmark: pull of 100,000 dossiers from the portal sandbox into PostgreSQL — items per second and the number
of queries per page (it must not grow with the page: set-based storing); then the push side: every one of those
dossiers changed during an outage (a backlog of 100,000 unsent changes), drained in batches of PORTAL_PUSH_BATCH
(CapNhatTienDoHoSoMC + DongBoHoSoMC "True") — dossiers per second (target ≥ 1,000/s) and queries per batch; and
dossiers new to the portal (TraCuuHoSo first, then DongBoHoSoMC "False").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bhxh_bench python -m bench.bench_sync [--items 100000]

A throwaway database `<name>_sync` is created on that server, migrated, used and dropped (`--keep` keeps it).
The sandbox runs in its own process (`python -m portal.sandbox`), as the real portal would; the pull goes
through the real client over HTTP, validation, bulk inserts, quarantine and cursor, page after page.
"""
from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _admin_connection(cfg):
    import psycopg2

    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432)
    conn.autocommit = True
    return conn


def _throwaway_database(url: str) -> tuple[str, dict]:
    import environ

    cfg = environ.Env.db_url_config(url)
    name = f"{cfg['NAME']}_sync"
    conn = _admin_connection(cfg)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return url.rsplit("/", 1)[0] + "/" + name, dict(cfg, NAME=name)


def _drop(cfg):
    from django.db import connections

    connections.close_all()
    conn = _admin_connection(cfg)
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{cfg["NAME"]}"')
    conn.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_sandbox(items: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "portal.sandbox", "--port", str(port), "--backlog", str(items),
                             "--every", "0", "--interval", "30", "--invalid-every", "0", "--keep-pushes", "20"],
                            cwd=ROOT,
                            stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("the sandbox did not start")


class QueryCounter:
    """Counts the SQL statements of each page or batch (savepoints aside), per thread: push batches are sent by
    several threads at once, each counted in its own."""

    def __init__(self):
        self.local, self.per_page, self.stamps = threading.local(), [], []

    @property
    def count(self):
        return getattr(self.local, "count", 0)

    def __call__(self, execute, sql, params, many, context):
        if "SAVEPOINT" not in sql:
            self.local.count = self.count + 1
        return execute(sql, params, many, context)

    def page_done(self, result):
        self.per_page.append(self.count)
        self.local.count = 0
        self.stamps.append(time.perf_counter())

    def batch(self):
        """Around one push batch, in the thread that sends it: its queries, appended when it is done."""
        from django.db import connection

        counter = self

        class Counting:
            def __enter__(self):
                counter.local.count = 0
                self.wrapper = connection.execute_wrapper(counter)
                self.wrapper.__enter__()

            def __exit__(self, *exc):
                self.wrapper.__exit__(*exc)
                counter.per_page.append(counter.count)
                counter.local.count = 0

        return Counting()


def run(items: int, page_size: int):
    from django.conf import settings
    from django.db import connection

    from cases.models import Dossier, DossierEvent
    from core.models import Office
    from portal import services
    from portal.client import PortalClient
    from portal.models import Kind, SyncRun

    proc, url = _start_sandbox(items)
    try:
        settings.NATIONAL_PORTAL_URL, settings.NATIONAL_PORTAL_PAGE_SIZE = url, page_size
        office = Office.objects.get(agency_code="000.00.01.G13")
        run = SyncRun.objects.create(office=office, kind=Kind.DOSSIER, trigger="bench")
        counter = QueryCounter()
        client = PortalClient()
        client.login()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            total = services.pull(office=office, kind=Kind.DOSSIER, client=client, run=run,
                                  on_page=counter.page_done)
        elapsed = time.perf_counter() - started
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    stored = Dossier.objects.filter(office=office).count()
    events = DossierEvent.objects.filter(action="pull").count()
    # Page 1 also reads the cursor; the last page is the short one that ends the round.
    full_pages = counter.per_page[1:-1] or counter.per_page
    print(f"items pulled     : {total.items:,} ({total.stored:,} stored, {total.already:,} already, "
          f"{total.quarantined:,} quarantined); in the database: {stored:,} dossiers, {events:,} events")
    print(f"time             : {elapsed:.1f} s")
    print(f"throughput       : {total.items / elapsed:,.0f} items/s (target ≥ 2,000/s)")
    print(f"pages            : {len(counter.per_page)} of {page_size}")
    gaps = [b - a for a, b in zip(counter.stamps, counter.stamps[1:])]
    tenth = max(1, len(gaps) // 10)
    print("ms per page      : " + ", ".join(f"{1000 * sum(gaps[i:i + tenth]) / len(gaps[i:i + tenth]):.0f}"
                                          for i in range(0, len(gaps), tenth)) + " (by tenths of the run)")
    print(f"queries per page : min {min(full_pages)}, max {max(full_pages)} over pages 2…{len(counter.per_page) - 1} "
          f"(page 1 with the cursor read: {counter.per_page[0]}; the last, short page: {counter.per_page[-1]})")
    assert stored == total.stored == items, "every generated item must be stored exactly once"
    assert min(full_pages) == max(full_pages), "the query count per page must be constant"


def _time_calls(client) -> list:
    """Seconds spent in the client's HTTP calls (the portal's side of the time), accumulated in a list cell."""
    spent, post = [0.0], client._post_once

    def timed(path, body):
        started = time.perf_counter()
        try:
            return post(path, body)
        finally:
            spent[0] += time.perf_counter() - started

    client._post_once = timed
    return spent


def run_push(new: int, batch: int):
    """The push side against a fresh sandbox process (the pull's has stopped): the outage backlog, then `new`
    dossiers not on the portal yet."""
    from django.conf import settings
    from django.db import connection

    from bench.sync_push import backlog, make_new
    from core.models import Office
    from portal import push
    from portal.client import PortalClient

    office = Office.objects.get(agency_code="000.00.01.G13")
    started = time.perf_counter()
    queued = backlog(office)
    print(f"backlog queued   : {queued:,} changes (accept, set-based through portal.outbox) in "
          f"{time.perf_counter() - started:.1f} s")
    for label, prepare in (("backlog (on the portal)", None), (f"new to the portal ({new:,})", make_new)):
        if prepare:
            prepare(office, new)
        proc, url = _start_sandbox(0)  # a fresh portal per phase: the second one has never heard of them
        try:
            settings.NATIONAL_PORTAL_URL = url
            client = PortalClient()
            client.login()
            counter, waiting = QueryCounter(), _time_calls(client)
            started = time.perf_counter()
            result = push.push_office(office=office, client=client, limit=batch, on_thread=counter.batch)
            elapsed = time.perf_counter() - started
            print(f"  waiting for the portal: {waiting[0]:.1f} s of {elapsed:.1f} s (TraCuuHoSo run in threads, "
                  f"not counted); the rest is our side (database, building the objects)")
            per_batch = counter.per_page
            print(f"push {label:<24}: {result.dossiers:,} dossiers ({result.rows:,} changes, {result.lookups:,} "
                  f"TraCuuHoSo, {result.failed} failed) in {elapsed:.1f} s = {result.dossiers / elapsed:,.0f} "
                  f"dossiers/s; {result.batches} batches of ≤ {batch}, {settings.PORTAL_PUSH_THREADS} in flight; "
                  f"queries per batch: min {min(per_batch)}, max {max(per_batch)} (plus one read of the due "
                  f"dossiers per {push.PREFETCH_BATCHES} batches)")
            assert result.failed == 0 and result.dossiers > 0
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--keep", action="store_true", help="keep the throwaway database")
    parser.add_argument("--push-batch", type=int, default=500, help="dossiers per push batch")
    parser.add_argument("--new", type=int, default=5000, help="dossiers new to the portal (TraCuuHoSo first)")
    parser.add_argument("--no-push", action="store_true", help="the pull only")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. postgres://postgres@127.0.0.1:5432/bhxh_bench")
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"], cfg = _throwaway_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from cases.catalogue import load_procedures
    from core.demo import load_offices

    try:
        call_command("migrate", verbosity=0)
        load_offices()
        load_procedures()
        run(args.items, args.page_size)
        if not args.no_push:
            run_push(args.new, args.push_batch)
    finally:
        if not args.keep:
            _drop(cfg)


if __name__ == "__main__":
    main()
