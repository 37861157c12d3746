"""The applicant rates the service once per dossier (CONTRACTS.md `POST /dossiers/{code}/rating/`, issue 12):
at the desk when collecting the result, on the public status page, or from the link in the result message."""
from django.db import transaction
from django.utils import timezone

from .. import events
from ..choices import RatingLevel
from ..errors import DomainError, DossierError
from ..models import Dossier, Rating, Status
from .common import _lock

RATABLE = (Status.RESOLVED, Status.RETURNED, Status.REFUSED)  # the applicant has heard the outcome
MAX_COMMENT = 1000


def may_rate(dossier) -> bool:
    """The dossier has an outcome and no rating yet (the forms are shown only then)."""
    return dossier.status in RATABLE and not Rating.objects.filter(dossier_id=dossier.pk).exists()


@transaction.atomic
def dossier_rate(*, dossier: Dossier, level: str, comment: str = "", source: str, actor=None) -> Rating:
    """Store the applicant's rating (one per dossier) and its event. `actor` is the officer who took it at the
    desk; None when the applicant rated by themselves (the status page, the link)."""
    if level not in RatingLevel.values:
        raise DomainError(DossierError.RATING_LEVEL_INVALID, extra={"field": "level"})
    dossier = _lock(dossier)
    if dossier.status not in RATABLE:
        raise DomainError(DossierError.RATING_NOT_YET)
    if Rating.objects.filter(dossier=dossier).exists():
        raise DomainError(DossierError.RATING_EXISTS)
    rating = Rating.objects.create(
        dossier=dossier, office=dossier.office, level=level, comment=(comment or "").strip()[:MAX_COMMENT],
        source=source, receiving_officer_id=dossier.received_by_id, processing_officer_id=dossier.assignee_id,
        recorded_by=actor, at=timezone.now())
    events.dossier_rated(dossier, actor=actor, rating=rating)
    return rating


def rating_summary(rating) -> dict | None:
    """The dossier API's `rating`: {"level", "comment", "source", "at"} or None."""
    if rating is None:
        return None
    return {"level": rating.level, "comment": rating.comment, "source": rating.source,
            "at": timezone.localtime(rating.at).isoformat()}
