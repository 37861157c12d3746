"""Form 06 as CSV (the report's own columns, withdrawn included), XLSX and PDF (the official layout,
reports.form06), built from the same report dictionary as the JSON and the page."""
import csv
import io

from core.spreadsheet import safe_row

from . import form06, form06_pdf
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



def as_csv(report) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(LEAD + [HEADERS[c] for c in COLUMNS])
    writer.writerows(_lines(report))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens the Vietnamese correctly


def as_xlsx(report, office=None, user=None) -> bytes:
    """The official layout (reports.form06): heading block, STT, numbered columns, subtotals, totals, note of
    the withdrawn dossiers, both signature lines."""
    return form06.as_xlsx(form06.build(report, office=office, user=user))


def as_pdf(report, office, user) -> bytes:
    """The official layout, A4 landscape, names wrapped, the signatures kept with the table's end."""
    return form06_pdf.render(form06.build(report, office=office, user=user), office=office)
