from django.urls import NoReverseMatch, reverse

from .models import Role

# (label, url name, roles that see it; None = every signed-in user)
NAVIGATION = [
    ("Bàn làm việc", "cases:desk", {Role.RECEPTION, Role.PROCESSOR, Role.ADMIN}),
    ("Tiếp nhận hồ sơ", "cases:intake", {Role.RECEPTION, Role.ADMIN}),
    ("Hồ sơ", "cases:list", None),
    ("Sổ theo dõi", "cases:tracking_book", {Role.RECEPTION, Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    ("Hồ sơ quá hạn", "cases:overdue", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN, Role.PROCESSOR}),
    ("Bảng điều hành", "reports:dashboard", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    ("Phản ánh, kiến nghị", "feedback:list", None),
    ("Báo cáo", "reports:tthc", {Role.DIRECTOR, Role.DEPUTY, Role.LEGAL, Role.ADMIN}),
    ("Giám sát toàn quốc", "reports:oversight", {Role.LEGAL, Role.ADMIN}),
    ("Đồng bộ Cổng DVCQG", "portal:health", {Role.DIRECTOR, Role.DEPUTY, Role.ADMIN}),
    ("Lịch làm việc", "workcal:year", None),
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
