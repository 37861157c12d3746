"""Template filters of the dossier pages."""
from django import template

from ..models import Status
from ..services import EVENT_LABELS

register = template.Library()


@register.filter
def status_label(code):
    """A dossier status code as the officer reads it (received → Đã tiếp nhận)."""
    return Status(code).label if code in Status.values else (code or "—")


@register.filter
def event_label(action):
    return EVENT_LABELS.get(action, action)
