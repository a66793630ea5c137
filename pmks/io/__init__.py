"""The PMKS app's spreadsheet import and export: the by-name (BNBA) register (``records``: the importer run by the
core pipeline and its one pair of views; ``exports``: the export with a stated purpose)."""

from django.utils.translation import gettext_lazy as _

from pmks.io.exports import EXPORT_COLUMNS, PURPOSE_MIN_LENGTH, PURPOSES, can_export, record_export
from pmks.io.records import COLUMNS, RECORDS
from psks_portal.views.imports import ImportPage

RECORD_PAGE = ImportPage(
    RECORDS,
    {
        "list": "pmks:register_list",
        "import": "pmks:register_import",
        "import_confirm": "pmks:register_import_confirm",
        "template": "pmks:register_template",
    },
    ident_label=_("NIK"),
    kind_label=_("Kategori"),
    hints=(
        _("Orang dicocokkan menurut NIK; tanpa NIK menurut nama, tanggal lahir dan kode desa."),
        _(
            "Kategori ditulis dengan singkatan atau nomor katalog aktif, beberapa dipisah titik koma atau koma. "
            "Aturan usia dan jenis kelamin diperiksa pada tanggal teridentifikasi."
        ),
    ),
    file_stem="bnba-pmks",
    privacy_notice=_(
        "Data pribadi spesifik (UU 27/2022). Setiap pratinjau dan impor dicatat dalam log akses dan riwayat perubahan."
    ),
    active_nav="pmks_register",
)

__all__ = [
    "COLUMNS",
    "EXPORT_COLUMNS",
    "PURPOSES",
    "PURPOSE_MIN_LENGTH",
    "RECORDS",
    "RECORD_PAGE",
    "can_export",
    "record_export",
]
