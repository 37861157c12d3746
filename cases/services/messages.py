"""A message to the applicant that finally failed is shown on the dossier page and sent again by hand (issue 12):
an officer of the office presses "Gửi lại"; the outbox starts a fresh round of attempts and the dossier's history
records who asked for it."""
from django.db import transaction

from core import permissions
from notifications.models import OutboxMessage
from notifications.selectors import CITIZEN_CHANNELS
from notifications.services import RETRYABLE, outbox_retry

from .. import events
from ..errors import DomainError, DossierError
from ..models import Dossier


@transaction.atomic
def citizen_message_retry(*, actor, dossier: Dossier, message_id: int) -> OutboxMessage:
    permissions.require(actor, "process", dossier)
    message = (OutboxMessage.objects.select_for_update()
               .filter(pk=message_id, dossier_code=dossier.code, channel__in=CITIZEN_CHANNELS).first())
    if message is None or message.state not in RETRYABLE:
        raise DomainError(DossierError.MESSAGE_NOT_RETRYABLE)
    message = outbox_retry(message)
    events.message_retried(dossier, actor=actor, message=message)
    return message
