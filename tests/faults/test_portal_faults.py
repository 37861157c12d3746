"""Drill: the national portal slow (stalling far beyond its time-out) or answering garbage (an HTML error page)
(issue 13). Real `sync` and `messages` workers on a private Redis: the sync run and the push record the failure
(time-out / not JSON) and back off at most OUTBOX_BACKOFF_MAX, while an SMS to a citizen goes out in seconds."""
import time

import pytest
from django.utils import timezone

from notifications.models import DeliveryAttempt, OutboxMessage
from notifications.sandbox import GatewaySandbox
from portal.models import SyncRun
from tests.workers import MisbehavingPortal, Worker, database_url, producer, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
KEYS = {"api_key": "drill-api", "secret_key": "drill-secret"}
FAULTS = {
    "slow": ({"delay": 30}, "không trả lời trong"),
    "garbage": ({"body": b"<html><body><h1>502 Bad Gateway</h1></body></html>", "content_type": "text/html"},
                "không phải JSON"),
}


def _push(office):
    """A PAKN answer waiting for the portal (an outbox row of the "portal" channel)."""
    answer = {"MaPAKN": "PAKN.20260512.0012", "NoiDungTraLoi": "Đã giải quyết", "NguoiTraLoi": "Giám đốc",
              "ChucVuNguoiTraLoi": "Giám đốc", "NgayTraLoi": "20260512090000", "CongKhai": 1}
    return OutboxMessage.objects.create(
        channel="portal", kind="pakn.answer", idempotency_key="drill-pakn-answer", office=office,
        payload={"madonvi": office.agency_code, "answer": answer}, next_attempt_at=timezone.now())


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.django_db(transaction=True)
def test_a_slow_or_garbled_portal_is_recorded_and_citizen_messages_are_not_delayed(fault, private_redis, tmp_path,
                                                                                     offices, receive):
    behaviour, reason = FAULTS[fault]
    hanoi = offices["01"]
    portal, gateway = MisbehavingPortal(**behaviour), GatewaySandbox(**KEYS)
    httpd = gateway.serve()
    env = dict(DATABASE_URL=database_url(), REDIS_URL=private_redis.url, CELERY_BROKER_URL=private_redis.url,
               NATIONAL_PORTAL_URL=portal.url, NATIONAL_PORTAL_TIMEOUT=4, NATIONAL_PORTAL_RETRIES=0,
               SMS_GATEWAY_URL=gateway.url, SMS_API_KEY=KEYS["api_key"], SMS_SECRET_KEY=KEYS["secret_key"])
    workers = []
    try:
        workers = [Worker("sync", tmp_path, **env).ready(), Worker("messages", tmp_path, **env).ready()]
        app = producer(private_redis.url)
        push = _push(hanoi)
        app.send_task("portal.tasks.sync_office", args=[hanoi.pk, ["dossier"]])
        app.send_task("portal.tasks.push_message", args=[push.pk])
        wait_for(lambda: portal.received >= 1, 15, "the sync worker to call the portal")

        dossier = receive(phone="0912345678")
        sms = OutboxMessage.objects.get(channel="sms", dossier_code=dossier.code)
        started = time.monotonic()
        app.send_task("notifications.tasks.deliver_message", args=[sms.pk])
        wait_for(lambda: OutboxMessage.objects.filter(pk=sms.pk, state="sent").exists(), 15, "the citizen's SMS")
        assert time.monotonic() - started < 5, "the SMS waited for the portal"

        wait_for(lambda: SyncRun.objects.filter(office=hanoi, finished_at__isnull=False).exists()
                 and DeliveryAttempt.objects.filter(message=push).exists(), 30, "the sync run and the push attempt")
    finally:
        for worker in workers:
            worker.stop()
        portal.close()
        httpd.shutdown()
        httpd.server_close()

    run = SyncRun.objects.get(office=hanoi)
    assert run.ok is False and reason in run.error, run.error
    push.refresh_from_db()
    attempt = DeliveryAttempt.objects.get(message=push)
    assert push.state == "failed" and attempt.ok is False and reason in attempt.detail, attempt.detail
    assert push.next_attempt_at <= timezone.now() + timezone.timedelta(minutes=5)  # capped back-off
    assert [m["phone"] for m in gateway.state()["messages"]] == ["0912345678"]
