"""Timeliness of a finished step or dossier against a due moment (DOMAIN.md §3)."""
from django.utils import timezone


def timeliness(done_at, due_at) -> str:
    """`late` if done after the due moment; `early` if done on a calendar day before the due day (local time);
    otherwise `on_time`."""
    if done_at > due_at:
        return "late"
    if timezone.localtime(done_at).date() < timezone.localtime(due_at).date():
        return "early"
    return "on_time"
