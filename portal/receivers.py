"""The national-portal adapter listens to the domain's events (the domain never imports the adapter) and
queues what the portal must hear in the same transaction, as outbox rows (portal.outbox)."""
from cases.models import Source, Status

from .outbox import queue_dossier_progress, queue_pakn_answer


def dossier_event_recorded(sender, *, dossier, event, **kwargs):
    """Progress of a dossier that came from the portal (CapNhatTienDoHoSoMC, then DongBoHoSoMC)."""
    if dossier.source == Source.NATIONAL_PORTAL and event.to_status and event.to_status != Status.SUBMITTED:
        queue_dossier_progress(dossier, event)


def feedback_answer_published(sender, *, item, **kwargs):
    """The answer of a PAKN item back to the national PAKN system (DongBoKetQuaPAKN)."""
    queue_pakn_answer(item)
