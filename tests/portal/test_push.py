"""Pushing back: every status change of a portal dossier is an outbox row delivered by the "portal" sender
(CapNhatTienDoHoSoMC + DongBoHoSoMC), retried until the portal accepts it, each attempt recorded."""
import pytest

from cases import services as cases_services
from cases.models import Dossier
from notifications.delivery import deliver
from notifications.models import DeliveryAttempt, OutboxMessage
from portal import services
from portal.models import Kind

pytestmark = pytest.mark.django_db

CODE = "000.00.01.G13-200518-0001"
DOSSIER_FIELDS = {"MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong",
                  "MaDoiTuong", "SoGiayToChuHoSo", "SoDienThoai", "Email", "DiaChi", "TrichYeuHoSo", "NgayNopHoSo",
                  "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayTra", "DonViXuLy", "GhiChu", "TaiLieuNop"}
PROGRESS_FIELDS = {"MaHoSo", "NguoiXuLy", "ChucDanh", "ThoiDiemXuLy", "PhongBanXuLy", "NoiDungXuLy", "TrangThai",
                   "NgayBatDau", "NgayKetThucTheoQuyDinh"}


@pytest.fixture
def accepted(sandbox, hanoi, cast):
    """A portal dossier pulled from the fixtures and accepted at the desk: one progress row queued."""
    sandbox.script("LayDanhSachHoSo", fixture="dossiers_page_1.json")
    services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    cases_services.dossier_accept(actor=cast["reception_hn"], dossier=Dossier.objects.get(code=CODE))
    return OutboxMessage.objects.get(channel="portal", dossier_code=CODE)


def _pushes(sandbox, service):
    return [p for p in sandbox.state()["pushes"] if p["service"] == service]


def test_status_change_is_pushed_as_progress_and_dossier_update(sandbox, accepted):
    assert deliver(accepted.pk) is True
    (progress,) = _pushes(sandbox, "CapNhatTienDoHoSoMC")
    (update,) = _pushes(sandbox, "DongBoHoSoMC")
    assert progress["madonvi"] == "000.00.01.G13" and set(progress["data"][0]) == PROGRESS_FIELDS
    assert progress["data"][0]["TrangThai"] == 2 and progress["data"][0]["MaHoSo"] == CODE
    assert update["isUpdating"] == "True" and set(update["data"][0]) == DOSSIER_FIELDS
    obj = update["data"][0]
    assert (obj["MaHoSo"], obj["TrangThaiHoSo"], obj["KenhThucHien"], obj["LoaiDoiTuong"]) == (CODE, 2, 2, 2)
    assert obj["SoDienThoai"] == "02438561234" and len(obj["NgayTiepNhan"]) == 14 and obj["NgayTra"] == ""
    accepted.refresh_from_db()
    assert accepted.state == "sent" and accepted.attempt_log.filter(ok=True).count() == 1


def test_rejected_item_is_retried_until_accepted_and_every_attempt_is_recorded(sandbox, accepted):
    sandbox.reject(CODE, times=2, message="Trạng thái không hợp lệ")
    assert deliver(accepted.pk) is False
    accepted.refresh_from_db()
    assert accepted.state == "failed" and "Trạng thái không hợp lệ" in accepted.last_error
    assert accepted.next_attempt_at is not None
    assert deliver(accepted.pk) is False
    assert deliver(accepted.pk) is True
    attempts = list(DeliveryAttempt.objects.filter(message=accepted).values_list("ok", flat=True))
    assert attempts == [False, False, True]
    accepted.refresh_from_db()
    assert (accepted.state, accepted.attempts) == ("sent", 3)


def test_failed_dossier_update_does_not_resend_the_progress(sandbox, accepted):
    sandbox.reject(CODE, times=1, service="DongBoHoSoMC")
    assert deliver(accepted.pk) is False
    assert deliver(accepted.pk) is True
    assert len(_pushes(sandbox, "CapNhatTienDoHoSoMC")) == 1
    assert len(_pushes(sandbox, "DongBoHoSoMC")) == 2


def test_portal_down_keeps_the_push_for_later(sandbox, accepted, settings):
    settings.NATIONAL_PORTAL_URL = "http://127.0.0.1:9"
    settings.NATIONAL_PORTAL_RETRIES = 0
    assert deliver(accepted.pk) is False
    accepted.refresh_from_db()
    assert accepted.state == "failed" and "Không kết nối được" in accepted.last_error


def test_sync_round_pushes_due_rows_and_respects_back_off(sandbox, accepted, hanoi):
    sandbox.reject(CODE, times=1)
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    assert (run.pushed, run.push_failed, run.ok) == (0, 1, False)
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))  # backing off: not tried again yet
    assert (run.pushed, run.push_failed) == (0, 0)
    OutboxMessage.objects.filter(pk=accepted.pk).update(next_attempt_at=accepted.created_at)
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    assert (run.pushed, run.push_failed, run.ok) == (1, 0, True)
