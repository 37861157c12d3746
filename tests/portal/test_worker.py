"""A real Celery worker (subprocess, Redis broker, the test PostgreSQL database) killed with SIGKILL in the middle
of a pull: after a restart nothing is lost and nothing is duplicated (the cursor moves with each page's rows)."""
import os
import signal
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from cases.models import Dossier, DossierEvent
from portal.models import Kind, QuarantinedItem, SyncCursor, SyncRun

from .conftest import HANOI

PAGE, TOTAL = 50, 120


def _database_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(queue, portal_url):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bhxh_portal.settings", DATABASE_URL=_database_url(),
               REDIS_URL=os.environ["REDIS_URL"], CELERY_BROKER_URL=os.environ["REDIS_URL"],
               NATIONAL_PORTAL_URL=portal_url, NATIONAL_PORTAL_PAGE_SIZE=str(PAGE), NATIONAL_PORTAL_TIMEOUT="60")
    command = [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "--pool=solo", "-Q", queue,
               "-n", f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"]
    return subprocess.Popen(command, cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)


def _wait(predicate, timeout=90, what=""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _stop(worker):
    if worker.poll() is None:
        worker.kill()
    worker.wait(timeout=30)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_page_loses_nothing_and_duplicates_nothing(sandbox, hanoi):
    sandbox.dataset(HANOI, dossiers=TOTAL)
    sandbox.fault("stall", service="LayDanhSachHoSo", trang=2, seconds=120)
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    producer = Celery("portal-test", broker=os.environ["REDIS_URL"])

    def stored():
        return Dossier.objects.filter(office=hanoi)

    worker = _start_worker(queue, sandbox.url)
    try:
        producer.send_task("portal.tasks.sync_office", args=[hanoi.pk, [Kind.DOSSIER]], queue=queue)
        _wait(lambda: stored().count() == PAGE and not sandbox.faults, what="page 1 stored and page 2 stalled")
        os.killpg(worker.pid, signal.SIGKILL)  # mid-page: the worker is waiting for page 2
        worker.wait(timeout=30)
    finally:
        _stop(worker)
    sandbox.release()
    assert stored().count() == PAGE == DossierEvent.objects.count()
    cursor = SyncCursor.objects.get(office=hanoi, kind=Kind.DOSSIER).position
    assert cursor == max(d.portal_payload["NgayNopHoSo"] for d in stored())
    interrupted = SyncRun.objects.get()
    assert interrupted.finished_at is None and interrupted.stored == PAGE

    worker = _start_worker(queue, sandbox.url)
    try:
        producer.send_task("portal.tasks.sync_office", args=[hanoi.pk, [Kind.DOSSIER]], queue=queue)
        _wait(lambda: SyncRun.objects.filter(finished_at__isnull=False).exists(), what="the second run")
    finally:
        _stop(worker)
        producer.close()
    run = SyncRun.objects.get(finished_at__isnull=False)
    assert (run.ok, run.stored, run.already) == (True, TOTAL - PAGE, 1)
    assert stored().count() == TOTAL == DossierEvent.objects.filter(action="pull").count()
    assert len(set(stored().values_list("code", flat=True))) == TOTAL
    assert not QuarantinedItem.objects.exists()
