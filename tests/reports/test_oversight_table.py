"""The Legal Department's oversight table (issue 12): a totals row, sorting by any column, the XLSX export."""
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from core.models import Office

from ..cases.conftest import local

URL = reverse("reports:oversight")
PERIOD = "?from=01/10/2026&to=30/11/2026"


@pytest.fixture
def three_provinces(receive, time_machine):
    time_machine.move_to(local(2026, 11, 18, 10, 0), tick=False)
    for _ in range(3):
        receive("1.009020", at=local(2026, 11, 2, 9, 0))  # Hà Nội
    receive("1.009020", at=local(2026, 11, 2, 9, 0), officer="reception_hcm")


def _rows(response):
    return response.context["table"]["rows"]


def test_oversight_has_a_totals_row_summing_every_column(client, cast, three_provinces):
    client.force_login(cast["legal"])
    response = client.get(URL + PERIOD)
    table = response.context["table"]
    assert table["totals"]["received"] == sum(r["received"] for r in table["rows"]) == 4
    html = response.content.decode()
    assert 'class="totals"' in html and "Tổng cộng" in html


@pytest.mark.parametrize("sort,first", [("-received", "01"), ("received", None), ("-name", None), ("office", "01")])
def test_oversight_sorts_by_any_column(client, cast, three_provinces, sort, first):
    client.force_login(cast["legal"])
    rows = _rows(client.get(URL + PERIOD + f"&sort={sort}"))
    key = sort.lstrip("-")
    values = [r[key] for r in rows]
    assert values == sorted(values, reverse=sort.startswith("-"))
    if first:
        assert rows[0]["office"] == first
    if sort == "received":
        assert rows[-1]["office"] == "01"


def test_an_unknown_sort_falls_back_to_the_code(client, cast, three_provinces):
    client.force_login(cast["legal"])
    rows = _rows(client.get(URL + PERIOD + "&sort=__class__"))
    assert [r["office"] for r in rows] == sorted(r["office"] for r in rows)


def test_oversight_exports_xlsx_as_shown_with_totals_and_no_formula(client, cast, three_provinces):
    Office.objects.filter(code="79").update(name="=HYPERLINK(\"http://x\")")
    client.force_login(cast["legal"])
    response = client.get(URL + PERIOD + "&sort=-received&format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "01/10/2026" in rows[1][0] and "30/11/2026" in rows[1][0]
    assert rows[2][:3] == ("Mã", "BHXH tỉnh, thành phố", "Tiếp nhận")
    assert rows[3][0] == "01" and rows[3][2] == 3  # sorted as shown: most received first
    assert rows[-1][0] == "Tổng cộng" and rows[-1][2] == 4
    names = [r[1] for r in rows[3:-1]]
    assert "'=HYPERLINK(\"http://x\")" in names  # neutralised, never a formula


def test_the_oversight_page_links_its_export_and_sort_headers(client, cast, three_provinces):
    client.force_login(cast["legal"])
    html = client.get(URL + PERIOD).content.decode()
    assert "format=xlsx" in html and 'data-sort="received"' in html
