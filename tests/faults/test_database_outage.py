"""Drill: PostgreSQL unavailable for a few seconds in the middle of intake (issue 13). A private cluster is
stopped while an officer's client keeps receiving dossiers through gunicorn: every answer is a 201 or a clear 503
JSON (never a 500), and the client's retries with the same Idempotency-Key once the database is back make no
duplicate — also for an attempt whose transaction committed just before the connection dropped."""
import threading
import time

import pytest

from tests.cases.test_api import INTAKE
from tests.workers import database_url, wait_for

from .servers import WebServer, pbkdf2

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
PASSWORD = "drill-Passw0rd-2026"


class Officer(threading.Thread):
    """Receives dossiers one after another; on a 503 it waits and sends the same dossier with the same key."""

    def __init__(self, web, token, name):
        super().__init__(daemon=True)
        self.web, self.token, self.prefix = web, token, name
        self.answers, self.done, self.stop = [], {}, threading.Event()

    def run(self):
        number = 0
        while not self.stop.is_set():
            key = f"drill-{self.prefix}-{number}"
            status, body, headers, taken = self.web.request(
                "POST", "/api/v1/dossiers/", {**INTAKE, "summary": f"Hồ sơ diễn tập {number}"},
                {"Authorization": f"Token {self.token}", "Idempotency-Key": key})
            self.answers.append((key, status, body, headers.get("Retry-After"), taken))
            if status == 201:
                self.done[key] = body["code"]
                number += 1
            else:
                time.sleep(0.3)


@pytest.mark.django_db
def test_postgres_down_mid_intake_answers_503_and_retries_make_no_duplicate(private_postgres, tmp_path):
    pg = private_postgres
    pg.copy_of(database_url())  # the schema and the reference data of the test database
    pg.psql(f"UPDATE core_user SET password = '{pbkdf2(PASSWORD)}' WHERE username = 'tiepnhan.hn'")
    web = WebServer(tmp_path, DATABASE_URL=pg.url, CELERY_BROKER_URL="memory://", REDIS_URL="")
    officers = []

    def done():
        return sum(len(officer.done) for officer in officers)

    try:
        status, body, *_ = web.request("POST", "/api/v1/auth/token/",
                                       {"username": "tiepnhan.hn", "password": PASSWORD})
        assert status == 200, body
        officers = [Officer(web, body["token"], name) for name in "abc"]  # three desks at once
        for officer in officers:
            officer.start()
        wait_for(lambda: done() >= 6, 30, "dossiers before the outage")
        pg.stop("fast")  # terminates every session: mid-request for the desks busy at that moment
        time.sleep(3)
        pg.start()
        back = done()
        wait_for(lambda: done() >= back + 6, 30, "dossiers after the outage")
    finally:
        for officer in officers:
            officer.stop.set()
            officer.join(30)
        web.stop()

    answers = [answer for officer in officers for answer in officer.answers]
    assert {status for _, status, *_ in answers} <= {201, 503}, [a for a in answers if a[1] not in (201, 503)]
    outages = [a for a in answers if a[1] == 503]
    assert outages, "the outage was not seen"
    for _, _, body, retry_after, taken in outages:
        assert body["code"] == "SERVICE_UNAVAILABLE" and "Idempotency-Key" in body["detail"] and retry_after
        assert taken < 10
    # Every key the officers sent ended as exactly one dossier, whatever its attempts saw.
    codes = {key: code for officer in officers for key, code in officer.done.items()}
    assert int(pg.psql("SELECT count(*) FROM cases_dossier")) == len(codes) == len(set(codes.values()))
    assert set(pg.psql("SELECT key FROM core_idempotentrequest").split()) == set(codes)
