from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _has_scope(user) -> bool:
    from psks_portal.scope import user_scope

    scope = user_scope(user)
    return scope.everything or scope.wilayah is not None


def _monitors(user) -> bool:
    """Completeness is for those who follow other people's reports (a TKSK has their own list)."""
    from psks_portal import roles

    return _has_scope(user) and not roles.is_tksk(user)


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Pelaporan TKSK")

    def ready(self) -> None:
        from psks_portal import locks
        from psks_portal.navigation import NavItem, register
        from reporting.services import figures_locked_reason

        locks.register(figures_locked_reason)

        group = _("Laporan")
        register(NavItem("dashboard", _("Dasbor"), "reporting:dashboard", _has_scope, 39, group))
        register(NavItem("report_list", _("Laporan TKSK"), "reporting:report_list", _has_scope, 40, group))
        register(NavItem("completeness", _("Kelengkapan laporan"), "reporting:completeness", _monitors, 41, group))
        register(NavItem("rollup", _("Rekap per wilayah"), "reporting:rollup", _has_scope, 42, group))
        # The published PMKS table sits with the PMKS pages in the menu; its figures are the roll-ups'.
        register(NavItem("pmks_table", _("Tabel PMKS per wilayah"), "reporting:pmks_table", _has_scope, 32, _("PMKS")))
        register(NavItem("recap_index", _("Rekap dokumen (PDF/Excel)"), "reporting:recap_index", _has_scope, 43, group))
        register(NavItem("downloads", _("Unduhan"), "reporting:downloads", _has_scope, 44, group))
