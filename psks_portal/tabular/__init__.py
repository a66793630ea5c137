"""Spreadsheet files for imports and exports, free of any app's models: shared by the registry and PMKS.

``reader`` (XLSX/XLS/ODS through python-calamine behind ``guards``, CSV), ``cells`` (cell parsers, row problems),
``lookups`` (desa and chunked queries), ``preview`` (row outcomes), ``pending`` (stored uploads), ``pipeline`` (the
importer protocol and the preview/confirm service), ``writers`` (XLSX/CSV exports), ``templates`` (import templates).
The names most callers need are re-exported here.
"""

from psks_portal.tabular.cells import CellError, RowProblems, text
from psks_portal.tabular.errors import ImportFileError
from psks_portal.tabular.pending import PendingImport
from psks_portal.tabular.preview import ERROR, NEW, UNCHANGED, UPDATED, ImportPreview, ImportRefused, RowOutcome
from psks_portal.tabular.reader import DATE, TEXT, Column, Table, check_upload, header_key, read_table
from psks_portal.tabular.writers import CSV_TYPE, XLSX_TYPE, ExportColumn, ExportFile, cell_text, neutralise

__all__ = [
    "CSV_TYPE",
    "DATE",
    "ERROR",
    "NEW",
    "TEXT",
    "UNCHANGED",
    "UPDATED",
    "XLSX_TYPE",
    "CellError",
    "Column",
    "ExportColumn",
    "ExportFile",
    "ImportFileError",
    "ImportPreview",
    "ImportRefused",
    "PendingImport",
    "RowOutcome",
    "RowProblems",
    "Table",
    "cell_text",
    "check_upload",
    "header_key",
    "neutralise",
    "read_table",
    "text",
]
