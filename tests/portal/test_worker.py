"""A real Celery worker (subprocess, Redis broker, the test PostgreSQL database) killed with SIGKILL in the middle
of a pull: after a restart nothing is lost and nothing is duplicated (the cursor moves with each page's rows);
killed in the middle of a push batch: no change is lost and no dossier's earlier state arrives after a later one."""
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


def _start_worker(queue, portal_url, **extra):
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bhxh_portal.settings", DATABASE_URL=_database_url(),
               REDIS_URL=os.environ["REDIS_URL"], CELERY_BROKER_URL=os.environ["REDIS_URL"],
               NATIONAL_PORTAL_URL=portal_url, NATIONAL_PORTAL_PAGE_SIZE=str(PAGE), NATIONAL_PORTAL_TIMEOUT="60",
               **extra)
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


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_push_batch_loses_no_change_and_never_sends_an_earlier_state(
        sandbox, hanoi, receive, cast, monkeypatch):
    from cases import services as cases_services
    from cases.models import NATIONAL_STATUS
    from notifications.models import OutboxMessage

    monkeypatch.setattr("portal.outbox.kick_push", lambda office_id: None)  # the test sends the tasks itself
    officer = cast["reception_hn"]
    dossiers = [receive("1.009020") for _ in range(20)]
    for dossier in dossiers[:5] + dossiers[10:15]:  # two changes each in both batches
        cases_services.dossier_start(actor=officer, dossier=dossier)
    # Batch 1 (10 dossiers) goes through; batch 2 hangs on its DongBoHoSoMC, and the worker is killed there.
    sandbox.fault("hang", service="DongBoHoSoMC", skip=1, seconds=120)
    queue = f"portal-test-{uuid.uuid4().hex[:8]}"
    producer = Celery("portal-test", broker=os.environ["REDIS_URL"])
    unsent = OutboxMessage.objects.filter(kind="dossier.sync").exclude(state="sent")
    # One batch in flight at a time, so that the kill lands in batch 2 whatever the timing.
    worker = _start_worker(queue, sandbox.url, PORTAL_PUSH_BATCH="10", PORTAL_PUSH_THREADS="1")
    try:
        producer.send_task("portal.tasks.push_office", args=[hanoi.pk], queue=queue)
        _wait(lambda: not sandbox.faults, what="batch 2 hanging")
        assert unsent.filter(state="sending").exists()
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    finally:
        _stop(worker)
    sandbox.release()  # the dead worker's call is dropped unprocessed
    # While no worker runs, the dossiers move on, in both batches.
    for dossier in dossiers[:2] + dossiers[10:12]:
        cases_services.dossier_request_supplement(actor=officer, dossier=Dossier.objects.get(pk=dossier.pk),
                                                  reason="Thiếu tờ khai", documents=["Tờ khai"])
    worker = _start_worker(queue, sandbox.url, PORTAL_PUSH_BATCH="10")
    try:
        producer.send_task("portal.tasks.push_office", args=[hanoi.pk], queue=queue)
        _wait(lambda: not unsent.exists(), what="every change pushed")
    finally:
        _stop(worker)
        producer.close()
    order = [2, 4, 5]
    for dossier in Dossier.objects.filter(pk__in=[d.pk for d in dossiers]):
        received = sandbox.received(dossier.code)
        progress = [status for _, service, _, status in received if service == "CapNhatTienDoHoSoMC"]
        history = [NATIONAL_STATUS[s] for s in dossier.events.order_by("at", "id").values_list("to_status", flat=True)]
        assert progress == history, dossier.code  # every change, once, in order
        states = [status for _, service, _, status in received if service == "DongBoHoSoMC"]
        assert states == sorted(states, key=order.index), dossier.code  # never an earlier state after a later one
        assert states[-1] == NATIONAL_STATUS[dossier.status]
        assert [u for _, service, u, _ in received if service == "DongBoHoSoMC"][0] == "False"
