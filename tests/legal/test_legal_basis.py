"""Legal-basis sets by date (DOMAIN.md §2): seeded data, the set in force on a day, what every slip prints, and who
may edit the sets (the Legal Department and the administrator only)."""
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cases import services
from cases.models import ApologySlip
from cases.documents.slips import (apology_document, control_document, receipt_document, refusal_document,
                         supplement_document)
from cases.documents.book import book_document
from cases.forms import BookQuery
from legal import defaults
from legal.models import LegalBasisSet
from legal.selectors import legal_basis_on, slip_form
from tests.cases.conftest import local

pytestmark = pytest.mark.django_db


# --- the seeded sets and the set in force on a day -------------------------------------------------------------

def test_the_migration_seeds_the_2018_2021_2023_and_2025_sets():
    rows = list(LegalBasisSet.objects.order_by("valid_from").values_list("valid_from", "decree", "desk_rules",
                                                                          "control_number"))
    assert [r[0] for r in rows] == [date(2018, 6, 21), date(2021, 12, 6), date(2023, 3, 27), date(2025, 7, 1)]
    assert rows[0][1] == "Nghị định 61/2018/NĐ-CP" and rows[0][2] == "Quyết định 2192/QĐ-BHXH"
    assert "107/2021/NĐ-CP" in rows[1][1] and rows[1][2] == "Quyết định 2192/QĐ-BHXH"
    assert rows[2][2].startswith("Quyết định 475/QĐ-BHXH")
    assert rows[3][1] == "Nghị định 118/2025/NĐ-CP" and rows[3][3] == ""
    assert [r[3] for r in rows[:3]] == ["05", "05", "05"]


@pytest.mark.parametrize("day, decree, desk_rules", [
    (date(2019, 5, 2), "Nghị định 61/2018/NĐ-CP", "Quyết định 2192/QĐ-BHXH"),
    (date(2023, 3, 26), "Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
     "Quyết định 2192/QĐ-BHXH"),
    (date(2023, 3, 27), "Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
     "Quyết định 475/QĐ-BHXH ngày 27/03/2023"),
    (date(2025, 6, 30), "Nghị định 61/2018/NĐ-CP, được sửa đổi, bổ sung bởi Nghị định 107/2021/NĐ-CP",
     "Quyết định 475/QĐ-BHXH ngày 27/03/2023"),
    (date(2025, 7, 1), "Nghị định 118/2025/NĐ-CP", "Quyết định 475/QĐ-BHXH ngày 27/03/2023"),
    (date(2010, 1, 1), "Nghị định 61/2018/NĐ-CP", "Quyết định 2192/QĐ-BHXH"),  # before every set: the first
])
def test_the_set_in_force_on_a_day(day, decree, desk_rules):
    basis = legal_basis_on(day)
    assert (basis.decree, basis.desk_rules) == (decree, desk_rules)


def test_an_aware_moment_is_read_in_vietnam_time():
    # 30/06/2025 23:30 in Hà Nội is 16:30 UTC: still the 2018 rules; 01/07 00:30 local is the 2025 set.
    assert legal_basis_on(local(2025, 6, 30, 23, 30)).decree.startswith("Nghị định 61/2018")
    assert legal_basis_on(local(2025, 7, 1, 0, 30)).decree == "Nghị định 118/2025/NĐ-CP"


def test_an_empty_table_falls_back_to_the_shipped_sets():
    LegalBasisSet.objects.all().delete()
    assert legal_basis_on(date(2024, 1, 1)).control_number == "05"
    assert legal_basis_on(date(2026, 1, 1)).decree == defaults.SETS[-1]["decree"]


# --- what the slips print --------------------------------------------------------------------------------------

@pytest.fixture
def received_2024(receive):
    with time_machine.travel(local(2024, 10, 7, 9, 0), tick=False):  # Mon 07/10/2024
        return receive("1.009020")


@pytest.fixture
def received_2026(receive):
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):  # Tue 01/12/2026
        return receive("1.009020")


def test_the_slips_cite_decree_118_2025_and_no_form_number_for_a_dossier_received_on_01_12_2026(received_2026, cast):
    d = received_2026
    receipt = receipt_document(d)
    assert receipt.form == "Nghị định 118/2025/NĐ-CP"
    assert receipt.title == "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"
    with time_machine.travel(local(2026, 12, 2, 9, 0), tick=False):
        d = services.dossier_start(actor=cast["reception_hn"], dossier=d, assignee="chuyenvien.hn")
        d = services.dossier_request_supplement(actor=cast["processor_hn"], dossier=d, reason="Thiếu sổ BHXH",
                                                documents=["Sổ BHXH bản gốc"])
    req = d.supplement_requests.get()
    for doc in (receipt, control_document(d), supplement_document(req)):
        assert "01/2018" not in doc.form and "Mẫu số" not in doc.form, doc.form
        assert doc.form == "Nghị định 118/2025/NĐ-CP"


def test_the_process_control_slip_is_form_05_under_circular_01_2018_for_a_dossier_received_in_2024(received_2024):
    with time_machine.travel(local(2026, 12, 1, 9, 0), tick=False):  # printed under the 2025 rules
        doc = control_document(received_2024)
    assert doc.form == "Mẫu số 05 – Thông tư 01/2018/TT-VPCP"
    assert doc.title == "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"
    assert receipt_document(received_2024).form == "Mẫu số 01 – Thông tư 01/2018/TT-VPCP"


def _apology(d, cast, issued_at):
    return ApologySlip.objects.create(
        dossier=d, office=d.office, state="issued", year=issued_at.year, number=3, reason="Phải xác minh thêm",
        original_appointment_at=d.appointment_at, new_appointment_at=d.appointment_at, legal_due_at=d.legal_due_at,
        drafted_by=cast["reception_hn"], drafted_at=issued_at, signed_by=cast["director_hn"], issued_at=issued_at)


def test_the_apology_slip_is_form_04_for_a_2024_dossier(received_2024, cast):
    doc = apology_document(_apology(received_2024, cast, local(2024, 10, 17, 8, 0)))
    assert doc.form == "Mẫu số 04 – Thông tư 01/2018/TT-VPCP"
    assert doc.title == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"


def test_the_apology_slip_under_the_2025_rules_prints_its_title_without_a_number(received_2026, cast):
    doc = apology_document(_apology(received_2026, cast, local(2026, 12, 10, 8, 0)))
    assert doc.title == "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"
    assert doc.form == "Nghị định 118/2025/NĐ-CP" and "Mẫu số" not in doc.form


def test_each_slip_reads_the_set_of_its_own_date_not_the_receipt_date(received_2024, cast):
    """Received under Circular 01/2018; the refusal after 01/07/2025 is issued under Decree 118/2025."""
    with time_machine.travel(local(2025, 7, 2, 9, 0), tick=False):
        d = services.dossier_refuse(actor=cast["reception_hn"], dossier=received_2024, reason="Không đủ điều kiện")
    assert refusal_document(d).form == "Nghị định 118/2025/NĐ-CP"
    assert receipt_document(d).form == "Mẫu số 01 – Thông tư 01/2018/TT-VPCP"


def test_the_legal_department_enters_the_2025_form_numbers_and_the_slips_print_them(received_2026, cast):
    LegalBasisSet.objects.filter(valid_from=date(2025, 7, 1)).update(receipt_number="01a", circular="Thông tư X")
    assert receipt_document(received_2026).form == "Mẫu số 01a – Thông tư X"


def test_the_tracking_book_reads_the_set_of_the_period_end(offices):
    q = BookQuery(office=offices["01"], start=date(2024, 1, 1), end=date(2024, 12, 31))
    assert book_document(q, []).form == "Mẫu số 06 – Thông tư 01/2018/TT-VPCP"
    q = BookQuery(office=offices["01"], start=date(2025, 7, 1), end=date(2025, 7, 31))
    assert book_document(q, []).form == "Nghị định 118/2025/NĐ-CP"
    assert slip_form("book", date(2025, 7, 31)).heading == "SỔ THEO DÕI HỒ SƠ"


# --- who may edit -----------------------------------------------------------------------------------------

def _form_data(basis, **changes):
    from legal.forms import LegalBasisSetForm

    data = {name: getattr(basis, name) for name in LegalBasisSetForm.Meta.fields}
    data["valid_from"] = basis.valid_from.strftime("%d/%m/%Y")
    return {**data, **changes}


@pytest.mark.parametrize("who", ["legal", "admin"])
def test_the_legal_department_and_the_administrator_edit_a_set(client, cast, who):
    basis = LegalBasisSet.objects.get(valid_from=date(2025, 7, 1))
    client.force_login(cast[who])
    assert client.get(reverse("legal:list")).status_code == 200
    response = client.post(reverse("legal:edit", args=[basis.pk]), _form_data(basis, apology_number="04"))
    assert response.status_code == 302, response.content.decode()[:2000]
    basis.refresh_from_db()
    assert basis.apology_number == "04" and basis.updated_by == cast[who]


@pytest.mark.parametrize("who", ["reception_hn", "processor_hn", "director_hn", "deputy_hn"])
def test_other_roles_may_not_open_or_edit_the_sets(client, cast, who):
    basis = LegalBasisSet.objects.get(valid_from=date(2025, 7, 1))
    client.force_login(cast[who])
    assert client.get(reverse("legal:list")).status_code == 403
    assert client.post(reverse("legal:edit", args=[basis.pk]), _form_data(basis, apology_number="99")).status_code == 403
    assert client.post(reverse("legal:add"), _form_data(basis, valid_from="01/01/2030")).status_code == 403
    basis.refresh_from_db()
    assert basis.apology_number == "" and LegalBasisSet.objects.count() == 4


def test_the_legal_department_adds_a_set_from_a_date(client, cast):
    basis = LegalBasisSet.objects.get(valid_from=date(2025, 7, 1))
    client.force_login(cast["legal"])
    response = client.post(reverse("legal:add"), _form_data(basis, name="Bộ mới", valid_from="01/01/2030",
                                                              decree="Nghị định 999/2029/NĐ-CP"))
    assert response.status_code == 302
    assert legal_basis_on(date(2030, 1, 2)).decree == "Nghị định 999/2029/NĐ-CP"
    assert legal_basis_on(date(2029, 12, 31)).decree == "Nghị định 118/2025/NĐ-CP"
    # a second set on the same day is refused next to the field
    again = client.post(reverse("legal:add"), _form_data(basis, valid_from="01/01/2030"))
    assert again.status_code == 400 and LegalBasisSet.objects.filter(valid_from=date(2030, 1, 1)).count() == 1


def test_the_admin_site_checks_the_same_permission(client, cast):
    from core.models import Role, User

    staff = User.objects.create_user("staff.hn", password="pw", role=Role.DIRECTOR, is_staff=True)
    basis = LegalBasisSet.objects.get(valid_from=date(2025, 7, 1))
    url = reverse("admin:legal_legalbasisset_change", args=[basis.pk])
    client.force_login(staff)
    assert client.get(url).status_code == 403
    client.force_login(cast["admin"])
    assert client.get(url).status_code == 200
