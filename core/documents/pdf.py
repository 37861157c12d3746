"""PDF rendering of a `core.documents.Document` (fpdf2, A4, the vendored DejaVu fonts for Vietnamese glyphs)."""
from __future__ import annotations

import logging
import re
import unicodedata
from pathlib import Path

from django.conf import settings

from . import AGENCY, MOTTO, NATION, Document, Signature
from .fonts import font_path

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
FONT = "DejaVu"

# fpdf2 subsets the fonts with fontTools, which logs every glyph at INFO: keep that out of the server log.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def _nfc(text) -> str:
    """Precomposed Vietnamese letters: DejaVu has them; combining marks would render loosely without shaping."""
    return unicodedata.normalize("NFC", str(text or ""))


def _pdf_class():
    from fpdf import FPDF

    class SlipPDF(FPDF):
        watermark = ""
        page_numbers = False

        def header(self):
            if self.watermark:
                with self.local_context(text_color=(225, 225, 225)):
                    self.set_font(FONT, "B", 72)
                    cx, cy = self.w / 2, self.h / 2
                    width = self.get_string_width(self.watermark)
                    with self.rotation(35, cx, cy):
                        self.text(cx - width / 2, cy + 10, self.watermark)

        def footer(self):
            if self.page_numbers:
                self.set_y(-12)
                self.set_font(FONT, "I", 8)
                self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="R")

    return SlipPDF


class Layout:
    """The small layout helper every slip uses: heading block, title, key-value lines, paragraphs, numbered lists,
    tables, a QR code and signature blocks."""

    LINE = 6.0
    SIZE = 11

    def __init__(self, *, landscape=False, draft=False, title=""):
        pdf = _pdf_class()(orientation="L" if landscape else "P", unit="mm", format="A4")
        pdf.add_font(FONT, "", font_path("DejaVuSans.ttf"))
        pdf.add_font(FONT, "B", font_path("DejaVuSans-Bold.ttf"))
        pdf.add_font(FONT, "I", font_path("DejaVuSans-Oblique.ttf"))
        pdf.set_margins(10 if landscape else 20, 12, 10 if landscape else 15)
        pdf.set_auto_page_break(True, margin=15)
        pdf.watermark = "DỰ THẢO" if draft else ""
        pdf.page_numbers = landscape
        pdf.alias_nb_pages()
        pdf.set_title(_nfc(title))
        pdf.set_author(AGENCY)
        pdf.set_creator("bhxh-portal")
        pdf.add_page()
        pdf.set_font(FONT, "", self.SIZE)
        self.pdf = pdf
        self.slots: list[tuple[int, float, float, float, float]] = []  # (page, x, y, w, h) mm, room to sign

    @property
    def width(self) -> float:
        return self.pdf.epw

    def font(self, style="", size=None):
        self.pdf.set_font(FONT, style, size or self.SIZE)

    # heading: agency and number on the left, the nation and place-date on the right
    def heading(self, *, upper: str, office: str, number: str, place_date: str, form: str = ""):
        pdf = self.pdf
        left_w = min(85.0, self.width * 0.45)
        right_w = self.width - left_w
        x0, y0 = pdf.l_margin, pdf.get_y()
        if form:
            self.font("I", 8)
            pdf.set_xy(x0, y0)
            pdf.cell(self.width, 4, _nfc(form), align="R")
            y0 += 4
        # left column
        pdf.set_xy(x0, y0)
        if upper:
            self.font("", 10)
            pdf.multi_cell(left_w, 5, _nfc(upper), align="C", new_x="LMARGIN", new_y="NEXT")
        self.font("B", 10)
        pdf.set_x(x0)
        pdf.multi_cell(left_w, 5, _nfc(office), align="C", new_x="LMARGIN", new_y="NEXT")
        y = pdf.get_y() + 0.5
        pdf.line(x0 + left_w / 2 - 15, y, x0 + left_w / 2 + 15, y)
        pdf.set_xy(x0, y + 1.5)
        if number:
            self.font("", 10)
            pdf.multi_cell(left_w, 5, _nfc(f"Số: {number}"), align="C", new_x="LMARGIN", new_y="NEXT")
        left_bottom = pdf.get_y()
        # right column
        xr = x0 + left_w
        pdf.set_xy(xr, y0)
        self.font("B", 10)
        pdf.multi_cell(right_w, 5, NATION, align="C", new_x="LEFT", new_y="NEXT")
        self.font("B", 10.5)
        pdf.multi_cell(right_w, 5.5, MOTTO, align="C", new_x="LEFT", new_y="NEXT")
        y = pdf.get_y() + 0.5
        half = pdf.get_string_width(MOTTO) / 2
        pdf.line(xr + right_w / 2 - half, y, xr + right_w / 2 + half, y)
        pdf.set_xy(xr, y + 3)
        self.font("I", 10)
        pdf.multi_cell(right_w, 5, _nfc(place_date), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(max(left_bottom, pdf.get_y()) + 6)
        self.font()

    def title(self, text: str, subtitle: str = ""):
        pdf = self.pdf
        self.font("B", 13)
        pdf.multi_cell(self.width, 7, _nfc(text), align="C", new_x="LMARGIN", new_y="NEXT")
        if subtitle:
            self.font("I", 10.5)
            pdf.multi_cell(self.width, 6, _nfc(subtitle), align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(4)
        self.font()

    def kv(self, label: str, value: str):
        pdf = self.pdf
        pdf.set_x(pdf.l_margin)
        self.font("B")
        pdf.write(self.LINE, _nfc(f"{label}: "))
        self.font()
        pdf.write(self.LINE, _nfc(value) or "…")
        pdf.ln(self.LINE)

    def para(self, text: str, *, bold=False, italic=False, center=False):
        self.font(("B" if bold else "") + ("I" if italic else ""))
        self.pdf.multi_cell(self.width, self.LINE, _nfc(text), align="C" if center else "J",
                            new_x="LMARGIN", new_y="NEXT")
        self.font()

    def items(self, items: list[str]):
        pdf = self.pdf
        indent = 8
        for i, text in enumerate(items, 1):
            pdf.set_x(pdf.l_margin)
            pdf.cell(indent, self.LINE, f"{i}.", align="R")
            pdf.set_x(pdf.l_margin + indent + 1)
            pdf.multi_cell(self.width - indent - 1, self.LINE, _nfc(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap with the current font (an overlong word is cut); much faster than multi_cell for
        the hundreds of cells of a tracking book."""
        pdf = self.pdf
        widths, factor = pdf.current_font.cw, pdf.font_size_pt * 0.001 / pdf.k  # the sum fpdf2 itself computes

        def measure(s):
            return sum(widths[ord(c)] for c in s) * factor

        space = measure(" ")
        lines = []
        for paragraph in _nfc(text).split("\n"):
            line, line_w = "", 0.0
            for word in paragraph.split():
                word_w = measure(word)
                if line and line_w + space + word_w <= width:
                    line, line_w = f"{line} {word}", line_w + space + word_w
                    continue
                if line:
                    lines.append(line)
                while word_w > width and len(word) > 1:
                    cut = len(word) - 1
                    while cut > 1 and measure(word[:cut]) > width:
                        cut -= 1
                    lines.append(word[:cut])
                    word = word[cut:]
                    word_w = measure(word)
                line, line_w = word, word_w
            lines.append(line)
        return lines or [""]

    def table(self, headers: list[str], rows: list[list[str]], widths=None, size=9):
        """A bordered table whose heading row is repeated on every page."""
        pdf = self.pdf
        widths = widths or [1] * len(headers)
        scale = self.width / sum(widths)
        widths = [w * scale for w in widths]
        pad, em = 1.0, size * 0.3528  # mm
        line_h = em * 1.3

        def draw(cells, heading=False):
            self.font("B" if heading else "", size)
            wrapped = [self.wrap(str(text), w - 2 * pad) for text, w in zip(cells, widths)]
            height = max(len(lines) for lines in wrapped) * line_h + 2 * pad
            if not heading and pdf.get_y() + height > pdf.page_break_trigger:
                pdf.add_page()
                draw(headers, heading=True)
                self.font("", size)
            x, y = pdf.l_margin, pdf.get_y()
            with pdf.local_context(fill_color=(230, 236, 244)):
                for lines, w in zip(wrapped, widths):
                    pdf.rect(x, y, w, height, style="DF" if heading else "D")
                    for i, line in enumerate(lines):
                        dx = (w - pdf.get_string_width(line)) / 2 if heading else pad
                        pdf.text(x + dx, y + pad + i * line_h + (line_h - em) / 2 + em * 0.8, line)
                    x += w
            pdf.set_xy(pdf.l_margin, y + height)

        pdf.ln(1)
        if pdf.will_page_break(4 * line_h):
            pdf.add_page()
        draw(headers, heading=True)
        for values in rows:
            draw(values)
        pdf.ln(3)
        self.font()

    def qr(self, url: str, caption: str = "", size=28.0):
        import segno

        pdf = self.pdf
        if pdf.will_page_break(size + 2):
            pdf.add_page()
        pdf.ln(2)
        x, y = pdf.l_margin + self.width - size, pdf.get_y()
        matrix = [list(row) for row in segno.make(url, error="m").matrix_iter(scale=1, border=0)]
        module = size / len(matrix)
        with pdf.local_context(fill_color=(0, 0, 0)):
            for r, row in enumerate(matrix):
                c = 0
                while c < len(row):
                    if row[c]:
                        start = c
                        while c < len(row) and row[c]:
                            c += 1
                        pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
                    else:
                        c += 1
        if caption:
            self.font("I", 9)
            pdf.set_xy(pdf.l_margin, y + 2)
            pdf.multi_cell(self.width - size - 5, 5, _nfc(caption), align="L", new_x="LMARGIN", new_y="NEXT")
            self.font("", 8)
            pdf.set_x(pdf.l_margin)
            pdf.multi_cell(self.width - size - 5, 4.5, url, align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(y + size + 2)
        self.font()

    def signatures(self, blocks: list[Signature]):
        if not blocks:
            return
        pdf = self.pdf
        if pdf.will_page_break(50):
            pdf.add_page()
        pdf.ln(4)
        # A lone signer signs on the right half, as on official letters; several share the width.
        col = self.width / max(len(blocks), 2)
        left = pdf.l_margin + (col if len(blocks) == 1 else 0)
        y0 = pdf.get_y()
        captions_bottom = y0
        for i, sig in enumerate(blocks):
            x = left + i * col
            pdf.set_xy(x, y0)
            self.font("B", 10.5)
            for line in (sig.prefix, sig.caption):
                if line:
                    pdf.set_x(x)
                    pdf.multi_cell(col, 5.5, _nfc(keep_place_together(line.upper())), align="C", new_x="LEFT",
                                   new_y="NEXT")
            if sig.hint:
                self.font("I", 9.5)
                pdf.set_x(x)
                pdf.multi_cell(col, 5, _nfc(sig.hint), align="C", new_x="LEFT", new_y="NEXT")
            captions_bottom = max(captions_bottom, pdf.get_y())
        bottom = name_y = captions_bottom + 24  # room to sign; every name on one line
        for i, _sig in enumerate(blocks):  # where a signature box may go (signing.pades draws it there)
            self.slots.append((pdf.page_no() - 1, left + i * col, captions_bottom + 1, col, 22.0))
        self.font("B", 11)
        for i, sig in enumerate(blocks):
            pdf.set_xy(left + i * col, name_y)
            pdf.multi_cell(col, 6, _nfc(sig.name), align="C", new_x="LEFT", new_y="NEXT")
            bottom = max(bottom, pdf.get_y())
        pdf.set_xy(pdf.l_margin, bottom)
        self.font()

    def output(self) -> bytes:
        return bytes(self.pdf.output())


PLACE = re.compile(r"\b(THÀNH PHỐ|TỈNH|TP\.)\s+\S.*$", re.IGNORECASE)


def keep_place_together(text: str) -> str:
    """A signer's title never breaks inside its place: "PHÓ GIÁM ĐỐC BHXH / THÀNH PHỐ HÀ NỘI", never
    "… THÀNH PHỐ HÀ / NỘI" (issue 12). The place's spaces become no-break spaces."""
    return PLACE.sub(lambda m: m.group(0).replace(" ", "\u00a0"), text)


def render_pdf(doc: Document) -> bytes:
    """Lay a Document out on A4 (landscape for wide tables) and return the PDF bytes."""
    return render_pdf_with_slots(doc)[0]


def slot_box(layout_slot, page_height_mm: float = 297.0) -> tuple[int, tuple[float, float, float, float]]:
    """A signature slot (page, x, y, w, h in mm from the top left) as (page, (x1, y1, x2, y2)) in PDF points
    from the bottom left, inset a little."""
    page, x, y, w, h = layout_slot
    pt = 72 / 25.4
    inset = 2.0
    x1, x2 = (x + inset) * pt, (x + w - inset) * pt
    y1, y2 = (page_height_mm - (y + h)) * pt, (page_height_mm - y) * pt
    return page, (round(x1, 2), round(y1, 2), round(x2, 2), round(y2, 2))


def render_pdf_with_slots(doc: Document) -> tuple[bytes, list]:
    """The PDF and the signature slots of its signature blocks: [(page, (x1, y1, x2, y2)) in points]."""
    page = Layout(landscape=doc.landscape, draft=doc.draft, title=doc.title)
    upper, office = doc.agency
    page.heading(upper=upper, office=office, number=doc.number, place_date=doc.place_date, form=doc.form)
    page.title(doc.title, doc.subtitle)
    for block in doc.blocks:
        if block.kind == "kv":
            page.kv(block.label, block.value)
        elif block.kind == "para":
            page.para(block.text, bold=block.bold, italic=block.italic, center=block.center)
        elif block.kind == "items":
            page.items(block.items)
        elif block.kind == "table":
            page.table(block.headers, block.rows, block.widths, block.size)
        elif block.kind == "qr":
            page.qr(block.url, block.caption)
        else:  # pragma: no cover - a programming error, not user input
            raise ValueError(f"unknown block kind {block.kind!r}")
    page.signatures(doc.signatures)
    height = page.pdf.h
    return page.output(), [slot_box(slot, height) for slot in page.slots]
