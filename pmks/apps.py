from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("Data PMKS")

    def ready(self) -> None:
        from psks_portal import navigation

        navigation.register(
            navigation.NavItem(
                "pmks_catalogue", _("Katalog PMKS"), "pmks:catalogue_mapping", lambda user: user.is_authenticated, 30
            )
        )
