"""Back-off that resumes promptly after an outage (issue 13 item 11): a capped wait, and the first success towards
a destination releases the other rows for it at once; each channel's rows go to its own task (its queue)."""
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from notifications import delivery
from notifications.delivery import backoff, deliver
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue

from .test_gateways import KEYS, gateway, sms_gateway  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


def sms(key, recipient="+84912345678"):
    return outbox_enqueue(channel="sms", kind="t", idempotency_key=key, recipient=recipient, body="BHXH: thu")[0]


def test_backoff_is_capped_so_a_message_after_a_long_outage_waits_minutes_not_hours(settings):
    assert [backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(11) == backoff(40) == timedelta(minutes=5)  # main: 6 hours after the 11th failure
    settings.OUTBOX_BACKOFF_MAX = 60
    assert backoff(11) == timedelta(minutes=1)


def test_first_success_releases_the_waiting_messages_of_the_same_gateway_at_once(sms_gateway, after_commit):
    """The gateway was down: two SMS wait out long back-offs. The next SMS goes through, and the two are sent
    right away instead of minutes later; an e-mail waiting for another destination keeps its back-off."""
    later = timezone.now() + timedelta(minutes=5)
    waiting = [sms(f"waiting-{i}") for i in range(2)]
    email = outbox_enqueue(channel="email", kind="t", idempotency_key="mail-1", recipient="a@example.vn",
                           body="x")[0]
    OutboxMessage.objects.filter(pk__in=[m.pk for m in [*waiting, email]]).update(
        state="failed", attempts=6, next_attempt_at=later, last_error="gateway down")
    fresh = sms("fresh")
    with after_commit():
        assert deliver(fresh.pk) is True
    for message in waiting:
        message.refresh_from_db()
        assert (message.state, message.attempts) == ("sent", 7)
    assert len(sms_gateway.state()["messages"]) == 3
    email.refresh_from_db()
    assert (email.state, email.next_attempt_at) == ("failed", later)


def test_each_channel_is_handed_to_its_own_task_and_queue(settings):
    from bhxh_portal.celery import app

    assert delivery.task_for("sms") == delivery.task_for("email") == "notifications.tasks.deliver_message"
    assert delivery.task_for("portal") == "portal.tasks.push_message"
    route = app.amqp.router.route
    assert route({}, delivery.task_for("sms"))["queue"].name == "messages"
    assert route({}, delivery.task_for("portal"))["queue"].name == "sync"


def test_an_outbox_row_is_kept_when_the_broker_is_down(django_capture_on_commit_callbacks):
    """Publishing fails (broker unreachable): the intake's transaction is not disturbed, the row stays due for
    the periodic sweep."""
    with mock.patch("notifications.tasks.deliver_message.delay", side_effect=ConnectionError("broker down")):
        with django_capture_on_commit_callbacks(execute=True):
            message = sms("broker-down")
    message.refresh_from_db()
    assert message.state == "pending" and message.next_attempt_at <= timezone.now()
