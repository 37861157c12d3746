"""What we send the national portal about a dossier (CONTRACTS.md §2, field names exactly so), built in one
place: `dossier_object` (DongBoHoSoMC) and `progress_object` (CapNhatTienDoHoSoMC).

The papers come from the attachments app (`portal_papers` → `TaiLieuNop`, `portal_results` →
`DanhSachGiayToKetQua`), read from the batch's prefetched `attachments`.
"""
from django.utils import timezone

from attachments import selectors as attachment_selectors

from .contract import LOCAL_TZ

CHANNEL_CODES = {"direct": 1, "online": 2, "postal": 3}  # KenhThucHien
KIND_CODES = {"citizen": 1, "enterprise": 2, "organisation": 4}  # LoaiDoiTuong (3 = state agency)


def fmt(moment) -> str:
    """yyyyMMddHHmmss, local time; "" when empty (the contract's empty date). Hot (seven per dossier object):
    formatted by hand, strftime costs more than everything else here."""
    if not moment:
        return ""
    t = timezone.localtime(moment, LOCAL_TZ)
    return f"{t.year:04d}{t.month:02d}{t.day:02d}{t.hour:02d}{t.minute:02d}{t.second:02d}"


def portal_papers(dossier) -> list[dict]:
    """`TaiLieuNop`: the papers handed in, as {TepDinhKemId, TenTepDinhKem, DuongDanTaiTepTin}: what the portal
    itself served us for a pulled dossier, then the papers scanned at our desk with a signed, time-limited link
    the portal can fetch from us (attachments.selectors)."""
    payload = dossier.portal_payload if isinstance(dossier.portal_payload, dict) else {}
    pulled = payload.get("TaiLieuNop")
    return (pulled if isinstance(pulled, list) else []) + attachment_selectors.portal_papers(dossier)


def portal_results(dossier) -> list[dict]:
    """`DanhSachGiayToKetQua`: the result documents, as {TenGiayTo, GiayToId, DuongDanTepTinKetQua}."""
    return attachment_selectors.portal_results(dossier)


def supplement_list(dossier) -> list[dict]:
    """`DanhSachHoSoBoSung`: every supplement request of the dossier (Form 02 during processing), oldest first.
    Reads `dossier.supplement_requests.all()`, so a batch prefetches them in one query."""
    return [{
        "SoLan": request.number,
        "NgayYeuCau": fmt(request.requested_at),
        "LyDo": request.reason,
        "DanhSachGiayTo": list(request.documents or []),
        "NgayNhanBoSung": fmt(request.fulfilled_at),
    } for request in sorted(dossier.supplement_requests.all(), key=lambda r: r.number)]


def _national_phone(phone: str) -> str:
    return "0" + phone[3:] if phone.startswith("+84") else phone


def dossier_object(dossier, *, portal_received_at=None) -> dict:
    """The DongBoHoSoMC dossier object of a Dossier as it stands now (CONTRACTS.md §2).

    `portal_received_at`: the portal's own `NgayTiepNhan` (portal.models.PortalLink), sent back while we have
    none of ours, so that what the portal says is kept."""
    from cases.models import NATIONAL_STATUS

    payload = dossier.portal_payload if isinstance(dossier.portal_payload, dict) else {}
    kind = payload.get("LoaiDoiTuong")
    if kind not in (1, 2, 3, 4) or (kind in (3, 4)) != (dossier.applicant_kind == "organisation"):
        kind = KIND_CODES.get(dossier.applicant_kind, 1)
    return {
        "MaHoSo": dossier.code,
        "MaTTHC": dossier.procedure.code,
        "TenTTHC": dossier.procedure.name,
        "MaLinhVuc": payload.get("MaLinhVuc", ""),
        "TenLinhVuc": payload.get("TenLinhVuc") or dossier.procedure.field,
        "KenhThucHien": CHANNEL_CODES.get(dossier.channel, 2),
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": kind,
        "MaDoiTuong": payload.get("MaDoiTuong", ""),
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "SoDienThoai": _national_phone(dossier.applicant_phone),
        "Email": dossier.applicant_email,
        "DiaChi": dossier.applicant_address,
        "TrichYeuHoSo": dossier.summary,
        "NgayNopHoSo": fmt(dossier.submitted_at or dossier.received_at),
        "NgayTiepNhan": fmt(dossier.received_at or portal_received_at),
        "NgayHenTra": fmt(dossier.appointment_at),
        "TrangThaiHoSo": NATIONAL_STATUS[dossier.status],
        "NgayTra": fmt(dossier.returned_at),
        "DonViXuLy": dossier.office.name,
        "GhiChu": dossier.result_summary or "",
        "TaiLieuNop": portal_papers(dossier),
        "DanhSachHoSoBoSung": supplement_list(dossier),
        "DanhSachGiayToKetQua": portal_results(dossier),
    }


def progress_object(dossier, event) -> dict:
    """The CapNhatTienDoHoSoMC progress object of one change (CONTRACTS.md §2), as it happened."""
    from cases.models import NATIONAL_STATUS

    actor = event.actor
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor_name,
        "ChucDanh": (actor.title if actor else "") or "",
        "ThoiDiemXuLy": fmt(event.at),
        "PhongBanXuLy": dossier.office.name,
        "NoiDungXuLy": event.note or event.action,
        "TrangThai": NATIONAL_STATUS[event.to_status or dossier.status],
        "NgayBatDau": fmt(dossier.clock_started_at),
        "NgayKetThucTheoQuyDinh": fmt(dossier.legal_due_at),
    }
