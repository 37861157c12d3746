"""The official slips (Forms 01–04, the apology slip) and the tracking book: HTML, PDF, XLSX, scope, queries."""
import io
from datetime import datetime

import pytest
from django.utils import timezone
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from cases import services
from cases.models import ApologySlip, IntakeGuidance
from cases.documents.slips import apology_document
from core.documents.pdf import render_pdf
from cases.links import dossier_slips, slip_url

from .conftest import local

pytestmark = pytest.mark.django_db

CODE = "000.00.01.G13-250602-0001"


def pdf_text(content: bytes) -> str:
    """The PDF's text with whitespace collapsed (table cells and long lines wrap)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def get_pdf(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response, pdf_text(response.content)


@pytest.fixture
def dossier(receive):
    """Received Mon 02/06/2025 09:00 at BHXH Hà Nội; 10 working days → due and appointment Mon 16/06/2025 09:00."""
    return receive("1.009020", at=local(2025, 6, 2, 9, 0))


@pytest.fixture
def hn(client, cast):
    client.force_login(cast["reception_hn"])
    return client


# --- Form 01: receipt and appointment ---------------------------------------------------------------------

def test_receipt_pdf_carries_the_form_01_fields_with_diacritics(hn, dossier):
    assert reverse("cases:receipt", kwargs={"code": dossier.code}) == slip_url("receipt", dossier)
    response, text = get_pdf(hn, slip_url("receipt", dossier, pdf=True))
    assert dossier.code == CODE and f"giay-tiep-nhan-{CODE}.pdf" in response["Content-Disposition"]
    for expected in ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "BẢO HIỂM XÃ HỘI VIỆT NAM",
                     "BHXH THÀNH PHỐ HÀ NỘI", "Hà Nội, ngày 02 tháng 06 năm 2025",
                     "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", CODE, "Nguyễn Văn Ánh", "Giải quyết hưởng BHXH một lần",
                     "Hồ sơ thử", "02/06/2025 09:00", "16/06/2025 09:00", "Ngày hẹn trả kết quả", "10 ngày làm việc",
                     "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", "tiepnhan.hn", f"/tra-cuu/?ma={CODE}"):
        assert expected in text, expected
    page = PdfReader(io.BytesIO(response.content)).pages[0]
    assert round(float(page.mediabox.width)) == 595 and round(float(page.mediabox.height)) == 842  # A4 portrait


def test_receipt_page_renders_for_the_office_and_404_for_another_province(client, cast, dossier):
    url = slip_url("receipt", dossier)
    assert client.get(url).status_code == 302  # login required
    client.force_login(cast["reception_hn"])
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    for expected in ("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", CODE, "Nguyễn Văn Ánh", "16/06/2025 09:00",
                     "window.print()", ">In<", "<svg", f"?ma={CODE}", slip_url("receipt", dossier, pdf=True)):
        assert expected in html, expected
    client.force_login(cast["reception_hcm"])
    assert client.get(url).status_code == 404
    assert client.get(slip_url("receipt", dossier, pdf=True)).status_code == 404
    client.force_login(cast["legal"])  # the Legal Department sees every office
    assert client.get(url).status_code == 200


def test_unknown_dossier_is_404(hn):
    assert hn.get(reverse("cases:receipt", kwargs={"code": "000.00.01.G13-250602-9999"})).status_code == 404


# --- Form 02: supplement request --------------------------------------------------------------------------

def test_supplement_slip_lists_every_document_and_the_reason(hn, cast, dossier):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 6, 3, 10, 0), tick=False):
        d = services.dossier_start(actor=officer, dossier=dossier)
        services.dossier_request_supplement(actor=officer, dossier=d, reason="Tờ khai thiếu chữ ký người lao động",
                                            documents=["Tờ khai mẫu 14-HSB có chữ ký", "Bản sao sổ BHXH"])
    request = d.supplement_requests.get()
    response, text = get_pdf(hn, slip_url("supplement", request, pdf=True))
    for expected in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Số: 1/2025/YCBS-BHXH-HN", CODE, "Nguyễn Văn Ánh",
                     "Tờ khai mẫu 14-HSB có chữ ký", "Bản sao sổ BHXH", "Tờ khai thiếu chữ ký người lao động",
                     "Hà Nội, ngày 03 tháng 06 năm 2025", "NGƯỜI HƯỚNG DẪN", "tính lại từ đầu"):
        assert expected in text, expected
    assert hn.get(slip_url("supplement", request)).status_code == 200
    assert hn.get(reverse("cases:supplement_slip", kwargs={"code": CODE, "number": 2})).status_code == 404
    hn.force_login(cast["reception_hcm"])
    assert hn.get(slip_url("supplement", request)).status_code == 404


def _guidance(cast, procedures, kind, **extra):
    return services.intake_guidance_issue(
        actor=cast["reception_hn"], kind=kind, procedure=procedures["1.009020"],
        applicant={"name": "Trần Thị Ngọc Ánh", "id_number": "001190054321", "phone": "+84912345678"}, **extra)


def test_guidance_slips_at_the_desk_form_02_and_form_03(hn, cast, procedures):
    supplement = _guidance(cast, procedures, IntakeGuidance.Kind.SUPPLEMENT, reason="Thiếu giấy tờ bắt buộc",
                           documents=["Sổ bảo hiểm xã hội", "Đơn đề nghị hưởng BHXH một lần (mẫu 14-HSB)"])
    refusal = _guidance(cast, procedures, IntakeGuidance.Kind.REFUSAL, documents=[],
                        reason="Người lao động chưa đủ điều kiện hưởng BHXH một lần theo Điều 60 Luật BHXH")
    _, text = get_pdf(hn, slip_url("guidance", supplement, pdf=True))
    for expected in ("PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", f"Số: {supplement.number}", "Trần Thị Ngọc Ánh",
                     "Sổ bảo hiểm xã hội", "Đơn đề nghị hưởng BHXH một lần (mẫu 14-HSB)", "Thiếu giấy tờ bắt buộc"):
        assert expected in text, expected
    _, text = get_pdf(hn, slip_url("guidance", refusal, pdf=True))
    for expected in ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "Trần Thị Ngọc Ánh", "chưa đủ điều kiện hưởng",
                     "NGƯỜI TIẾP NHẬN HỒ SƠ"):
        assert expected in text, expected
    assert reverse("cases:guidance_slip", kwargs={"number": refusal.number}) == slip_url("guidance", refusal)
    assert hn.get(slip_url("guidance", refusal)).status_code == 200
    hn.force_login(cast["reception_hcm"])
    assert hn.get(slip_url("guidance", supplement)).status_code == 404


# --- Form 03 for a dossier, process-control slip ----------------------------------------------------------

def test_refusal_slip_of_a_refused_dossier(hn, cast, dossier):
    assert hn.get(reverse("cases:refusal_slip", kwargs={"code": CODE})).status_code == 404  # not refused
    services.dossier_refuse(actor=cast["reception_hn"], dossier=dossier,
                            reason="Hồ sơ không thuộc thẩm quyền giải quyết của BHXH thành phố Hà Nội")
    response, text = get_pdf(hn, slip_url("refusal", dossier, pdf=True))
    assert f"phieu-tu-choi-{CODE}.pdf" in response["Content-Disposition"]
    for expected in ("PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", CODE, "Nguyễn Văn Ánh",
                     "không thuộc thẩm quyền giải quyết", "NGƯỜI GIẢI QUYẾT HỒ SƠ"):
        assert expected in text, expected
    assert "Hồ sơ không thuộc thẩm quyền" in hn.get(slip_url("refusal", dossier)).content.decode()


def test_control_slip_has_one_row_per_step_with_its_timeliness(hn, cast, dossier):
    officer = cast["reception_hn"]
    with time_machine.travel(local(2025, 6, 2, 9, 30), tick=False):
        d = services.dossier_start(actor=officer, dossier=dossier, assignee="chuyenvien.hn")
    with time_machine.travel(local(2025, 6, 5, 9, 0), tick=False):
        d = services.dossier_handover(actor=officer, dossier=d, unit="Phòng Chế độ BHXH", assignee="giamdoc.hn")
    with time_machine.travel(local(2025, 6, 20, 9, 0), tick=False):  # due Mon 16/06 09:00: late
        services.dossier_resolve(actor=cast["director_hn"], dossier=d, outcome="approved")
    _, text = get_pdf(hn, slip_url("control", dossier, pdf=True))
    for expected in ("PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", CODE, "Phòng Chế độ BHXH", "chuyenvien.hn",
                     "02/06/2025 09:30", "05/06/2025 09:00", "20/06/2025 09:00", "Trước hạn", "Quá hạn",
                     "Đang xử lý"):
        assert expected in text, expected
    html = hn.get(slip_url("control", dossier)).content.decode()
    assert html.count("<tr>") == 1 + 4  # heading + 4 steps
    hn.force_login(cast["reception_hcm"])
    assert hn.get(slip_url("control", dossier)).status_code == 404


# --- apology and reschedule slip --------------------------------------------------------------------------

def _apology(dossier, cast, *, issued=True):
    return ApologySlip.objects.create(
        dossier=dossier, office=dossier.office, state="issued" if issued else "draft",
        year=2025 if issued else None, number=12 if issued else None,
        reason="Phải xác minh quá trình đóng BHXH tại đơn vị cũ ở tỉnh Đắk Lắk",
        original_appointment_at=local(2025, 6, 16, 9, 0), new_appointment_at=local(2025, 6, 23, 14, 30),
        legal_due_at=local(2025, 6, 16, 9, 0), drafted_by=cast["reception_hn"], drafted_at=local(2025, 6, 12, 10, 0),
        signed_by=cast["deputy_hn"] if issued else None, issued_at=local(2025, 6, 13, 8, 0) if issued else None)


def test_apology_pdf_has_dossier_dates_reason_and_signer(cast, dossier):
    slip = _apology(dossier, cast)
    text = pdf_text(render_pdf(apology_document(slip)))
    for expected in ("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", "Số: 12/2025/PXL-BHXH-HN",
                     "Hà Nội, ngày 13 tháng 06 năm 2025", "Kính gửi: Ông/Bà Nguyễn Văn Ánh", CODE, "Giải quyết hưởng BHXH một lần", "02/06/2025 09:00",
                     "16/06/2025 09:00", "23/06/2025 14:30", "tại đơn vị cũ ở tỉnh Đắk Lắk", "xin lỗi",
                     "KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "phogiamdoc.hn"):
        assert expected in text, expected
    assert "DỰ THẢO" not in text


def test_apology_draft_is_marked_and_the_page_is_scoped(client, cast, dossier):
    slip = _apology(dossier, cast, issued=False)
    assert "DỰ THẢO" in pdf_text(render_pdf(apology_document(slip)))
    url = slip_url("apology", slip)
    assert url == reverse("cases:apology_slip", kwargs={"code": CODE, "pk": slip.pk})
    client.force_login(cast["director_hn"])
    html = client.get(url).content.decode()
    assert "DỰ THẢO" in html and "23/06/2025 14:30" in html and "Đắk Lắk" in html
    response, _ = get_pdf(client, slip_url("apology", slip, pdf=True))
    assert f"phieu-xin-loi-{CODE}-{slip.pk}.pdf" in response["Content-Disposition"]
    client.force_login(cast["director_hcm"])
    assert client.get(url).status_code == 404


def test_dossier_slips_lists_what_the_dossier_has(cast, dossier):
    _apology(dossier, cast)
    labels = [s["label"] for s in dossier_slips(dossier)]
    assert labels[:2] == ["Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "Phiếu kiểm soát quá trình giải quyết hồ sơ"]
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả (12/2025/PXL-BHXH-HN)" in labels
    with pytest.raises(ValueError):
        slip_url("nope", dossier)


# --- tracking book ----------------------------------------------------------------------------------------

def _book(client, **params):
    return client.get(reverse("cases:tracking_book"), params)


def _receive_many(receive, n, day=2):
    return [receive(at=local(2025, 6, day, 8, i)) for i in range(n)]


def test_tracking_book_xlsx_has_one_row_per_dossier_with_real_dates(hn, cast, receive):
    dossiers = _receive_many(receive, 3)
    receive(at=local(2025, 6, 10, 9, 0))  # outside the range
    receive(at=local(2025, 6, 2, 9, 0), officer="reception_hcm")  # another office
    with time_machine.travel(local(2025, 6, 3, 9, 0), tick=False):
        d = services.dossier_start(actor=cast["reception_hn"], dossier=dossiers[0])
        services.dossier_resolve(actor=cast["processor_hn"], dossier=d, outcome="approved")
    response = _book(hn, **{"from": "02/06/2025", "to": "2025-06-05", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws.max_row == 1 + 3
    header = [c.value for c in ws[1]]
    assert header[:4] == ["STT", "Mã hồ sơ", "Người nộp / chủ hồ sơ", "Thủ tục hành chính"]
    assert all(c.font.bold for c in ws[1]) and ws.column_dimensions["B"].width >= 25
    codes = [ws.cell(row=r, column=2).value for r in range(2, 5)]
    assert codes == [d.code for d in dossiers]
    received = ws.cell(row=2, column=header.index("Ngày tiếp nhận") + 1)
    assert received.value == datetime(2025, 6, 2, 8, 0) and received.number_format == "dd/mm/yyyy hh:mm"
    assert ws.cell(row=2, column=header.index("Tiến độ") + 1).value == "Trước hạn"
    assert ws.cell(row=3, column=header.index("Ngày có kết quả") + 1).value is None


def test_tracking_book_pdf_is_landscape_and_html_lists_the_rows(hn, receive):
    dossiers = _receive_many(receive, 2)
    response = _book(hn, **{"from": "01/06/2025", "to": "30/06/2025", "office": "01", "format": "pdf"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    text = pdf_text(response.content)
    for expected in ("SỔ THEO DÕI HỒ SƠ", "BHXH thành phố Hà Nội", "Từ ngày 01/06/2025 đến ngày 30/06/2025",
                     dossiers[0].code, "Nguyễn Văn Ánh", "Đã tiếp nhận"):
        assert expected in text, expected
    html = _book(hn, **{"from": "01/06/2025", "to": "30/06/2025"}).content.decode()
    assert all(d.code in html for d in dossiers) and "Tổng số: 2 hồ sơ" in html


def test_tracking_book_names_the_rule_version_and_marks_a_due_date_in_a_provisional_year(hn, receive):
    """DOMAIN.md §3 and §8: each row says which rules the dossier was received under, and a legal due moment
    in a year whose days off are not announced yet (2027 here) is marked, with the note under the table."""
    with time_machine.travel(local(2026, 12, 14, 9, 0), tick=False):
        announced = receive()                                           # 10 working days: due Mon 28/12/2026
        provisional = receive("1.009010")                               # 20 working days: due in January 2027
    assert (timezone.localtime(announced.legal_due_at).year, timezone.localtime(provisional.legal_due_at).year) \
        == (2026, 2027)
    html = _book(hn, **{"from": "14/12/2026", "to": "14/12/2026"}).content.decode()
    assert html.count("quy định áp dụng từ 01/01/2015") == 2
    assert html.count("(*)") == 2 and "(*) Hạn giải quyết rơi vào năm chưa công bố chính thức lịch nghỉ" in html
    row = next(line for line in html.split("<tr") if provisional.code in line)
    assert "(*)" in row and announced.code not in row
    ws = load_workbook(io.BytesIO(_book(hn, **{"from": "14/12/2026", "to": "14/12/2026",
                                                "format": "xlsx"}).content)).active
    due = [ws.cell(row=r, column=8) for r in (2, 3)]
    assert [c.comment is not None for c in due] == [False, True] and isinstance(due[1].value, datetime)


@pytest.mark.parametrize("params, message", [
    ({"from": "31/02/2025"}, "Từ ngày “31/02/2025” không hợp lệ"),
    ({"from": "hôm qua"}, "không hợp lệ"),
    ({"from": "10/06/2025", "to": "01/06/2025"}, "phải trước hoặc bằng"),
    ({"from": "01/01/2024", "to": "31/12/2025"}, "tối đa 366 ngày"),
    ({"office": "79"}, "Không tìm thấy đơn vị “79”"),
    ({"office": "zz"}, "Không tìm thấy đơn vị"),
    ({"format": "docx"}, "không được hỗ trợ"),
])
def test_tracking_book_bad_parameters_are_a_400_with_a_vietnamese_message(hn, params, message):
    response = _book(hn, **params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_tracking_book_asks_for_an_office_when_the_user_has_none(client, cast):
    client.force_login(cast["admin"])
    assert "Vui lòng chọn đơn vị" in client.get(reverse("cases:tracking_book")).content.decode()
    assert _book(client, office="79").status_code == 200


def test_tracking_book_runs_a_constant_number_of_queries(hn, receive):
    _receive_many(receive, 3)
    params = {"from": "01/06/2025", "to": "30/06/2025", "office": "01"}

    def count(fmt):
        with CaptureQueriesContext(connection) as ctx:
            response = _book(hn, **params, format=fmt)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    few = {fmt: count(fmt) for fmt in ("html", "pdf", "xlsx")}
    _receive_many(receive, 7, day=3)
    assert {fmt: count(fmt) for fmt in ("html", "pdf", "xlsx")} == few


def test_tracking_book_too_long_to_print_points_to_excel(hn, receive, monkeypatch):
    from cases.views import tracking_book

    monkeypatch.setattr(tracking_book, "MAX_PRINT_ROWS", 2)
    _receive_many(receive, 3)
    params = {"from": "01/06/2025", "to": "30/06/2025"}
    for fmt in ("html", "pdf"):
        response = _book(hn, **params, format=fmt)
        assert response.status_code == 400 and "tải tệp Excel" in response.content.decode()
    assert load_workbook(io.BytesIO(_book(hn, **params, format="xlsx").content)).active.max_row == 4


def test_the_legal_department_reads_slips_with_the_applicant_masked(client, cast, receive):
    dossier = receive()
    client.force_login(cast["legal"])
    page = client.get(reverse("cases:receipt", kwargs={"code": dossier.code})).content.decode()
    assert "001******345" in page and "001085012345" not in page and "anh@example.vn" not in page
    client.force_login(cast["reception_hn"])
    assert "001085012345" in client.get(reverse("cases:receipt", kwargs={"code": dossier.code})).content.decode()


def test_tracking_book_xlsx_never_turns_a_name_into_a_formula(hn, receive):
    """Issue 13 item 6: an applicant named `=HYPERLINK(…)` stays text in the tracking book's XLSX."""
    evil = '=HYPERLINK("http://example.invalid/x","Bấm vào đây")'
    d = receive(at=local(2025, 6, 2, 9, 0), name=evil)
    ws = load_workbook(io.BytesIO(_book(hn, **{"from": "02/06/2025", "to": "02/06/2025",
                                                "format": "xlsx"}).content)).active
    cell = ws.cell(row=2, column=3)
    assert ws.cell(row=2, column=2).value == d.code
    assert cell.data_type == "s" and cell.value == "'" + evil
