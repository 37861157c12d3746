"""A reception officer takes in a dossier with a scanned paper in headless Chromium (issue 12): the checklist
ticked, a disguised file (an executable renamed .pdf) refused on its own row in Vietnamese with everything typed
kept, then the real scan attached; the dossier page serves the file back and Form 01 marks that paper as scanned.
A screenshot of each step is saved under `artifacts/intake-attachment/` (created at run time, ignored by git)."""
import io

import pytest
from pypdf import PdfReader

from attachments.models import Attachment
from cases.models import Dossier, Procedure
from tests.attachments.conftest import EXE, PDF

from .test_desk import browser, login  # noqa: F401 (the Chromium fixture)
from .test_walkthroughs import Steps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOOK, FORM_14 = "Sổ BHXH", "Đơn đề nghị hưởng BHXH một lần (Mẫu 14-HSB)"
TYPED = {"#id_applicant_name": "Nguyễn Văn Ánh", "#id_applicant_id_number": "001085012345",
         "#id_applicant_phone": "0912 345 678", "#id_applicant_email": "anh@example.vn",
         "#id_applicant_address": "12 Trần Duy Hưng, Cầu Giấy", "#id_summary": "Hưởng BHXH một lần"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the live server runs in this process: it stores here
    return tmp_path / "media"


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages).split())


def test_reception_officer_takes_in_a_dossier_with_a_scan_and_a_disguised_file_is_refused_on_its_row(
        browser, live_server, cast, media):
    pk = Procedure.objects.get(code="1.009020").pk
    book, form_14 = f"{pk}:0", f"{pk}:1"
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    steps = Steps(page, "intake-attachment")
    login(page, live_server, "tiepnhan.hn", "pw-tiepnhan.hn")
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    page.select_option("#id_procedure", value=str(pk))
    page.check(f'[id="ck-{book}"]')
    page.check(f'[id="ck-{form_14}"]')
    for selector, value in TYPED.items():
        page.fill(selector, value)
    page.fill("#id_date_of_birth", "1985-03-14")
    # The "scan" of the book is a Windows executable renamed so.pdf.
    page.set_input_files(f'[id="paper-{book}"]', {"name": "so.pdf", "mimeType": "application/pdf", "buffer": EXE})
    steps.shot("filled-with-a-disguised-file")
    with page.expect_navigation():
        page.click("button[type=submit]")

    error = page.locator(f'[id="paper-error-{book}"]')
    assert error.is_visible()
    assert "Tệp “so.pdf” không phải PDF, JPEG hoặc PNG" in error.inner_text()
    assert "Vui lòng chọn lại tệp." in error.inner_text()
    assert page.locator(f'[id="paper-{book}"]').get_attribute("aria-invalid") == "true"
    assert page.locator(f'[id="paper-error-{form_14}"]').count() == 0  # only the refused file's row
    for selector, value in TYPED.items():
        assert page.input_value(selector) == value, selector
    assert page.input_value("#id_date_of_birth") == "1985-03-14"
    assert page.input_value("#id_procedure") == str(pk)
    assert page.is_checked(f'[id="ck-{book}"]') and page.is_checked(f'[id="ck-{form_14}"]')
    assert not Dossier.objects.exists() and not Attachment.objects.exists()
    steps.shot("disguised-file-refused-on-its-row")

    page.set_input_files(f'[id="paper-{book}"]', {"name": "so.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        page.click("button[type=submit]")
    dossier = Dossier.objects.get()
    assert dossier.code in page.inner_text("h1")
    assert [d["name"] for d in dossier.documents] == [BOOK, FORM_14]
    steps.shot("received-with-its-scan")

    # The dossier page lists the scan against its checklist paper and serves the very bytes back.
    row = page.locator("#papers tr.paper", has_text="so.pdf")
    assert BOOK in row.inner_text()
    served = page.request.get(live_server.url + row.locator("a").get_attribute("href"))
    assert served.status == 200 and served.body() == PDF
    assert served.headers["content-type"] == "application/pdf"

    # Form 01 (the receipt, opened from the page's print button) marks the book as scanned, not form 14.
    receipt_pdf = page.get_attribute("a.btn.primary.big", "href")
    receipt = page.request.get(live_server.url + receipt_pdf)
    assert receipt.status == 200 and receipt.headers["content-type"] == "application/pdf"
    text = _pdf_text(receipt.body())
    assert "Bản chụp" in text
    book_row = text.split(BOOK, 1)[1].split(FORM_14, 1)[0]
    form_14_row = text.split(FORM_14, 1)[1][:40]
    assert "Có" in book_row and "Có" not in form_14_row
    page.goto(live_server.url + receipt_pdf.replace("?format=pdf", ""))
    steps.shot("form-01")
