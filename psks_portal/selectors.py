"""Read-side queries of the core: wilayah summaries for landing pages and pickers, and account coverage.

Every count is a GROUP BY on the stored ancestor columns: no loop over rows, no recursive query.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q

from psks_portal.models import LEVEL_FIELD, Role, User, Wilayah
from psks_portal.scope import user_scope

# The column that identifies the child area a row falls in, below a wilayah of a given level (None = nasional).
CHILD_COLUMN = {
    None: "provinsi",
    Wilayah.PROVINSI: "kabupaten",
    Wilayah.KABUPATEN: "kecamatan",
    Wilayah.KECAMATAN: "code",
}


@dataclass
class ChildArea:
    wilayah: Wilayah
    kecamatan: int = 0
    desa: int = 0
    admins: int = 0
    operators: int = 0
    tksk: int = 0

    @property
    def has_tksk(self) -> bool:
        return self.tksk > 0


@dataclass
class WilayahOverview:
    """A wilayah (or the whole country when ``wilayah`` is None) with its child areas and the counts below it."""

    wilayah: Wilayah | None
    lineage: list[Wilayah]
    level_counts: dict[int, int]
    children: list[ChildArea] = field(default_factory=list)

    @property
    def child_level(self) -> int | None:
        level = self.wilayah.level if self.wilayah else 0
        return level + 1 if level < Wilayah.DESA else None

    @property
    def children_without_tksk(self) -> list[ChildArea]:
        return [c for c in self.children if not c.has_tksk]

    @property
    def children_without_operator(self) -> list[ChildArea]:
        return [c for c in self.children if not c.operators]

    @property
    def children_without_admin(self) -> list[ChildArea]:
        return [c for c in self.children if not c.admins]


def wilayah_overview(wilayah: Wilayah | None) -> WilayahOverview:
    """Counts per level below ``wilayah`` and one row per child area, in a fixed number of queries."""
    below = Wilayah.objects.within(wilayah)
    level_counts = dict(below.values_list("level").annotate(n=Count("code")).order_by())
    parent_level = wilayah.level if wilayah else None
    overview = WilayahOverview(wilayah, wilayah.lineage() if wilayah else [], level_counts)
    if parent_level == Wilayah.DESA:
        return overview
    child_col = CHILD_COLUMN[parent_level]
    children = list(Wilayah.objects.filter(parent=wilayah) if wilayah else Wilayah.objects.at_level(Wilayah.PROVINSI))
    rows = {c.code: ChildArea(c) for c in children}
    if child_col != "code":
        per_child = below.filter(level__in=[Wilayah.KECAMATAN, Wilayah.DESA]).values_list(child_col, "level")
        for code, level, n in per_child.annotate(n=Count("code")).order_by():
            if code in rows:
                setattr(rows[code], "kecamatan" if level == Wilayah.KECAMATAN else "desa", n)
    users = User.objects.filter(is_active=True, role__in=[Role.ADMIN_PROVINSI, Role.OPERATOR_KABKOTA, Role.TKSK])
    if wilayah is not None:
        users = users.filter(**_user_within(wilayah))
    wilayah_child = f"wilayah__{child_col}" if child_col != "code" else "wilayah"
    for code, role, n in users.values_list(wilayah_child, "role").annotate(n=Count("id")).order_by():
        if code in rows:
            field_name = {Role.TKSK: "tksk", Role.OPERATOR_KABKOTA: "operators", Role.ADMIN_PROVINSI: "admins"}[role]
            setattr(rows[code], field_name, n)
    overview.children = list(rows.values())
    return overview


def _user_within(wilayah: Wilayah) -> dict:
    column = LEVEL_FIELD[wilayah.level]
    return {"wilayah": wilayah.code} if column == "code" else {f"wilayah__{column}": wilayah.code}


def child_options(user, parent_code: str | None) -> list[Wilayah]:
    """The children of ``parent_code`` (provinsi list when empty) that the user's scope reaches, for the picker."""
    qs = Wilayah.objects.for_user(user).active()
    if parent_code:
        return list(qs.filter(parent_id=parent_code).only("code", "name", "kind", "level"))
    return list(qs.filter(level=Wilayah.PROVINSI).only("code", "name", "kind", "level"))


def users_for_user(user, *, search: str = "", role: str = "", wilayah: Wilayah | None = None):
    """Accounts whose wilayah lies in the user's scope (national accounts only for a national scope)."""
    scope = user_scope(user)
    qs = User.objects.select_related("wilayah").order_by("role", "wilayah_id", "username")
    if not scope.everything:
        if scope.wilayah is None:
            return qs.none()
        qs = qs.filter(is_superuser=False, **_user_within(scope.wilayah))
    if wilayah is not None:
        qs = qs.filter(**_user_within(wilayah))
    if role:
        qs = qs.filter(role=role)
    if search:
        qs = qs.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    return qs
