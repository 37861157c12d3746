"""Queues per kind of work (issue 13 item 11, issue 14): real Celery workers on Redis, one per queue as
docker-compose runs them. With the national portal stalling 30 s a call, an SMS to a citizen is still delivered
within seconds (on main everything shared one queue: an SMS took 50 s)."""
import os
import time

import pytest
from django.conf import settings

from notifications.models import OutboxMessage
from notifications.sandbox import GatewaySandbox
from tests.workers import MisbehavingPortal, Worker, database_url, producer, purge, wait_for

KEYS = {"api_key": "q-api-key", "secret_key": "q-secret-key"}


@pytest.fixture
def stack(tmp_path):
    """A portal stalling 30 s per call, the SMS gateway stand-in, and the `sync` and `messages` workers."""
    redis_url = os.environ["REDIS_URL"]
    purge(redis_url, *settings.WORKER_QUEUES)
    portal = MisbehavingPortal(delay=30)
    gateway = GatewaySandbox(**KEYS)
    httpd = gateway.serve()
    env = dict(DATABASE_URL=database_url(), REDIS_URL=redis_url, CELERY_BROKER_URL=redis_url,
               NATIONAL_PORTAL_URL=portal.url, NATIONAL_PORTAL_TIMEOUT=60, NATIONAL_PORTAL_RETRIES=0,
               SMS_GATEWAY_URL=gateway.url, SMS_API_KEY=KEYS["api_key"], SMS_SECRET_KEY=KEYS["secret_key"])
    workers = []
    try:
        workers = [Worker("sync", tmp_path, **env), Worker("messages", tmp_path, **env)]
        for worker in workers:
            worker.ready()
        yield {"portal": portal, "gateway": gateway, "producer": producer(redis_url)}
    finally:
        for worker in workers:
            worker.stop()
        purge(redis_url, *settings.WORKER_QUEUES)
        portal.close()
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_stalled_national_portal_never_delays_a_citizens_sms(stack, offices, receive):
    portal, gateway, app = stack["portal"], stack["gateway"], stack["producer"]
    app.send_task("portal.tasks.sync_office", args=[offices["01"].pk])  # routed to `sync` by its name
    wait_for(lambda: portal.received >= 1, 15, "the sync worker to call the portal")

    dossier = receive(phone="0912345678")  # committed, with its SMS to the applicant in the outbox
    sms = OutboxMessage.objects.get(channel="sms", dossier_code=dossier.code)
    started = time.monotonic()
    app.send_task("notifications.tasks.deliver_message", args=[sms.pk])  # routed to `messages`
    wait_for(lambda: OutboxMessage.objects.filter(pk=sms.pk, state="sent").exists(), 15, "the SMS to be sent")
    elapsed = time.monotonic() - started

    assert elapsed < 5, f"the SMS took {elapsed:.1f} s behind a stalled portal"
    assert portal.answered == 0, "the portal call was still stalled while the SMS went out"
    assert [m["phone"] for m in gateway.state()["messages"]] == ["0912345678"]
