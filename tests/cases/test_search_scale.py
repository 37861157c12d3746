"""The search at national scale (issue 12, bench/bench_search.py): a code found by its end, a common name walking
the list instead of collecting every match (the same rows either way), a search counted exactly up to
LIST_SEARCH_EXACT_COUNT_LIMIT and estimated beyond it on PostgreSQL, said so in the API and on the page. Run on
SQLite and, with TEST_DATABASE_URL, on PostgreSQL: the same answers on both."""
import pytest
from django.db import connection
from django.urls import reverse

from cases import search
from cases.selectors import dossier_base, dossier_list, search_q

from .conftest import local

pytestmark = pytest.mark.django_db
API = "/api/v1/dossiers/"
NAMES = ["Nguyễn Văn Hùng", "Nguyễn Thị Hương", "Trần Thị Phương", "Lê Văn Nguyên", "Phùng Văn Nguyễn",
         "Công ty TNHH A.B.C"]


@pytest.fixture
def named(receive):
    return [receive(at=local(2025, 6, 2, 9, i), name=name) for i, name in enumerate(NAMES)]


def _codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


def test_the_end_of_a_code_finds_the_dossier_and_a_middle_part_no_longer_does(as_user, cast, named):
    api = as_user(cast["reception_hn"])
    code = named[2].code  # <agency>-<YYMMDD>-<NNNN>
    agency, day, number = code.rsplit("-", 2)
    assert _codes(api.get(API, {"q": f"{day}-{number}"})) == {code}
    assert _codes(api.get(API, {"q": code.lower()})) == {code}
    assert _codes(api.get(API, {"q": number})) == {code}  # the day's number alone: that day's dossier number 3
    assert _codes(api.get(API, {"q": day})) == set()  # a middle part: not the end of any code
    assert _codes(api.get(API, {"q": agency})) == set()


@pytest.mark.parametrize("typed", ["nguyen", "Nguyễn", "nguyen van", "thi", "van h", "phuong", "a.b.c", "cong ty",
                                   "nguy", "guyen", "van nguyen", "tran thi phuong"])
def test_walking_the_list_and_reading_the_word_index_find_the_same_dossiers(cast, named, typed):
    base = dossier_base(user=cast["reception_hn"])
    walked = set(base.filter(search_q(typed, walk=True)).values_list("code", flat=True))
    indexed = set(base.filter(search_q(typed)).values_list("code", flat=True))
    assert walked == indexed
    assert walked == set(dossier_list(user=cast["reception_hn"], filters={"q": typed}).values_list("code", flat=True))


def test_a_name_is_walked_only_when_common_enough_to_fill_a_page_soon():
    assert search.walks(380_000, 1_000_000) and search.walks(10_000, 1_000_000)  # "nguyen", "tran thi"
    assert not search.walks(600, 1_000_000) and not search.walks(40, 1_000_000)  # "nguyen van hung"
    assert not search.walks(None, 1_000_000) and not search.walks(5, None)  # no estimate: the word index


def test_a_search_within_the_limit_is_counted_exactly_on_the_api_and_the_page(as_user, client, cast, named, settings):
    settings.LIST_SEARCH_EXACT_COUNT_LIMIT = 4
    body = as_user(cast["reception_hn"]).get(API, {"q": "nguyen"}).json()
    assert body["count"] == 4 and "count_estimated" not in body  # Nguyễn ×3 and Nguyên: the limit itself
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:list"), {"q": "nguyen"}).content.decode()
    assert 'data-list-count="4">4 hồ sơ' in page and "ước tính" not in page


def test_every_page_of_a_search_holds_its_own_rows_within_and_beyond_the_exact_limit(as_user, cast, named,
                                                                                     settings):
    settings.LIST_SEARCH_EXACT_COUNT_LIMIT = 2
    api = as_user(cast["reception_hn"])
    everything = [row["code"] for row in api.get(API, {"q": "nguyen", "page_size": 10}).json()["results"]]
    pages = [[row["code"] for row in api.get(API, {"q": "nguyen", "page_size": 1, "page": n}).json()["results"]]
             for n in (1, 2, 3, 4)]
    assert len(everything) == 4 and pages == [[code] for code in everything]  # newest first, none twice


def test_a_list_without_search_keeps_its_exact_count_whatever_the_search_limit(as_user, client, cast, named,
                                                                                settings):
    settings.LIST_SEARCH_EXACT_COUNT_LIMIT = 2
    body = as_user(cast["reception_hn"]).get(API).json()
    assert body["count"] == len(NAMES) and "count_estimated" not in body
    client.force_login(cast["reception_hn"])
    assert f'data-list-count="{len(NAMES)}">' in client.get(reverse("cases:list")).content.decode()


@pytest.mark.postgres
def test_postgres_estimates_a_search_beyond_the_limit_and_says_so(as_user, client, cast, named, settings):
    settings.LIST_SEARCH_EXACT_COUNT_LIMIT = 2
    body = as_user(cast["reception_hn"]).get(API, {"q": "nguyen"}).json()
    assert body["count_estimated"] is True and body["count"] >= 3
    assert len(body["results"]) == 4  # the page holds every match: only the count is estimated
    client.force_login(cast["reception_hn"])
    page = client.get(reverse("cases:list"), {"q": "nguyen"}).content.decode()
    assert "data-count-estimated" in page and "Khoảng" in page and "hồ sơ (ước tính)" in page


@pytest.mark.postgres
def test_postgres_reads_the_code_end_index_and_estimates_names_from_the_word_keys(cast, named):
    qs = dossier_list(user=cast["legal"], filters={"q": named[0].code[-11:]})
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: ask whether the index can serve (no whole-table scan of the table or an index).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
        cursor.execute("SELECT stxname FROM pg_statistic_ext WHERE stxname = 'dossier_spaced_name'")
        stats = cursor.fetchall()
    # The LIKE's statistics (0020) are gone (0022): they made a walk of the list's order look like a full scan.
    assert "dossier_code_end" in plan and not stats
