"""Makes the workbooks in this folder: one person roster written by openpyxl (formulas without computed values),
then opened and saved by LibreOffice as XLSX, XLS and ODS (which compute and keep the formulas' values).

    .venv/bin/python tests/files/make_workbooks.py     # needs LibreOffice (soffice) on the PATH

Row 2 is plain; row 3's Nama is a formula (=B2&" Jr"), row 4's Jenis Kelamin a formula giving "X" (refused).
"""

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
HEADERS = [
    "NIK",
    "Nama",
    "Jenis Kelamin",
    "Tempat Lahir",
    "Tanggal Lahir",
    "Pendidikan",
    "Kode Desa",
    "Alamat",
    "Jenis",
    "Status ASN",
    "Golongan",
    "No. HP",
    "Nomor SK",
    "Tanggal SK",
]
ROWS = [
    [
        "3274010101900001",
        "Orang Uji 1",
        "L",
        "Cirebon",
        date(1990, 1, 1),
        "SLTA",
        "32.74.01.1001",
        "Jl. Kartini 1",
        "PSM",
        "Non-ASN",
        "",
        "081234567890",
        "",
        None,
    ],
    [
        "3274010101900002",
        '=B2&" Jr"',
        "L",
        "Cirebon",
        date(1990, 1, 1),
        "SLTA",
        "32.74.01.1001",
        "Jl. Kartini 2",
        "PSM",
        "Non-ASN",
        "",
        "081234567891",
        "",
        None,
    ],
    [
        "3274010101900003",
        "Orang Uji 3",
        '=IF(1,"X","L")',
        "Cirebon",
        date(1990, 1, 1),
        "SLTA",
        "32.74.01.1001",
        "Jl. Kartini 3",
        "PSM",
        "Non-ASN",
        "",
        "081234567892",
        "",
        None,
    ],
]


def main() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=2):
        for index in (0, 6, 11):  # NIK, Kode Desa, No. HP as text
            cells[index].number_format = "@"
    source = HERE / "rumus-tanpa-nilai.xlsx"
    workbook.save(source)
    with tempfile.TemporaryDirectory() as out:
        for target, name in (("xlsx", "rumus-libreoffice.xlsx"), ("xls", "daftar.xls"), ("ods", "daftar.ods")):
            subprocess.run(
                ["soffice", "--headless", "--convert-to", target, "--outdir", out, str(source)],
                check=True,
                capture_output=True,
                timeout=180,
            )
            shutil.move(Path(out) / f"rumus-tanpa-nilai.{target}", HERE / name)


if __name__ == "__main__":
    main()
