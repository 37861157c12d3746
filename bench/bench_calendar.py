"""Benchmark: legal due moments per second, workcal.calendar vs a naive day-by-day loop over `holidays`.

    python -m bench.bench_calendar [--iterations 20000] [--seed 1]
    python bench/bench_calendar.py

With DATABASE_URL set, that (migrated) database is used; otherwise a throw-away SQLite file is created and
migrated for workcal. Both implementations get the same inputs and their answers are compared (with
administrator overrides in the database the naive loop, which knows only `holidays`, may differ).
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path

LIMITS = [0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45, 60]  # typical procedure time limits, in working days


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    temporary = not os.environ.get("DATABASE_URL")
    if temporary:
        path = Path(tempfile.mkdtemp(prefix="bench-workcal-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    if temporary:
        from django.core.management import call_command

        call_command("migrate", "workcal", verbosity=0)


class NaiveCalendar:
    """The obvious implementation: walk the calendar one day at a time asking `holidays` about each day."""

    def __init__(self, tz, hours, cutoff):
        import holidays

        self.vn = holidays.country_holidays("VN")
        self.tz, self.hours, self.cutoff = tz, hours, cutoff

    def is_working_day(self, d: date) -> bool:
        if d in self.vn:  # also loads the year, and with it the year's make-up days
            return False
        return d.weekday() < 5 or d in self.vn.weekend_workdays

    def next_working_day(self, d: date) -> date:
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def legal_due_at(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(self.tz)
        d, t = local.date(), local.time()
        opening, closing = self.hours[0][0], self.hours[-1][1]
        if days == 0:
            if not (self.is_working_day(d) and t <= self.cutoff and t < closing):
                d = self.next_working_day(d)
            return datetime.combine(d, closing, tzinfo=self.tz)
        begun = None
        if self.is_working_day(d):
            for s, e in self.hours:
                if t < s:
                    begun = s
                    break
                if t < e:
                    begun = t
                    break
        if begun is None:
            d, begun = self.next_working_day(d), opening
        for _ in range(days):
            d = self.next_working_day(d)
        return datetime.combine(d, begun, tzinfo=self.tz)


def _inputs(n: int, seed: int, tz) -> list[tuple[datetime, int]]:
    rng = random.Random(seed)
    first = datetime(2024, 1, 1, tzinfo=tz)
    span_minutes = 4 * 365 * 24 * 60
    return [(first + timedelta(minutes=rng.randrange(span_minutes)), rng.choice(LIMITS)) for _ in range(n)]


def _rate(fn, inputs) -> tuple[float, list]:
    began = clock.perf_counter()
    out = [fn(start, days) for start, days in inputs]
    return len(inputs) / (clock.perf_counter() - began), out


def run(iterations: int = 20000, seed: int = 1, out=print) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from workcal import calendar

    tz = timezone.get_default_timezone()
    inputs = _inputs(iterations, seed, tz)
    naive = NaiveCalendar(tz, calendar.office_hours(), time.fromisoformat(settings.SAME_DAY_CUTOFF))
    warm = inputs[: min(len(inputs), 500)]
    _rate(naive.legal_due_at, warm)  # load the holiday years once, as a long-running process would have
    _rate(calendar.legal_due_at, warm)

    naive_rate, expected = _rate(naive.legal_due_at, inputs)
    fast_rate, got = _rate(calendar.legal_due_at, inputs)
    with calendar.pinned():
        pinned_rate, got_pinned = _rate(calendar.legal_due_at, inputs)
    mismatches = sum(a != b for a, b in zip(expected, got)) + sum(a != b for a, b in zip(got, got_pinned))

    result = {"iterations": iterations, "database": connection.vendor, "naive_per_s": naive_rate,
              "calendar_per_s": fast_rate, "pinned_per_s": pinned_rate,
              "speedup": fast_rate / naive_rate, "speedup_pinned": pinned_rate / naive_rate, "mismatches": mismatches}
    out(f"legal_due_at, {iterations} dossiers (limits {LIMITS} working days), database: {connection.vendor}")
    out(f"  naive day-by-day loop over holidays : {naive_rate:12,.0f} /s")
    out(f"  workcal.calendar (stamp check/call) : {fast_rate:12,.0f} /s   ×{result['speedup']:.1f}")
    out(f"  workcal.calendar inside pinned()    : {pinned_rate:12,.0f} /s   ×{result['speedup_pinned']:.1f}")
    out(f"  answers that differ                 : {mismatches}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    _setup_django()
    result = run(args.iterations, args.seed)
    return 0 if result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
