"""PAKN from the national system (LayDanhSachPAKN) into FeedbackItems, and answers back (DongBoKetQuaPAKN)."""
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from feedback.models import FeedbackEvent, FeedbackItem
from notifications.delivery import deliver
from notifications.models import DeliveryAttempt
from portal import services
from portal.models import Kind, QuarantinedItem
from portal.outbox import queue_pakn_answer
from workcal import calendar

from .conftest import HANOI

pytestmark = pytest.mark.django_db
ANSWER_FIELDS = {"MaPAKN", "NoiDungTraLoi", "NguoiTraLoi", "ChucVuNguoiTraLoi", "NgayTraLoi", "CongKhai"}


def _sync(office):
    (run,) = services.sync_office(office=office, kinds=(Kind.PAKN,))
    return run


def test_pull_stores_the_three_fixture_items_once(sandbox, hanoi):
    sandbox.script("LayDanhSachPAKN", fixture="pakn_page_1.json", times=2)
    first, second = _sync(hanoi), _sync(hanoi)
    assert (first.ok, first.stored, second.stored, second.already) == (True, 3, 0, 3)
    assert FeedbackItem.objects.count() == 3 == FeedbackEvent.objects.filter(action="pull").count()
    item = FeedbackItem.objects.get(code="PAKN.20200512.0012")
    assert (item.office, item.status, item.category, item.source) == (hanoi, "new", "", "national_portal")
    assert item.title == "Chậm xác nhận danh sách hỗ trợ người lao động"
    assert item.received_at == datetime(2020, 5, 12, 14, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    assert item.due_at == calendar.legal_due_at(item.received_at, settings.FEEDBACK_ANSWER_DAYS, hanoi)
    assert item.due_at > item.forward_due_at > item.received_at
    assert (item.sender_name, item.sender_phone, item.field_code) == ("Lý Thị Mai", "+84912000111", "BHXH-THU")
    assert item.related_dossier_code == "000.00.01.G13-200505-0003" and item.related_dossier is None
    assert item.raw_payload["MaDonVi"] == HANOI


def test_related_dossier_is_linked_when_we_hold_it(sandbox, hanoi):
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    sandbox.script("LayDanhSachPAKN", reply={"error_code": 0, "message": "", "result": [{
        "MaPAKN": "PAKN.20200601.0001", "TieuDe": "Chậm xác nhận", "NoiDung": "…", "MaLinhVuc": "BHXH-THU",
        "HoTen": "Lê Văn A", "SoDienThoai": "", "Email": "", "DiaChi": "", "NgayGui": "20200601090000",
        "MaHoSoLienQuan": "000.00.01.G13-200518-0001", "MaDonVi": HANOI}]})
    _sync(hanoi)
    assert FeedbackItem.objects.get().related_dossier.code == "000.00.01.G13-200518-0001"


def test_invalid_pakn_is_quarantined(sandbox, hanoi):
    sandbox.script("LayDanhSachPAKN", reply={"error_code": 0, "message": "", "result": [
        {"MaPAKN": "PAKN.X.1", "TieuDe": "A", "NgayGui": "20200230080000", "MaDonVi": HANOI},
        {"MaPAKN": "PAKN.X.2", "TieuDe": "B", "NgayGui": "20200601080000", "MaDonVi": "000.00.79.G13"},
        {"MaPAKN": "PAKN.X.3", "TieuDe": "C", "NgayGui": "20200601080000", "MaDonVi": HANOI},
    ]})
    run = _sync(hanoi)
    assert (run.stored, run.quarantined) == (1, 2)
    reasons = dict(QuarantinedItem.objects.filter(kind=Kind.PAKN).values_list("code", "reason"))
    assert "không phải là ngày giờ có thật" in reasons["PAKN.X.1"]
    assert "không phải đơn vị đang đồng bộ" in reasons["PAKN.X.2"]


def _answered(item, cast):
    director = cast["director_hn"]
    FeedbackItem.objects.filter(pk=item.pk).update(
        answer="BHXH thành phố Hà Nội đã xác nhận danh sách ngày 15/5/2020.", answered_by=cast["processor_hn"],
        approved_by=director, approved_at=timezone.now(), answered_at=timezone.now(), is_public=True,
        status="approved")
    item.refresh_from_db()
    return item


def test_answer_is_pushed_and_retried_until_accepted(sandbox, hanoi, cast):
    sandbox.script("LayDanhSachPAKN", fixture="pakn_page_1.json")
    _sync(hanoi)
    item = _answered(FeedbackItem.objects.get(code="PAKN.20200513.0004"), cast)
    message = queue_pakn_answer(item)
    assert (message.channel, message.kind, message.office) == ("portal", "pakn.answer", hanoi)
    assert queue_pakn_answer(item) == message  # idempotent
    sandbox.reject(item.code, times=1)
    assert deliver(message.pk) is False
    assert deliver(message.pk) is True
    assert list(DeliveryAttempt.objects.filter(message=message).values_list("ok", flat=True)) == [False, True]
    pushed = [p for p in sandbox.state()["pushes"] if p["service"] == "DongBoKetQuaPAKN"]
    answer = pushed[-1]["data"][0]
    assert set(answer) == ANSWER_FIELDS and pushed[-1]["madonvi"] == HANOI
    assert (answer["MaPAKN"], answer["CongKhai"], answer["NguoiTraLoi"]) == (item.code, 1, cast["director_hn"].display_name)
    assert answer["ChucVuNguoiTraLoi"] == "Giám đốc" and len(answer["NgayTraLoi"]) == 14


def test_sync_feedback_round_pushes_pending_answers(sandbox, hanoi, cast):
    sandbox.script("LayDanhSachPAKN", fixture="pakn_page_1.json")
    _sync(hanoi)
    queue_pakn_answer(_answered(FeedbackItem.objects.get(code="PAKN.20200514.0020"), cast))
    run = _sync(hanoi)
    assert (run.pushed, run.push_failed, run.ok) == (1, 0, True)


def test_desk_items_are_not_pushed(hanoi):
    item = FeedbackItem.objects.create(code="PAKN.DESK.1", office=hanoi, source="desk", title="Tại quầy",
                                       received_at=timezone.now(), due_at=timezone.now())
    assert queue_pakn_answer(item) is None
