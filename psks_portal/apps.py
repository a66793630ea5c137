from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "psks_portal"
    verbose_name = _("Inti portal: wilayah dan pengguna")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from psks_portal import (
            checks,  # noqa: F401 - registers the deployment checks
            converters,
        )

        converters.register()

        from psks_portal import roles
        from psks_portal.navigation import NavItem, register

        register(NavItem("transfers", _("Permintaan pindah data"), "transfer_list", roles.may_write_somewhere, 25))
