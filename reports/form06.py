"""Form 06 in its official layout (Circular 01/2020/TT-VPCP, form 06/VPCP/KSTT; DOMAIN.md §6), built from the
same report dictionary as the JSON and the page, for the XLSX and the PDF (reports.form06_pdf):

* the heading block: reporting unit, receiving unit, the period, "Đơn vị tính: hồ sơ";
* rows numbered (STT): a subtotal row per field (I, II, …), its procedures under it (1, 2, …), a totals row;
* numbered columns (A, B, (1)…(12)) whose identities the note states: (1) = (2) + (3) + (4) = (5) + (9),
  (5) = (6) + (7) + (8), (9) = (10) + (11);
* withdrawn dossiers are out of every column (the form has none for them), their number in a note under the
  table; the JSON keeps its `withdrawn` count;
* both signature lines, the preparer's and the head of the unit's.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from core.spreadsheet import safe_cell

TITLE = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
FORM = "Mẫu số 06/VPCP/KSTT"
UNIT = "Đơn vị tính: hồ sơ"
# The twelve numbered columns, in the form's order, each with the report key it shows.
KEYS = ["received_total", "carried_over", "received_online", "received_direct_postal",
        "resolved_total", "resolved_early", "resolved_on_time", "resolved_late",
        "in_progress_total", "in_progress_within", "in_progress_overdue", "refused_at_intake"]
GROUPS = [  # (heading, first column index, span) over the numbered columns
    ("Số hồ sơ nhận giải quyết", 0, 4), ("Số hồ sơ đã giải quyết", 4, 4), ("Số hồ sơ đang giải quyết", 8, 3),
]
SUBHEADINGS = ["Tổng số", "Kỳ trước chuyển qua", "Trực tuyến", "Trực tiếp, dịch vụ bưu chính",
               "Tổng số", "Trả trước hạn", "Trả đúng hạn", "Trả quá hạn",
               "Tổng số", "Chưa đến hạn", "Quá hạn", "Từ chối tiếp nhận"]
NUMBERS = ["A", "B"] + [f"({i})" for i in range(1, 13)]
IDENTITIES = "(1) = (2) + (3) + (4) = (5) + (9); (5) = (6) + (7) + (8); (9) = (10) + (11)."
ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV"]


@dataclass
class Line:
    kind: str  # "field", "procedure" or "total"
    stt: str
    name: str
    values: list[int]


@dataclass
class Official:
    reporting_unit: str
    receiving_unit: str
    first: date
    last: date
    lines: list[Line]
    withdrawn: int
    preparer: str
    head_title: str = "THỦ TRƯỞNG ĐƠN VỊ"
    head_name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def period(self) -> str:
        return f"Kỳ báo cáo: từ ngày {self.first:%d/%m/%Y} đến ngày {self.last:%d/%m/%Y}"


def _official_values(row: dict) -> list[int]:
    """The row's twelve columns with its withdrawn dossiers taken out of the received ones they were counted in
    (a month closed before the split was stored: out of the carried over first, then direct, then online)."""
    v = {k: row[k] for k in KEYS}
    withdrawn = row.get("withdrawn", 0)
    split = [("carried_over", row.get("withdrawn_carried_over")), ("received_direct_postal",
             row.get("withdrawn_direct_postal")), ("received_online", row.get("withdrawn_online"))]
    if any(n is None for _, n in split):
        left = withdrawn
        split = []
        for key in ("carried_over", "received_direct_postal", "received_online"):
            take = min(left, v[key])
            split.append((key, take))
            left -= take
    for key, n in split:
        v[key] -= n
    v["received_total"] -= withdrawn
    return [v[k] for k in KEYS]


def _units(office) -> tuple[str, str]:
    """The reporting unit (the office, or BHXH Việt Nam for the whole country) and the one it reports to."""
    if office is None or office.level == "central":
        return "Bảo hiểm xã hội Việt Nam", "Văn phòng Chính phủ"
    if office.level == "district" and office.parent_id:
        return office.name, office.parent.name
    return office.name, "Bảo hiểm xã hội Việt Nam"


def build(report: dict, *, office, user) -> Official:
    """The official layout of `report` (reports.selectors.report_tthc_served): rows per field and procedure
    (summed over the unit's offices), each field's subtotal above its procedures, the totals last."""
    by_field: dict[str, dict[tuple[str, str], list[int]]] = {}
    for row in report["rows"]:
        procedures = by_field.setdefault(row["field"] or "Khác", {})
        values = _official_values(row)
        key = (row["procedure"], row["procedure_name"])
        procedures[key] = [a + b for a, b in zip(procedures.get(key, [0] * len(KEYS)), values)]
    lines, totals = [], [0] * len(KEYS)
    for i, (name, procedures) in enumerate(sorted(by_field.items())):
        subtotal = [sum(col) for col in zip(*procedures.values())]
        lines.append(Line("field", ROMAN[i] if i < len(ROMAN) else str(i + 1), f"Lĩnh vực {name}", subtotal))
        for j, ((code, pname), values) in enumerate(sorted(procedures.items()), 1):
            lines.append(Line("procedure", str(j), f"{pname} ({code})", values))
        totals = [a + b for a, b in zip(totals, subtotal)]
    lines.append(Line("total", "", "Tổng cộng", totals))
    reporting, receiving = _units(office)
    withdrawn = report["totals"].get("withdrawn", 0)
    notes = [f"Ghi chú: {withdrawn} hồ sơ người nộp rút trong kỳ không tính vào các cột của biểu "
             f"(biểu không có cột hồ sơ rút). {IDENTITIES}"]
    if report.get("closed_at"):
        notes.append(f"Số liệu đã chốt bởi {report.get('closed_by') or ''}.")
    return Official(reporting_unit=reporting, receiving_unit=receiving, first=date.fromisoformat(report["from"]),
                    last=date.fromisoformat(report["to"]), lines=lines, withdrawn=withdrawn,
                    preparer=getattr(user, "display_name", "") or "", notes=notes)


def as_xlsx(form: Official) -> bytes:
    """The form on one sheet: heading block, three heading rows (groups, columns, numbers), rows, note, signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    ws = book.active
    ws.title = "Mẫu 06"
    width = len(NUMBERS)
    last_col = get_column_letter(width)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    bold = Font(bold=True)
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)

    def merged(row, col1, col2, value, *, font=None, align=center, row2=None):
        ws.merge_cells(start_row=row, start_column=col1, end_row=row2 or row, end_column=col2)
        cell = ws.cell(row=row, column=col1, value=safe_cell(value))
        cell.alignment = align
        if font:
            cell.font = font
        return cell

    merged(1, 1, 6, f"Đơn vị báo cáo: {form.reporting_unit}", font=bold, align=Alignment(horizontal="left"))
    merged(1, 7, width, FORM, align=Alignment(horizontal="right"))
    merged(2, 1, 6, f"Đơn vị nhận báo cáo: {form.receiving_unit}", align=Alignment(horizontal="left"))
    merged(3, 1, width, TITLE, font=Font(bold=True, size=13))
    merged(4, 1, width, form.period, font=Font(italic=True))
    merged(5, 1, width, UNIT, font=Font(italic=True), align=Alignment(horizontal="right"))
    top = 6
    merged(top, 1, 1, "STT", font=bold, row2=top + 1)
    merged(top, 2, 2, "Lĩnh vực, thủ tục hành chính", font=bold, row2=top + 1)
    for heading, start, span in GROUPS:
        merged(top, 3 + start, 2 + start + span, heading, font=bold)
    merged(top, width, width, SUBHEADINGS[-1], font=bold, row2=top + 1)
    for i, text in enumerate(SUBHEADINGS[:-1]):
        ws.cell(row=top + 1, column=3 + i, value=text).alignment = center
    for i, text in enumerate(NUMBERS, 1):
        cell = ws.cell(row=top + 2, column=i, value=text)
        cell.alignment, cell.font = center, Font(italic=True)
    for line in form.lines:
        ws.append([line.stt, safe_cell(line.name), *line.values])
        r = ws.max_row
        ws.cell(row=r, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if line.kind != "procedure":
            for c in range(1, width + 1):
                ws.cell(row=r, column=c).font = bold
    for row in ws.iter_rows(min_row=top, max_row=ws.max_row, max_col=width):
        for cell in row:
            cell.border = box
    r = ws.max_row + 2
    for note in form.notes:
        merged(r, 1, width, note, font=Font(italic=True), align=Alignment(horizontal="left", wrap_text=True))
        ws.row_dimensions[r].height = 30
        r += 1
    r += 1
    merged(r, 1, 6, "NGƯỜI LẬP BIỂU", font=bold)
    merged(r, 9, width, form.head_title, font=bold)
    merged(r + 1, 1, 6, "(Ký và ghi rõ họ tên)", font=Font(italic=True))
    merged(r + 1, 9, width, "(Ký, ghi rõ họ tên và đóng dấu)", font=Font(italic=True))
    merged(r + 5, 1, 6, form.preparer, font=bold)
    merged(r + 5, 9, width, form.head_name, font=bold)
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 48
    for i in range(3, width + 1):
        ws.column_dimensions[get_column_letter(i)].width = 11
    ws.row_dimensions[top + 1].height = 45
    ws.freeze_panes = ws.cell(row=top + 3, column=3)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{top}:{top + 2}"
    ws.print_area = f"A1:{last_col}{r + 5}"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
