"""Intake is idempotent (issue 13 item 7): during a PostgreSQL restart a dossier was committed but the client got
an error, so the officer's retry made a duplicate. With `Idempotency-Key` (API) or the intake page's hidden token a
retry answers the first result and never receives twice."""
import http.client
import json
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from cases.models import Dossier
from core import idempotency
from core.models import IdempotentRequest

from .test_api import INTAKE

pytestmark = pytest.mark.django_db
URL = "/api/v1/dossiers/"


def post(api, body=INTAKE, key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return api.post(URL, body, format="json", **headers)


def test_retry_with_the_same_idempotency_key_makes_no_duplicate(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    first = post(api, key="8e0f2b7c-5d1a-4c1e-9a43-0c6f3f1d2a77")
    retry = post(api, key="8e0f2b7c-5d1a-4c1e-9a43-0c6f3f1d2a77")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()  # the same dossier, the same body
    assert Dossier.objects.count() == 1
    assert retry["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert IdempotentRequest.objects.get().response["code"] == first.json()["code"]


def test_without_a_key_each_post_is_a_new_dossier(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    assert post(api).status_code == post(api).status_code == 201
    assert Dossier.objects.count() == 2 and not IdempotentRequest.objects.exists()


@pytest.mark.postgres  # SQLite's shared in-memory test database locks whole tables between the two threads
@pytest.mark.django_db(transaction=True)
def test_a_retry_after_an_answer_lost_on_the_wire_returns_the_committed_dossier(live_server, cast, procedures):
    """The first attempt commits, but the client hangs up before the answer (a dropped connection, a proxy
    time-out). The retry with the same key gets that dossier back; nothing is received twice."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.get_or_create(user=cast["reception_hn"])[0].key
    host, port = live_server.url.removeprefix("http://").split(":")
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": "lost-1"}
    body = json.dumps(INTAKE)

    lost = http.client.HTTPConnection(host, int(port), timeout=30)
    lost.request("POST", URL, body=body, headers=headers)
    lost.sock.close()  # hang up without reading the answer
    deadline = timezone.now() + timedelta(seconds=20)
    while not Dossier.objects.exists() and timezone.now() < deadline:
        threading.Event().wait(0.05)
    assert Dossier.objects.count() == 1, "the first attempt should have been received"

    retry = http.client.HTTPConnection(host, int(port), timeout=30)
    retry.request("POST", URL, body=body, headers=headers)
    answer = retry.getresponse()
    assert answer.status == 201 and answer.getheader("Idempotent-Replayed") == "true"
    assert json.loads(answer.read())["code"] == Dossier.objects.get().code
    assert Dossier.objects.count() == 1


def test_the_same_key_with_another_body_is_refused_with_a_clear_error(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    assert post(api, key="k-1").status_code == 201
    other = {**INTAKE, "applicant": {**INTAKE["applicant"], "name": "Trần Thị Bình"}}
    response = post(api, other, key="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "IDEMPOTENCY_KEY_REUSED" and "Idempotency-Key" in response.json()["detail"]
    assert Dossier.objects.count() == 1


def test_a_refused_request_keeps_no_key_so_the_corrected_retry_is_received(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    bad = {**INTAKE, "applicant": {**INTAKE["applicant"], "id_number": "12345"}}
    assert post(api, bad, key="k-2").status_code == 400
    assert not IdempotentRequest.objects.exists()
    assert post(api, key="k-2").status_code == 201


def test_keys_belong_to_their_officer(as_user, cast, procedures, api):
    assert post(as_user(cast["reception_hn"]), key="shared").status_code == 201
    assert post(as_user(cast["reception_cg"]), key="shared").status_code == 201
    assert Dossier.objects.count() == 2


@pytest.mark.parametrize("key", ["", "x" * 201, "có dấu", "tab\there"])
def test_an_unusable_key_is_a_400(as_user, cast, procedures, key):
    response = post(as_user(cast["reception_hn"]), key=key)
    assert response.status_code == 400 and response.json()["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert not Dossier.objects.exists()


def test_a_database_outage_during_intake_is_a_503_with_retry_after_never_a_500(as_user, cast, procedures):
    api = as_user(cast["reception_hn"])
    with mock.patch("cases.services.dossier_receive", side_effect=OperationalError("server closed the connection")):
        response = post(api, key="outage-1")
    assert response.status_code == 503 and response["Retry-After"]
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    assert not IdempotentRequest.objects.exists()
    assert post(api, key="outage-1").status_code == 201  # after the outage the same key receives once
    assert Dossier.objects.count() == 1


def test_old_keys_are_forgotten(as_user, cast, procedures, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 24
    assert post(as_user(cast["reception_hn"]), key="old").status_code == 201
    assert idempotency.prune(now=timezone.now() + timedelta(hours=23)) == 0
    assert idempotency.prune(now=timezone.now() + timedelta(hours=25)) == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_with_one_key_receive_one_dossier(cast, procedures):
    """Two retries racing (a double click, a client retrying while the first is still running): the second
    waits on the key, then answers the first one's dossier."""
    from django.db import connections
    from rest_framework.test import APIClient

    answers, barrier = [], threading.Barrier(4)

    def attempt():
        try:
            client = APIClient()
            client.force_authenticate(cast["reception_hn"])
            barrier.wait()
            response = post(client, key="race-1")
            answers.append((response.status_code, response.json()["code"]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(answers) == 4 and {status for status, _ in answers} == {201}
    assert len({code for _, code in answers}) == 1
    assert Dossier.objects.count() == 1


def test_intake_page_resubmitted_with_its_token_makes_one_dossier(client, cast, procedures):
    """The desk form carries its own token: pressing “Tiếp nhận” again (or the browser resending the POST after
    a dropped answer) shows the dossier received the first time."""
    client.force_login(cast["reception_hn"])
    page = client.get("/ho-so/tiep-nhan/")
    token = page.context["form"]["intake_token"].value()
    assert token and f'name="intake_token" value="{token}"' in page.content.decode()
    procedure = procedures["1.009020"]
    form = {"procedure": procedure.pk, "channel": "direct", "applicant_kind": "citizen",
            "applicant_name": "Nguyễn Văn Ánh", "applicant_id_number": "001085012345",
            "applicant_phone": "0912345678", "decision": "receive", "result_delivery": "counter",
            "checklist": _required_ticks(page.context["form"], procedure.pk), "intake_token": token}
    first = client.post("/ho-so/tiep-nhan/", form)
    again = client.post("/ho-so/tiep-nhan/", form)
    assert first.status_code == again.status_code == 302
    assert again["Location"] == first["Location"]
    assert Dossier.objects.count() == 1
    edited = client.post("/ho-so/tiep-nhan/", {**form, "applicant_name": "Trần Thị Bình"})
    assert edited.status_code == 400 and Dossier.objects.count() == 1
    assert "đã được gửi" in edited.content.decode()
    fresh = edited.context["form"]["intake_token"].value()
    assert fresh != token  # a new token: pressing again now receives a new dossier, knowingly
    again = client.post("/ho-so/tiep-nhan/", {**form, "applicant_name": "Trần Thị Bình", "intake_token": fresh})
    assert again.status_code == 302
    assert Dossier.objects.count() == 2


def _required_ticks(form, procedure_pk):
    return [value for pk, items in form.checklist_groups() if pk == procedure_pk
            for value, item, *_ in items if item.get("required")]


def test_fingerprint_ignores_key_order():
    assert idempotency.fingerprint("s", {"a": 1, "b": [1, 2]}) == idempotency.fingerprint("s", {"b": [1, 2], "a": 1})
    assert idempotency.fingerprint("s", {"a": 1}) != idempotency.fingerprint("t", {"a": 1})
