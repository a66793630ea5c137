"""A recap as CSV for machines: UTF-8 with a byte-order mark (so Excel reads the names right), ``,`` or ``;``.

One line per row of every section, under one header made from the column map (a grouped column is "01 ABT L"),
preceded by two columns: ``Bagian`` (the section) and ``Baris`` (rincian / subjumlah / jumlah), so totals are never
mistaken for data. When a section has another column map (the list of kecamatan that have not reported), an empty
line and its own header start a new block. Numbers are plain digits; with ``;`` the decimal separator is a comma
(the Indonesian Excel convention); dates are ISO 8601. Withheld figures carry their mask text; texts are neutralised
against formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from typing import BinaryIO

from psks_portal.tabular import cell_text
from reporting.recaps.columns import PERCENT, ROW_KIND_LABELS, Masked, RecapDocument

CONTENT_TYPE = "text/csv; charset=utf-8"
BOM = "\ufeff"


def _value(value, column, decimal: str) -> str:
    if value is None:
        return ""
    if isinstance(value, Masked):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if column.kind == PERCENT and isinstance(value, int | float):
        return f"{value:.1f}".replace(".", decimal)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return cell_text(value)


def write_csv(
    document: RecapDocument,
    target: BinaryIO,
    *,
    delimiter: str = ",",
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write ``document`` to the binary file ``target``; returns the number of data rows written."""
    stream = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    try:
        stream.write(BOM)
        writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
        decimal = "," if delimiter == ";" else "."
        keys: tuple[str, ...] | None = None
        rows = 0
        for index, section in enumerate(document.iter_sections()):
            section_keys = tuple(c.key for c in section.columns)
            if section_keys != keys:
                if keys is not None:
                    writer.writerow([])
                writer.writerow(["Bagian", "Baris", *(cell_text(c.flat_header) for c in section.columns)])
                keys = section_keys
            title = cell_text(section.title)
            for row in section.rows:
                values = [_value(v, c, decimal) for v, c in zip(row.values, section.columns, strict=True)]
                writer.writerow([title, ROW_KIND_LABELS[row.kind], *values])
                rows += not row.is_total
            if progress:
                progress(min(95, int(100 * (index + 1) / max(document.section_count, 1))))
        return rows
    finally:
        stream.detach()  # leave ``target`` open for the caller
