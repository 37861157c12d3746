"""Access defects the access matrix (tests/core/test_access_matrix.py) found (issue 13): the read-only Legal
Department was answered a redirect with a flash message, not a 403, when it posted a dossier or PAKN action, and
could open the apology-slip form. The stricter rule now holds: 403 before anything is read or shown."""
import pytest
from django.urls import reverse

from tests.factories import FeedbackItemFactory

pytestmark = pytest.mark.django_db


def test_legal_department_posting_a_dossier_action_gets_403(client, cast, receive):
    dossier = receive()
    client.force_login(cast["legal"])
    response = client.post(reverse("cases:action", kwargs={"code": dossier.code, "action": "start"}))
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == "received"


def test_legal_department_posting_a_feedback_action_gets_403(client, cast, offices):
    item = FeedbackItemFactory(office=offices["01"])
    client.force_login(cast["legal"])
    response = client.post(reverse("feedback:action", kwargs={"pk": item.pk, "action": "classify"}),
                           {"category": "other"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.category == ""


def test_legal_department_cannot_open_the_apology_slip_form(client, cast, receive):
    dossier = receive()
    client.force_login(cast["legal"])
    assert client.get(reverse("cases:apology_draft", kwargs={"code": dossier.code})).status_code == 403


def test_officers_of_the_office_still_open_the_apology_slip_form(client, cast, receive):
    dossier = receive()
    for key in ("processor_hn", "director_hn"):
        client.force_login(cast[key])
        assert client.get(reverse("cases:apology_draft", kwargs={"code": dossier.code})).status_code == 200, key
