"""Template filters of the feedback pages."""
from django import template

from ..events import FeedbackAction

register = template.Library()


@register.filter
def feedback_event_label(action):
    """How a PAKN history line reads (classify → Phân loại); the raw value only for an unknown one."""
    return FeedbackAction(action).label if action in FeedbackAction.values else action
