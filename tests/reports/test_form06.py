"""Form 06 in its official layout (issue 12; DOMAIN.md §6): the PDF and the XLSX read back. The heading block,
STT, numbered columns, subtotals per field, a totals row, the withdrawn dossiers out of every column and in a
note, both signature lines kept with the table's end, names wrapped and never cut, the period always shown."""
import re
from datetime import date
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Dossier, Procedure, Status
from reports.form06 import NUMBERS, Line, Official
from reports.form06_pdf import render

from ..cases.conftest import local

URL = "/api/v1/reports/tthc/?from=2025-06-01&to=2025-06-30&office=01"
LONG = ["1.009010", "1.009012", "1.009013", "1.009014", "1.009015", "1.009020", "1.009022", "1.009023"]


def pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(BytesIO(content)).pages]


def joined(text: str) -> str:
    """The text with its line breaks and runs of spaces as single spaces (a wrapped name reads whole)."""
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def june(receive, cast):
    """June 2025 at Hà Nội: dossiers of eight procedures in three fields, one withdrawn, one refused at intake."""
    made = []
    for i, code in enumerate(LONG):
        made.append(receive(code, at=local(2025, 6, 2 + i % 5, 9, 0)))
        made.append(receive(code, at=local(2025, 6, 9, 10, 0), channel="postal"))
    withdrawn = made[0]
    Dossier.objects.filter(pk=withdrawn.pk).update(status=Status.WITHDRAWN, closed_at=local(2025, 6, 20, 9, 0))
    resolved = made[3]
    Dossier.objects.filter(pk=resolved.pk).update(status=Status.RESOLVED, resolved_at=local(2025, 6, 10, 9, 0))
    return made


def test_form_06_pdf_wraps_long_names_whole_and_keeps_both_signatures_with_the_table(as_user, cast, june):
    # Before: names cut at 40 characters ("… (xác nhận") and "Người lập biểu" alone on page 2, no head of unit.
    response = as_user(cast["director_hn"]).get(URL + "&format=pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pages = pdf_pages(response.content)
    text = joined(" ".join(pages))
    for code in LONG:
        name = Procedure.objects.get(code=code).name
        assert joined(name) in text, name  # whole, never cut
    assert "NGƯỜI LẬP BIỂU" in text and "THỦ TRƯỞNG ĐƠN VỊ" in text
    assert "Tổng cộng" in joined(pages[-1]) and "NGƯỜI LẬP BIỂU" in pages[-1]
    for number in NUMBERS[2:]:
        assert number in text
    assert "STT" in text and "Đơn vị tính: hồ sơ" in text
    assert "Đơn vị báo cáo: BHXH" in text and "Đơn vị nhận báo cáo: Bảo hiểm xã hội Việt Nam" in text
    assert "Kỳ báo cáo: từ ngày 01/06/2025 đến ngày 30/06/2025" in text
    assert "1 hồ sơ người nộp rút trong kỳ không tính vào các cột" in text


def _form(rows: int) -> Official:
    name = ("Hỗ trợ người lao động tạm hoãn thực hiện hợp đồng lao động hoặc nghỉ việc không hưởng lương "
            "(xác nhận danh sách người lao động tham gia bảo hiểm xã hội)")
    lines = [Line("field", "I", "Lĩnh vực Thu BHXH, BHYT", [rows] * 12)]
    lines += [Line("procedure", str(i), f"{name} số {i}", [1] * 12) for i in range(1, rows + 1)]
    lines.append(Line("total", "", "Tổng cộng", [rows] * 12))
    return Official(reporting_unit="BHXH thành phố Hà Nội", receiving_unit="Bảo hiểm xã hội Việt Nam",
                    first=date(2025, 6, 1), last=date(2025, 6, 30), lines=lines, withdrawn=0,
                    preparer="Nguyễn Văn Lập", notes=["Ghi chú: 0 hồ sơ người nộp rút trong kỳ."])


@pytest.mark.parametrize("rows", range(1, 41))
def test_the_signatures_never_stand_alone_on_a_page_whatever_the_number_of_rows(offices, rows):
    pages = pdf_pages(render(_form(rows), office=offices["01"]))
    for page in pages:
        if "NGƯỜI LẬP BIỂU" in page:
            assert "Tổng cộng" in page and "THỦ TRƯỞNG ĐƠN VỊ" in page and f"số {rows}" in joined(page)
    assert "NGƯỜI LẬP BIỂU" in pages[-1]
    text = joined(" ".join(pages))
    assert all(f"tham gia bảo hiểm xã hội) số {i} " in text + " " for i in range(1, rows + 1))
    if len(pages) > 1:  # the heading rows repeated on every page
        assert all("(12)" in page for page in pages)


def test_form_06_xlsx_has_the_official_layout(as_user, cast, june):
    report = as_user(cast["director_hn"]).get(URL).json()
    assert report["totals"]["withdrawn"] == 1  # the JSON keeps it
    response = as_user(cast["director_hn"]).get(URL + "&format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    cells = [str(v) for r in rows for v in r if v is not None]
    assert any(c.startswith("Đơn vị báo cáo: BHXH") for c in cells)
    assert "Đơn vị nhận báo cáo: Bảo hiểm xã hội Việt Nam" in cells
    assert "Kỳ báo cáo: từ ngày 01/06/2025 đến ngày 30/06/2025" in cells and "Đơn vị tính: hồ sơ" in cells
    numbers = next(r for r in rows if r[0] == "A")
    assert numbers == NUMBERS
    assert "STT" in cells and "NGƯỜI LẬP BIỂU" in cells and "THỦ TRƯỞNG ĐƠN VỊ" in cells
    assert cast["director_hn"].display_name in cells
    body = rows[rows.index(numbers) + 1:]
    table = [r for r in body[:next(i for i, r in enumerate(body) if r[1] == "Tổng cộng") + 1]]
    fields = [r for r in table if str(r[0]) in ("I", "II", "III")]
    procedures = [r for r in table if str(r[0]).isdigit()]
    total = table[-1]
    assert len(fields) == 3 and len(procedures) == len(LONG)
    for r in table:  # the form's own identities hold in every row, the withdrawn dossier out of every column
        v = r[2:14]
        assert v[0] == v[1] + v[2] + v[3] == v[4] + v[8]
        assert v[4] == v[5] + v[6] + v[7] and v[8] == v[9] + v[10]
    assert [sum(r[c] for r in fields) for c in range(2, 14)] == total[2:14]
    assert [sum(r[c] for r in procedures) for c in range(2, 14)] == total[2:14]
    assert total[2] == report["totals"]["received_total"] - 1 == 15
    assert any("1 hồ sơ người nộp rút trong kỳ" in c for c in cells)
    names = {r[1] for r in procedures}
    assert all(f"{Procedure.objects.get(code=c).name} ({c})" in names for c in LONG)


def test_the_report_page_shows_the_default_period_when_the_dates_are_left_blank(client, cast):
    client.force_login(cast["director_hn"])
    html = client.get("/bao-cao/tthc/").content.decode()
    today = timezone.localdate()
    assert f'value="01/01/{today.year}"' in html and f'value="{today:%d/%m/%Y}"' in html
    assert f"Kỳ báo cáo: từ ngày 01/01/{today.year} đến ngày {today:%d/%m/%Y}" in html
