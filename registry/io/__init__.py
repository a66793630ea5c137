"""The registry's spreadsheet import and export: persons with their roles (``persons``), organisations
(``organisations``), their shared cells and template (``cells``), and the roster exports (``exports``).

Imports run through the core pipeline (``psks_portal.tabular.pipeline``: preview = dry run, confirm re-validates
and writes all or nothing) and its one pair of views (``psks_portal.views.imports``) with the pages below. Every
record an import creates or changes gets a ``simple_history`` row (user + reason); each written import and each
export leaves one ``LogEntry`` (who, when, what, how many rows, which filters; NIKs masked).
"""

from django.utils.translation import gettext_lazy as _

from psks_portal.views.imports import ImportPage
from registry.io.cells import EDUCATION_CODES
from registry.io.exports import (
    EXPORT_ACTION_FLAG,
    ORGANISATION_EXPORT_COLUMNS,
    PERSON_EXPORT_COLUMNS,
    organisation_export,
    person_export,
)
from registry.io.organisations import ORGANISATION_COLUMNS, ORGANISATIONS
from registry.io.persons import PERSON_COLUMNS, PERSONS


def _urls(prefix: str) -> dict[str, str]:
    return {action: f"registry:{prefix}_{action}" for action in ("list", "import", "import_confirm", "template")}


PERSON_PAGE = ImportPage(
    PERSONS,
    _urls("person"),
    ident_label=_("NIK"),
    kind_label=_("Jenis"),
    file_stem="sdm-kesos-psks",
    hints=(_("Orang dicocokkan menurut NIK; satu baris untuk satu peran (Jenis)."),),
    active_nav="persons",
)
ORGANISATION_PAGE = ImportPage(
    ORGANISATIONS,
    _urls("organisation"),
    ident_label=_("Nomor Tanda Daftar"),
    kind_label=_("Jenis"),
    file_stem="lembaga-psks",
    active_nav="organisations",
    hints=(_("Lembaga dicocokkan menurut Nomor Tanda Daftar, atau bila kosong menurut nama dan kode desa."),),
)

__all__ = [
    "EDUCATION_CODES",
    "EXPORT_ACTION_FLAG",
    "ORGANISATIONS",
    "ORGANISATION_COLUMNS",
    "ORGANISATION_EXPORT_COLUMNS",
    "ORGANISATION_PAGE",
    "PERSONS",
    "PERSON_COLUMNS",
    "PERSON_EXPORT_COLUMNS",
    "PERSON_PAGE",
    "organisation_export",
    "person_export",
]
