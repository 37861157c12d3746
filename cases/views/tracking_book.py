"""Sổ theo dõi hồ sơ: one row per dossier an office received in a date range, as HTML, PDF (landscape) or XLSX.

GET parameters: `from`, `to` (dd/mm/yyyy or yyyy-mm-dd, inclusive), `office` (office code, within the user's
scope; default the user's own office), `format` (html | pdf | xlsx). Bad parameters give a Vietnamese message on
the page with status 400. The rows are one query (select_related), whatever their number.
"""
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from core.documents.pdf import render_pdf
from core.permissions import capability_required
from core.scoping import visible_offices

from ..documents.book import book_document, book_rows, book_xlsx
from ..forms import BookError, parse_query
from ..selectors import book_dossiers

MAX_PRINT_ROWS = 3000  # beyond this the HTML page and the PDF are refused (use XLSX or a shorter range)


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
