"""The national portal's panel on the dossier page (the domain's template names the tag; the adapter fills it)."""
from django import template
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal import selectors

register = template.Library()


@register.inclusion_tag("portal/_dossier_panel.html")
def national_portal_panel(dossier):
    return selectors.dossier_portal_state(dossier)


NATIONAL_LABELS = {1: _("Chờ tiếp nhận"), 2: _("Đã tiếp nhận"), 3: _("Từ chối"), 4: _("Đang giải quyết"),
                   5: _("Chờ bổ sung"), 6: _("Yêu cầu thanh toán"), 7: _("Rút hồ sơ"), 8: _("Dừng xử lý"),
                   9: _("Đã có kết quả"), 10: _("Đã trả kết quả")}


@register.filter
def national_status(code):
    """A national status code (CONTRACTS.md §1.3) as "3 – Từ chối"."""
    try:
        number = int(code)
    except (TypeError, ValueError):
        return code
    label = NATIONAL_LABELS.get(number)
    return f"{number} – {label}" if label else str(number)


@register.filter
def age_since(moment):
    """How long ago `moment` was, in days and hours, hours and minutes, or minutes (the backlog's age)."""
    if not moment:
        return ""
    minutes = max(0, int((timezone.now() - moment).total_seconds() // 60))
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    if days:
        return gettext("%(d)s ngày %(h)s giờ") % {"d": days, "h": hours}
    if hours:
        return gettext("%(h)s giờ %(m)s phút") % {"h": hours, "m": minutes}
    return gettext("%(m)s phút") % {"m": minutes}
