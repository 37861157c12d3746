"""Run the benchmarks, each against a throw-away PostgreSQL database of its own (what `make bench` does):

    python -m bench                      # every bench/bench_*.py in turn
    python -m bench scan api             # bench_scan and bench_api only
    python -m bench scan -- --dossiers 100000 --crossing 0.01   # arguments after -- go to each benchmark
    python -m bench --keep scan          # leave the database (bhxh_bench_scan) for a look afterwards
    python -m bench load -- --users 50,100,200 --duration 120   # on demand only: officers under load (locust)

The server is BENCH_DATABASE_SERVER (default: the server of DATABASE_URL when that is PostgreSQL, else
postgres://postgres@127.0.0.1:5432). Each benchmark gets `bhxh_bench_<name>`, created fresh (dropped first
if a kept one is there), passed as DATABASE_URL, and dropped at the end unless --keep. Each prints its own
figures, with the peer or baseline beside them where it has one.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import environ

HERE = Path(__file__).resolve().parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432"


ON_DEMAND = {"load"}  # minutes of load on the machine (the `bench` extra): only when named, `python -m bench load`


def available() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def server_url() -> str:
    explicit = os.environ.get("BENCH_DATABASE_SERVER")
    if explicit:
        return explicit.rstrip("/")
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://", "pgsql://")):
        return url.rsplit("/", 1)[0]
    return DEFAULT_SERVER


def _admin(server: str):
    import psycopg2

    cfg = environ.Env.db_url_config(server + "/postgres")
    conn = psycopg2.connect(dbname="postgres", user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            host=cfg["HOST"] or "127.0.0.1", port=cfg["PORT"] or 5432)
    conn.autocommit = True
    return conn


def _run(server: str, *statements: str) -> None:
    conn = _admin(server)  # autocommit: CREATE/DROP DATABASE cannot run in a transaction
    try:
        with conn.cursor() as cur:
            for statement in statements:
                cur.execute(statement)
    finally:
        conn.close()


def recreate(server: str, name: str) -> None:
    _run(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')


def drop(server: str, name: str) -> None:
    _run(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(argv=None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    extra = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1:]
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help=f"benchmarks to run (default all): {', '.join(available())}")
    parser.add_argument("--keep", action="store_true", help="keep each benchmark's database")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(available()))
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(available())})")
    server = server_url()
    failed = []
    for name in args.names or [n for n in available() if n not in ON_DEMAND]:
        database = f"bhxh_bench_{name}"
        print(f"\n===== bench_{name} on {server}/{database} =====", flush=True)
        recreate(server, database)
        try:
            env = {**os.environ, "DATABASE_URL": f"{server}/{database}"}
            if subprocess.call([sys.executable, "-m", f"bench.bench_{name}", *extra], env=env, cwd=HERE.parent):
                failed.append(name)
        finally:
            if not args.keep:
                drop(server, database)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
