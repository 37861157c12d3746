"""Run every benchmark in turn: `python -m bench` (what `make bench` does), or one by name:
`python -m bench NAME [its options]` (e.g. `python -m bench load --users 50 --duration 120`). Each needs
DATABASE_URL to point at a PostgreSQL database it may fill (the calendar benchmark also runs on SQLite); the
load benchmark creates and drops a database of its own on that server."""
import subprocess
import sys

BENCHMARKS = ["bench.bench_calendar", "bench.bench_api", "bench.bench_scan", "bench.bench_sync",
              "bench.bench_recompute"]
# On demand only (minutes of load on the machine, needs the `bench` extra): `python -m bench load`.
ON_DEMAND = ["bench.bench_load"]


def main():
    if len(sys.argv) > 1 and not sys.argv[1].startswith("-"):
        name = sys.argv[1] if sys.argv[1].startswith("bench.") else f"bench.bench_{sys.argv[1]}"
        if name not in BENCHMARKS + ON_DEMAND:
            sys.exit(f"unknown benchmark {sys.argv[1]!r}; one of "
                     f"{', '.join(n.removeprefix('bench.bench_') for n in BENCHMARKS + ON_DEMAND)}")
        sys.exit(subprocess.call([sys.executable, "-m", name, *sys.argv[2:]]))
    failed = []
    for name in BENCHMARKS:
        print(f"\n===== {name} =====", flush=True)
        if subprocess.call([sys.executable, "-m", name]) != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
