"""The national-portal adapter listens to the domain's events (the domain never imports the adapter) and
queues what the portal must hear in the same transaction, as outbox rows (portal.outbox)."""
from django.db import transaction
from django.utils import timezone

from cases.models import Dossier, DossierEvent, Source, Status
from core.db import bulk_insert_ignore
from notifications.models import OutboxMessage

from .outbox import progress_object, queue_dossier_progress, queue_pakn_answer


def _pushed(dossier, event) -> bool:
    return dossier.source == Source.NATIONAL_PORTAL and bool(event.to_status) and event.to_status != Status.SUBMITTED


def dossier_event_recorded(sender, *, dossier, event, **kwargs):
    """Progress of a dossier that came from the portal (CapNhatTienDoHoSoMC, then DongBoHoSoMC)."""
    if _pushed(dossier, event):
        queue_dossier_progress(dossier, event)


def dossier_events_recorded(sender, *, recorded, **kwargs):
    """The same for events written in bulk (rows of dossier and event fields): one INSERT of their outbox rows
    (the keys of queue_dossier_progress, so a replay inserts nothing)."""
    now = timezone.now()
    messages = []
    for fields, event_fields in recorded:
        if fields["source"] != Source.NATIONAL_PORTAL or not fields["office"].agency_code:
            continue
        dossier, event = Dossier(**fields), DossierEvent(actor=None, **event_fields)
        if not _pushed(dossier, event):
            continue
        messages.append({
            "channel": "portal", "kind": "dossier.progress", "idempotency_key": f"portal-progress:{event.pk}",
            "office_id": dossier.office.pk, "dossier_code": dossier.code, "subject": event.action,
            "payload": {"madonvi": dossier.office.agency_code, "progress": progress_object(dossier, event)},
            "next_attempt_at": now,
        })
    if messages:
        bulk_insert_ignore(OutboxMessage, messages)
        transaction.on_commit(_kick_delivery)


def _kick_delivery():
    from .tasks import push_pending

    try:
        push_pending.delay()
    except Exception:  # noqa: BLE001 - the periodic delivery picks them up if the broker is down
        pass


def feedback_answer_published(sender, *, item, **kwargs):
    """The answer of a PAKN item back to the national PAKN system (DongBoKetQuaPAKN)."""
    queue_pakn_answer(item)
