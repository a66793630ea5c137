"""Who may manage which accounts: a manager creates and edits accounts strictly below them, never peers or above."""

from __future__ import annotations

from psks_portal.models import ROLE_LEVELS, Role, User, Wilayah
from psks_portal.scope import user_scope

MANAGEABLE_ROLES: dict[str, tuple[str, ...]] = {
    Role.ADMIN_PROVINSI: (Role.OPERATOR_KABKOTA, Role.TKSK, Role.PIMPINAN),
    Role.OPERATOR_KABKOTA: (Role.TKSK, Role.PIMPINAN),
}


def manageable_roles(manager: User) -> tuple[str, ...]:
    if manager.is_superuser:
        return tuple(Role.values)
    if not manager.is_active:
        return ()
    return MANAGEABLE_ROLES.get(manager.role, ())


def can_manage_accounts(manager: User) -> bool:
    return bool(manageable_roles(manager))


def can_assign(manager: User, role: str, wilayah: Wilayah | None) -> bool:
    """May ``manager`` give an account this role at this wilayah?"""
    if role not in manageable_roles(manager):
        return False
    if (wilayah.level if wilayah else None) not in ROLE_LEVELS[role]:
        return False
    # Roles below the manager only (see MANAGEABLE_ROLES), at a wilayah inside the manager's scope.
    return user_scope(manager).contains(wilayah)


def can_manage(manager: User, target: User) -> bool:
    """May ``manager`` edit ``target``? Never themselves here (that is the profile page), never a superuser."""
    if target.pk == manager.pk or target.is_superuser:
        return False
    return can_assign(manager, target.role, target.wilayah)
