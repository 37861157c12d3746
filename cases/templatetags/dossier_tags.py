"""Template filters of the dossier pages."""
from django import template

from ..events import event_label as _event_label
from ..codes import dossier_url as _dossier_url
from ..models import Status

register = template.Library()


@register.filter
def status_label(code):
    """A dossier status code as the officer reads it (received → Đã tiếp nhận)."""
    return Status(code).label if code in Status.values else (code or "—")


@register.filter
def event_label(action):
    return _event_label(action)


@register.filter
def dossier_url(code):
    """The dossier page's URL, "" for a code outside the contract's pattern (the page shows it unlinked)."""
    return _dossier_url(code)
