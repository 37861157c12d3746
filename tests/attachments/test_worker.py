"""A real Celery worker (subprocess, Redis broker, the test PostgreSQL database) fetches a paper of the portal
that fails at first: the retry comes back after its back-off, on the same queue, and the file is stored."""
import os
import subprocess
import sys
import time
import uuid
from urllib.parse import quote

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from attachments.models import Attachment
from portal.services import store_dossier_page

from .conftest import PDF
from .test_fetch import CODE, _item


def _database_url():
    s = connection.settings_dict
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_retries_a_failed_fetch_after_its_back_off(portal_files, offices, tmp_path):
    portal_files.files["/f/ds.pdf"] = PDF
    portal_files.failures["/f/ds.pdf"] = 1
    store_dossier_page(office=offices["01"], items=[_item(CODE, [("ds.pdf", "/f/ds.pdf")])])
    paper = Attachment.objects.get()
    queue = f"papers-test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bhxh_portal.settings", DATABASE_URL=_database_url(),
               REDIS_URL=os.environ["REDIS_URL"], CELERY_BROKER_URL=os.environ["REDIS_URL"],
               NATIONAL_PORTAL_URL=settings.NATIONAL_PORTAL_URL, MEDIA_ROOT=settings.MEDIA_ROOT,
               ATTACHMENT_FETCH_BACKOFF="1")
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bhxh_portal", "worker", "--pool=solo", "-Q", queue, "-n",
         f"{queue}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "WARNING"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        Celery("papers-test", broker=os.environ["REDIS_URL"]).send_task(
            "attachments.tasks.fetch_portal_papers", args=[[paper.pk]], queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            paper.refresh_from_db()
            if paper.fetch_status == "fetched":
                break
            time.sleep(0.2)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    assert paper.fetch_status == "fetched" and paper.attempts == 2 and portal_files.hits["/f/ds.pdf"] == 2
    with paper.file.open("rb") as fh:
        assert fh.read() == PDF
