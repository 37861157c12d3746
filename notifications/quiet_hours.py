"""When a message may reach a citizen (issue 12): SMS and Zalo only inside CITIZEN_MESSAGE_HOURS (local time,
default 07:00–21:00, every day). A message written outside them is held until the next opening (`not_before`)
and the delivery sweep sends the held ones then, oldest first. E-mail, officer alerts and the national portal
are never held."""
from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

HELD_CHANNELS = frozenset({"sms", "zalo"})


def _spans() -> list[tuple[time, time]]:
    return [(time.fromisoformat(a), time.fromisoformat(b)) for a, b in settings.CITIZEN_MESSAGE_HOURS]


def next_allowed(channel: str, now: datetime | None = None) -> datetime | None:
    """None when a message on `channel` may go out at `now`; else the next moment it may (aware)."""
    if channel not in HELD_CHANNELS:
        return None
    now = now or timezone.now()
    local = timezone.localtime(now)
    spans = _spans()
    if not spans:  # no hours configured (the test settings): never held
        return None
    for start, end in spans:
        if start <= local.time() < end:
            return None
    for start, _end in spans:  # later today
        if local.time() < start:
            return local.replace(hour=start.hour, minute=start.minute, second=0, microsecond=0)
    first = spans[0][0]
    tomorrow = (local + timedelta(days=1)).date()
    return timezone.make_aware(datetime.combine(tomorrow, first))
