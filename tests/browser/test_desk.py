"""The real pages in headless Chromium (Playwright driving Debian's /usr/bin/chromium)."""
import os

import pytest

from tests.conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    from django.db import connections

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()
        # Code run while Playwright's loop is active gets its own database connection (another context):
        # close it here, or PostgreSQL refuses to drop the test database at the end of the session.
        connections.close_all()


def login(page, live_server, username, password):
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_reception_officer_receives_a_dossier_with_the_keyboard(browser, live_server, cast):
    from cases.catalogue import load_procedures
    from cases.models import Dossier, Procedure

    load_procedures()
    page = browser.new_page()
    login(page, live_server, "tiepnhan.hn", "pw-tiepnhan.hn")
    assert "Bàn làm việc hôm nay" in page.inner_text("h1")
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    assert page.evaluate("document.activeElement.id") == "id_procedure"  # the form starts where work starts
    pk = Procedure.objects.get(code="1.009020").pk
    page.select_option("#id_procedure", value=str(pk))
    # only the chosen procedure's checklist shows; its two required papers are ticked
    assert page.is_visible(f'fieldset[data-procedure="{pk}"]')
    assert page.locator("fieldset.checklist-group:visible").count() == 1
    page.check(f'input[value="{pk}:0"]')
    page.check(f'input[value="{pk}:1"]')
    page.fill("#id_applicant_name", "Nguyễn Văn Ánh")
    page.fill("#id_applicant_id_number", "12345")  # wrong: the error shows next to the field, nothing is lost
    page.fill("#id_applicant_phone", "0912 345 678")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Số định danh phải gồm 12 chữ số" in page.inner_text(".field-error")
    assert page.input_value("#id_applicant_name") == "Nguyễn Văn Ánh"
    assert page.is_checked(f'input[value="{pk}:1"]')  # the ticks survive the refusal too
    page.fill("#id_applicant_id_number", "001085012345")
    page.focus("#id_applicant_id_number")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    dossier = Dossier.objects.get()
    assert dossier.code in page.inner_text("h1") and len(dossier.documents) == 2
    assert "In giấy tiếp nhận" in page.evaluate("document.activeElement.textContent")  # Enter prints the receipt


def test_director_dashboard_draws_its_charts(browser, live_server, cast):
    page = browser.new_page()
    login(page, live_server, "giamdoc.hn", "pw-giamdoc.hn")
    assert page.url.endswith("/bang-dieu-hanh/")
    page.wait_for_function("window.Chart && Object.keys(Chart.instances).length >= 3")
    assert page.evaluate("Object.keys(Chart.instances).length") == 3


def test_public_status_page_without_login(browser, live_server, cast):
    page = browser.new_page()
    page.goto(f"{live_server.url}/tra-cuu/")
    page.fill("#ma", "000.00.01.G13-250602-9999")
    page.fill("#dt", "0912345678")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "Không tìm thấy hồ sơ" in page.inner_text("[role=alert]")
