"""Progress of national-portal dossiers, queued for the portal in the same transaction as the change."""
from django.utils import timezone

from notifications.services import outbox_enqueue


def _fmt(moment):
    return timezone.localtime(moment).strftime("%Y%m%d%H%M%S") if moment else ""


def progress_object(dossier, event) -> dict:
    """The CapNhatTienDoHoSoMC progress object (CONTRACTS.md §2)."""
    from cases.models import NATIONAL_STATUS

    actor = event.actor
    return {
        "MaHoSo": dossier.code,
        "NguoiXuLy": event.actor_name,
        "ChucDanh": (actor.title if actor else "") or "",
        "ThoiDiemXuLy": _fmt(event.at),
        "PhongBanXuLy": dossier.office.name,
        "NoiDungXuLy": event.note or event.action,
        "TrangThai": NATIONAL_STATUS[event.to_status],
        "NgayBatDau": _fmt(dossier.clock_started_at),
        "NgayKetThucTheoQuyDinh": _fmt(dossier.legal_due_at),
    }


def queue_dossier_progress(dossier, event):
    """One outbox row per event: `CapNhatTienDoHoSoMC` progress plus the `DongBoHoSoMC` update."""
    if not dossier.office.agency_code:
        return None
    message, _ = outbox_enqueue(
        channel="portal", kind="dossier.progress", idempotency_key=f"portal-progress:{event.pk}",
        office=dossier.office, dossier_code=dossier.code, subject=event.action,
        payload={"madonvi": dossier.office.agency_code, "progress": progress_object(dossier, event)},
    )
    return message


CHANNEL_CODES = {"direct": 1, "online": 2, "postal": 3}  # KenhThucHien
KIND_CODES = {"citizen": 1, "enterprise": 2, "organisation": 4}  # LoaiDoiTuong (3 = state agency)


def _national_phone(phone: str) -> str:
    return "0" + phone[3:] if phone.startswith("+84") else phone


def dossier_object(dossier) -> dict:
    """The DongBoHoSoMC dossier object of a Dossier as it stands now (CONTRACTS.md §2, names exactly so)."""
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
        "NgayNopHoSo": _fmt(dossier.submitted_at),
        "NgayTiepNhan": _fmt(dossier.received_at),
        "NgayHenTra": _fmt(dossier.appointment_at),
        "TrangThaiHoSo": NATIONAL_STATUS[dossier.status],
        "NgayTra": _fmt(dossier.returned_at),
        "DonViXuLy": dossier.office.name,
        "GhiChu": dossier.result_summary or "",
        "TaiLieuNop": payload.get("TaiLieuNop") or [],
    }


def answer_object(item) -> dict:
    """The DongBoKetQuaPAKN answer of a feedback item (CONTRACTS.md §2)."""
    signer = item.approved_by or item.answered_by
    return {
        "MaPAKN": item.code,
        "NoiDungTraLoi": item.answer,
        "NguoiTraLoi": item.answer_signer_name or (signer.display_name if signer else ""),
        "ChucVuNguoiTraLoi": item.answer_signer_title or (signer.title if signer else ""),
        "NgayTraLoi": _fmt(item.answered_at or item.approved_at or timezone.now()),
        "CongKhai": 1 if item.is_public else 0,
    }


def queue_pakn_answer(item):
    """One outbox row (channel "portal", kind "pakn.answer") carrying the answer to the national PAKN system,
    written in the caller's transaction. Items received at the desk are not known there: nothing is queued."""
    if item.source != "national_portal" or not item.office.agency_code:
        return None
    answer = answer_object(item)
    message, _ = outbox_enqueue(
        channel="portal", kind="pakn.answer",
        idempotency_key=f"portal-pakn-answer:{item.pk}:{answer['NgayTraLoi']}:{answer['CongKhai']}",
        office=item.office, subject=item.code, payload={"madonvi": item.office.agency_code, "answer": answer},
    )
    return message
