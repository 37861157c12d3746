"""Who may edit the legal basis: the Legal Department (role `legal`) and the administrator (role `admin` or a
superuser). Everyone else reads it only through the slips."""
from core.models import Role


def can_edit_legal_basis(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active
                and (user.is_superuser or user.role in (Role.LEGAL, Role.ADMIN)))
