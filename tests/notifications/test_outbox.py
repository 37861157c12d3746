import pytest
from django.core import mail

from notifications.delivery import deliver
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue

pytestmark = pytest.mark.django_db


def test_same_key_twice_queues_one_message():
    first, created = outbox_enqueue(channel="email", kind="t", idempotency_key="k1", recipient="a@b.vn", body="x")
    again, created_again = outbox_enqueue(channel="email", kind="t", idempotency_key="k1", recipient="a@b.vn")
    assert created and not created_again and first.pk == again.pk
    assert OutboxMessage.objects.count() == 1


def test_email_is_delivered_once_and_each_attempt_is_logged():
    message, _ = outbox_enqueue(channel="email", kind="t", idempotency_key="k2", recipient="dan@example.vn",
                                subject="Hồ sơ", body="Đã tiếp nhận")
    assert deliver(message.pk) is True
    assert deliver(message.pk) is False  # already sent: never twice
    assert len(mail.outbox) == 1 and mail.outbox[0].body == "Đã tiếp nhận"
    message.refresh_from_db()
    assert message.state == "sent" and message.attempt_log.count() == 1


def test_a_failing_sender_backs_off_and_is_retried(monkeypatch):
    from notifications import delivery

    calls = []

    def flaky(message):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("gateway down")
        return "ok"

    monkeypatch.setitem(delivery.SENDERS, "sms", flaky)
    message, _ = outbox_enqueue(channel="sms", kind="t", idempotency_key="k3", recipient="+84912345678", body="x")
    assert deliver(message.pk) is False
    message.refresh_from_db()
    assert message.state == "failed" and "gateway down" in message.last_error and message.next_attempt_at
    assert deliver(message.pk) is True
    message.refresh_from_db()
    assert message.state == "sent" and [a.ok for a in message.attempt_log.all()] == [False, True]


@pytest.mark.parametrize("channel,final", [("sms", "dead"), ("portal", "failed")])
def test_citizen_messages_give_up_after_max_attempts_portal_pushes_never(monkeypatch, channel, final):
    from notifications import delivery

    def down(message):
        raise ConnectionError("down")

    monkeypatch.setitem(delivery.SENDERS, channel, down)
    message, _ = outbox_enqueue(channel=channel, kind="t", idempotency_key=f"k-{channel}", recipient="x")
    for _ in range(delivery.MAX_ATTEMPTS + 2):
        deliver(message.pk)
    message.refresh_from_db()
    assert message.state == final
    assert message.attempt_log.count() == (delivery.MAX_ATTEMPTS if final == "dead" else delivery.MAX_ATTEMPTS + 2)


def test_a_send_whose_worker_died_is_taken_again_after_its_lease(monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    message, _ = outbox_enqueue(channel="email", kind="t", idempotency_key="k-lease", recipient="a@b.vn", body="x")
    OutboxMessage.objects.filter(pk=message.pk).update(state="sending", next_attempt_at=timezone.now() + timedelta(minutes=3))
    assert deliver(message.pk) is False  # another worker is sending it
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver(message.pk) is True and len(mail.outbox) == 1
