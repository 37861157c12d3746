"""Intake over the API at national scale (issue 14): the answer is built from what was just written (no read
back), it is the same dossier the detail endpoint then shows, and every intake costs the same queries."""
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import local
from .test_api import INTAKE

pytestmark = pytest.mark.django_db


def _intake(client):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/dossiers/", INTAKE, format="json")
    assert response.status_code == 201, response.json()
    return response.json(), ctx.captured_queries


def test_the_intake_answer_is_the_dossier_the_detail_endpoint_shows(as_user, cast, procedures):
    client = as_user(cast["reception_hn"])
    with time_machine.travel(local(2025, 4, 24, 9, 0), tick=False):
        body, _ = _intake(client)
        detail = client.get(f"/api/v1/dossiers/{body['code']}/").json()
    assert body == detail
    assert body["visits"] == 1 and body["trip_count"] == 1  # the desk visit is counted in the row as written


def test_every_intake_costs_the_same_queries_and_reads_nothing_back(as_user, cast, procedures):
    client = as_user(cast["reception_hn"])
    with time_machine.travel(local(2025, 4, 24, 9, 0), tick=False):
        _intake(client)  # warm: this process's calendar copy
        counts, reads = [], []
        for _ in range(3):
            body, queries = _intake(client)
            counts.append(len(queries))
            reads += [q["sql"] for q in queries
                      if q["sql"].startswith('SELECT "cases_dossier"."id", "cases_dossier"."code"')]
    assert counts[0] == counts[1] == counts[2]
    assert counts[0] <= 20  # with an SMS and an e-mail to the applicant; 28 before (issue 14)
    assert reads == []  # the new dossier is never read back (dossier_get's join of seven tables)
