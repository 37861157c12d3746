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
