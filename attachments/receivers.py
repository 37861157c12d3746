"""What the papers app hears from the dossier's history (cases.signals.dossier_event_recorded)."""
from cases.events import DossierAction, is_replaying

from . import services


def dossier_event_recorded(sender, *, dossier, event, **kwargs):
    """Resolved or returned online: the applicant is told the result document is ready, with its link."""
    if is_replaying() or event.action not in (DossierAction.RESOLVE, DossierAction.RETURN):
        return
    channel = (event.data or {}).get("channel", "") if event.action == DossierAction.RETURN else ""
    services.notify_result_ready(dossier, channel=channel)
