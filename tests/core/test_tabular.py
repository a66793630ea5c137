"""The spreadsheet reader and its guards (``psks_portal.tabular``): every format, formula cells, and files built to
exhaust memory — each refused with a message before python-calamine would hold them. Files are made here with zipfile
(the sheet XML written by hand) or are real LibreOffice files (``tests/files``)."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from psks_portal.tabular import ImportFileError, read_table
from registry.io import PERSON_COLUMNS

FILES = Path(__file__).resolve().parent.parent / "files"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
HEADERS = [c.header for c in PERSON_COLUMNS]


def xlsx(path: Path, sheet_data: bytes | list[bytes], *, after: bytes = b"") -> Path:
    """A minimal XLSX whose one sheet's <sheetData> is ``sheet_data`` (streamed in parts when given a list), followed
    by ``after`` (elements a worksheet has after its data)."""
    parts = sheet_data if isinstance(sheet_data, list) else [sheet_data]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr(
            "[Content_Types].xml", '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'
        )
        archive.writestr("_rels/.rels", PACKAGE_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Data" '
            'sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<worksheet xmlns="{MAIN}"><sheetData>'.encode())
            for part in parts:
                sheet.write(part)
            sheet.write(b"</sheetData>" + after + b"</worksheet>")
    return path


def inline_row(number: int, values: list[str]) -> bytes:
    cells = "".join(f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{v}</t></is></c>' for i, v in enumerate(values))
    return f'<row r="{number}">{cells}</row>'.encode()


def person_cells(serial: int) -> list[str]:
    return [
        f"327401010190{serial:04d}",
        f"Orang Uji {serial}",
        "L",
        "Cirebon",
        "01-01-1990",
        "SLTA",
        "32.74.01.1001",
        "Jl. Kartini",
        "PSM",
        "Non-ASN",
        "",
        "081234567890",
        "",
        "",
    ]


def refused(path: Path, filename: str | None = None) -> str:
    with pytest.raises(ImportFileError) as caught:
        list(read_table(path, filename=filename or path.name, columns=PERSON_COLUMNS).rows)
    return str(caught.value)


def rows(path: Path) -> list:
    return list(read_table(path, filename=path.name, columns=PERSON_COLUMNS).rows)


# --- Zip bombs and memory -------------------------------------------------------------------------------------------

BOMB_CELLS = 4_500_000

MEASURE = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "psks_portal.settings")


def high_water_kb():
    # VmHWM belongs to this process's memory since exec; ru_maxrss would carry the parent's peak over (Linux).
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM:")).split()[1])


import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from psks_portal.models import User
from psks_portal.tabular import ImportFileError, pipeline
from registry.io import PERSONS
upload = SimpleUploadedFile("bom.xlsx", open(sys.argv[1], "rb").read())
before = high_water_kb()
try:
    pipeline.preview_upload(PERSONS, upload=upload, user=User(username="ukur", is_superuser=True))
    message = ""
except ImportFileError as exc:
    message = str(exc)
print(json.dumps({"message": message, "before_kb": before, "peak_kb": high_water_kb()}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads the peak memory from /proc (Linux)")
def test_a_131_kb_workbook_with_a_row_of_4_5_million_cells_is_refused_and_memory_stays_under_200_mb(tmp_path):
    """The zip bomb of issue 11: one sheet, one row, 4.5 million cells (67 MB of XML, under the 80 MB unpacked cap).
    The upload is previewed in a fresh process (``preview_upload``, as the upload view calls it) whose peak
    resident memory (VmHWM) is read; python-calamine alone grows a process by about 400 MB on this file."""
    cell, chunk = b"<c><v>1</v></c>", 10_000
    path = xlsx(tmp_path / "bom.xlsx", [b'<row r="1">', *[cell * chunk] * (BOMB_CELLS // chunk), b"</row>"])
    assert path.stat().st_size < 140 * 1024
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
        assert sheet.file_size == len(cell) * BOMB_CELLS + len(
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"></row></sheetData></worksheet>'
        )
        assert sum(i.file_size for i in archive.infolist()) < django_settings.IMPORT_MAX_UNPACKED_BYTES
    env = {"MEDIA_ROOT": str(tmp_path / "media"), "PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///:memory:"}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=django_settings.BASE_DIR,
        env=env,
        check=True,
    )
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "Baris 1 berisi lebih dari 16.384 sel" in result["message"]
    assert result["peak_kb"] < 200 * 1024, result
    assert result["peak_kb"] - result["before_kb"] < 20 * 1024, result  # the refusal itself costs next to nothing
    assert list((tmp_path / "media" / "imports").iterdir()) == []  # the refused upload is not kept


def test_a_1_kb_workbook_with_two_cells_far_apart_is_refused(tmp_path):
    """Values in A1 and XFD1000000 make calamine allocate the whole area (524 GB): it would abort the process."""
    data = b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1000000"><c r="XFD1000000"><v>1</v></c></row>'
    path = xlsx(tmp_path / "jauh.xlsx", data)
    assert path.stat().st_size < 1500
    assert "terlalu besar: area terpakainya lebih dari 1.000.000 sel" in refused(path)


def test_a_cell_beyond_excels_last_column_is_refused(tmp_path):
    assert "di luar kolom terakhir Excel" in refused(
        xlsx(tmp_path / "lebar.xlsx", b'<row r="1"><c r="XFE1"><v>1</v></c></row>')
    )


def test_the_cell_cap_is_a_setting(tmp_path, settings):
    path = xlsx(
        tmp_path / "daftar.xlsx", [inline_row(1, HEADERS), *[inline_row(n, person_cells(n)) for n in range(2, 12)]]
    )
    assert len(rows(path)) == 10
    settings.IMPORT_MAX_CELLS = 11 * 14 - 1
    assert "lebih dari 153 sel" in refused(path)


def test_a_member_that_unpacks_to_more_than_it_declares_is_refused(tmp_path):
    """Python's zipfile stops at the declared size, calamine does not: the guard reads what really unpacks."""
    path = xlsx(tmp_path / "bohong.xlsx", [inline_row(1, HEADERS), inline_row(2, person_cells(1))])
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet1.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) >= 0:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, start + size_at, 100)
            start += 4
    path.write_bytes(bytes(data))
    assert "tidak sesuai dengan ukuran yang dicantumkan" in refused(path)


def test_the_declared_unpacked_size_is_capped(tmp_path, settings):
    settings.IMPORT_MAX_UNPACKED_BYTES = 2048
    path = xlsx(
        tmp_path / "besar.xlsx", [inline_row(1, HEADERS), *[inline_row(n, person_cells(n)) for n in range(2, 40)]]
    )
    assert "terlalu besar setelah dibuka" in refused(path)


def test_a_csv_line_with_more_separators_than_excel_has_columns_is_refused(tmp_path):
    path = tmp_path / "lebar.csv"
    path.write_text(",".join(HEADERS) + "\n" + "," * 20_000 + "\n", encoding="utf-8")
    assert "Baris 2 berisi lebih dari 16.384 sel" in refused(path)


def _ods(path: Path, table: str) -> Path:
    content = (
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
        f'<table:table table:name="Data">{table}</table:table></office:spreadsheet></office:body>'
        "</office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr(
            "META-INF/manifest.xml",
            '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
            '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
            "</manifest:manifest>",
        )
    return path


def _ods_row(values: list[str], *, repeat: int = 1, tail: int = 0) -> str:
    cells = "".join(
        f'<table:table-cell office:value-type="string"><text:p>{v}</text:p></table:table-cell>'
        if v
        else "<table:table-cell/>"
        for v in values
    )
    if tail:
        cells += f'<table:table-cell table:number-columns-repeated="{tail}"/>'
    attribute = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f"<table:table-row{attribute}>{cells}</table:table-row>"


def test_an_ods_with_libreoffices_trailing_empty_repeats_is_read(tmp_path):
    table = (
        _ods_row(HEADERS, tail=16384 - 14)
        + _ods_row(person_cells(1), tail=16384 - 14)
        + '<table:table-row table:number-rows-repeated="1048574"><table:table-cell '
        'table:number-columns-repeated="16384"/></table:table-row>'
    )
    got = rows(_ods(tmp_path / "daftar.ods", table))
    assert [(r.line, r.cells["nik"], r.cells["name"]) for r in got] == [(2, "3274010101900001", "Orang Uji 1")]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (_ods_row(HEADERS) + _ods_row(person_cells(1), repeat=1_000_000), "area terpakainya lebih dari"),
        (
            _ods_row(HEADERS) + '<table:table-row><table:table-cell office:value-type="float" office:value="1" '
            'table:number-columns-repeated="1000000"/></table:table-row>',
            "lebih dari 16.384 sel",
        ),
    ],
    ids=["a row repeated a million times", "a cell repeated a million times"],
)
def test_an_ods_whose_repeats_would_fill_memory_is_refused(tmp_path, table, message):
    assert message in refused(_ods(tmp_path / "bom.ods", table))


# --- Formats and formulas -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["daftar.xls", "daftar.ods", "rumus-libreoffice.xlsx"])
def test_xls_ods_and_xlsx_saved_by_libreoffice_are_read_with_the_values_of_their_formulas(name):
    got = rows(FILES / name)
    assert [(r.line, r.cells["nik"], r.cells["name"], r.cells["sex"], r.cells["phone"]) for r in got] == [
        (2, "3274010101900001", "Orang Uji 1", "L", "081234567890"),
        (3, "3274010101900002", "Orang Uji 1 Jr", "L", "081234567891"),
        (4, "3274010101900003", "Orang Uji 3", "X", "081234567892"),
    ]
    assert [sorted(r.formulas) for r in got] == [[], ["name"], ["sex"]]
    assert all(f.cached for r in got for f in r.formulas.values())


def test_formulas_without_a_kept_value_are_noted(tmp_path):
    """openpyxl (like other programs without a calculation engine) writes formulas with no computed value."""
    got = rows(FILES / "rumus-tanpa-nilai.xlsx")
    assert got[1].cells["name"] in ("", None) and got[1].formulas["name"].text == '=B2&" Jr"'
    assert not got[1].formulas["name"].cached


def test_validation_formulas_after_the_data_belong_to_no_cell(tmp_path):
    """Excel keeps drop-down lists as <xm:f> under <extLst>, after the last cell: not a formula of that cell."""
    after = (
        b'<extLst><ext xmlns:x14="urn:x14" xmlns:xm="urn:xm"><x14:dataValidations><x14:dataValidation>'
        b"<x14:formula1><xm:f>Jenis!$A$2:$A$9</xm:f></x14:formula1></x14:dataValidation></x14:dataValidations>"
        b"</ext></extLst>"
    )
    path = xlsx(tmp_path / "validasi.xlsx", [inline_row(1, HEADERS), inline_row(2, person_cells(1))], after=after)
    assert [(r.cells["nik"], r.formulas) for r in rows(path)] == [("3274010101900001", {})]


def test_an_encrypted_or_damaged_ole_file_is_refused_with_the_password_message(tmp_path):
    path = tmp_path / "terkunci.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 2000)
    assert "dilindungi kata sandi atau rusak" in refused(path)
