"""Online dossiers waiting (DOMAIN.md §2.1): accept or refuse several from the list at once. Not one
transaction: each dossier goes through its own service call (its own transaction, lock and event), so one
already decided by somebody else is reported and the others go on."""
from dataclasses import dataclass

from core.errors import DomainError
from core.models import User

from ..errors import DossierError
from ..events import DossierAction
from ..models import Dossier
from .intake import dossier_accept
from .lifecycle import dossier_refuse

BULK_DECISIONS = (DossierAction.ACCEPT, DossierAction.REFUSE)


@dataclass
class BulkOutcome:
    code: str
    ok: bool
    message: str = ""


def dossiers_decide(*, actor: User, dossiers: list[Dossier], decision: str, reason: str = "") -> list[BulkOutcome]:
    """`accept` or `refuse` (one reason for all) each dossier in turn; one outcome per dossier, in order."""
    if decision not in BULK_DECISIONS:
        raise DomainError(DossierError.BULK_DECISION_INVALID)
    if decision == DossierAction.REFUSE and not (reason or "").strip():
        raise DomainError(DossierError.REFUSAL_REASON_REQUIRED)
    outcomes = []
    for dossier in dossiers:
        try:
            if decision == DossierAction.ACCEPT:
                dossier_accept(actor=actor, dossier=dossier)
            else:
                dossier_refuse(actor=actor, dossier=dossier, reason=reason)
        except DomainError as exc:
            outcomes.append(BulkOutcome(dossier.code, False, str(exc.message)))
        else:
            outcomes.append(BulkOutcome(dossier.code, True))
    return outcomes
