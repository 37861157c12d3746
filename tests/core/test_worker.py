"""A real Celery worker process consumes a task from Redis and writes to PostgreSQL."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.models import WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


def database_url(settings_dict) -> str:
    user, password = settings_dict["USER"] or "", settings_dict["PASSWORD"] or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    return f"postgres://{auth}{settings_dict['HOST'] or '127.0.0.1'}:{settings_dict['PORT'] or 5432}/{settings_dict['NAME']}"


@pytest.fixture
def worker(transactional_db):
    """Start `celery worker` against REDIS_URL and the test database; stop it afterwards."""
    from django.db import connection

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bhxh_portal.settings",
           "DATABASE_URL": database_url(connection.settings_dict), "CELERY_BROKER_URL": os.environ["REDIS_URL"]}
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "--pool=solo", "--loglevel=INFO",
         "-Q", queue, "--without-heartbeat", "--without-gossip", "--without-mingle"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    yield queue
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.mark.redis
@pytest.mark.postgres
def test_worker_consumes_a_task_from_redis_and_writes_to_postgres(worker):
    from celery import Celery

    sender = Celery("sender", broker=os.environ["REDIS_URL"])
    sender.send_task("core.tasks.heartbeat", kwargs={"worker": "round-trip"}, queue=worker)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        row = WorkerHeartbeat.objects.filter(worker="round-trip").first()
        if row is not None:
            break
        time.sleep(0.3)
    assert row is not None, "the worker did not write the heartbeat row within 60 s"
    assert row.tasks_seen == 1
