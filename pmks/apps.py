from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_enter(user) -> bool:
    """The PMKS grid and register are for the roles that write data in a wilayah (not a read-only Pimpinan)."""
    from psks_portal.scope import user_scope

    scope = user_scope(user)
    return not scope.read_only and (scope.everything or scope.wilayah is not None)


def _can_view(user) -> bool:
    from psks_portal.scope import user_scope

    scope = user_scope(user)
    return scope.everything or scope.wilayah is not None


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("Data PMKS")

    def ready(self) -> None:
        from psks_portal import navigation

        navigation.register(navigation.NavItem("pmks_grid", _("Isian PMKS"), "pmks:grid_index", _can_enter, 30))
        navigation.register(navigation.NavItem("pmks_register", _("Data BNBA"), "pmks:register_list", _can_enter, 31))
        navigation.register(navigation.NavItem("pmks_table", _("Tabel PMKS"), "pmks:table", _can_view, 32))
        navigation.register(
            navigation.NavItem(
                "pmks_catalogue", _("Katalog PMKS"), "pmks:catalogue_mapping", lambda user: user.is_authenticated, 32
            )
        )
