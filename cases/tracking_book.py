"""Sổ theo dõi hồ sơ: one row per dossier an office received in a date range, as HTML, PDF (landscape) or XLSX.

GET parameters: `from`, `to` (dd/mm/yyyy or yyyy-mm-dd, inclusive), `office` (office code, within the user's
scope; default the user's own office), `format` (html | pdf | xlsx). Bad parameters give a Vietnamese message on
the page with status 400. The rows are one query (select_related), whatever their number.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from core.documents import Document, Para, Signature, Table, fmt_dt
from core.documents.pdf import render_pdf
from core.models import Office
from core.permissions import capability_required
from core.scoping import visible_offices
from legal.selectors import slip_form

from .deadlines import dossier_timeliness
from .models import Channel, Dossier, ProcessStep, Status

MAX_DAYS = 366
MAX_PRINT_ROWS = 3000  # beyond this the HTML page and the PDF are refused (use XLSX or a shorter range)
FORMATS = ("html", "pdf", "xlsx")
HEADERS = ["STT", "Mã hồ sơ", "Người nộp / chủ hồ sơ", "Thủ tục hành chính", "Kênh", "Ngày tiếp nhận",
           "Ngày hẹn trả", "Hạn giải quyết", "Ngày có kết quả", "Ngày trả kết quả", "Trạng thái", "Tiến độ"]
PDF_WIDTHS = [8, 45, 32, 43, 15, 20, 20, 20, 20, 20, 19, 14]  # mm on landscape A4; a date wraps before its time
XLSX_WIDTHS = [6, 28, 28, 60, 11, 17, 17, 17, 17, 17, 16, 11]
DATE_COLUMNS = range(5, 10)  # 0-based indexes of the datetime columns in a row


class BookError(ValueError):
    """A bad request for the book; the message is shown to the user (Vietnamese)."""


@dataclass
class BookQuery:
    office: Office
    start: date
    end: date
    format: str = "html"

    @property
    def period(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


def parse_day(value: str, label: str) -> date:
    value = (value or "").strip()
    for parse in (lambda v: datetime.strptime(v, "%d/%m/%Y").date(), date.fromisoformat):
        try:
            return parse(value)
        except ValueError:
            continue
    raise BookError(f"{label} “{value}” không hợp lệ; vui lòng nhập theo dạng dd/mm/yyyy.")


def parse_query(params, user) -> BookQuery:
    """Validate the GET parameters against the user's scope; raises BookError with a message for the page."""
    fmt = (params.get("format") or "html").strip().lower()
    if fmt not in FORMATS:
        raise BookError(f"Định dạng “{fmt}” không được hỗ trợ; chọn html, pdf hoặc xlsx.")
    today = timezone.localdate()
    start = parse_day(params["from"], "Từ ngày") if params.get("from") else today.replace(day=1)
    end = parse_day(params["to"], "Đến ngày") if params.get("to") else today
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100):
        raise BookError("Ngày phải trong các năm 2000–2100.")
    if start > end:
        raise BookError("“Từ ngày” phải trước hoặc bằng “Đến ngày”.")
    if (end - start).days + 1 > MAX_DAYS:
        raise BookError(f"Mỗi lần chỉ xem tối đa {MAX_DAYS} ngày; vui lòng chọn khoảng thời gian ngắn hơn.")
    code = (params.get("office") or "").strip()
    offices = visible_offices(user)
    if code:
        office = offices.filter(code=code).current().select_related("parent").first() or \
            offices.filter(code=code).select_related("parent").order_by("-valid_from").first()
        if office is None:
            raise BookError(f"Không tìm thấy đơn vị “{code}” trong phạm vi bạn được xem.")
    else:
        office = offices.filter(pk=user.office_id).select_related("parent").first() if user.office_id else None
        if office is None:
            raise BookError("Vui lòng chọn đơn vị.")
    return BookQuery(office=office, start=start, end=end, format=fmt)


def book_dossiers(q: BookQuery, limit: int | None = None):
    """The dossiers received by the office in the range (local days, inclusive), in order: one query."""
    tz = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(q.start, time.min), tz)
    until = timezone.make_aware(datetime.combine(q.end + timedelta(days=1), time.min), tz)
    qs = (Dossier.objects.filter(office=q.office, received_at__gte=since, received_at__lt=until)
          .select_related("procedure").order_by("received_at", "pk"))
    return list(qs[:limit] if limit else qs)


def timeliness_label(d: Dossier) -> str:
    value = dossier_timeliness(d)
    return str(ProcessStep.Result(value).label) if value else ""


def book_rows(dossiers) -> list[list]:
    """Rows with datetimes kept as values (formatted by each renderer)."""
    return [[i, d.code, d.applicant_name, d.procedure.name, str(Channel(d.channel).label), d.received_at,
             d.appointment_at, d.legal_due_at, d.resolved_at, d.returned_at, str(Status(d.status).label),
             timeliness_label(d)] for i, d in enumerate(dossiers, 1)]


def _text(row) -> list[str]:
    return [fmt_dt(v) if i in DATE_COLUMNS else str(v) for i, v in enumerate(row)]


def book_document(q: BookQuery, rows, user=None) -> Document:
    table = Table(HEADERS, [_text(r) for r in rows] or [["", "Không có hồ sơ nào được tiếp nhận trong kỳ."] +
                                                         [""] * (len(HEADERS) - 2)], widths=PDF_WIDTHS, size=8)
    blocks = [Para(f"{q.period} · Tổng số: {len(rows)} hồ sơ", italic=True, center=True), table]
    form = slip_form("book", q.end)  # the book is closed and signed at the period's end
    return Document(office=q.office, title=form.heading, subtitle=q.office.name, day=timezone.localdate(),
                    form=form.label, blocks=blocks, landscape=True,
                    signatures=[Signature("Người lập sổ", user.display_name if user else "")],
                    filename=f"so-theo-doi-{q.office.code}-{q.start:%Y%m%d}-{q.end:%Y%m%d}.pdf")


def book_xlsx(q: BookQuery, rows) -> bytes:
    from openpyxl import Workbook
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
        ws.append([timezone.localtime(v).replace(tzinfo=None) if i in DATE_COLUMNS and v else
                   (None if i in DATE_COLUMNS else v) for i, v in enumerate(row)])
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


def _page(request, *, q=None, rows=None, error="", status=200):
    offices = visible_offices(request.user).current().order_by("code")
    params = {
        "from": request.GET.get("from") or (f"{q.start:%d/%m/%Y}" if q else ""),
        "to": request.GET.get("to") or (f"{q.end:%d/%m/%Y}" if q else ""),
        "office": request.GET.get("office") or (q.office.code if q else ""),
    }
    doc = book_document(q, rows, request.user) if q is not None else None
    return render(request, "cases/slips/tracking_book.html",
                  {"doc": doc, "rows": rows, "error": error, "params": params, "offices": offices, "query": q},
                  status=status)


@capability_required("view_tracking_book")
def tracking_book(request):
    try:
        q = parse_query(request.GET, request.user)
    except BookError as exc:
        return _page(request, error=str(exc), status=400 if request.GET else 200)
    printable = q.format in ("html", "pdf")
    dossiers = book_dossiers(q, limit=MAX_PRINT_ROWS + 1 if printable else None)
    if printable and len(dossiers) > MAX_PRINT_ROWS:
        return _page(request, error=f"Kỳ này có hơn {MAX_PRINT_ROWS} hồ sơ, quá nhiều để hiển thị và in; vui lòng "
                                    "chọn khoảng thời gian ngắn hơn hoặc tải tệp Excel.", status=400)
    rows = book_rows(dossiers)
    if q.format == "pdf":
        doc = book_document(q, rows, request.user)
        response = HttpResponse(render_pdf(doc), content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(False, doc.filename)
        return response
    if q.format == "xlsx":
        response = HttpResponse(
            book_xlsx(q, rows), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        name = f"so-theo-doi-{q.office.code}-{q.start:%Y%m%d}-{q.end:%Y%m%d}.xlsx"
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    return _page(request, q=q, rows=rows)

