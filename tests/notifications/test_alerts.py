"""Officer alerts (CONTRACTS.md §1.2 `GET /notifications/`, `POST /notifications/{id}/read/`): the caller's own
alerts, newest first, paginated; read / unread; the header's bell counts exactly the unread list; the page
/thong-bao/; officer rows are delivered by being stored, never left pending or retried."""
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from core.db import bulk_insert_ignore
from notifications.models import OutboxMessage
from notifications.services import outbox_enqueue
from notifications.tasks import deliver_pending
from tests.cases.conftest import local

pytestmark = pytest.mark.django_db

FIELDS = {"id", "kind", "kind_label", "subject", "body", "dossier_code", "dossier_url", "created_at", "read_at"}


def _alert(user, key, kind="dossier.overdue", code="", at=None, **extra):
    with time_machine.travel(at or local(2026, 3, 2, 9, 0), tick=False):
        return outbox_enqueue(channel="officer", kind=kind, idempotency_key=key, recipient_user=user,
                              dossier_code=code, subject=f"Hồ sơ {code or key}", body="Nội dung", **extra)[0]


@pytest.fixture
def alerts(cast):
    """Three alerts of the processor (one each hour), one of the reception officer, one e-mail to the processor."""
    me = cast["processor_hn"]
    rows = [_alert(me, f"a{i}", kind=kind, code=f"000.00.01.G13-260302-000{i}", at=local(2026, 3, 2, 9 + i, 0))
            for i, kind in enumerate(["dossier.assigned", "dossier.due_soon", "dossier.overdue"])]
    _alert(cast["reception_hn"], "other", code="000.00.01.G13-260302-0009")
    outbox_enqueue(channel="email", kind="dossier.director_digest", idempotency_key="mail", recipient="a@b.vn",
                   recipient_user=me, subject="Thư")
    return rows


def test_the_list_is_the_callers_own_alerts_newest_first_in_the_shape_of_the_other_lists(alerts, cast, as_user):
    body = as_user(cast["processor_hn"]).get("/api/v1/notifications/").json()
    assert set(body) == {"count", "next", "previous", "results"} and body["count"] == 3
    assert [a["id"] for a in body["results"]] == [alerts[2].pk, alerts[1].pk, alerts[0].pk]
    first = body["results"][0]
    assert set(first) == FIELDS
    assert first["kind"] == "dossier.overdue" and first["kind_label"] == "Quá hạn"
    assert first["dossier_code"] == "000.00.01.G13-260302-0002" and first["read_at"] is None
    assert first["dossier_url"] == "http://testserver/api/v1/dossiers/000.00.01.G13-260302-0002/"
    assert first["created_at"].startswith("2026-03-02T11:00:00")
    page = as_user(cast["processor_hn"]).get("/api/v1/notifications/?page_size=2").json()
    assert len(page["results"]) == 2 and page["next"].endswith("page=2&page_size=2")


def test_an_alert_without_a_dossier_has_no_link(cast, as_user):
    _alert(cast["director_hn"], "moved", kind="calendar.deadlines_moved")
    result = as_user(cast["director_hn"]).get("/api/v1/notifications/").json()["results"][0]
    assert result["dossier_code"] is None and result["dossier_url"] is None
    assert result["kind_label"] == "Tính lại hạn giải quyết"


def test_mark_one_read_then_the_unread_filter_leaves_it_out(alerts, cast, as_user):
    api = as_user(cast["processor_hn"])
    with time_machine.travel(local(2026, 3, 3, 8, 0), tick=False):
        response = api.post(f"/api/v1/notifications/{alerts[1].pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"].startswith("2026-03-03T08:00:00")
    unread = api.get("/api/v1/notifications/?unread=true").json()
    assert unread["count"] == 2 and {a["id"] for a in unread["results"]} == {alerts[0].pk, alerts[2].pk}
    # Reading it again keeps the first moment.
    with time_machine.travel(local(2026, 3, 4, 8, 0), tick=False):
        again = api.post(f"/api/v1/notifications/{alerts[1].pk}/read/").json()
    assert again["read_at"].startswith("2026-03-03T08:00:00")
    assert api.get("/api/v1/notifications/").json()["count"] == 3


def test_someone_elses_alert_is_not_found_and_stays_unread(alerts, cast, as_user):
    mine = alerts[0]
    response = as_user(cast["reception_hn"]).post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.read_at is None
    email = OutboxMessage.objects.get(idempotency_key="mail")  # an e-mail is no alert, even to its own user
    assert as_user(cast["processor_hn"]).post(f"/api/v1/notifications/{email.pk}/read/").status_code == 404


def test_mark_all_read_marks_only_the_callers(alerts, cast, as_user):
    response = as_user(cast["processor_hn"]).post("/api/v1/notifications/read-all/")
    assert response.status_code == 200 and response.json() == {"marked": 3}
    assert not OutboxMessage.objects.filter(recipient_user=cast["processor_hn"], channel="officer",
                                            read_at__isnull=True).exists()
    assert OutboxMessage.objects.get(idempotency_key="other").read_at is None
    assert as_user(cast["processor_hn"]).post("/api/v1/notifications/read-all/").json() == {"marked": 0}


def test_anonymous_callers_are_refused(alerts, api):
    assert api.get("/api/v1/notifications/").status_code == 401
    assert api.post(f"/api/v1/notifications/{alerts[0].pk}/read/").status_code == 401


@pytest.mark.parametrize("n", [2, 40])
def test_the_list_takes_the_same_queries_whatever_the_number_of_alerts(n, cast, as_user, django_assert_num_queries):
    me = cast["processor_hn"]
    for i in range(n):
        _alert(me, f"n{i}", code=f"000.00.01.G13-260302-000{i}")
    api = as_user(me)
    with django_assert_num_queries(2):  # the count, the page
        body = api.get("/api/v1/notifications/?unread=true").json()
    assert body["count"] == n


# --- the bell and the page ------------------------------------------------------------------------------

def _bell(html: str) -> int:
    marker = 'class="bell-count" data-unread="'
    start = html.index(marker) + len(marker)
    return int(html[start:html.index('"', start)])


def test_the_bell_on_every_page_counts_exactly_the_unread_list(alerts, cast, client, as_user):
    me = cast["processor_hn"]
    client.force_login(me)
    as_user(me).post(f"/api/v1/notifications/{alerts[0].pk}/read/")
    unread = as_user(me).get("/api/v1/notifications/?unread=true").json()["count"]
    for url in ["/ban-lam-viec/", "/ho-so/", "/phan-anh/", "/thong-bao/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _bell(response.content.decode()) == unread == 2, url


def test_the_bell_is_one_query(alerts, cast, rf):
    from django.contrib.auth.models import AnonymousUser

    from notifications.context_processors import bell

    request = rf.get("/")
    request.user = AnonymousUser()
    assert bell(request) == {}
    request.user = cast["processor_hn"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    context = bell(request)
    with CaptureQueriesContext(connection) as queries:
        assert int(str(context["bell_unread"])) == 3
    assert len(queries) == 1 and "COUNT" in queries[0]["sql"].upper()


def test_the_page_lists_my_alerts_with_links_and_highlights_the_unread(alerts, cast, client):
    client.force_login(cast["processor_hn"])
    client.post(reverse("notifications:read", args=[alerts[0].pk]))
    html = client.get("/thong-bao/").content.decode()
    assert "Giao xử lý" in html and "Sắp đến hạn" in html and "Quá hạn" in html
    assert f'href="{reverse("cases:detail", args=["000.00.01.G13-260302-0002"])}"' in html
    assert "000.00.01.G13-260302-0009" not in html  # the reception officer's alert
    assert f'<tr class="unread" id="alert-{alerts[2].pk}">' in html
    assert f'<tr class="read" id="alert-{alerts[0].pk}">' in html
    only_unread = client.get("/thong-bao/?chua-doc=1").content.decode()
    assert f'id="alert-{alerts[0].pk}"' not in only_unread and f'id="alert-{alerts[1].pk}"' in only_unread


def test_the_page_marks_read_with_csrf_and_can_open_the_dossier(alerts, cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast["processor_hn"])
    url = reverse("notifications:read", args=[alerts[1].pk])
    assert client.post(url).status_code == 403  # no CSRF token
    page = client.get("/thong-bao/")
    token = page.cookies["csrftoken"].value
    response = client.post(url, {"csrfmiddlewaretoken": token, "open": "1"})
    assert response.status_code == 302 and response.url == reverse("cases:detail", args=["000.00.01.G13-260302-0001"])
    alerts[1].refresh_from_db()
    assert alerts[1].read_at is not None
    response = client.post(reverse("notifications:read_all"), {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.url == "/thong-bao/"
    assert _bell(client.get("/thong-bao/").content.decode()) == 0


def test_the_page_answers_404_for_someone_elses_alert_and_get_is_not_allowed(alerts, cast, client):
    client.force_login(cast["reception_hn"])
    assert client.post(reverse("notifications:read", args=[alerts[0].pk])).status_code == 404
    assert client.get(reverse("notifications:read", args=[alerts[0].pk])).status_code == 405


def test_the_page_and_bell_in_english(alerts, cast, client, settings):
    client.force_login(cast["processor_hn"])
    from django.utils import translation

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        html = client.get("/thong-bao/").content.decode()
    finally:
        translation.deactivate()  # the middleware left English active in this thread
    assert "My notifications" in html and "Mark all as read" in html and "Assigned to me" in html
    assert 'aria-label="Notifications: 3 unread"' in html and "Overdue" in html


# --- delivery -------------------------------------------------------------------------------------------

def test_an_officer_alert_is_delivered_by_being_stored(cast, after_commit):
    with after_commit() as callbacks:
        alert = _alert(cast["processor_hn"], "stored")
    assert callbacks == []  # nothing for a worker to do
    alert.refresh_from_db()
    assert alert.state == "sent" and alert.sent_at and alert.next_attempt_at is None and alert.attempts == 0


def test_alerts_inserted_in_bulk_as_pending_are_marked_delivered_by_the_sweep_in_one_statement(
        cast, django_assert_num_queries):
    me = cast["processor_hn"]
    bulk_insert_ignore(OutboxMessage, [{"channel": "officer", "kind": "dossier.overdue", "idempotency_key": f"b{i}",
                                        "recipient_user_id": me.pk, "subject": "x", "next_attempt_at": None}
                                       for i in range(5)])
    assert OutboxMessage.objects.filter(state="pending").count() == 5
    with django_assert_num_queries(2):  # the UPDATE of the alerts, the ids of the other channels (none due)
        assert deliver_pending() == 0
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"sent"}
    assert not OutboxMessage.objects.filter(attempt_log__isnull=False).exists()


def test_a_sent_alert_is_never_taken_again_by_the_sweep(cast):
    alert = _alert(cast["processor_hn"], "old", at=local(2026, 3, 2, 9, 0))
    with time_machine.travel(local(2026, 3, 2, 9, 0) + timedelta(days=30)):
        deliver_pending()
    alert.refresh_from_db()
    assert alert.state == "sent" and alert.attempts == 0
