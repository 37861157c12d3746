from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_noop as _

from .models import Role

# (label, url name, roles that see it; None = every signed-in user)
NAVIGATION = [
    (_("Bàn làm việc"), "cases:desk", {Role.RECEPTION, Role.PROCESSOR, Role.ADMIN}),
    (_("Tiếp nhận hồ sơ"), "cases:intake", {Role.RECEPTION, Role.ADMIN}),
    (_("Hồ sơ"), "cases:list", None),
    (_("Sổ theo dõi"), "cases:tracking_book", {Role.RECEPTION, Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    (_("Hồ sơ quá hạn"), "cases:overdue", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN, Role.PROCESSOR}),
    (_("Bảng điều hành"), "reports:dashboard", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    (_("Phản ánh, kiến nghị"), "feedback:list", None),
    (_("Báo cáo"), "reports:tthc", {Role.DIRECTOR, Role.DEPUTY, Role.LEGAL, Role.ADMIN}),
    (_("Giám sát toàn quốc"), "reports:oversight", {Role.LEGAL, Role.ADMIN}),
    (_("Đồng bộ Cổng DVCQG"), "portal:health", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    (_("Lịch làm việc"), "workcal:year", None),
    (_("Căn cứ pháp lý"), "legal:list", {Role.LEGAL, Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    role = Role.ADMIN if user.is_superuser else user.role
    items = []
    for label, name, roles in NAVIGATION:
        if roles is not None and role not in roles:
            continue
        try:
            items.append({"label": label, "url": reverse(name), "active": request.path.startswith(reverse(name))})
        except NoReverseMatch:
            continue  # the capability is not installed yet
    return {"nav_items": items, "user_role_label": Role(role).label}
