"""One import through the core's single pair of import views, in Chromium: an operator uploads a BNBA file with one
refused row, reads the dry run, and the confirm button writes exactly the rows it promises."""

from __future__ import annotations

from datetime import date

import openpyxl
from playwright.sync_api import Page, expect

from pmks.models import AccessLog, PmksRecord
from pmks.services import catalogue_load

HEADERS = [
    "NIK",
    "Nama",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "Kode Desa",
    "Alamat",
    "Kategori",
    "Tanggal Teridentifikasi",
    "Status Penanganan",
    "Dirujuk Ke",
    "Catatan",
]


def _bnba_file(path) -> str:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    sheet.append(
        [
            "3274014103500001",
            "Sumirah",
            "P",
            date(1950, 3, 1),
            "32.74.01.1001",
            "Jl. Kejaksan 1",
            "LUT",
            date(2026, 1, 5),
            "Baru",
            "",
            "",
        ]
    )
    sheet.append(
        ["", "Karta", "L", date(1990, 1, 1), "32.74.01.1001", "Jl. Kejaksan 2", "LUT", date(2026, 1, 5), "Baru", "", ""]
    )  # LUT needs 60 or older: refused
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "@"
    workbook.save(path)
    return str(path)


def test_an_operator_previews_a_bnba_file_and_imports_only_what_the_button_says(page: Page, login, portal, tmp_path):
    catalogue_load()
    login(page, "operator.cirebon")
    page.goto(f"{portal}/pmks/bnba/")
    page.get_by_role("link", name="Impor dari berkas").click()
    page.locator("input[type=file]").set_input_files(_bnba_file(tmp_path / "bnba.xlsx"))
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page.get_by_test_id("count-baru")).to_have_text("1")
    expect(page.get_by_test_id("count-ditolak")).to_have_text("1")
    table = page.get_by_test_id("preview-table")
    expect(table).to_contain_text("3274********0001")
    expect(table).not_to_contain_text("3274014103500001")  # masked in the preview
    expect(table).to_contain_text("Lanjut Usia Telantar (LUT) untuk usia ≥ 60 tahun")
    assert not PmksRecord.objects.exists()
    assert AccessLog.objects.filter(action="preview", row_count=2).count() == 1  # the dry run is in the access log

    confirm = page.get_by_test_id("confirm-button")
    expect(confirm).to_have_text("Lewati 1 baris yang ditolak dan simpan 1 baris")
    confirm.click()
    expect(page.locator("main")).to_contain_text(
        "Impor selesai: 1 baru, 0 diperbarui, 0 tidak berubah, 1 baris dilewati."
    )
    assert list(PmksRecord.objects.values_list("name", flat=True)) == ["Sumirah"]
    assert AccessLog.objects.filter(action="import", row_count=1).count() == 1
