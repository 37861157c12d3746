"""Every figure equals its list (issue 12): each card, table cell and chart segment of today's desk, the overdue
desk, the director's dashboard and the Legal Department's oversight links to the dossier list that holds exactly
that number, on the page (`/ho-so/`) and in the API (`GET /api/v1/dossiers/` `count`), for every role that sees
the page. The cards are found by their `data-figure` attribute in the rendered HTML."""
import re
from datetime import timedelta
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from cases.models import ApologySlip, Dossier, Status
from tests.factories import DossierFactory, FeedbackItemFactory

from ..cases.conftest import local

NOW = local(2026, 11, 18, 10, 0)  # Wednesday


class Figures(HTMLParser):
    """The anchors carrying `data-figure`: (key, number shown, href)."""

    def __init__(self):
        super().__init__()
        self.found, self._open = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and "data-figure" in attrs:
            self._open = [attrs["data-figure"], "", unescape(attrs["href"])]

    def handle_data(self, data):
        if self._open is not None:
            self._open[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open is not None:
            key, text, href = self._open
            number = int(re.search(r"\d[\d.]*", text)[0].replace(".", ""))  # the first number shown
            self.found.append((key, number, href))
            self._open = None


def figures(html: str) -> list[tuple[str, int, str]]:
    parser = Figures()
    parser.feed(html)
    return parser.found


def list_counts(client, api, href: str) -> tuple[int, int]:
    """The number of dossiers the page list and the API list hold for the query of `href`."""
    parts = urlsplit(href)
    lists = {reverse("cases:list"): "/api/v1/dossiers/", reverse("feedback:list"): "/api/v1/feedback/"}
    assert parts.path in lists, href
    page = client.get(href)
    assert page.status_code == 200, (href, page.content[:500])
    response = api.get(lists[parts.path], dict(parse_qsl(parts.query)))
    assert response.status_code == 200, (href, response.content)
    return page.context["page"].paginator.count, response.json()["count"]


def assert_every_figure_equals_its_list(client, api, user, url, *, at_least=1):
    client.force_login(user)
    api.force_authenticate(user)
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    found = figures(html)
    assert len(found) >= at_least, found
    # every card is a figure with its list, except the dashboard's two rates (percentages, not dossiers)
    plain_cards = re.findall(r'<div class="stat[ "].*?<b>(.*?)</b>', html)
    assert all("%" in b or "—" in b for b in plain_cards) and len(plain_cards) <= 2, plain_cards
    for key, number, href in found:
        assert list_counts(client, api, href) == (number, number), (url, key, href)
    return found


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def world(frozen, receive, cast, offices):
    """Dossiers in every state a card counts, in Hà Nội (01), one of its grassroots offices and Hồ Chí Minh."""
    d = {}
    d["overdue"] = receive("1.009001", channel="online", at=local(2026, 10, 1, 9, 0))
    d["missed"] = receive("1.009001", channel="online", at=local(2026, 10, 2, 9, 0))
    Dossier.objects.filter(pk=d["missed"].pk).update(status=Status.PROCESSING, assignee=cast["processor_hn"],
                                                     reschedule_count=1, appointment_at=local(2026, 11, 10, 9, 0))
    d["returned_late"] = receive("1.009001", channel="online", at=local(2026, 10, 5, 9, 0))
    Dossier.objects.filter(pk=d["returned_late"].pk).update(
        status=Status.RETURNED, resolved_at=local(2026, 11, 2, 9, 0), returned_at=local(2026, 11, 3, 9, 0),
        closed_at=local(2026, 11, 3, 9, 0))
    d["apology_due"] = receive("1.009001", channel="online", at=local(2026, 11, 17, 9, 0))
    d["due_soon"] = receive("1.009001", channel="online", at=local(2026, 11, 17, 14, 0))
    d["supplement"] = receive("1.009020", at=local(2026, 11, 9, 9, 0))
    Dossier.objects.filter(pk=d["supplement"].pk).update(status=Status.AWAITING_SUPPLEMENT, paused_at=NOW)
    d["today"] = receive("1.009020", at=local(2026, 11, 18, 8, 0))
    d["resolved"] = receive("1.009020", at=local(2026, 11, 2, 9, 0))
    Dossier.objects.filter(pk=d["resolved"].pk).update(status=Status.RESOLVED, resolved_at=local(2026, 11, 4, 9, 0))
    d["grassroots"] = receive("1.009001", channel="online", at=local(2026, 10, 1, 9, 0), officer="reception_cg")
    d["hcm"] = receive("1.009001", channel="online", at=local(2026, 10, 1, 9, 0), officer="reception_hcm")
    Dossier.objects.filter(pk=d["today"].pk).update(trip_count=5)  # over the visit limit
    d["came_back_before"] = receive("1.009020", at=local(2026, 11, 3, 9, 0), id_number="001190023456")
    Dossier.objects.filter(pk=d["came_back_before"].pk).update(
        status=Status.RETURNED, resolved_at=local(2026, 11, 5, 9, 0), closed_at=local(2026, 11, 6, 9, 0))
    d["came_back"] = receive("1.009020", at=local(2026, 11, 12, 9, 0), id_number="001190023456")
    for days, forwarded, answered in ((20, None, None), (12, 1, 2), (3, 8, None)):  # PAKN: overdue, on time, …
        received = NOW - timedelta(days=days)
        FeedbackItemFactory(received_at=received, due_at=received + timedelta(days=14),
                            forward_due_at=received + timedelta(days=7),
                            forwarded_at=received + timedelta(days=forwarded) if forwarded else None,
                            answered_at=received + timedelta(days=answered) if answered else None)
    for i in range(3):  # online dossiers waiting: two late to accept, one fresh
        DossierFactory(submitted_at=local(2026, 11, 10, 9, 0) if i < 2 else NOW - timedelta(hours=1))
    slip = dict(reason="Chờ xác minh", original_appointment_at=local(2026, 10, 6, 9, 0),
                new_appointment_at=local(2026, 11, 10, 9, 0), legal_due_at=local(2026, 10, 6, 9, 0),
                drafted_by=cast["reception_hn"], drafted_at=local(2026, 10, 5, 9, 0))
    ApologySlip.objects.create(dossier=d["missed"], office=offices["01"], state=ApologySlip.State.ISSUED, year=2026,
                               number=1, signed_by=cast["director_hn"], issued_at=local(2026, 10, 7, 9, 0),
                               is_late=True, **slip)
    ApologySlip.objects.create(dossier=d["overdue"], office=offices["01"], **slip)  # a draft awaiting signature
    return d


# --- the issue's examples, each first a failing test ------------------------------------------------------------

def test_the_desk_waiting_card_counts_every_waiting_dossier_not_the_first_50(client, api, cast, frozen):
    for _ in range(57):
        DossierFactory(submitted_at=NOW - timedelta(hours=2))
    found = dict((k, (n, href)) for k, n, href in
                 assert_every_figure_equals_its_list(client, api, cast["reception_hn"], reverse("cases:desk")))
    assert found["waiting"][0] == 57


def test_the_dashboards_in_progress_card_opens_every_open_dossier_not_only_the_received_ones(client, api, cast,
                                                                                                world):
    found = {k: (n, href) for k, n, href in
             assert_every_figure_equals_its_list(client, api, cast["director_hn"], reverse("reports:dashboard"))}
    n, href = found["open"]
    assert "status=received" not in href
    # processing, awaiting supplement and received ones of Hà Nội and its grassroots office
    assert n == Dossier.objects.filter(office__code__startswith="01", status__in=[
        Status.RECEIVED, Status.PROCESSING, Status.AWAITING_SUPPLEMENT]).count() > 1


def test_the_dashboards_overdue_card_does_not_open_dossiers_already_returned(client, api, cast, world):
    found = {k: (n, href) for k, n, href in
             assert_every_figure_equals_its_list(client, api, cast["director_hn"], reverse("reports:dashboard"))}
    n, href = found["overdue"]
    client.force_login(cast["director_hn"])
    listed = {d.code for d in client.get(href).context["page"].object_list}
    assert world["returned_late"].code not in listed and world["overdue"].code in listed
    assert n == len(listed)


# --- every card of every page, for each role that sees it -----------------------------------------------------

@pytest.mark.parametrize("who", ["reception_hn", "processor_hn", "reception_cg"])
def test_every_card_of_the_desk_equals_its_list(client, api, cast, world, who):
    assert_every_figure_equals_its_list(client, api, cast[who], reverse("cases:desk"), at_least=8)


@pytest.mark.parametrize("who,query", [("director_hn", ""), ("deputy_hn", ""), ("processor_hn", ""),
                                       ("director_hn", "?office=01.005"), ("admin", "")])
def test_every_card_of_the_overdue_desk_equals_its_list(client, api, cast, world, who, query):
    found = assert_every_figure_equals_its_list(client, api, cast[who], reverse("cases:overdue") + query,
                                                at_least=8)
    if who == "director_hn" and not query:
        cards = {k: n for k, n, _ in found[:8]}
        assert cards["late_apologies"] == 1 and cards["drafts"] == 1 and cards["appointment_missed"] == 1


@pytest.mark.parametrize("who", ["director_hn", "deputy_hn", "director_hcm", "admin"])
def test_every_card_and_chart_segment_of_the_dashboard_equals_its_list(client, api, cast, world, who):
    assert_every_figure_equals_its_list(client, api, cast[who], reverse("reports:dashboard"), at_least=9)
    data = client.get(reverse("reports:dashboard")).context["data"]
    segments = [(s["n"], s["href"]) for s in data["status"]]
    segments += [(p["n"], p["href"]) for p in data["overdue_by_procedure"]]
    trend = data["trend"]
    segments += [(n, h) for n, h in zip(trend["received"], trend["received_links"]) if n] + \
        [(n, h) for n, h in zip(trend["resolved"], trend["resolved_links"]) if n]
    segments += [(trend["received"][0], trend["received_links"][0])]  # a day with nothing: an empty list
    for n, href in segments:
        assert list_counts(client, api, href) == (n, n), href


def test_every_cell_of_oversight_equals_its_list(client, api, cast, world):
    found = assert_every_figure_equals_its_list(
        client, api, cast["legal"], reverse("reports:oversight") + "?from=01/10/2026&to=30/11/2026", at_least=10)
    hanoi = {k: n for k, n, href in found if "province=01&" in href + "&"}
    # the grassroots office's overdue dossier rolls up into Hà Nội, the HCM one does not
    assert hanoi["open_overdue"] == 3 and hanoi["apologies_late"] == 1 and hanoi["came_back"] >= 1
    assert hanoi["feedback"] == 3 and hanoi["feedback_on_time"] == 1 and hanoi["feedback_overdue"] == 1
    assert hanoi["feedback_forwarded_late"] == 1


def test_a_day_filter_means_the_same_whole_day_on_the_page_and_in_the_api(client, api, cast, world):
    client.force_login(cast["reception_hn"])
    api.force_authenticate(cast["reception_hn"])
    href = reverse("cases:list") + "?received_after=2026-11-18&received_before=2026-11-18"
    assert list_counts(client, api, href) == (1, 1)
