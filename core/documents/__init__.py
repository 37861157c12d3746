"""Official documents as data: the national heading, the agency, number, place and date, title, body blocks
(key-value lines, paragraphs, numbered lists, tables, a QR code) and signature blocks.

A document is described once as a `Document` and rendered from the same data either as HTML
(`templates/cases/slips/_document.html`) or as PDF (`core.documents.pdf.render_pdf`). The content of each document
is built by its app (`cases.documents`, `reports.exports`); this package only describes and lays
it out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
AGENCY = "BẢO HIỂM XÃ HỘI VIỆT NAM"
SIGN_HINT = "(Ký và ghi rõ họ tên)"


# --- formatting (Asia/Ho_Chi_Minh, dd/mm/yyyy, HH:MM) ---------------------------------------------------

def fmt_date(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%d/%m/%Y}"


def fmt_dt(value) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{local:%d/%m/%Y %H:%M}"


def place_of(office) -> str:
    """The place in "<place>, ngày … tháng … năm …": the province of the office (central office: Hà Nội)."""
    province = office.province if office is not None else None
    if province is None or province.level == "central":
        return "Hà Nội"
    name = province.name
    for prefix in ("BHXH ", "Bảo hiểm xã hội "):
        if name.startswith(prefix):
            name = name[len(prefix):]
    for prefix in ("thành phố ", "Thành phố ", "tỉnh ", "Tỉnh "):
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    return "Thành phố Hồ Chí Minh" if name == "Hồ Chí Minh" else name


def place_and_date(office, day) -> str:
    if day is None:
        day = timezone.localdate()
    if isinstance(day, datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    return f"{place_of(office)}, ngày {day:%d} tháng {day:%m} năm {day:%Y}"


def agency_lines(office) -> tuple[str, str]:
    """The two lines of the issuing agency, upper case: the governing body, then the office itself."""
    if office is None or office.level == "central":
        return "", AGENCY
    if office.level == "district" and office.parent_id:
        return office.parent.name.upper(), office.name.upper()
    return AGENCY, office.name.upper()


# --- the document model -------------------------------------------------------------------------------

@dataclass
class KV:
    label: str
    value: str
    kind = "kv"


@dataclass
class Para:
    text: str
    bold: bool = False
    italic: bool = False
    center: bool = False
    kind = "para"


@dataclass
class Items:
    items: list[str]
    kind = "items"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    widths: list[float] | None = None  # relative widths
    size: float = 9  # font size in the PDF
    kind = "table"


@dataclass
class QR:
    url: str
    caption: str = ""
    kind = "qr"

    def svg(self) -> str:
        import segno

        return segno.make(self.url, error="m").svg_inline(scale=3, border=2, omitsize=False)


@dataclass
class Signature:
    caption: str
    name: str = ""
    hint: str = SIGN_HINT
    prefix: str = ""  # e.g. "KT. GIÁM ĐỐC" above a deputy's title


@dataclass
class Document:
    office: object
    title: str
    day: date | datetime | None  # the date printed after the place; None = today
    filename: str
    number: str = ""
    subtitle: str = ""
    form: str = ""
    blocks: list = field(default_factory=list)
    signatures: list[Signature] = field(default_factory=list)
    draft: bool = False
    landscape: bool = False

    nation = NATION
    motto = MOTTO

    @property
    def agency(self) -> tuple[str, str]:
        return agency_lines(self.office)

    @property
    def place_date(self) -> str:
        return place_and_date(self.office, self.day)
