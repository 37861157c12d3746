from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key, key) if mapping else key


@register.filter
def status_label(code):
    """A dossier status code as the officer reads it (received → Đã tiếp nhận)."""
    from cases.models import Status

    return Status(code).label if code in Status.values else (code or "—")


@register.filter
def event_label(action):
    from cases.services import EVENT_LABELS

    return EVENT_LABELS.get(action, action)
