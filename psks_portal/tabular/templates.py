"""Import templates: an XLSX with a “Data” sheet (headers, text and date formats, drop-downs), a “Petunjuk” sheet,
reference lists (kinds, categories) and the desa codes of the user's wilayah."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from psks_portal.models import Wilayah
from psks_portal.tabular.reader import DATE, Column
from psks_portal.tabular.writers import XLSX_TYPE

TEMPLATE_DESA_LIMIT = 10_000
TEMPLATE_ROWS = 20_000  # rows the drop-downs cover
INSTRUCTIONS = (
    "Isi lembar Data mulai baris 2; baris 1 adalah judul kolom (jangan diubah, boleh ditambah kolom lain).",
    "Kolom berwarna jingga wajib ada. Sel yang dikosongkan tidak menghapus data yang sudah tersimpan.",
    "Impor selalu dimulai dengan pratinjau: tidak ada data yang berubah sebelum Anda mengonfirmasi.",
    "Hanya data di dalam wilayah kerja Anda yang dapat diimpor.",
    "Baris hanya ditolak karena identitas atau penggolongannya (NIK, nama, desa, jenis/kategori …); data yang hanya "
    "kurang lengkap tetap diimpor dan ditandai “data belum lengkap”.",
    "NIK, Kode Desa dan No. HP diformat sebagai teks: ketik apa adanya, angka 0 di depan tidak hilang.",
)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_REQUIRED_FILL = PatternFill("solid", fgColor="FCE4D6")


def template_data_sheet(workbook: Workbook, columns: Sequence[Column], *, lists: dict[str, str] | None = None):
    """The workbook's first sheet as the “Data” sheet: headers (required ones orange), text/date formats, and
    drop-downs from ``Column.choices`` or from ``lists`` (column key → a range such as ``Jenis!$A$2:$A$20``)."""
    data = workbook.active
    data.title = "Data"
    data.freeze_panes = "A2"
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        cell = data.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        dimension = data.column_dimensions[letter]
        dimension.width = column.width
        if column.text_format:
            dimension.number_format = "@"  # NIK, codes, phone numbers: typed digits stay text
        elif column.type == DATE:
            dimension.number_format = "DD-MM-YYYY"
        formula = f'"{",".join(column.choices)}"' if column.choices else None
        formula = (lists or {}).get(column.key, formula)
        if formula:
            # A drop-down that still accepts other spellings (aliases, lower case): no error on other values.
            validation = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=False)
            validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            data.add_data_validation(validation)
    return data


def template_help_sheet(sheet, *, title: str, lines: Sequence[str], columns: Sequence[Column]) -> None:
    """A “Petunjuk” sheet: the title, the rules every import follows and ``lines`` (this import's own), then one line
    per column (required, example, note)."""
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=13)
    for line in (*INSTRUCTIONS, *lines):
        sheet.append([line])
    sheet.append([])
    sheet.append(["Kolom", "Wajib", "Contoh", "Keterangan"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in columns:
        sheet.append([column.header, "ya" if column.required else "tidak", column.example, column.note])
    for letter, width in zip("ABCD", (22, 8, 28, 80), strict=True):
        sheet.column_dimensions[letter].width = width


def template_list_sheet(sheet, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int]) -> None:
    """A reference sheet (kinds, categories …): a bold header row, then the rows."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def template_desa_sheet(sheet, user) -> None:
    """The “Kode Desa” sheet: every active desa in the user's wilayah, or a note when there are too many."""
    sheet.append(["Kode Desa", "Desa/Kelurahan", "Kecamatan", "Kabupaten/Kota"])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    desa = Wilayah.objects.for_user(user).at_level(Wilayah.DESA).active()
    if desa.count() > TEMPLATE_DESA_LIMIT:
        sheet.append(["Daftar kode desa di wilayah Anda terlalu panjang untuk templat; lihat menu Wilayah."])
        return
    for w in desa.select_related("kecamatan", "kabupaten").order_by("code"):
        sheet.append(
            [w.code, w.label, w.kecamatan.name if w.kecamatan else "", w.kabupaten.name if w.kabupaten else ""]
        )
    for letter, width in zip("ABCD", (16, 30, 24, 24), strict=True):
        sheet.column_dimensions[letter].width = width


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_attachment(content: bytes, stem: str) -> HttpResponse:
    """An import template (an XLSX made in memory) as ``templat-<stem>.xlsx``, never cached."""
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="templat-{stem}.xlsx"'
    response["Cache-Control"] = "no-store"
    return response
