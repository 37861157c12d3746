"""Pulling dossiers (LayDanhSachHoSo) from a live contract server: stored once, invalid items quarantined with
their reason, the cursor moving with the rows, a constant number of queries per page (CONTRACTS.md §2)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Dossier, DossierEvent
from portal import services
from portal.client import PortalClient
from portal.models import Kind, QuarantinedItem, SyncCursor, SyncRun

from .conftest import HANOI, fixture_items

pytestmark = pytest.mark.django_db


def _sync(office, **kw):
    (run,) = services.sync_office(office=office, kinds=(Kind.DOSSIER,), **kw)
    return run


def test_good_page_stores_five_submitted_dossiers(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    run = _sync(hanoi)
    assert (run.ok, run.stored, run.already, run.quarantined) == (True, 5, 0, 0)
    dossiers = Dossier.objects.filter(source="national_portal")
    assert dossiers.count() == 5
    assert set(dossiers.values_list("status", flat=True)) == {"submitted"}
    assert DossierEvent.objects.filter(action="pull", actor=None, actor_name="Cổng DVCQG").count() == 5


def test_pulled_fields_follow_the_contract(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    _sync(hanoi)
    d = Dossier.objects.get(code="000.00.01.G13-200518-0001")
    assert d.office == hanoi and d.procedure.code == "1.009001"
    assert (d.channel, d.source, d.applicant_kind) == ("online", "national_portal", "enterprise")
    assert d.applicant_name == "Công ty TNHH May Thăng Long" and d.applicant_id_number == "0100109106"
    assert d.search_name == "cong ty tnhh may thang long"  # the set-based insert keeps the search column too
    assert d.applicant_phone == "+842438561234" and d.applicant_email == "nhansu@maythanglong.vn"
    assert d.summary.startswith("Đề nghị xác nhận danh sách 120")
    assert d.submitted_at == datetime(2020, 5, 18, 8, 30, 12, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert d.received_at is None and d.legal_due_at is None
    assert d.created_at and d.updated_at and (d.due_state, d.trip_count, d.supplement_count) == ("", 0, 0)
    assert d.portal_payload["TaiLieuNop"][0]["TenTepDinhKem"] == "Danh sách người lao động.pdf"
    citizen = Dossier.objects.get(code="000.00.01.G13-200520-0001")
    assert (citizen.applicant_kind, citizen.applicant_phone) == ("citizen", "+84983111222")


def test_bad_page_stores_two_and_quarantines_eight_with_reasons(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    _sync(hanoi)
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    run = _sync(hanoi)
    assert (run.ok, run.stored, run.already, run.quarantined) == (True, 1, 1, 8)
    assert Dossier.objects.filter(code="000.00.01.G13-200521-0008", status="submitted").exists()
    assert Dossier.objects.count() == 6
    reasons = list(QuarantinedItem.objects.filter(office=hanoi, kind=Kind.DOSSIER).order_by("id")
                   .values_list("code", "reason"))
    assert len(reasons) == 8
    text = " | ".join(r for _, r in reasons)
    for expected in ("Thiếu mã hồ sơ (MaHoSo)", "“2020-05-21 09:00” không đúng định dạng yyyyMMddHHmmss",
                     "“9.999999” không có trong danh mục", "sai chữ số kiểm tra", "Số điện thoại (SoDienThoai) “12345”",
                     "ngoài khoảng 1–10", "“20200231090000” không phải là ngày giờ có thật",
                     "không phải là một đối tượng JSON"):
        assert expected in text, expected
    assert QuarantinedItem.objects.get(raw="not an object").code == ""


def test_rerunning_stores_nothing_new(sandbox, hanoi):
    for _ in range(2):
        sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
        sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    first = [_sync(hanoi), _sync(hanoi)]
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), QuarantinedItem.objects.count())
    again = [_sync(hanoi), _sync(hanoi)]
    assert [r.stored for r in first] == [5, 1] and [r.stored for r in again] == [0, 0]
    assert [r.already for r in again] == [5, 2]
    assert (Dossier.objects.count(), DossierEvent.objects.count(), QuarantinedItem.objects.count()) == counts == (6, 6, 8)


def test_officer_changes_are_not_overwritten_by_a_later_pull(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json", times=2)
    _sync(hanoi)
    Dossier.objects.filter(code="000.00.01.G13-200518-0002").update(status="received", summary="Đã sửa")
    _sync(hanoi)
    d = Dossier.objects.get(code="000.00.01.G13-200518-0002")
    assert (d.status, d.summary) == ("received", "Đã sửa")


def test_desk_dossier_with_the_same_code_is_not_taken_over(sandbox, hanoi):
    from cases.models import Procedure

    Dossier.objects.create(code="000.00.01.G13-200518-0001", office=hanoi, procedure=Procedure.objects.first(),
                           applicant_name="Quầy", applicant_id_number="001190012345")
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    run = _sync(hanoi)
    assert (run.stored, run.quarantined) == (4, 1)
    assert "đã được dùng" in QuarantinedItem.objects.get().reason


def test_paging_and_cursor(sandbox, hanoi, settings):
    settings.NATIONAL_PORTAL_PAGE_SIZE = 10
    sandbox.dataset(HANOI, dossiers=25)
    run = _sync(hanoi)
    assert (run.pages, run.stored) == (3, 25)
    trang = [c["trang"] for c in sandbox.state()["calls"] if c["service"] == "LayDanhSachHoSo"]
    assert trang == [1, 2, 3]
    last = max(d.portal_payload["NgayNopHoSo"] for d in Dossier.objects.all())
    assert SyncCursor.objects.get(office=hanoi, kind=Kind.DOSSIER).position == last
    sandbox.dataset(HANOI, dossiers=32)
    run = _sync(hanoi)
    assert (run.stored, run.already) == (7, 1)  # the cursor's own item comes again (tungay is inclusive)
    assert Dossier.objects.count() == 32


def test_cursor_stays_when_a_page_fails(sandbox, hanoi, settings):
    settings.NATIONAL_PORTAL_PAGE_SIZE = 10
    settings.NATIONAL_PORTAL_RETRIES = 1
    sandbox.dataset(HANOI, dossiers=25)
    sandbox.fault("busy", service="LayDanhSachHoSo", trang=2, times=2)
    run = _sync(hanoi)
    assert not run.ok and run.stored == 10 and "đang bận" in run.error
    cursor = SyncCursor.objects.get(office=hanoi, kind=Kind.DOSSIER).position
    assert cursor == Dossier.objects.order_by("-submitted_at").first().portal_payload["NgayNopHoSo"]
    run = _sync(hanoi)
    assert run.ok and Dossier.objects.count() == 25


def test_expired_session_during_a_pull(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    PortalClient().login()
    sandbox.fault("expire")
    run = _sync(hanoi)
    assert run.ok and run.stored == 5
    assert len([c for c in sandbox.state()["calls"] if c["path"] == "/auth"]) == 2


def test_server_error_then_success_stores_once(sandbox, hanoi):
    sandbox.fault("http500", service="LayDanhSachHoSo")
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    run = _sync(hanoi)
    assert run.ok and run.stored == 5 and Dossier.objects.count() == 5 == DossierEvent.objects.count()


def test_busy_then_success(sandbox, hanoi):
    sandbox.fault("busy", service="LayDanhSachHoSo")
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    run = _sync(hanoi)
    assert run.ok and run.stored == 5


def test_portal_down_is_recorded_in_plain_words(sandbox, hanoi, settings):
    settings.NATIONAL_PORTAL_URL = "http://127.0.0.1:9"
    settings.NATIONAL_PORTAL_RETRIES = 0
    run = _sync(hanoi)
    assert run.ok is False and "Không kết nối được tới Cổng DVCQG" in run.error
    assert SyncRun.objects.get(pk=run.pk).finished_at is not None


@pytest.mark.parametrize("size", [10, 50])
def test_constant_query_count_per_page(sandbox, hanoi, size):
    """One page = the same queries whatever its size (bulk inserts, one lookup of existing codes)."""
    sandbox.dataset(HANOI, dossiers=size)
    items = PortalClient().list_dossiers(HANOI, tungay="20200101000000", trang=1, sobanghi=size)
    cursor = services.cursor_for(hanoi, Kind.DOSSIER)
    run = SyncRun.objects.create(office=hanoi, kind=Kind.DOSSIER)
    with CaptureQueriesContext(connection) as queries:
        services.store_dossier_page(office=hanoi, items=items, cursor=cursor, run=run)
    sql = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    inserts = [q for q in sql if q.startswith("INSERT")]
    assert Dossier.objects.count() == size
    if connection.vendor == "postgresql":  # + SET LOCAL synchronous_commit
        assert len(sql) == QUERIES_PER_PAGE + 1
    else:  # SQLite splits a large INSERT by its variable limit
        assert len(sql) - len(inserts) == QUERIES_PER_PAGE - 4  # the 4 inserts


# procedures, existing codes, 4 inserts (dossiers, events, their links to the portal, their papers), quarantine
# resolve, cursor, run counters
QUERIES_PER_PAGE = 9


def test_quarantined_item_is_stored_on_retry_once_the_catalogue_knows_it(sandbox, hanoi):
    from cases.models import Procedure

    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    _sync(hanoi)
    item = QuarantinedItem.objects.get(code="000.00.01.G13-200521-0003")
    stored, message = services.quarantine_retry(item=item)
    assert not stored and "không có trong danh mục" in message
    Procedure.objects.create(code="9.999999", name="Thủ tục mới", field="Thu BHXH; BHYT", processing_days=5)
    stored, message = services.quarantine_retry(item=item)
    assert stored and Dossier.objects.filter(code="000.00.01.G13-200521-0003").exists()
    item.refresh_from_db()
    assert (item.state, item.retry_count) == ("resolved", 2)


def test_retry_uses_the_portals_corrected_copy(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_bad.json")
    _sync(hanoi)
    item = QuarantinedItem.objects.get(code="000.00.01.G13-200521-0005")  # phone "12345"
    fixed = dict(item.raw, SoDienThoai="0977000115")
    sandbox.script("TraCuuHoSo", reply={"error_code": 0, "message": "", "result": [fixed]})
    stored, _ = services.quarantine_retry(item=item, client=PortalClient())
    assert stored and Dossier.objects.get(code=item.code).applicant_phone == "+84977000115"


def test_a_future_dated_item_is_quarantined_and_does_not_carry_the_cursor(sandbox, hanoi):
    from portal.models import QuarantinedItem, SyncCursor

    items = fixture_items("dossiers_page_1.json")
    future = dict(items[0], MaHoSo="000.00.01.G13-200530-0009", NgayNopHoSo="22020523091000")
    fullwidth = dict(items[0], MaHoSo="000.00.01.G13-200530-0010", NgayNopHoSo="２０２０１２３１２３５９５９")
    sandbox.script("LayDanhSachHoSo", reply={"error_code": 0, "message": "", "result": items + [future, fullwidth]})
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    reasons = dict(QuarantinedItem.objects.values_list("code", "reason"))
    assert "ở tương lai" in reasons["000.00.01.G13-200530-0009"]
    assert "yyyyMMddHHmmss" in reasons["000.00.01.G13-200530-0010"]
    assert SyncCursor.objects.get(office=hanoi, kind=Kind.DOSSIER).position == max(i["NgayNopHoSo"] for i in items)


def test_a_dossier_code_outside_the_contracts_pattern_is_quarantined(sandbox, hanoi):
    """issue 13 item 3: `000.00.01.G13-SL/ASH-0002` passed the length check and broke /ho-so/ for the province."""
    items = fixture_items("dossiers_page_1.json")
    bad = dict(items[0], MaHoSo="000.00.01.G13-SL/ASH-0002")
    sandbox.script("LayDanhSachHoSo", reply={"error_code": 0, "message": "", "result": items + [bad]})
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    reasons = dict(QuarantinedItem.objects.values_list("code", "reason"))
    assert "không đúng mẫu" in reasons["000.00.01.G13-SL/ASH-0002"]
    assert not Dossier.objects.filter(code="000.00.01.G13-SL/ASH-0002").exists()
    assert Dossier.objects.filter(code=items[0]["MaHoSo"]).exists()
