"""Officers' afternoons in headless Chromium (issue 12): a director through the dashboard's cards and a chart
segment (each number equals the list it opens), the Legal Department through oversight (a cell, sorting, the
XLSX) and the Form 06 XLSX and PDF downloads (read back: no cut names, both signatures, numbered columns), and a
reception officer searching without accents, filtering and exporting. A screenshot of each step is saved under
`artifacts/` (created at run time, ignored by git)."""
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from cases.models import Dossier, Procedure, Status

from .test_desk import browser, login  # noqa: F401 (the Chromium fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(settings.BASE_DIR) / "artifacts"


class Steps:
    """Screenshots of one walk-through: artifacts/<name>/NN-<step>.png."""

    def __init__(self, page, name):
        self.page, self.n = page, 0
        self.dir = ARTIFACTS / name
        self.dir.mkdir(parents=True, exist_ok=True)

    def shot(self, step: str):
        self.n += 1
        self.page.screenshot(path=str(self.dir / f"{self.n:02d}-{step}.png"), full_page=True)


@pytest.fixture
def province(receive, cast):
    """Hà Nội's dossiers of the last weeks, in every state the cards count, with names that carry diacritics."""
    now = timezone.now()
    people = ["Nguyễn Văn Hùng", "Trần Thị Bích", "Lê Nguyên Khôi", "Phạm Thị Hương", "Nguyễn Thị Đào",
              "Đặng Văn Đức", "Hoàng Minh Tuấn", "Vũ Thị Lan"]
    made = []
    for i, name in enumerate(people):
        code = ["1.009020", "1.009022", "1.009013"][i % 3]
        made.append(receive(code, at=now - timedelta(days=40 - 3 * i), name=name,
                            channel="postal" if i % 4 == 0 else "direct"))
    for i in range(3):
        made.append(receive("1.009001", channel="online", at=now - timedelta(days=25 + i), name=f"Công ty {i}",
                            kind="enterprise", id_number="0100109106"))
    Dossier.objects.filter(pk__in=[made[1].pk, made[2].pk]).update(
        status=Status.RETURNED, resolved_at=now - timedelta(days=2), returned_at=now - timedelta(days=1),
        closed_at=now - timedelta(days=1))  # returned late: never "Quá hạn" on the dashboard
    Dossier.objects.filter(pk=made[3].pk).update(status=Status.PROCESSING, assignee=cast["processor_hn"])
    Dossier.objects.filter(pk=made[4].pk).update(status=Status.AWAITING_SUPPLEMENT, paused_at=now)
    Dossier.objects.filter(pk=made[5].pk).update(status=Status.RESOLVED, resolved_at=now - timedelta(hours=3))
    Dossier.objects.filter(pk=made[6].pk).update(status=Status.WITHDRAWN, closed_at=now - timedelta(days=3))
    return made


def _list_count(page) -> int:
    return int(page.get_attribute("[data-list-count]", "data-list-count"))


def test_a_director_opens_every_card_of_the_dashboard_and_finds_its_number(browser, live_server, cast, province):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    steps = Steps(page, "director-dashboard")
    login(page, live_server, "giamdoc.hn", "pw-giamdoc.hn")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 3")
    page.wait_for_timeout(1200)  # the charts' opening animation, for the screenshot
    steps.shot("dashboard")
    cards = page.eval_on_selector_all("a.stat[data-figure]", "els => els.map(e => [e.dataset.figure, "
                                      "parseInt(e.querySelector('b').textContent), e.getAttribute('href')])")
    assert len(cards) >= 9 and any(n for _, n, _ in cards)
    for key, number, href in cards:
        with page.expect_navigation():
            page.click(f'a.stat[data-figure="{key}"]')
        assert _list_count(page) == number, (key, href)
        steps.shot(f"card-{key}")
        page.go_back()
        page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 3")
    # a segment of the status chart opens the list of that status
    segment = page.evaluate("""() => {
        const chart = Chart.getChart('status'); const data = chart.data.datasets[0].data;
        const i = data.indexOf(Math.max(...data)); const p = chart.getDatasetMeta(0).data[i].tooltipPosition();
        return {i, n: data[i], x: p.x, y: p.y}; }""")
    box = page.locator("#status").bounding_box()
    with page.expect_navigation():
        page.mouse.click(box["x"] + segment["x"], box["y"] + segment["y"])
    assert "status=" in page.url and _list_count(page) == segment["n"]
    steps.shot("chart-status-segment")


def test_the_legal_department_walks_oversight_and_downloads_form_06(browser, live_server, cast, province):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    steps = Steps(page, "legal-oversight")
    login(page, live_server, "phapche", "pw-phapche")
    page.goto(f"{live_server.url}/giam-sat/")
    today = timezone.localdate()
    first = (today - timedelta(days=60)).strftime("%d/%m/%Y")
    page.fill("input[name=from]", first)
    page.fill("input[name=to]", today.strftime("%d/%m/%Y"))
    with page.expect_navigation():
        page.click("form.toolbar button.btn.primary")
    steps.shot("oversight")
    assert "Tổng cộng" in page.inner_text("#oversight-table tfoot")
    cell = page.locator('#oversight-table a[data-figure="received"]').filter(has_text=re.compile(r"^[1-9]")).first
    number = int(cell.inner_text())
    with page.expect_navigation():
        cell.click()
    assert _list_count(page) == number
    steps.shot("oversight-cell-list")
    page.go_back()
    with page.expect_navigation():
        page.click('a[data-sort="received"]')
    with page.expect_navigation():
        page.click('a[data-sort="received"]')  # again: descending
    received = [int(x) for x in page.eval_on_selector_all(
        '#oversight-table tbody td a[data-figure="received"]', "els => els.map(e => e.textContent)")]
    assert received == sorted(received, reverse=True) and received[0] >= 8
    steps.shot("oversight-sorted")
    with page.expect_download() as download:
        page.click("a[data-export=xlsx]")
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[-1][0] == "Tổng cộng" and rows[3][0] == "01"
    # Form 06 for the same period, as the official XLSX and PDF
    page.goto(f"{live_server.url}/bao-cao/tthc/?from={first}&to={today:%d/%m/%Y}&office=01")
    steps.shot("form-06")
    with page.expect_download() as download:
        page.click("a.btn:text-is('PDF')")
    text = " ".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    flat = re.sub(r"\s+", " ", text)
    for code in ("1.009020", "1.009022", "1.009013"):
        assert re.sub(r"\s+", " ", Procedure.objects.get(code=code).name) in flat  # whole, never cut
    assert "NGƯỜI LẬP BIỂU" in flat and "THỦ TRƯỞNG ĐƠN VỊ" in flat
    assert all(f"({i})" in flat for i in range(1, 13)) and "Đơn vị tính: hồ sơ" in flat
    with page.expect_download() as download:
        page.click("a.btn:text-is('Excel')")
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    cells = [v for row in sheet.iter_rows(values_only=True) for v in row if v is not None]
    assert "(12)" in cells and "NGƯỜI LẬP BIỂU" in cells and "THỦ TRƯỞNG ĐƠN VỊ" in cells
    steps.shot("form-06-downloaded")


def test_a_reception_officer_searches_without_accents_filters_and_exports(browser, live_server, cast, province):
    page = browser.new_page(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    steps = Steps(page, "reception-search")
    login(page, live_server, "tiepnhan.hn", "pw-tiepnhan.hn")
    steps.shot("desk")
    page.fill("input[name=q]", "nguyen")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    names = page.inner_text("table.list")
    assert "Nguyễn Văn Hùng" in names and "Nguyễn Thị Đào" in names and "Lê Nguyên Khôi" in names
    assert _list_count(page) == 3
    steps.shot("search-nguyen")
    page.fill("input[name=q]", "")
    page.select_option("select[name=status]", "received")
    page.select_option("select[name=channel]", "direct")
    with page.expect_navigation():
        page.click("form.filters button:text-is('Lọc')")
    expected = Dossier.objects.filter(office__code="01", status=Status.RECEIVED, channel="direct").count()
    assert _list_count(page) == expected > 0
    steps.shot("filtered")
    with page.expect_download() as download:
        page.click("a:text-is('Xuất Excel')")
    sheet = load_workbook(BytesIO(Path(download.value.path()).read_bytes())).active
    assert sheet.max_row == expected + 1  # the heading and one row per dossier of the filtered list
    steps.shot("exported")
