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
FIRST_YEAR, SPAN_YEARS = 2024, 4


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
    from django.core.management import call_command

    call_command("migrate", "workcal", verbosity=0)  # a fresh database (python -m bench) or the SQLite file


class NaiveCalendar:
    """The obvious implementation: walk the calendar one day at a time asking `holidays` about each day.

    It knows nothing of the administrator's overrides; `with_overrides=True` makes it correct the naive way,
    by reading the overrides that could matter (one query per computation) before walking.
    """

    def __init__(self, tz, hours, cutoff, years, with_overrides=False):
        import holidays

        self.vn = holidays.country_holidays("VN", years=years)  # loaded up front: time the loop, not the load
        self.tz, self.hours, self.cutoff = tz, hours, cutoff
        self.with_overrides, self.overrides = with_overrides, {}

    def is_working_day(self, d: date) -> bool:
        kind = self.overrides.get(d)
        if kind is not None:
            return kind == "work"
        if d in self.vn:
            return False
        return d.weekday() < 5 or d in self.vn.weekend_workdays

    def _load_overrides(self, start: date, days: int) -> None:
        from workcal.models import CalendarOverride

        horizon = start + timedelta(days=3 * days + 60)
        self.overrides = dict(CalendarOverride.objects.filter(date__gte=start, date__lte=horizon)
                              .values_list("date", "kind"))

    def next_working_day(self, d: date) -> date:
        d += timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def legal_due_at(self, start: datetime, days: int) -> datetime:
        local = start.astimezone(self.tz)
        d, t = local.date(), local.time()
        if self.with_overrides:
            self._load_overrides(d, days)
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
    """n (received at, time limit) pairs: any minute of 2024–2027, a typical limit."""
    rng = random.Random(seed)
    first = datetime(FIRST_YEAR, 1, 1, tzinfo=tz)
    span_minutes = SPAN_YEARS * 365 * 24 * 60
    return [(first + timedelta(minutes=rng.randrange(span_minutes)), rng.choice(LIMITS)) for _ in range(n)]


def _rate(fn, inputs) -> tuple[float, list]:
    began = clock.perf_counter()
    out = [fn(start, days) for start, days in inputs]
    return len(inputs) / (clock.perf_counter() - began), out


def run(iterations: int = 20000, seed: int = 1, out=print, repeat: int = 3) -> dict:
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from workcal import calendar, selectors

    tz = timezone.get_default_timezone()
    inputs = _inputs(iterations, seed, tz)
    args = (tz, calendar.office_hours(), time.fromisoformat(settings.SAME_DAY_CUTOFF),
            range(FIRST_YEAR - 1, FIRST_YEAR + SPAN_YEARS + 2))
    naive, naive_db = NaiveCalendar(*args), NaiveCalendar(*args, with_overrides=True)
    warm = inputs[: min(len(inputs), 500)]
    _rate(naive.legal_due_at, warm)
    _rate(naive_db.legal_due_at, warm)
    _rate(calendar.legal_due_at, warm)  # this process's copy of the table is loaded once

    from workcal import index

    naive_rate = naive_db_rate = fast_rate = pinned_rate = cold_rate = 0.0
    for _ in range(repeat):  # interleaved rounds, best of each: less sensitive to a busy machine
        rate, expected = _rate(naive.legal_due_at, inputs)
        naive_rate = max(naive_rate, rate)
        naive_db_rate = max(naive_db_rate, _rate(naive_db.legal_due_at, inputs)[0])
        rate, got = _rate(calendar.legal_due_at, inputs)
        fast_rate = max(fast_rate, rate)
        with calendar.pinned():
            rate, got_pinned = _rate(calendar.legal_due_at, inputs)
        pinned_rate = max(pinned_rate, rate)
        calendar._install(selectors.calendar_table())  # a new index, its memo empty: the first request's cost
        token = index.open_scope()  # what a request (CalendarScopeMiddleware) or a Celery task runs in
        try:
            rate, got_cold = _rate(calendar.legal_due_at, inputs)
        finally:
            index.close_scope(token)
        cold_rate = max(cold_rate, rate)
    mismatches = sum(a != b for a, b in zip(expected, got)) + sum(a != b for a, b in zip(got, got_pinned))
    mismatches += sum(a != b for a, b in zip(got, got_cold))

    result = {"iterations": iterations, "database": connection.vendor, "naive_per_s": naive_rate,
              "naive_with_overrides_per_s": naive_db_rate, "calendar_per_s": fast_rate, "pinned_per_s": pinned_rate,
              "speedup": fast_rate / naive_rate, "speedup_pinned": pinned_rate / naive_rate, "mismatches": mismatches,
              "scope_cold_per_s": cold_rate, "speedup_scope_cold": cold_rate / naive_rate}
    out(f"legal_due_at, {iterations} dossiers (limits {LIMITS} working days), best of {repeat}, "
        f"database: {connection.vendor}")
    out(f"  naive day-by-day loop over holidays (ignores overrides) : {naive_rate:10,.0f} /s   ×1.0")
    out(f"  naive loop + 1 overrides query per computation         : {naive_db_rate:10,.0f} /s   "
        f"×{naive_db_rate / naive_rate:.1f}")
    out(f"  workcal.calendar (1 stamp check per computation)        : {fast_rate:10,.0f} /s   "
        f"×{result['speedup']:.1f}   (×{fast_rate / naive_db_rate:.1f} the correct naive loop)")
    out(f"  in a request/task scope, new index (1 stamp check)      : {cold_rate:10,.0f} /s   "
        f"×{result['speedup_scope_cold']:.1f}")
    out(f"  inside pinned() / a scope, index warm (1 stamp check)   : {pinned_rate:10,.0f} /s   "
        f"×{result['speedup_pinned']:.1f}")
    out(f"  answers that differ from the naive loop                 : {mismatches}")
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    _setup_django()
    result = run(args.iterations, args.seed, repeat=args.repeat)
    return 0 if result["mismatches"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
