"""Benchmark: how much signing adds to issuing an apology slip (cases.services.apology.apology_slip_issue).

    python -m bench.bench_signing [--slips 40] [--tsa]
    python bench/bench_signing.py

Issues --slips slips with the director's PAdES signature (PKCS#12 key of a throw-away TEST CA, the visible
box, the QR of the verification page, the stored signed copy) and --slips slips with signing switched off,
each on a dossier of its own, and prints the median and 95th percentile of both and their difference (the
issue's target: signing adds under 300 ms). --tsa also time-stamps each signature through a local RFC 3161
authority on 127.0.0.1 (PAdES B-LT). With DATABASE_URL set, that database is used (rows it adds have codes
of their own day); otherwise a throw-away SQLite file is created and migrated. Not a test: it prints figures.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time as clock
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def _setup_django() -> None:
    root = Path(__file__).resolve().parent.parent
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bhxh_portal.settings")
    scratch = Path(tempfile.mkdtemp(prefix="bench-signing-"))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch / 'bench.sqlite3'}"
    os.environ["SIGNING_DIR"] = str(scratch / "signing")
    os.environ["MEDIA_ROOT"] = str(scratch / "media")
    os.environ["SIGNING_DEMO_KEYS_ON_DEMAND"] = "true"
    import django

    django.setup()


def _people(office):
    from core.models import Role, User

    director, _ = User.objects.get_or_create(username="bench.giamdoc", defaults={
        "role": Role.DIRECTOR, "office": office, "title": "Giám đốc", "last_name": "Nguyễn Văn", "first_name": "Bền"})
    officer, _ = User.objects.get_or_create(username="bench.tiepnhan", defaults={"role": Role.RECEPTION,
                                                                                 "office": office})
    return director, officer


def _dossiers(n, officer):
    from cases.models import Procedure
    from cases.services import dossier_receive

    procedure = Procedure.objects.get(code="1.009003")
    applicant = {"name": "Nguyễn Văn Ánh", "kind": "citizen", "id_number": "001085012345", "phone": "+84912345678",
                 "email": "anh@example.vn", "address": "Cầu Giấy, Hà Nội"}
    received = datetime(2026, 2, 10, 9, 0, tzinfo=VN)
    return [dossier_receive(actor=officer, procedure=procedure, applicant=applicant, channel="direct",
                            received_at=received) for _ in range(n)]


def _time_issues(dossiers, director) -> tuple[list[float], list[float]]:
    """(wall-clock ms, CPU ms of this process) per issue: on a shared machine the wall clock also counts the
    time other processes hold the cores; the CPU time is what issuing itself costs."""
    from cases.services.apology import apology_slip_issue

    at, new = datetime(2026, 2, 12, 10, 0, tzinfo=VN), datetime(2026, 2, 25, 9, 0, tzinfo=VN)
    wall, cpu = [], []
    for dossier in dossiers:
        start, start_cpu = clock.perf_counter(), clock.process_time()
        apology_slip_issue(actor=director, dossier=dossier, reason="Cần xác minh thêm", new_appointment_at=new, at=at)
        wall.append((clock.perf_counter() - start) * 1000)
        cpu.append((clock.process_time() - start_cpu) * 1000)
    return wall, cpu


def _summary(times):
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slips", type=int, default=40)
    parser.add_argument("--tsa", action="store_true", help="time-stamp through a local RFC 3161 authority")
    args = parser.parse_args()
    _setup_django()
    from django.conf import settings

    from bench.common import load_reference_data
    from cases.services import apology
    from signing import demo
    from signing.models import SignedDocument

    office = load_reference_data()
    director, officer = _people(office)
    if args.tsa:
        from signing.tsa import TimeStampSandbox

        sandbox = TimeStampSandbox(demo.load_or_make_ca())
        sandbox.serve()
        settings.SIGNING_TSA_URL = sandbox.url
    warm = _dossiers(3, officer)
    _time_issues(warm, director)  # keys issued, fonts and modules loaded: time the steady state
    signed_dossiers, plain_dossiers = _dossiers(args.slips, officer), _dossiers(args.slips, officer)
    before = SignedDocument.objects.count()
    signed = _time_issues(signed_dossiers, director)
    assert SignedDocument.objects.count() - before == args.slips, "every slip was signed"
    original = apology._sign
    apology._sign = lambda *a, **k: None  # the same issue without the signature
    try:
        plain = _time_issues(plain_dossiers, director)
    finally:
        apology._sign = original
    level = SignedDocument.objects.order_by("-pk").first().level
    print(f"database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}; {args.slips} slips each way; "
          f"signature {level}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for label, index in (("wall clock", 0), ("CPU time", 1)):
        (sm, sp), (pm, pp) = _summary(signed[index]), _summary(plain[index])
        print(f"{label}: issue with signing   median {sm:7.1f} ms   p95 {sp:7.1f} ms")
        print(f"{label}: issue without        median {pm:7.1f} ms   p95 {pp:7.1f} ms")
        print(f"{label}: signing adds         median {sm - pm:7.1f} ms   "
              f"(target < 300 ms: {'met' if sm - pm < 300 else 'MISSED'})")


if __name__ == "__main__":
    main()
