from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _can_see(user) -> bool:
    from psks_portal.scope import user_scope

    scope = user_scope(user)
    return scope.everything or scope.wilayah is not None


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registri SDM Kesos & PSKS")

    def ready(self) -> None:
        from psks_portal import transfers
        from psks_portal.navigation import NavItem, register
        from registry.transfers import PersonHolder

        transfers.register("registri", PersonHolder())

        group = _("Registri")
        register(NavItem("persons", _("SDM Kesos & PSKS perseorangan"), "registry:person_list", _can_see, 20, group))
        register(NavItem("organisations", _("Lembaga dan keluarga"), "registry:organisation_list", _can_see, 21, group))
        register(NavItem("tksk", _("TKSK: seleksi dan cakupan"), "registry:tksk_coverage", _can_see, 22, group))
        register(NavItem("criteria", _("Jenis dan kriteria"), "registry:criteria_list", _can_see, 23, group))
