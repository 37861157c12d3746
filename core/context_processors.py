from django.urls import reverse
from django.utils.translation import gettext_noop as _

from . import permissions
from .models import Role

# (label, url name, capability): an item is shown exactly when its page lets the user in (core.permissions).
NAVIGATION = [
    (_("Bàn làm việc"), "cases:desk", "view_desk"),
    (_("Tiếp nhận hồ sơ"), "cases:intake", "receive"),
    (_("Hồ sơ"), "cases:list", "view_dossiers"),
    (_("Sổ theo dõi"), "cases:tracking_book", "view_tracking_book"),
    (_("Hồ sơ quá hạn"), "cases:overdue", "view_overdue_desk"),
    (_("Bảng điều hành"), "reports:dashboard", "view_dashboard"),
    (_("Phản ánh, kiến nghị"), "feedback:list", "view_feedback"),
    (_("Báo cáo"), "reports:tthc", "view_reports"),
    (_("Giám sát toàn quốc"), "reports:oversight", "view_oversight"),
    (_("Đồng bộ Cổng DVCQG"), "portal:health", "view_sync_health"),
    (_("Lịch làm việc"), "workcal:year", "view_calendar"),
    (_("Căn cứ pháp lý"), "legal:list", "edit_legal_basis"),
]


def menu_for(user) -> list[tuple[str, str]]:
    """(label, url) of the pages the user may open, in menu order. A wrong url or capability name raises."""
    return [(label, reverse(name)) for label, name, cap in NAVIGATION if permissions.can(user, cap)]


# The menu's own short words (the full label is the link's title), so that the bar holds on one line at 1366 px
# for every role, the administrator's twelve items included (issue 12).
SHORT = {
    "Bàn làm việc": "Bàn làm việc", "Tiếp nhận hồ sơ": "Tiếp nhận", "Hồ sơ": "Hồ sơ", "Sổ theo dõi": "Sổ theo dõi",
    "Hồ sơ quá hạn": "Quá hạn", "Bảng điều hành": "Điều hành", "Phản ánh, kiến nghị": "PAKN", "Báo cáo": "Báo cáo",
    "Giám sát toàn quốc": "Giám sát", "Đồng bộ Cổng DVCQG": "Đồng bộ", "Lịch làm việc": "Lịch",
    "Căn cứ pháp lý": "Căn cứ PL",
}  # translated in the template with the context "menu" (locale/en: msgctxt "menu")


def _active(path: str, urls: list[str]) -> str | None:
    """The one menu item the page belongs to: the longest menu URL the path starts with (the intake page
    /ho-so/tiep-nhan/ is "Tiếp nhận", not also "Hồ sơ")."""
    matching = [url for url in urls if path.startswith(url)]
    return max(matching, key=len) if matching else None


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    menu = menu_for(user)
    active = _active(request.path, [url for _label, url in menu])
    items = [{"label": label, "short": SHORT[label], "url": url, "active": url == active}
             for label, url in menu]
    return {"nav_items": items, "user_role_label": Role(permissions.role_of(user)).label}
