"""Form 06 in its official layout as a PDF (A4 landscape, fpdf2 through core.documents.pdf.Layout).

Names are wrapped at word boundaries, never cut; the three heading rows are repeated on every page; the last
procedure row, the totals, the note and both signature lines are kept together, so the signatures are never
alone on a page.
"""
from __future__ import annotations

from core.documents import Signature, agency_lines, place_and_date
from core.documents.pdf import Layout, _nfc

from .form06 import FORM, GROUPS, NUMBERS, SUBHEADINGS, TITLE, UNIT, Official

STT_W, NAME_W = 11.0, 72.0
PAD = 1.0
SIGNATURE_HEIGHT = 58.0  # what Layout.signatures needs without breaking the page (its own check is 50 + 4)
KEEP_ROWS = 2  # the last procedure row and the totals stay with the note and the signatures


def render(form: Official, *, office) -> bytes:
    page = Layout(landscape=True, title=TITLE)
    pdf = page.pdf
    upper, unit = agency_lines(office)
    page.heading(upper=upper, office=unit, number="", place_date=place_and_date(office, None), form=FORM)
    page.title(TITLE, form.period)
    page.font("", 10)
    pdf.multi_cell(page.width, 5, _nfc(f"Đơn vị báo cáo: {form.reporting_unit}"), new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(page.width, 5, _nfc(f"Đơn vị nhận báo cáo: {form.receiving_unit}"),
                   new_x="LMARGIN", new_y="NEXT")
    page.font("I", 10)
    pdf.multi_cell(page.width, 5, _nfc(UNIT), align="R", new_x="LMARGIN", new_y="NEXT")
    _Table(page).draw(form)
    page.font("I", 9.5)
    for note in form.notes:
        pdf.multi_cell(page.width, 5, _nfc(note), new_x="LMARGIN", new_y="NEXT")
    page.signatures([Signature("Người lập biểu", form.preparer),
                     Signature(form.head_title, form.head_name, hint="(Ký, ghi rõ họ tên và đóng dấu)")])
    return page.output()


class _Table:
    SIZE = 8.5

    def __init__(self, page: Layout):
        self.page, self.pdf = page, page.pdf
        n = len(NUMBERS) - 2
        self.num_w = (page.width - STT_W - NAME_W) / n
        self.widths = [STT_W, NAME_W] + [self.num_w] * n
        self.xs = [self.pdf.l_margin]
        for w in self.widths:
            self.xs.append(self.xs[-1] + w)
        self.line_h = self.SIZE * 0.3528 * 1.3

    def _box(self, col1, col2, y, h, text, *, style="B", fill=True, align="C"):
        """A cell over columns col1..col2 (inclusive), its text wrapped inside and centred vertically."""
        pdf = self.pdf
        x, w = self.xs[col1], self.xs[col2 + 1] - self.xs[col1]
        self.page.font(style, self.SIZE)
        lines = self.page.wrap(text, w - 2 * PAD)
        with pdf.local_context(fill_color=(230, 236, 244)):
            pdf.rect(x, y, w, h, style="DF" if fill else "D")
        top = y + (h - len(lines) * self.line_h) / 2
        for i, line in enumerate(lines):
            dx = (w - pdf.get_string_width(line)) / 2 if align == "C" else (
                w - PAD - pdf.get_string_width(line) if align == "R" else PAD)
            pdf.text(x + dx, top + i * self.line_h + self.line_h * 0.75, line)

    def _heading_height(self) -> float:
        self.page.font("B", self.SIZE)
        tallest = max(len(self.page.wrap(t, self.num_w - 2 * PAD)) for t in SUBHEADINGS)
        return self.line_h * 2 + 2 * PAD, tallest * self.line_h + 2 * PAD, self.line_h + 2 * PAD

    def heading(self):
        pdf = self.pdf
        h1, h2, h3 = self._heading_height()
        y = pdf.get_y()
        last = len(self.widths) - 1
        self._box(0, 0, y, h1 + h2, "STT")
        self._box(1, 1, y, h1 + h2, "Lĩnh vực, thủ tục hành chính")
        for text, start, span in GROUPS:
            self._box(2 + start, 1 + start + span, y, h1, text)
        self._box(last, last, y, h1 + h2, SUBHEADINGS[-1])
        for i, text in enumerate(SUBHEADINGS[:-1]):
            self._box(2 + i, 2 + i, y + h1, h2, text, style="")
        for i, text in enumerate(NUMBERS):
            self._box(i, i, y + h1 + h2, h3, text, style="I")
        pdf.set_xy(pdf.l_margin, y + h1 + h2 + h3)

    def _row_height(self, line) -> float:
        self.page.font("B" if line.kind != "procedure" else "", self.SIZE)
        return len(self.page.wrap(line.name, NAME_W - 2 * PAD)) * self.line_h + 2 * PAD

    def _row(self, line, h):
        pdf = self.pdf
        y = pdf.get_y()
        style = "" if line.kind == "procedure" else "B"
        self._box(0, 0, y, h, line.stt, style=style, fill=False)
        self._box(1, 1, y, h, line.name, style=style, fill=False, align="L")
        for i, value in enumerate(line.values):
            self._box(2 + i, 2 + i, y, h, str(value), style=style, fill=False, align="R")
        pdf.set_xy(pdf.l_margin, y + h)

    def draw(self, form: Official):
        pdf = self.pdf
        pdf.ln(1)
        heights = [self._row_height(line) for line in form.lines]
        if pdf.get_y() + sum(self._heading_height()) + heights[0] > pdf.page_break_trigger:
            pdf.add_page()
        self.heading()
        keep_from = max(0, len(form.lines) - KEEP_ROWS)
        page_w = self.page.width
        self.page.font("I", 9.5)
        notes = sum(len(self.page.wrap(n, page_w)) * 5 for n in form.notes)
        tail = sum(heights[keep_from:]) + notes + SIGNATURE_HEIGHT
        for i, (line, h) in enumerate(zip(form.lines, heights)):
            need = tail if i == keep_from else h
            if pdf.get_y() + need > pdf.page_break_trigger and i > 0:
                pdf.add_page()
                self.heading()
            self._row(line, h)
        pdf.ln(2)
