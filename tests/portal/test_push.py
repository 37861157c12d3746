"""Every dossier on the portal (CONTRACTS.md §2, "Both ways, every dossier"): each change of each dossier of a
synced office, whatever its channel, is an outbox row delivered by portal.push to the live sandbox — TraCuuHoSo,
then DongBoHoSoMC "False", then CapNhatTienDoHoSoMC and DongBoHoSoMC "True" — in order, retried until accepted."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as cases_services
from notifications.models import DeliveryAttempt, OutboxMessage
from portal import push
from portal.models import PortalLink

pytestmark = pytest.mark.django_db

DOSSIER_FIELDS = {"MaHoSo", "MaTTHC", "TenTTHC", "MaLinhVuc", "TenLinhVuc", "KenhThucHien", "ChuHoSo", "LoaiDoiTuong",
                  "MaDoiTuong", "SoGiayToChuHoSo", "SoDienThoai", "Email", "DiaChi", "TrichYeuHoSo", "NgayNopHoSo",
                  "NgayTiepNhan", "NgayHenTra", "TrangThaiHoSo", "NgayTra", "DonViXuLy", "GhiChu", "TaiLieuNop",
                  "DanhSachHoSoBoSung", "DanhSachGiayToKetQua"}
PROGRESS_FIELDS = {"MaHoSo", "NguoiXuLy", "ChucDanh", "ThoiDiemXuLy", "PhongBanXuLy", "NoiDungXuLy", "TrangThai",
                   "NgayBatDau", "NgayKetThucTheoQuyDinh"}


@pytest.fixture
def run_push(hanoi):
    def run():
        return push.push_office(office=hanoi)

    return run


def _due_now():
    """The back-off has passed."""
    OutboxMessage.objects.filter(kind="dossier.sync").exclude(state="sent").update(next_attempt_at=timezone.now())


def _services(sandbox, code):
    return [(service, updating, status) for _, service, updating, status in sandbox.received(code)]


def _objects(sandbox, service, code):
    return [item for p in sandbox.state()["pushes"] if p["service"] == service
            for item in p["data"] if item.get("MaHoSo") == code]


def test_desk_intake_is_on_the_portal_false_then_true(sandbox, receive, cast, run_push):
    """Defect: a desk intake produced no DongBoHoSoMC (only portal dossiers pushed progress)."""
    dossier = receive("1.009020")
    run_push()
    lookups = [c for c in sandbox.state()["calls"] if c["service"] == "TraCuuHoSo"]
    assert len(lookups) == 1
    assert _services(sandbox, dossier.code) == [("DongBoHoSoMC", "False", 2), ("CapNhatTienDoHoSoMC", None, 2)]
    (obj,) = _objects(sandbox, "DongBoHoSoMC", dossier.code)
    assert set(obj) == DOSSIER_FIELDS and obj["KenhThucHien"] == 1 and obj["SoDienThoai"] == "0912345678"
    assert len(obj["NgayTiepNhan"]) == 14 and obj["NgayHenTra"] and obj["NgayTra"] == ""
    assert set(_objects(sandbox, "CapNhatTienDoHoSoMC", dossier.code)[0]) == PROGRESS_FIELDS
    cases_services.dossier_start(actor=cast["reception_hn"], dossier=dossier)
    run_push()
    assert _services(sandbox, dossier.code)[2:] == [("CapNhatTienDoHoSoMC", None, 4), ("DongBoHoSoMC", "True", 4)]
    assert len([c for c in sandbox.state()["calls"] if c["service"] == "TraCuuHoSo"]) == 1  # known now
    link = PortalLink.objects.get(pk=dossier.pk)
    assert (link.on_portal, link.last_seq, link.synced_seq, link.progress_seq) == (True, 2, 2, 2)


def test_postal_intake_is_on_the_portal(sandbox, receive, run_push):
    """Defect: postal dossiers were never sent to the portal."""
    dossier = receive("1.009020", channel="postal")
    run_push()
    (obj,) = _objects(sandbox, "DongBoHoSoMC", dossier.code)
    assert obj["KenhThucHien"] == 3 and obj["TrangThaiHoSo"] == 2


def test_a_dossier_already_on_the_portal_is_updated_not_created(sandbox, receive, run_push):
    dossier = receive("1.009020")
    sandbox.script("TraCuuHoSo", reply={"error_code": 0, "message": "", "result": [{"MaHoSo": dossier.code}]})
    run_push()
    assert _services(sandbox, dossier.code) == [("CapNhatTienDoHoSoMC", None, 2), ("DongBoHoSoMC", "True", 2)]


def test_each_later_action_reaches_the_portal_in_order_also_when_it_fails_first(sandbox, receive, cast, run_push):
    """The sandbox fails the first attempts; meanwhile the dossier moves on: nothing is sent out of turn, and
    once the portal answers it gets every change in order and the latest state."""
    dossier = receive("1.009020")
    sandbox.fault("busy", service="DongBoHoSoMC", times=4)  # the client's own retries (3) all fail
    result = run_push()
    assert result.failed == 1 and _services(sandbox, dossier.code) == []
    officer = cast["reception_hn"]
    dossier = cases_services.dossier_start(actor=officer, dossier=dossier)
    dossier = cases_services.dossier_request_supplement(actor=officer, dossier=dossier, reason="Thiếu tờ khai",
                                                        documents=["Tờ khai TK1-TS"])
    dossier = cases_services.dossier_supplement_received(actor=officer, dossier=dossier)
    assert run_push().dossiers == 0  # the first change is backing off: the later ones wait for it
    assert _services(sandbox, dossier.code) == []
    _due_now()
    sandbox.reject(dossier.code, times=1, service="CapNhatTienDoHoSoMC")
    run_push()  # the dossier is created on the portal; its history is refused once
    dossier = cases_services.dossier_resolve(actor=cast["processor_hn"], dossier=dossier, outcome="approved",
                                             result_summary="Đã cấp")  # not the receiving officer (issue 12)
    dossier = cases_services.dossier_return(actor=officer, dossier=dossier)
    _due_now()
    run_push()
    received = _services(sandbox, dossier.code)
    assert received[0] == ("DongBoHoSoMC", "False", 4)
    progress = [status for service, _, status in received if service == "CapNhatTienDoHoSoMC"]
    assert progress == [2, 4, 5, 4, 9, 10]
    assert received[-1] == ("DongBoHoSoMC", "True", 10)
    states = [status for service, _, status in received if service == "DongBoHoSoMC"]
    assert states == sorted(states, key=[4, 10].index)  # never an earlier state after a later one
    attempts = DeliveryAttempt.objects.filter(message__dossier_code=dossier.code)
    assert attempts.filter(ok=False).exists() and not OutboxMessage.objects.exclude(state="sent").filter(
        kind="dossier.sync").exists()


def test_one_dossier_refused_does_not_hold_the_others(sandbox, receive, run_push):
    first, second = receive("1.009020"), receive("1.009020")
    sandbox.reject(first.code, times=1, message="Mã thủ tục chưa đúng", service="DongBoHoSoMC")
    result = run_push()
    assert (result.dossiers, result.failed) == (2, 1)
    assert _services(sandbox, second.code) == [("DongBoHoSoMC", "False", 2), ("CapNhatTienDoHoSoMC", None, 2)]
    row = OutboxMessage.objects.get(dossier_code=first.code, kind="dossier.sync")
    assert row.state == "failed" and "Mã thủ tục chưa đúng" in row.last_error and row.next_attempt_at
    _due_now()
    run_push()
    assert _services(sandbox, first.code) == [("DongBoHoSoMC", "False", 2), ("CapNhatTienDoHoSoMC", None, 2)]


def test_supplement_apology_and_result_are_in_the_dossier_object(sandbox, receive, cast, run_push):
    from cases.services import apology

    officer = cast["reception_hn"]
    dossier = cases_services.dossier_start(actor=officer, dossier=receive("1.009003"))
    dossier = cases_services.dossier_request_supplement(actor=officer, dossier=dossier, reason="Thiếu danh sách",
                                                        documents=["Danh sách lao động"])
    run_push()
    obj = _objects(sandbox, "DongBoHoSoMC", dossier.code)[-1]
    (request,) = obj["DanhSachHoSoBoSung"]
    assert (request["SoLan"], request["LyDo"], request["DanhSachGiayTo"]) == (1, "Thiếu danh sách",
                                                                               ["Danh sách lao động"])
    assert obj["TrangThaiHoSo"] == 5 and obj["DanhSachGiayToKetQua"] == []
    dossier = cases_services.dossier_supplement_received(actor=officer, dossier=dossier)
    new = dossier.appointment_at + timezone.timedelta(days=7)
    apology.apology_slip_issue(actor=cast["director_hn"], dossier=dossier, reason="Cần xác minh thêm",
                               new_appointment_at=new)
    run_push()
    obj = _objects(sandbox, "DongBoHoSoMC", dossier.code)[-1]
    assert obj["NgayHenTra"] == timezone.localtime(new).strftime("%Y%m%d%H%M%S")
    assert obj["DanhSachHoSoBoSung"][0]["NgayNhanBoSung"]


def test_a_batch_costs_a_constant_number_of_queries(sandbox, receive, hanoi):
    def measure(n):
        codes = [receive("1.009020").code for _ in range(n)]
        with CaptureQueriesContext(connection) as queries:
            push.push_batch(hanoi, push.PortalClient(), codes)
        assert all(_services(sandbox, code) for code in codes)
        return len([q for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]])

    assert measure(2) == measure(9)


def test_offices_without_agency_code_are_not_synced(sandbox, receive, cast, hanoi):
    from cases.models import Dossier
    from core.models import Office

    dossier = receive("1.009020")
    Office.objects.filter(pk=hanoi.pk).update(agency_code="")
    cases_services.dossier_start(actor=cast["reception_hn"], dossier=Dossier.objects.get(pk=dossier.pk))
    assert OutboxMessage.objects.filter(kind="dossier.sync").count() == 1  # the intake's, before the change


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_batches_in_flight_at_once_keep_each_dossiers_order(sandbox, receive, cast, hanoi, settings, monkeypatch):
    monkeypatch.setattr("portal.outbox.kick_push", lambda office_id: None)
    settings.PORTAL_PUSH_THREADS = 3
    officer = cast["reception_hn"]
    dossiers = [receive("1.009020") for _ in range(12)]
    for dossier in dossiers[::2]:
        cases_services.dossier_start(actor=officer, dossier=dossier)
    assert push._threads(4) == 3  # outside a transaction, on PostgreSQL: several batches at once
    result = push.push_office(office=hanoi, limit=3)
    assert (result.batches, result.dossiers, result.rows, result.failed) == (4, 12, 18, 0)
    for i, dossier in enumerate(dossiers):
        expected = [("DongBoHoSoMC", "False", 4 if i % 2 == 0 else 2), ("CapNhatTienDoHoSoMC", None, 2)]
        if i % 2 == 0:
            expected.append(("CapNhatTienDoHoSoMC", None, 4))
        assert _services(sandbox, dossier.code) == expected


def test_a_sync_round_pushes_the_changes_and_counts_them(sandbox, receive, hanoi):
    from portal import services
    from portal.models import Kind

    dossier = receive("1.009020")
    sandbox.reject(dossier.code, times=1, service="DongBoHoSoMC")
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    assert (run.pushed, run.push_failed, run.ok) == (0, 1, False)
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))  # backing off: not tried again yet
    assert (run.pushed, run.push_failed) == (0, 0)
    _due_now()
    (run,) = services.sync_office(office=hanoi, kinds=(Kind.DOSSIER,))
    assert (run.pushed, run.push_failed, run.ok) == (1, 0, True)
    assert _services(sandbox, dossier.code)[0] == ("DongBoHoSoMC", "False", 2)


def test_backfill_puts_never_sent_dossiers_on_the_portal(sandbox, receive, hanoi, run_push):
    from io import StringIO

    from django.core.management import call_command

    from cases import events

    with events.replaying():  # the history import tells nobody, the portal included
        imported = receive("1.009020")
    assert not OutboxMessage.objects.filter(kind="dossier.sync").exists()
    call_command("portal_backfill", office=hanoi.code, stdout=StringIO())
    call_command("portal_backfill", office=hanoi.code, stdout=StringIO())  # nothing twice
    assert OutboxMessage.objects.filter(kind="dossier.sync").count() == 1
    run_push()
    assert _services(sandbox, imported.code) == [("DongBoHoSoMC", "False", 2)]
