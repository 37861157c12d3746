from django.utils.functional import SimpleLazyObject

from .selectors import alert_unread_count


def bell(request):
    """The unread count of the header's bell (templates/base.html): one COUNT, run only when a page shows it,
    equal to the length of the unread list (notifications.selectors)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"bell_unread": SimpleLazyObject(lambda: alert_unread_count(user=user))}
