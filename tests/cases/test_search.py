"""The forgiving search, the list's filters and its export (issue 12). Runs on SQLite and, with
TEST_DATABASE_URL, on PostgreSQL: the same answers on both."""
import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cases import export
from cases.models import Dossier, DueMark
from cases.search import normalise, phone_digits

from .conftest import local

API = "/api/v1/dossiers/"


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


@pytest.fixture
def people(receive):
    """Three dossiers in Hà Nội with names, phones and days of their own."""
    return {
        "nguyen": receive(at=local(2025, 6, 2, 9, 0), name="Nguyễn Văn Đức", phone="0912345678",
                          id_number="001085012345"),
        "tran": receive(at=local(2025, 6, 3, 9, 0), name="Trần Thị Bích", phone="0987654321",
                        id_number="001190023456", code="1.009020", channel="postal"),
        "le": receive(at=local(2025, 6, 4, 9, 0), name="LÊ NGUYÊN KHÔI", phone="0356111222",
                      id_number="001200034567"),
    }


def test_normalise_strips_vietnamese_marks_and_case():
    assert normalise("  Nguyễn   Văn ĐỨC ") == "nguyen van duc"
    assert normalise("Đặng Thị Ưng Ởn") == "dang thi ung on"
    assert normalise(None) == ""


@pytest.mark.parametrize("typed", ["0912 345 678", "0912345678", "+84912345678", "84912345678", "912 345 678",
                                   "0912.345.678"])
def test_phone_digits_from_every_form(typed):
    assert phone_digits(typed) == "912345678"


def test_phone_digits_ignores_short_and_non_digits():
    assert phone_digits("1234") == "" and phone_digits("nguyen") == ""


def test_name_without_accents_or_case_finds_the_accented_name(as_user, cast, people):
    api = as_user(cast["reception_hn"])
    assert codes(api.get(API, {"q": "nguyen"})) == {people["nguyen"].code, people["le"].code}
    assert codes(api.get(API, {"q": "NGUYEN VAN duc"})) == {people["nguyen"].code}
    assert codes(api.get(API, {"q": "Nguyễn"})) == {people["nguyen"].code, people["le"].code}
    assert codes(api.get(API, {"q": "duc"})) == {people["nguyen"].code}  # đ → d
    assert codes(api.get(API, {"q": "bich"})) == {people["tran"].code}
    assert codes(api.get(API, {"q": "nguyen khoi"})) == {people["le"].code}
    assert codes(api.get(API, {"q": "hoang"})) == set()


def test_search_name_is_kept_when_the_name_changes(people):
    d = people["tran"]
    assert Dossier.objects.get(pk=d.pk).search_name == "tran thi bich"
    d.applicant_name = "Phạm Thị Đào"
    d.save(update_fields=["applicant_name"])
    assert Dossier.objects.get(pk=d.pk).search_name == "pham thi dao"


def test_part_of_a_code_finds_the_dossier(as_user, cast, people):
    api = as_user(cast["reception_hn"])
    code = people["tran"].code
    tail = code.split("-", 1)[1]  # "<YYMMDD>-<NNNN>"
    assert codes(api.get(API, {"q": tail})) == {code}
    assert codes(api.get(API, {"q": code[-6:]})) == {code}
    assert codes(api.get(API, {"q": code.lower()})) == {code}


@pytest.mark.parametrize("typed", ["0912345678", "+84912345678", "912 345 678", "0912 345 678", "345678"])
def test_phone_in_any_form_finds_the_dossier(as_user, cast, people, typed):
    assert codes(as_user(cast["reception_hn"]).get(API, {"q": typed})) == {people["nguyen"].code}


def test_id_number_still_finds_exactly(as_user, cast, people):
    assert codes(as_user(cast["reception_hn"]).get(API, {"q": "001190023456"})) == {people["tran"].code}


def test_search_stays_inside_the_callers_scope(as_user, cast, people):
    assert codes(as_user(cast["reception_hcm"]).get(API, {"q": "nguyen"})) == set()


def test_api_filters_procedure_channel_dates_and_officers(as_user, cast, people, procedures):
    api = as_user(cast["reception_hn"])
    other = next(code for code in procedures if code != "1.009020")
    assert codes(api.get(API, {"procedure": "1.009020"})) == {d.code for d in people.values()}
    assert codes(api.get(API, {"procedure": other})) == set()
    assert codes(api.get(API, {"channel": "postal"})) == {people["tran"].code}
    assert codes(api.get(API, {"received_after": "2025-06-03T00:00:00+07:00",
                               "received_before": "2025-06-04T00:00:00+07:00"})) == {people["tran"].code}
    Dossier.objects.filter(pk=people["le"].pk).update(assignee=cast["processor_hn"])
    assert codes(api.get(API, {"assignee": "chuyenvien.hn"})) == {people["le"].code}
    assert codes(api.get(API, {"received_by": "tiepnhan.hn"})) == {d.code for d in people.values()}
    assert codes(api.get(API, {"received_by": "chuyenvien.hn"})) == set()
    # The stage is the live one (cases.deadlines at the request), as every card counts it, not the last scan's
    # mark: received in June 2025 and still running, the three are overdue whatever the mark says.
    DueMark.objects.create(dossier_id=people["nguyen"].pk, stage="due_soon", since=timezone.now())
    assert codes(api.get(API, {"due_stage": "due_soon"})) == set()
    assert codes(api.get(API, {"due_stage": "overdue"})) == {d.code for d in people.values()}
    assert codes(api.get(API, {"status": "received", "q": "bich"})) == {people["tran"].code}


def _page_codes(client, **params) -> set[str]:
    response = client.get(reverse("cases:list"), params)
    assert response.status_code == 200
    return {d.code for d in response.context["rows"]}


def test_page_filters(client, cast, people):
    client.force_login(cast["reception_hn"])
    everyone = {d.code for d in people.values()}
    assert _page_codes(client) == everyone
    assert _page_codes(client, q="nguyen") == {people["nguyen"].code, people["le"].code}
    assert _page_codes(client, channel="postal") == {people["tran"].code}
    assert _page_codes(client, procedure="1.009020") == everyone
    # the end day is included: 03/06 to 03/06 is the whole of that day
    assert _page_codes(client, received_after="2025-06-03", received_before="2025-06-03") == {people["tran"].code}
    Dossier.objects.filter(pk=people["le"].pk).update(assignee=cast["processor_hn"])
    assert _page_codes(client, assignee="chuyenvien.hn") == {people["le"].code}
    assert _page_codes(client, received_by="tiepnhan.hn") == everyone
    Dossier.objects.filter(pk=people["le"].pk).update(status="resolved", resolved_at=local(2025, 6, 5, 9, 0))
    assert _page_codes(client, due_stage="overdue") == {people["nguyen"].code, people["tran"].code}
    html = client.get(reverse("cases:list"), {"q": "bich"}).content.decode()
    assert "format=xlsx" in html and "Xuất Excel" in html


def _csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_api_csv_export_is_the_filtered_scoped_list(as_user, cast, people):
    response = as_user(cast["reception_hn"]).get(API, {"format": "csv", "q": "nguyen"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    rows = _csv_rows(response)
    assert rows[0][:3] == ["Mã hồ sơ", "Người nộp", "Thủ tục"]
    assert {r[0] for r in rows[1:]} == {people["nguyen"].code, people["le"].code}
    assert {r[1] for r in rows[1:]} == {"Nguyễn Văn Đức", "LÊ NGUYÊN KHÔI"}
    assert rows[1][6].endswith(":00") and "/2025" in rows[1][6]  # dd/mm/yyyy hh:mm
    other = as_user(cast["reception_hcm"]).get(API, {"format": "csv"})
    assert len(_csv_rows(other)) == 1  # only the header: nothing of Hà Nội


def test_api_xlsx_export(as_user, cast, people):
    response = as_user(cast["reception_hn"]).get(API, {"format": "xlsx", "channel": "postal"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == export.XLSX_TYPE
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "Mã hồ sơ" and ws["A1"].font.bold
    assert [r[0] for r in rows[1:]] == [people["tran"].code]
    assert rows[1][1] == "Trần Thị Bích" and rows[1][6].year == 2025


def test_page_export(client, cast, people):
    client.force_login(cast["reception_hn"])
    response = client.get(reverse("cases:list"), {"format": "csv", "channel": "postal"})
    assert response.status_code == 200
    assert [r[0] for r in _csv_rows(response)[1:]] == [people["tran"].code]
    response = client.get(reverse("cases:list"), {"format": "xlsx"})
    assert response["Content-Type"] == export.XLSX_TYPE


def test_export_beyond_the_cap_says_so(as_user, client, cast, people, monkeypatch):
    monkeypatch.setattr(export, "EXPORT_MAX_ROWS", 2)
    response = as_user(cast["reception_hn"]).get(API, {"format": "xlsx"})
    assert response.status_code == 400
    assert "vượt quá giới hạn xuất 2 dòng" in response.json()["detail"]
    assert as_user(cast["reception_hn"]).get(API, {"format": "csv", "channel": "postal"}).status_code == 200
    client.force_login(cast["reception_hn"])
    response = client.get(reverse("cases:list"), {"format": "csv", "q": "nguyen", "channel": "direct"}, follow=False)
    assert response.status_code == 200  # 2 rows: within the cap
    response = client.get(reverse("cases:list"), {"format": "csv"}, follow=True)
    assert response.redirect_chain and "format" not in response.redirect_chain[-1][0]
    assert "vượt quá giới hạn xuất 2 dòng" in response.content.decode()


def test_export_guards_against_formula_injection(as_user, cast, receive):
    receive(at=local(2025, 6, 2, 9, 0), name="=HYPERLINK(\"http://x\",\"y\")")
    assert export.safe("+84912") == "'+84912" and export.safe("@x") == "'@x" and export.safe("-1") == "'-1"
    assert export.safe("Nguyễn") == "Nguyễn" and export.safe(5) == 5
    rows = _csv_rows(as_user(cast["reception_hn"]).get(API, {"format": "csv"}))
    assert rows[1][1] == "'=HYPERLINK(\"http://x\",\"y\")"
    response = as_user(cast["reception_hn"]).get(API, {"format": "xlsx"})
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    assert ws["B2"].value.startswith("'=") and ws["B2"].data_type == "s"


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("cases:list"), params).status_code == 200
    return len(ctx.captured_queries)


def test_filtered_list_query_count_is_constant(client, cast, receive):
    client.force_login(cast["reception_hn"])
    receive(at=local(2025, 6, 2, 9, 0), name="Nguyễn A")
    params = {"q": "nguyen", "channel": "direct", "received_after": "2025-06-01"}
    few = _queries(client, params)
    for i in range(6):
        receive(at=local(2025, 6, 2, 10, i), name=f"Nguyễn B{i}")
    assert _queries(client, params) == few


@pytest.mark.postgres
def test_postgres_has_the_search_indexes_and_not_the_unused_trigram_ones(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_dossier'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"dossier_search_name_trgm", "dossier_phone_trgm", "dossier_office_words", "dossier_code_end"} <= names
    # migration 0020: nothing reads them (the code's end and the office's words have their own indexes)
    assert not {"dossier_code_trgm", "dossier_name_trgm", "dossier_search_words"} & names
