from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PmksConfig(AppConfig):
    name = "pmks"
    verbose_name = _("Data PMKS")
