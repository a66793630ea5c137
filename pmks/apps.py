from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_view(user) -> bool:
    from psks_portal.scope import user_scope

    scope = user_scope(user)
    return scope.everything or scope.wilayah is not None


def _can_enter(user) -> bool:
    """The PMKS grid and register are for the roles that write data in a wilayah (not a read-only Pimpinan)."""
    from psks_portal.scope import user_scope

    return _can_view(user) and not user_scope(user).read_only


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("Data PMKS")

    def ready(self) -> None:
        from pmks.transfers import RecordHolder
        from psks_portal import transfers
        from psks_portal.navigation import NavItem, register

        transfers.register("bnba", RecordHolder())

        group = _("PMKS")
        register(NavItem("pmks_grid", _("Isian angka per desa"), "pmks:grid_index", _can_enter, 30, group))
        register(
            NavItem("pmks_register", _("Data BNBA (by name by address)"), "pmks:register_list", _can_enter, 31, group)
        )
        register(NavItem("pmks_catalogue", _("Katalog dan padanan"), "pmks:catalogue_mapping", _can_view, 33, group))
