from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registri SDM Kesos & PSKS")

    def ready(self) -> None:
        from psks_portal import navigation
        from psks_portal.scope import user_scope

        def can_see(user) -> bool:
            scope = user_scope(user)
            return scope.everything or scope.wilayah is not None

        navigation.register(navigation.NavItem("persons", _("SDM Kesos & PSKS"), "registry:person_list", can_see, 20))
        navigation.register(
            navigation.NavItem("organisations", _("Lembaga"), "registry:organisation_list", can_see, 21)
        )
        navigation.register(navigation.NavItem("tksk", _("TKSK"), "registry:tksk_coverage", can_see, 22))
