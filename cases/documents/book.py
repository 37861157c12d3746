"""Sổ theo dõi hồ sơ (the tracking book, Form 06 of Circular 01/2018) as a document and as XLSX: one row per
dossier an office received in a date range."""
from io import BytesIO

from django.utils import timezone

from core.documents import Document, Para, Signature, Table, fmt_dt
from core.spreadsheet import safe_row
from legal.selectors import slip_form
from workcal import years

from ..deadlines import dossier_timeliness
from ..forms import BookQuery
from ..models import Channel, Dossier, ProcessStep, Status


HEADERS = ["STT", "Mã hồ sơ", "Người nộp / chủ hồ sơ", "Thủ tục hành chính", "Kênh", "Ngày tiếp nhận",
           "Ngày hẹn trả", "Hạn giải quyết", "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái", "Tiến độ"]
PDF_WIDTHS = [8, 45, 32, 43, 15, 20, 20, 20, 20, 20, 19, 14]  # mm on landscape A4; a date wraps before its time
XLSX_WIDTHS = [6, 28, 28, 60, 11, 17, 17, 17, 17, 17, 16, 11]
DATE_COLUMNS = range(5, 10)  # 0-based indexes of the datetime columns in a row
DUE_COLUMN = 7
PROVISIONAL_NOTE = ("(*) Hạn giải quyết rơi vào năm chưa công bố chính thức lịch nghỉ lễ, ngày làm bù; "
                    "hạn có thể thay đổi khi lịch được công bố.")


class Row(list):
    """One line of the book; `provisional`: its legal due moment falls in a year not announced yet (DOMAIN.md §3)."""

    provisional = False


def timeliness_label(d: Dossier) -> str:
    value = dossier_timeliness(d)
    return str(ProcessStep.Result(value).label) if value else ""


def _procedure(d: Dossier) -> str:
    """The procedure and the rule version the dossier was received under (DOMAIN.md §8)."""
    version = d.rule_version
    return f"{d.procedure.name} (quy định áp dụng từ {version.valid_from:%d/%m/%Y})" if version else d.procedure.name


def book_rows(dossiers) -> list[Row]:
    """Rows with datetimes kept as values (formatted by each renderer); one query for the announced years."""
    announced, rows = years.announced_years(), []
    for i, d in enumerate(dossiers, 1):
        row = Row([i, d.code, d.applicant_name, _procedure(d), str(Channel(d.channel).label), d.received_at,
                   d.appointment_at, d.legal_due_at, d.resolved_at, d.returned_at, str(Status(d.status).label),
                   timeliness_label(d)])
        row.provisional = d.is_open and years.is_provisional(d.legal_due_at, announced)
        rows.append(row)
    return rows


def _text(row) -> list[str]:
    cells = [fmt_dt(v) if i in DATE_COLUMNS else str(v) for i, v in enumerate(row)]
    if getattr(row, "provisional", False):
        cells[DUE_COLUMN] += " (*)"
    return cells


def book_document(q: BookQuery, rows, user=None) -> Document:
    table = Table(HEADERS, [_text(r) for r in rows] or [["", "Không có hồ sơ nào được tiếp nhận trong kỳ."] +
                                                         [""] * (len(HEADERS) - 2)], widths=PDF_WIDTHS, size=8)
    blocks = [Para(f"{q.period} · Tổng số: {len(rows)} hồ sơ", italic=True, center=True), table]
    if any(getattr(r, "provisional", False) for r in rows):
        blocks.append(Para(PROVISIONAL_NOTE, italic=True))
    form = slip_form("book", q.end)  # the book is closed and signed at the period's end
    return Document(office=q.office, title=form.heading, subtitle=q.office.name, day=timezone.localdate(),
                    form=form.label, blocks=blocks, landscape=True,
                    signatures=[Signature("Người lập sổ", user.display_name if user else "")],
                    filename=f"so-theo-doi-{q.office.code}-{q.start:%Y%m%d}-{q.end:%Y%m%d}.pdf")


def book_xlsx(q: BookQuery, rows) -> bytes:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "So theo doi ho so"
    wb.properties.title = f"Sổ theo dõi hồ sơ – {q.office.name} – {q.period}"
    wb.properties.creator = "bhxh-portal"
    ws.append(HEADERS)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="E6ECF4")
    for cell in ws[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in rows:
        ws.append(safe_row(timezone.localtime(v).replace(tzinfo=None) if i in DATE_COLUMNS and v else
                           (None if i in DATE_COLUMNS else v) for i, v in enumerate(row)))
    for number, row in enumerate(rows, 2):
        if row.provisional:
            ws.cell(number, DUE_COLUMN + 1).comment = Comment(PROVISIONAL_NOTE, "bhxh-portal")
    for col in DATE_COLUMNS:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col + 1, max_col=col + 1):
            cell.number_format = "dd/mm/yyyy hh:mm"
    for i, width in enumerate(XLSX_WIDTHS, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{max(1, len(rows) + 1)}"
    buf = BytesIO()
    wb.save(buf)
    return buf.getvalue()
