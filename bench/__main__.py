"""Run every benchmark in turn: `python -m bench` (what `make bench` does). Each needs DATABASE_URL to point
at a PostgreSQL database it may fill (the calendar benchmark also runs on SQLite)."""
import subprocess
import sys

BENCHMARKS = ["bench.bench_calendar", "bench.bench_api", "bench.bench_search", "bench.bench_scan", "bench.bench_sync",
              "bench.bench_recompute"]


def main():
    failed = []
    for name in BENCHMARKS:
        print(f"\n===== {name} =====", flush=True)
        if subprocess.call([sys.executable, "-m", name]) != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
