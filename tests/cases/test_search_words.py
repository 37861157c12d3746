"""The name search from the start of a word (issue 12, the 1,000,000-dossier benchmark): the same answers on SQLite
and PostgreSQL (run this file on both), and on PostgreSQL the word index serves a name typed in full."""
import pytest
from django.db import connection

from cases.selectors import dossier_list

from .conftest import local

NAMES = ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng", "Trần Thị Thu Hương", "Công ty TNHH A.B.C", "Phùng Thị Lan",
         "Lê Thị Nguyệt"]


@pytest.fixture
def named(receive):
    return {name: receive(at=local(2025, 6, 2, 9, i), name=name).code for i, name in enumerate(NAMES)}


@pytest.mark.parametrize("typed,expected", [
    ("nguyen van hung", ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]),  # ư and u are the same letter without marks
    ("Nguyễn Văn Hùng", ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]),
    ("van hung", ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]),
    ("nguyen van h", ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]),  # the last word may be cut
    ("thu huong", ["Trần Thị Thu Hương"]),
    ("thi", ["Trần Thị Thu Hương", "Phùng Thị Lan", "Lê Thị Nguyệt"]),
    ("hung", ["Nguyễn Văn Hùng", "Nguyễn Văn Hưng"]),  # not "Phùng": a word starts the match
    ("guyen", []),
    ("nguyet", ["Lê Thị Nguyệt"]),
    ("a.b.c", ["Công ty TNHH A.B.C"]),
    ("cong ty", ["Công ty TNHH A.B.C"]),
    ("thi lan", ["Phùng Thị Lan"]),
    ("lan thi", []),  # the words in their order
])
def test_a_name_is_found_from_the_start_of_a_word(cast, named, typed, expected):
    found = set(dossier_list(user=cast["reception_hn"], filters={"q": typed}).values_list("code", flat=True))
    assert found == {named[n] for n in expected}


def test_digits_alone_search_codes_ids_and_phones_not_names(cast, named):
    code = named["Phùng Thị Lan"]
    assert set(dossier_list(user=cast["reception_hn"], filters={"q": code[-11:]}).values_list("code", flat=True)) \
        == {code}


@pytest.mark.postgres
def test_postgres_reads_the_word_index_for_a_name(cast, named):
    qs = dossier_list(user=cast["legal"], filters={"q": "nguyen van hung"})
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # A test table is tiny: ask whether the word index can serve (not a walk of the list's order over six rows).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(r[0] for r in cursor.fetchall())
    assert "dossier_office_words" in plan and "'~hung'" in plan  # the cut last word is one key (migration 0022)


@pytest.mark.parametrize("typed,expected", [
    ("hung", ["Đỗ Hùng-Anh"]),  # a word cut by a hyphen still starts with it
    ("anh", []),  # after a hyphen is no word start (a space starts a word)
    ("do hung", ["Đỗ Hùng-Anh"]),
    ("do hung an", []),  # "Hùng-Anh" is one word: "hung an" is not its start
    ("doanh 2", ["Hộ kinh doanh 2B"]),  # digits are word characters too
    ("doanh 2b", ["Hộ kinh doanh 2B"]),
    ("kinh doanh 2c", []),
])
def test_the_word_keys_never_lose_a_name_the_plain_comparison_finds(cast, receive, typed, expected):
    """On PostgreSQL the word index's keys (migration 0022) pre-filter; they must keep every name the plain
    comparison of SQLite finds, whatever hyphens and digits it holds."""
    codes = {name: receive(at=local(2025, 6, 3, 9, i), name=name).code
             for i, name in enumerate(["Đỗ Hùng-Anh", "Hộ kinh doanh 2B"])}
    found = set(dossier_list(user=cast["reception_hn"], filters={"q": typed}).values_list("code", flat=True))
    assert found == {codes[n] for n in expected}
