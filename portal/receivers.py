"""The national-portal adapter listens to the domain's events (the domain never imports the adapter) and
queues what the portal must hear in the same transaction, as outbox rows (portal.outbox): every change of every
dossier of a synced office, whatever its channel (CONTRACTS.md §2, "Both ways, every dossier")."""
from cases.models import Dossier, DossierEvent

from .outbox import queue_dossier_change, queue_dossier_changes, queue_pakn_answer


def dossier_event_recorded(sender, *, dossier, event, **kwargs):
    """`CapNhatTienDoHoSoMC` progress and the `DongBoHoSoMC` state of the dossier, in order (portal.push)."""
    queue_dossier_change(dossier, event)


def dossier_events_recorded(sender, *, recorded, **kwargs):
    """The same for events written in bulk (rows of dossier and event fields): a constant number of queries."""
    queue_dossier_changes([(Dossier(**fields), DossierEvent(actor=None, **event_fields))
                           for fields, event_fields in recorded])


def feedback_answer_published(sender, *, item, **kwargs):
    """The answer of a PAKN item back to the national PAKN system (DongBoKetQuaPAKN)."""
    queue_pakn_answer(item)
