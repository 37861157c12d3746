"""Drill: Redis (cache and Celery broker) stopped during intake (issue 13). A private redis-server serves gunicorn
and a `messages` worker with its beat; it is killed while officers log in and receive dossiers, then started
again: intake and logins keep working (the throttles degrade, publishing gives up at once), nothing is lost (each
SMS is an outbox row committed with its dossier) and every SMS is delivered once Redis is back."""
import re
import time

import pytest
import requests

from cases.models import Dossier
from core.models import User
from notifications.models import OutboxMessage
from notifications.sandbox import GatewaySandbox
from tests.cases.test_api import INTAKE
from tests.workers import Worker, database_url, wait_for

from .servers import WebServer, pbkdf2

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
PASSWORD = "drill-Passw0rd-2026"
KEYS = {"api_key": "drill-api", "secret_key": "drill-secret"}


def token_login(web):
    status, body, _, taken = web.request("POST", "/api/v1/auth/token/", {"username": "tiepnhan.hn",
                                                                          "password": PASSWORD})
    assert status == 200 and body["token"], body
    assert taken < 3, f"logging in took {taken:.1f} s"
    return body["token"]


def page_login(web):
    session = requests.Session()
    page = session.get(web.url + "/dang-nhap/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(web.url + "/dang-nhap/", data={"username": "tiepnhan.hn", "password": PASSWORD,
                                                         "csrfmiddlewaretoken": csrf},
                          headers={"Referer": web.url + "/dang-nhap/"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:500]
    assert session.get(web.url + "/ban-lam-viec/", timeout=10).status_code == 200


def intake(web, token, n):
    status, body, _, taken = web.request("POST", "/api/v1/dossiers/", {**INTAKE, "summary": f"Diễn tập {n}"},
                                         {"Authorization": f"Token {token}", "Idempotency-Key": f"redis-drill-{n}"})
    assert status == 201, body
    assert taken < 3, f"intake took {taken:.1f} s with Redis down"
    return body["code"]


def sms_state(code):
    return OutboxMessage.objects.get(channel="sms", dossier_code=code).state


@pytest.mark.django_db(transaction=True)
def test_redis_down_during_intake_loses_nothing_and_delivers_when_it_returns(private_redis, tmp_path, cast):
    User.objects.filter(username="tiepnhan.hn").update(password=pbkdf2(PASSWORD))
    gateway = GatewaySandbox(**KEYS)
    httpd = gateway.serve()
    env = dict(DATABASE_URL=database_url(), REDIS_URL=private_redis.url, CELERY_BROKER_URL=private_redis.url,
               NATIONAL_PORTAL_URL="", OUTBOX_EVERY=2, SMS_GATEWAY_URL=gateway.url, SMS_API_KEY=KEYS["api_key"],
               SMS_SECRET_KEY=KEYS["secret_key"])
    web = worker = None
    try:
        web = WebServer(tmp_path, **env)
        worker = Worker("messages", tmp_path, beat=True, **env).ready()
        token = token_login(web)
        first = intake(web, token, 1)
        wait_for(lambda: sms_state(first) == "sent", 20, "the SMS of the first dossier")

        private_redis.stop()
        token = token_login(web)  # the login lockout's cache is down: logins still work
        page_login(web)
        during = [intake(web, token, n) for n in (2, 3)]
        assert {sms_state(code) for code in during} == {"pending"}, "each SMS waits in the outbox"
        lookup = requests.get(f"{web.url}/tra-cuu/", params={"ma": during[0], "dt": "0912345678"}, timeout=10)
        assert lookup.status_code == 200  # the public throttle degrades too

        time.sleep(2)
        private_redis.start()
        wait_for(lambda: all(sms_state(code) == "sent" for code in during), 40, "the SMS queued during the outage")
    finally:
        if worker:
            worker.stop()
        if web:
            web.stop()
        httpd.shutdown()
        httpd.server_close()
    assert Dossier.objects.count() == 3
    sent = gateway.state()["messages"]
    assert sorted(m["request_id"] for m in sent) == sorted(
        f"dossier-event:{pk}:sms" for pk in Dossier.objects.values_list("events__pk", flat=True))
