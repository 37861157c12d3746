"""Messages a citizen welcomes (issue 12): SMS and Zalo held outside CITIZEN_MESSAGE_HOURS and sent in the morning
in order; the preferred channel and the opt-out taken at intake; SMS/Zalo only to mobiles (a landline gets e-mail or
nothing, and the dossier page says so); a message that finally fails is shown on the dossier page and sent again by
hand."""
import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import Dossier
from notifications.delivery import MAX_ATTEMPTS, deliver
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from notifications.tasks import deliver_pending
from tests.cases.conftest import local

from .test_gateways import KEYS, gateway, sms_gateway  # noqa: F401 - the live gateway stand-in

pytestmark = pytest.mark.django_db


@pytest.fixture
def vn_hours(settings):
    settings.CITIZEN_MESSAGE_HOURS = [("07:00", "21:00")]


def _sms(key, body):
    return outbox_enqueue(channel="sms", kind="dossier.receive", idempotency_key=key, recipient="+84912345678",
                          body=body)[0]


def test_an_sms_written_at_23_00_waits_for_07_00_and_the_night_goes_out_in_order(vn_hours, sms_gateway):
    with time_machine.travel(local(2026, 11, 2, 23, 0), tick=False):
        first, second = _sms("night-1", "Tin thu nhat"), _sms("night-2", "Tin thu hai")
        assert first.not_before == local(2026, 11, 3, 7, 0) and first.next_attempt_at == local(2026, 11, 3, 7, 0)
        assert deliver(first.pk) is False  # a worker kicked anyway sends nothing at night
        assert deliver_pending() == 0
    with time_machine.travel(local(2026, 11, 3, 6, 59), tick=False):
        assert deliver_pending() == 0 and sms_gateway.state()["messages"] == []
    with time_machine.travel(local(2026, 11, 3, 7, 0, 30), tick=False):
        assert deliver_pending() == 2
    assert [m["content"] for m in sms_gateway.state()["messages"]] == ["Tin thu nhat", "Tin thu hai"]
    first.refresh_from_db()
    assert first.state == "sent" and first.attempts == 1


def test_an_sms_at_10_00_goes_at_once_and_email_is_never_held(vn_hours):
    with time_machine.travel(local(2026, 11, 2, 10, 0), tick=False):
        assert _sms("day", "Ban ngay").not_before is None
    with time_machine.travel(local(2026, 11, 2, 23, 30), tick=False):
        mail = outbox_enqueue(channel="email", kind="t", idempotency_key="mail", recipient="a@example.vn", body="x")[0]
        assert mail.not_before is None and deliver(mail.pk) is True


def test_a_retry_that_falls_in_the_night_waits_for_the_morning(vn_hours, settings):
    settings.SMS_GATEWAY_URL = None  # no sender: the row stays pending; what matters is the hold
    with time_machine.travel(local(2026, 11, 2, 20, 59), tick=False):
        message = _sms("evening", "x")
        assert message.not_before is None
    with time_machine.travel(local(2026, 11, 2, 21, 0), tick=False):
        settings.SMS_GATEWAY_URL = "http://127.0.0.1:9"
        assert deliver(message.pk) is False
        message.refresh_from_db()
        assert message.attempts == 0 and message.not_before == local(2026, 11, 3, 7, 0)


def _receive(receive, **applicant):
    with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
        return receive(at=local(2026, 3, 2, 8, 0), **applicant)


def _messages(dossier):
    return sorted(OutboxMessage.objects.filter(dossier_code=dossier.code).exclude(channel__in=["officer", "portal"])
                  .values_list("channel", "recipient"))


def test_an_sms_never_goes_to_a_landline_and_the_dossier_page_says_so(receive, cast, client):
    """The issue's defect: an SMS went to 02438561234. A landline gets e-mail, or nothing."""
    d = _receive(receive, phone="024 3856 1234", email="nhansu@maythanglong.vn")
    assert _messages(d) == [("email", "nhansu@maythanglong.vn")]
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    assert "Số điện thoại là số cố định: không gửi SMS, Zalo" in page and "024 3856 1234" in page
    silent = _receive(receive, phone="02438561234", email="", id_number="001085012346")
    assert _messages(silent) == []
    page = client.get(reverse("cases:detail", kwargs={"code": silent.code})).content.decode()
    assert "người nộp không nhận được thông báo nào" in page


def test_the_preferred_channel_and_the_opt_out_taken_at_intake_are_honoured(receive, cast, procedures):
    base = {"name": "Lê Thị Mai", "kind": "citizen", "phone": "+84912345678", "email": "mai@example.vn"}

    def make(id_number, **choices):
        with time_machine.travel(local(2026, 3, 2, 9, 0), tick=False):
            return services.dossier_receive(actor=cast["reception_hn"], procedure=procedures["1.009020"],
                                            applicant={**base, "id_number": id_number}, channel="direct",
                                            received_at=local(2026, 3, 2, 8, 0), **choices)

    assert _messages(make("001085012347")) == [("email", "mai@example.vn"), ("sms", "+84912345678")]
    assert _messages(make("001085012348", contact_channel="zalo")) == [("zalo", "+84912345678")]
    assert _messages(make("001085012349", contact_channel="email")) == [("email", "mai@example.vn")]
    quiet = make("001085012350", messages_opt_out=True)
    assert _messages(quiet) == []
    # Every later message too: the result, and the apology slip.
    with time_machine.travel(local(2026, 3, 2, 10, 0), tick=False):
        quiet = services.dossier_start(actor=cast["reception_hn"], dossier=quiet, assignee="chuyenvien.hn")
        services.dossier_resolve(actor=cast["processor_hn"], dossier=quiet, outcome="approved")
    assert _messages(quiet) == []


def test_the_intake_api_and_page_take_the_channel_and_the_opt_out(as_user, cast, client):
    body = {"procedure": "1.009020", "channel": "direct", "summary": "x", "contact_channel": "email",
            "applicant": {"name": "Lê Thị Mai", "kind": "citizen", "id_number": "001085012351",
                          "phone": "0912345678", "email": "mai@example.vn"}}
    created = as_user(cast["reception_hn"]).post("/api/v1/dossiers/", body, format="json")
    assert created.status_code == 201 and created.json()["contact_channel"] == "email"
    assert as_user(cast["reception_hn"]).post("/api/v1/dossiers/", {**body, "contact_channel": "fax"},
                                              format="json").status_code == 400
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:intake")).content.decode()
    assert 'name="contact_channel"' in page and 'name="messages_opt_out"' in page


def test_a_message_that_finally_failed_is_on_the_dossier_page_and_is_sent_again_by_hand(receive, cast, client,
                                                                                        sms_gateway):
    d = _receive(receive, email="")
    message = OutboxMessage.objects.get(dossier_code=d.code, channel="sms")
    OutboxMessage.objects.filter(pk=message.pk).update(state="dead", attempts=MAX_ATTEMPTS,
                                                       last_error="CodeResult 99: Thuê bao không tồn tại")
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:detail", kwargs={"code": d.code})).content.decode()
    retry = reverse("cases:retry_message", kwargs={"code": d.code, "pk": message.pk})
    assert "Không gửi được" in page and "Thuê bao không tồn tại" in page and retry in page
    assert client.post(retry).status_code == 302
    message.refresh_from_db()
    assert message.state == "pending" and message.attempts == 0
    event = Dossier.objects.get(pk=d.pk).events.get(action="message-retry")
    assert event.actor == cast["reception_hn"] and "SMS" in event.note
    assert deliver(message.pk) is True  # what the worker does after commit
    message.refresh_from_db()
    assert message.state == "sent"
    # A message that was sent cannot be "sent again".
    client.post(retry)
    assert Dossier.objects.get(pk=d.pk).events.filter(action="message-retry").count() == 1
