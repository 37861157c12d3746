"""Reads of the officer alerts: the caller's own rows of channel "officer", newest first. Nothing else scopes
them: an alert belongs to its `recipient_user`, whatever office the dossier it names is in now."""
from django.db.models import QuerySet

from .models import Channel, OutboxMessage

ALERT_FIELDS = ("id", "kind", "subject", "body", "dossier_code", "created_at", "read_at")


def alert_list(*, user, unread: bool = False) -> QuerySet:
    """The user's alerts, newest first (`unread=True`: only those not read yet). One query, whatever the page."""
    if not user.is_authenticated:
        return OutboxMessage.objects.none()
    qs = OutboxMessage.objects.filter(channel=Channel.OFFICER, recipient_user=user)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.only(*ALERT_FIELDS).order_by("-created_at", "-pk")


def alert_get(*, user, pk: int) -> OutboxMessage:
    """One of the user's own alerts; DoesNotExist for anyone else's (the views answer 404)."""
    return alert_list(user=user).get(pk=pk)


def alert_unread_count(*, user) -> int:
    """What the bell shows: exactly the length of `alert_list(user=user, unread=True)` (one COUNT on the
    partial index `outbox_unread_alert`)."""
    return alert_list(user=user, unread=True).order_by().count()


CITIZEN_CHANNELS = (Channel.SMS, Channel.ZALO, Channel.EMAIL)


def citizen_messages(*, dossier_code: str) -> QuerySet:
    """The messages to the applicant of one dossier (SMS, Zalo, e-mail), oldest first, for the dossier page."""
    return (OutboxMessage.objects.filter(dossier_code=dossier_code, channel__in=CITIZEN_CHANNELS)
            .only("id", "channel", "kind", "recipient", "state", "attempts", "last_error", "created_at", "sent_at",
                  "next_attempt_at", "not_before")
            .order_by("created_at", "pk"))
