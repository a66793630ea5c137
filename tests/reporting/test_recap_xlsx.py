"""The recap XLSX, read back with openpyxl: merged two-level headers, frozen panes, values equal to the roll-up
selectors' figures, codes as text, number formats, a sheet per section, formulas on request, formula injection
neutralised, small figures withheld for a Pimpinan, and the write-only workbook."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from psks_portal import periods
from reporting import selectors
from reporting.recaps import service
from reporting.recaps import xlsx as xlsx_writer
from tests.reporting import recap_data
from tests.reporting.conftest import category
from tests.reporting.recap_data import (
    EVIL_KIND,
    KEJAKSAN,
    LEMAHWUNGKUK,
    PMKS_KOTA_TOTAL,
    QUARTER,
    TKSK_NAME,
    kota_kecamatan,
)
from tests.reporting.test_recaps import w

pytestmark = pytest.mark.django_db

# The module-scoped quarter of reports and the personas (see ``recap_data.recap_world``).
people, recap_world, world = recap_data.people, recap_data.recap_world, recap_data.world
HEADER = 5  # first header row
MARCH = periods.parse("2026M03")


def workbook(user, recap="pmks", code="32.74", period=QUARTER, **options):
    made = service.render_recap(user=user, recap=recap, wilayah=w(code), period=period, fmt="xlsx", options=options)
    assert made.content_type == xlsx_writer.CONTENT_TYPE
    return load_workbook(io.BytesIO(made.content)), made


def grid(sheet, header_rows=2) -> tuple[list[str], dict[str, dict[str, object]]]:
    """Leaf headers (a group's name carried over its merged span) and {code: {header: cell}} for the table rows."""
    top = [c.value for c in sheet[HEADER]]
    bottom = [c.value for c in sheet[HEADER + 1]] if header_rows == 2 else [None] * len(top)
    headers, group = [], None
    for t, b in zip(top, bottom, strict=True):
        if t is not None:
            group = t if b is not None else None
        headers.append(f"{group} {b}" if b is not None else t)
    rows = {}
    for row in sheet.iter_rows(min_row=HEADER + header_rows):
        if row[0].value is None:
            break
        rows[row[0].value] = dict(zip(headers, row, strict=False))
    return headers, rows


def label(code: str) -> str:
    c = category(code)
    return f"{c.number:02d} {c.code}"


def test_it_writes_merged_two_level_headers_and_freezes_them(people):
    book, made = workbook(people["dedi"])
    assert book.sheetnames == ["Ringkasan", "Keterangan"]
    sheet = book["Ringkasan"]
    assert sheet["A1"].value == "Rekapitulasi Data PMKS Kota Cirebon — Triwulan I 2026"
    assert sheet["A3"].value == "Sumber: Laporan bulanan TKSK yang diterima provinsi."
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:C6"} <= merged  # stub columns span both header rows
    assert "D5:F5" in merged and sheet["D5"].value == label("ABT")  # a category over L / P / Jml
    assert [sheet.cell(6, c).value for c in (4, 5, 6)] == ["L", "P", "Jml"]
    fm = next(c for c in sheet[HEADER] if c.value == label("FM"))
    assert sheet.cell(6, fm.column).value == "Jml"  # families: a total only
    assert sheet.freeze_panes == "C7"
    assert sheet.print_title_rows == "$5:$6"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["D5"].font.bold and sheet["D5"].alignment.horizontal == "center"


def test_values_equal_the_selectors_figures_and_codes_are_text(people):
    book, made = workbook(people["dedi"])
    headers, rows = grid(book["Ringkasan"])
    categories = [category(c) for c in ("LUT", "FM", "ODHA", "KAT")]
    rollup = selectors.pmks_rollup(wilayah=w("32.74"), period=QUARTER, categories=categories)
    for code in kota_kecamatan():
        for c in categories:
            figure = rollup.cell(code, c.pk)
            assert rows[code][f"{label(c.code)} Jml"].value == (figure.total if figure else None)
            if c.code == "LUT" and figure:
                assert rows[code][f"{label(c.code)} L"].value == figure.male
                assert rows[code][f"{label(c.code)} P"].value == figure.female
        total = rollup.row_totals.get(code)
        assert rows[code]["Jumlah"].value == (total.total if total else None)
    kota = rows["32.74"]
    assert kota["Jumlah"].value == rollup.grand_total.total == PMKS_KOTA_TOTAL
    assert kota["Jumlah"].data_type == "n" and kota["Jumlah"].number_format == "#,##0" and kota["Jumlah"].font.bold
    for code, row in rows.items():
        assert row["Kode"].data_type == "s" and row["Kode"].number_format == "@" and row["Kode"].value == code
    assert made.rows == 5


def test_a_sheet_per_section_with_legal_names(people):
    book, _made = workbook(people["fajar"], code="32", detail=3)
    assert book.sheetnames == ["Ringkasan", "Kabupaten Ciamis", "Kota Cirebon", "Keterangan"]
    _headers, rows = grid(book["Kota Cirebon"])
    assert rows[KEJAKSAN]["Jumlah"].value == 61 and rows["32.74"]["Jumlah"].value == PMKS_KOTA_TOTAL
    notes = [c.value for c in book["Keterangan"]["B"] if c.value]
    assert any("Permensos 08/2012" in n or "Nomor 08 Tahun 2012" in n for n in notes)
    assert sheet_name_rules()


def sheet_name_rules() -> bool:
    taken: set[str] = set()
    names = [xlsx_writer.sheet_name(n, taken) for n in ("Kota [A]/B:C*?", "x" * 40, "x" * 40, "ringkasan", "Ringkasan")]
    assert names[0] == "Kota  A  B C" and len(names[1]) == 31 and names[2].endswith(" (2)") and len(names[2]) == 31
    assert names[4] == "Ringkasan (2)"
    return True


def test_totals_can_be_formulas(people):
    book, _made = workbook(people["dedi"], formulas=True)
    headers, rows = grid(book["Ringkasan"])
    lut = rows["32.74"][f"{label('LUT')} Jml"]
    assert (
        lut.data_type == "f" and lut.value.startswith("=SUM(") and lut.value.endswith("7:" + lut.column_letter + "11)")
    )
    assert rows[KEJAKSAN][f"{label('LUT')} Jml"].value == 29  # data stay values


def test_formula_injection_is_neutralised(people):
    book, _made = workbook(people["dedi"], recap="psks")
    sheet = book["Ringkasan"]
    evil = next(c for c in sheet[HEADER + 1] if c.value and "1+1" in str(c.value))
    assert evil.value == f"'{EVIL_KIND}" and evil.data_type == "s"
    book, _made = workbook(people["dedi"], recap="kelengkapan", period=MARCH)
    missing = book["Belum melapor"]
    names = [c.value for c in missing["D"] if c.value]
    assert f"'{TKSK_NAME}" in names
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate


def test_coverage_percentages_and_dates_have_number_formats(people):
    book, _made = workbook(people["dedi"], recap="psks")
    headers, rows = grid(book["Ringkasan"])
    share = rows["32.74"]["Cakupan TKSK %"]
    assert share.value == 20.0 and share.number_format == "0.0"
    book, _made = workbook(people["dedi"], recap="kelengkapan", period=MARCH)
    _h, missing = grid(book["Belum melapor"], header_rows=1)
    due = missing[KEJAKSAN]["Batas waktu"]
    assert due.is_date and due.number_format == "DD-MM-YYYY"


def test_small_figures_are_withheld_from_a_pimpinan(people):
    book, _made = workbook(people["hadi"])
    headers, rows = grid(book["Ringkasan"], header_rows=1)  # no split by sex: one header row
    assert rows[KEJAKSAN][label("ODHA")].value == "×"
    assert rows[LEMAHWUNGKUK][label("KAT")].value == "×"
    for code, row in rows.items():
        for header, cell in row.items():
            if header and (header[:2].isdigit() or header == "Jumlah"):
                assert not (isinstance(cell.value, int) and 0 < cell.value <= 4), (code, header)
    book, _made = workbook(people["hadi"], formulas=True)  # no formula may give a withheld figure back
    assert all(c.data_type != "f" for row in book["Ringkasan"].iter_rows() for c in row)


def test_the_workbook_is_written_in_write_only_mode(people, monkeypatch):
    made_with = []
    real = xlsx_writer.Workbook

    def spy(*args, **kwargs):
        made_with.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(xlsx_writer, "Workbook", spy)
    workbook(people["dedi"])
    assert made_with == [{"write_only": True}]
