"""Lists at depth (issue 14): `?cursor=` pages by keyset in the list's own order, and a national count beyond
LIST_EXACT_COUNT_LIMIT is the planner's estimate, said so in the response."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Status
from core.api.keyset import encode
from tests.factories import DossierFactory, FeedbackItemFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
API = "/api/v1/dossiers/"


@pytest.fixture
def dossiers(offices):
    """17 Hà Nội dossiers: 4 still submitted (no received_at), 13 received, with ties on the same moment."""
    base = datetime(2026, 11, 2, 9, 0, tzinfo=VN)
    rows = [DossierFactory(office=offices["01"]) for _ in range(4)]
    for i in range(13):
        rows.append(DossierFactory(office=offices["01"], status=Status.RECEIVED, received_at=base + timedelta(
            hours=i // 3)))  # three dossiers share each moment: the id breaks the tie
    DossierFactory(office=offices["79"], status=Status.RECEIVED, received_at=base)  # another province's
    return rows


def walk(client, url):
    """Follow `next` from `url`; return the codes in order and the responses."""
    codes, pages = [], []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append(body)
        codes += [row["code"] for row in body["results"]]
        url = body["next"]
    return codes, pages


def test_cursor_pages_give_every_dossier_once_in_the_list_order(as_user, cast, dossiers):
    client = as_user(cast["reception_hn"])
    by_number = client.get(API + "?page_size=100").json()
    codes, pages = walk(client, API + "?cursor=&page_size=5")
    assert codes == [row["code"] for row in by_number["results"]]
    assert len(codes) == 17 == by_number["count"]  # the other province's dossier is out of scope on every page
    assert [len(p["results"]) for p in pages] == [5, 5, 5, 2]
    assert all(p["count"] is None for p in pages)
    assert pages[0]["previous"] is None and pages[-1]["next"] is None


def test_previous_walks_back_to_the_first_page(as_user, cast, dossiers):
    client = as_user(cast["reception_hn"])
    codes, pages = walk(client, API + "?cursor=&page_size=5")
    back = client.get(pages[2]["previous"]).json()  # from the third page back to the second
    assert [row["code"] for row in back["results"]] == codes[5:10]
    first = client.get(back["previous"]).json()
    assert [row["code"] for row in first["results"]] == codes[:5]
    assert first["previous"] is None and first["next"]


def test_cursor_pages_keep_the_filters(as_user, cast, dossiers):
    client = as_user(cast["reception_hn"])
    codes, _ = walk(client, API + "?cursor=&page_size=4&status=received")
    assert len(codes) == 13
    assert all("status=received" in p for p in [client.get(API + "?cursor=&page_size=4&status=received")
                                                .json()["next"]])


def test_a_cursor_page_costs_the_same_queries_however_deep(as_user, cast, dossiers):
    client = as_user(cast["reception_hn"])
    _, pages = walk(client, API + "?cursor=&page_size=2")
    counts = []
    for url in (API + "?cursor=&page_size=2", pages[-2]["next"]):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("cursor", ["garbage", encode((None, 1), "x"), "eyJhIjoxfQ", "%00"])
def test_a_bad_cursor_is_a_400_with_a_message(as_user, cast, dossiers, cursor):
    response = as_user(cast["reception_hn"]).get(API + f"?cursor={cursor}")
    assert response.status_code == 400
    assert response.json()


def test_the_feedback_list_pages_by_cursor_too(as_user, cast, offices):
    for _ in range(7):
        FeedbackItemFactory(office=offices["01"])
    client = as_user(cast["director_hn"])
    codes, pages = walk(client, "/api/v1/feedback/?cursor=&page_size=3")
    assert codes == [row["code"] for row in client.get("/api/v1/feedback/").json()["results"]]
    assert len(codes) == 7 and len(pages) == 3


def test_a_list_without_a_keyset_refuses_a_cursor(as_user, cast):
    response = as_user(cast["reception_hn"]).get("/api/v1/procedures/?cursor=")
    assert response.status_code == 400


def test_counts_are_exact_below_the_limit(as_user, cast, dossiers, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 18  # the Legal Department sees both provinces' 18
    body = as_user(cast["legal"]).get(API).json()
    assert body["count"] == 18 and "count_estimated" not in body


@pytest.mark.postgres
def test_a_national_count_beyond_the_limit_is_an_estimate_and_says_so(as_user, cast, dossiers, settings):
    settings.LIST_EXACT_COUNT_LIMIT = 5
    body = as_user(cast["legal"]).get(API).json()
    assert body["count_estimated"] is True
    assert body["count"] >= 6  # never below what the bounded count saw
    assert len(body["results"]) == 18  # the page itself is exact
    settings.LIST_EXACT_COUNT_LIMIT = 0  # 0: always exact
    body = as_user(cast["legal"]).get(API).json()
    assert body["count"] == 18 and "count_estimated" not in body


def test_a_cursor_page_compares_the_key_as_one_row_so_ties_on_the_moment_are_broken_by_id(as_user, cast, dossiers):
    client = as_user(cast["reception_hn"])
    codes, pages = walk(client, API + "?cursor=&page_size=4")  # pages end inside groups of three equal moments
    assert codes == [row["code"] for row in client.get(API + "?page_size=100").json()["results"]]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(pages[1]["next"]).status_code == 200
    page_sql = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"]][-1]
    if connection.features.supports_tuple_lookups:  # PostgreSQL: one ROW comparison, one index range
        assert '("cases_dossier"."received_at", "cases_dossier"."id") <' in page_sql
    else:  # SQLite (Django's fallback): the same order spelled out, the moment first, then the id on a tie
        assert '"cases_dossier"."received_at" <' in page_sql and '"cases_dossier"."id" <' in page_sql


@pytest.mark.postgres
def test_postgresql_reads_a_deep_cursor_page_as_one_range_of_the_list_index(as_user, cast, dossiers):
    from cases.selectors import dossier_list
    from core.api.keyset import after

    rows = dossier_list(user=cast["legal"])
    key = rows.values_list("received_at", "id")[10]
    with connection.cursor() as cursor:  # the table is tiny here: make the planner show its indexed plan
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
    plan = rows.filter(after("received_at", key))[:5].explain()
    assert "dossier_list_order" in plan
    assert "Index Cond: (ROW(received_at, id) < ROW(" in plan
