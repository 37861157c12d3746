"""Form 06 as CSV, XLSX and PDF, built from the same report dictionary as the JSON and the page."""
import csv
import io
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from core.documents import Document, Para, Signature, Table
from core.documents.pdf import render_pdf
from core.spreadsheet import safe_row

from .selectors import COLUMNS

HEADERS = {
    "received_total": "Tổng số tiếp nhận", "received_online": "Trực tuyến",
    "received_direct_postal": "Trực tiếp, bưu chính", "carried_over": "Kỳ trước chuyển qua",
    "resolved_total": "Đã giải quyết", "resolved_early": "Trước hạn", "resolved_on_time": "Đúng hạn",
    "resolved_late": "Quá hạn", "withdrawn": "Rút hồ sơ", "in_progress_total": "Đang giải quyết",
    "in_progress_within": "Trong hạn", "in_progress_overdue": "Quá hạn (đang GQ)",
    "refused_at_intake": "Từ chối tiếp nhận",
}
LEAD = ["Đơn vị", "Lĩnh vực", "Mã TTHC", "Thủ tục"]


def _lines(report):
    """The rows of the table; the names (entered by administrators) neutralised like every spreadsheet text."""
    for row in report["rows"]:
        yield safe_row([row["office_name"], row["field"], row["procedure"], row["procedure_name"]]
                       + [row[c] for c in COLUMNS])
    yield ["Tổng cộng", "", "", ""] + [report["totals"][c] for c in COLUMNS]


def _title(report):
    first, last = date.fromisoformat(report["from"]), date.fromisoformat(report["to"])
    return f"Kỳ báo cáo: từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}"


def as_csv(report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LEAD + [HEADERS[c] for c in COLUMNS])
    writer.writerows(_lines(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens the Vietnamese correctly


def as_xlsx(report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Mẫu 06"
    sheet.append(["TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH (Mẫu 06/VPCP/KSTT)"])
    sheet.append([_title(report)])
    sheet.append(LEAD + [HEADERS[c] for c in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(bold=True, size=13)
    for line in _lines(report):
        sheet.append(line)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCD", (28, 18, 12, 50)):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "E4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(report, office, user) -> bytes:
    short = ["Đơn vị / thủ tục", "Tổng", "TT", "TT-BC", "Kỳ trước", "Đã GQ", "Trước", "Đúng", "Quá",
             "Rút", "Đang GQ", "Trong", "Quá", "Từ chối"]
    rows = [[f"{r['office']} · {r['procedure']} {r['procedure_name'][:40]}"] + [str(r[c]) for c in COLUMNS]
            for r in report["rows"]]
    rows.append(["Tổng cộng"] + [str(report["totals"][c]) for c in COLUMNS])
    doc = Document(office=office, title="TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", day=None,
                   filename="bao-cao-tthc.pdf", form="Mẫu 06/VPCP/KSTT", subtitle=_title(report), landscape=True,
                   blocks=[Table(short, rows, widths=[70] + [15] * 13),
                           Para("TT: trực tuyến; TT-BC: trực tiếp, bưu chính; GQ: giải quyết.")],
                   signatures=[Signature("NGƯỜI LẬP BIỂU", user.display_name, "")])
    return render_pdf(doc)
