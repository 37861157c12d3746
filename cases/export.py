"""Export of a dossier list (`?format=csv|xlsx` on the page and the API): the filtered, scoped queryset the
list shows, streamed row by row, at most EXPORT_MAX_ROWS rows (beyond: a clear message, nothing exported).
Text cells that a spreadsheet would run as a formula (= + - @) get a leading apostrophe."""
import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.spreadsheet import safe_cell as safe

from .models import Channel, Status

EXPORT_MAX_ROWS = 100_000
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ExportTooLarge(ValueError):
    """The list holds more rows than an export may; the message (Vietnamese) is shown to the user."""


def headers() -> list[str]:
    return [_("Mã hồ sơ"), _("Người nộp"), _("Thủ tục"), _("Kênh"), _("Trạng thái"), _("Đơn vị"),
            _("Ngày tiếp nhận"), _("Hạn giải quyết"), _("Ngày hẹn trả"), _("Ngày có kết quả"), _("Cán bộ xử lý")]


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _row(d) -> list:
    return [safe(v) for v in (
        d.code, d.applicant_name, d.procedure.name, str(Channel(d.channel).label), str(Status(d.status).label),
        d.office.name, _local(d.received_at), _local(d.legal_due_at), _local(d.appointment_at),
        _local(d.resolved_at), d.assignee.display_name if d.assignee else "",
    )]


def check_size(qs) -> None:
    n = qs.count()
    if n > EXPORT_MAX_ROWS:
        raise ExportTooLarge(_("Danh sách có %(n)s hồ sơ, vượt quá giới hạn xuất %(max)s dòng. "
                               "Vui lòng lọc thêm (theo thời gian, thủ tục, trạng thái…) rồi xuất lại.")
                             % {"n": f"{n:,}".replace(",", "."), "max": f"{EXPORT_MAX_ROWS:,}".replace(",", ".")})


def _rows(qs):
    return (_row(d) for d in qs.iterator(chunk_size=2000))


class _Echo:
    def write(self, value):
        return value


def _csv_value(v):
    return v.strftime("%d/%m/%Y %H:%M") if hasattr(v, "strftime") else ("" if v is None else v)


def _csv_stream(qs):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so Excel reads the Vietnamese as UTF-8
    yield writer.writerow(headers())
    for row in _rows(qs):
        yield writer.writerow([_csv_value(v) for v in row])


def export_response(qs, fmt: str, *, filename: str = "ho-so"):
    """The export of `qs` (already filtered and scoped) as a streamed response; ExportTooLarge beyond the cap."""
    check_size(qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(_csv_stream(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}-{stamp}.csv"'
        return response
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Hồ sơ"))
    bold = Font(bold=True)
    header = []
    for h in headers():
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold  # a write-only sheet styles only the cells made for it
        header.append(cell)
    ws.append(header)
    for row in _rows(qs):
        ws.append(row)
    out = tempfile.TemporaryFile()  # write-only: the rows go to disk as they come, never all in memory
    wb.save(out)
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"{filename}-{stamp}.xlsx", content_type=XLSX_TYPE)
