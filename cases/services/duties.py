"""Separation of duties (issue 12), per rule version: who may record a dossier's result (core.permissions
.can_resolve) and the optional approval of the result by the head of the processing unit before it is recorded
(`approve-result`, an event of its own). The approval counts while the dossier has not gone back for papers: a
supplement received after it asks for a new one."""
from datetime import datetime

from django.db import transaction

from core import permissions
from core.models import User

from .. import events, versions
from ..errors import DomainError, DossierError
from ..events import DossierAction
from ..models import Dossier, DossierEvent
from .common import _check_from, _lock, _moment, _require_writer


def approval_required(dossier) -> bool:
    return dossier.received_at is not None and versions.version_of(dossier).result_approval_required


def result_approved(dossier) -> bool:
    """An `approve-result` event after the last time the dossier came back into processing with new papers."""
    last = (DossierEvent.objects.filter(dossier=dossier, action__in=[DossierAction.APPROVE_RESULT,
                                                                     DossierAction.SUPPLEMENT_RECEIVED])
            .order_by("-at", "-id").values_list("action", flat=True).first())
    return last == DossierAction.APPROVE_RESULT


def approval_pending(dossier) -> bool:
    """The `approve-result` button is offered: approval is asked for and not given yet."""
    return approval_required(dossier) and not result_approved(dossier)


def check_resolver(actor, dossier) -> None:
    """Refuse the result unless the actor may record it and, where asked for, it was approved. A history replayed
    from the previous software (`manage.py import_history`, events.replaying) is a record of what was done there
    under its own rules: it is kept as it happened, never refused for them."""
    if events.is_replaying():
        return
    permissions.require(actor, "resolve", dossier)
    if approval_pending(dossier):
        raise DomainError(DossierError.RESULT_APPROVAL_REQUIRED)


@transaction.atomic
def dossier_approve_result(*, actor: User, dossier: Dossier, note: str = "", at: datetime | None = None) -> Dossier:
    """The head of the processing unit (or the director, a deputy) approves the result before it is recorded."""
    _require_writer(actor)
    dossier = _lock(dossier)
    _check_from(dossier, DossierAction.APPROVE_RESULT)
    permissions.require(actor, "approve_result", dossier)
    if not approval_required(dossier):
        raise DomainError(DossierError.RESULT_APPROVAL_NOT_ASKED)
    if result_approved(dossier):
        raise DomainError(DossierError.RESULT_ALREADY_APPROVED)
    now = _moment(at, dossier)
    events.result_approved(dossier, actor=actor, note=(note or "").strip()[:500], at=now)
    return dossier
