"""What a user's role lets them do, asked in one place (no ``user.role == Role.X`` comparisons elsewhere).

Scope (which wilayah) is ``psks_portal.scope``; this module answers questions about the role itself.
"""

from __future__ import annotations

from psks_portal.models import Role
from psks_portal.scope import user_scope


def is_tksk(user) -> bool:
    return getattr(user, "role", "") == Role.TKSK and not user.is_superuser


def is_operator(user) -> bool:
    """Operator Dinsos of a kabupaten/kota (verifies the reports of its kecamatan), or a superuser."""
    return user.is_superuser or getattr(user, "role", "") == Role.OPERATOR_KABKOTA


def is_admin_provinsi(user) -> bool:
    """Admin Provinsi, or a superuser (who may do what an admin does anywhere)."""
    return user.is_superuser or getattr(user, "role", "") == Role.ADMIN_PROVINSI


def is_pimpinan(user) -> bool:
    return getattr(user, "role", "") == Role.PIMPINAN and not user.is_superuser


def is_tksk_of(user, kecamatan_code: str) -> bool:
    """The TKSK whose own kecamatan this is."""
    return is_tksk(user) and user.wilayah_id == kecamatan_code


def may_write_somewhere(user) -> bool:
    """Whether the user may change data in some wilayah (not a read-only Pimpinan, not an account without scope)."""
    scope = user_scope(user)
    return not scope.read_only and (scope.everything or scope.wilayah is not None)


def suppresses_small_cells(user) -> bool:
    """The disclosure policy: whether published figures are shown to this user with small counts withheld
    (``psks_portal.disclosure``). Read-only viewers (Pimpinan, the public screens) get the published figures only:
    accepted reports, small counts hidden; everyone who enters or checks data sees the figures as they are."""
    return user_scope(user).read_only
