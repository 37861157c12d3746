"""The Legal Department's oversight table as shown, sorted and exported: its columns, each cell that counts
dossiers linked to the dossier list that holds exactly that number (cases.filtering), a totals row, sorting by
any column (`?sort=received`, `?sort=-received`) and the XLSX export (through core.spreadsheet)."""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from cases.filtering import figure_href


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    link: dict | None = None  # the list filters of a count (with the province and the period)
    period: str = ""  # "received", "resolved" or "apology": the period filters the link takes
    feedback: bool = False  # counts feedback items: links to the PAKN list, not the dossiers'


COLUMNS = [
    Column("office", _("Mã")),
    Column("name", _("BHXH tỉnh, thành phố")),
    Column("received", _("Tiếp nhận"), {}, "received"),
    Column("resolved", _("Đã giải quyết"), {}, "resolved"),
    Column("resolved_late", _("Giải quyết quá hạn"), {"timeliness": "late"}, "resolved"),
    Column("open_overdue", _("Đang quá hạn"), {"overdue_open": 1}),
    Column("apologies", _("Phiếu xin lỗi"), {"apology": "issued"}, "apology"),
    Column("apologies_late", _("Xin lỗi muộn"), {"apology": "late"}, "apology"),
    Column("feedback", _("PAKN nhận"), {}, "received", feedback=True),
    Column("feedback_on_time", _("PAKN trả lời đúng hạn"), {"deadline": "answered_on_time"}, "received", True),
    Column("feedback_overdue", _("PAKN quá hạn"), {"deadline": "late_or_overdue"}, "received", True),
    Column("feedback_forwarded_late", _("PAKN chuyển muộn"), {"deadline": "forwarded_late"}, "received", True),
    Column("appointments_missed", _("Trễ hẹn đã hẹn lại"), {"due_stage": "appointment_missed"}),
    Column("late_to_accept", _("Chậm tiếp nhận trực tuyến"), {"due_stage": "late_to_accept"}),
    Column("over_two_trips", _("Hồ sơ đi lại quá 2 lần"), {"over_visit_limit": 1}, "received"),
    Column("came_back", _("Quay lại trong 30 ngày"), {"came_back": 1}, "received"),
    Column("closed_months", _("Tháng đã chốt số liệu")),
]
NUMERIC = [c for c in COLUMNS if c.key not in ("office", "name", "closed_months")]
SORTABLE = {c.key for c in COLUMNS}


def _href(column: Column, province: str, first: date, last: date) -> str:
    period = {f"{column.period}_after": first, f"{column.period}_before": last} if column.period else {}
    if column.feedback:
        params = {**column.link, **{k: v.isoformat() for k, v in period.items()}, "province": province}
        return f"{reverse('feedback:list')}?{urlencode(params)}"
    return figure_href(**column.link, **period, province=province)


def _sort_value(row, key):
    value = row[key]
    return ", ".join(value) if isinstance(value, list) else value


def table(rows: list[dict], *, first: date, last: date, sort: str = "") -> dict:
    """The rows with their cells (key, value, link or ""), sorted by `sort` (a column key, "-" for descending;
    anything else: by code), and the totals of every numeric column."""
    key = sort.removeprefix("-")
    if key not in SORTABLE:
        sort, key = "", "office"
    rows = sorted(rows, key=lambda r: (_sort_value(r, key), r["office"]), reverse=sort.startswith("-"))
    for row in rows:
        row["cells"] = [(c.key, row[c.key] if c.key != "closed_months" else ", ".join(row[c.key]) or "—",
                         _href(c, row["office"], first, last) if c.link is not None else "") for c in COLUMNS]
    totals = {c.key: sum(r[c.key] for r in rows) for c in NUMERIC}
    return {"columns": COLUMNS, "numeric": NUMERIC, "rows": rows, "totals": totals, "sort": sort,
            "total_cells": [totals[c.key] for c in NUMERIC]}


def as_xlsx(shown: dict, *, first: date, last: date) -> bytes:
    """The table as shown (sorted), with its totals row; every text through core.spreadsheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from core.spreadsheet import safe_row

    book = Workbook()
    sheet = book.active
    sheet.title = "Giám sát"
    sheet.append(["GIÁM SÁT GIẢI QUYẾT TTHC VÀ PAKN TOÀN QUỐC"])
    sheet.append([f"Kỳ: từ ngày {first:%d/%m/%Y} đến ngày {last:%d/%m/%Y}"])
    sheet.append([str(c.label) for c in COLUMNS])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    sheet["A1"].font = Font(bold=True, size=13)
    for row in shown["rows"]:
        sheet.append(safe_row([", ".join(row[c.key]) if c.key == "closed_months" else row[c.key] for c in COLUMNS]))
    sheet.append(["Tổng cộng", ""] + shown["total_cells"] + [""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.column_dimensions["B"].width = 36
    sheet.freeze_panes = "C4"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
