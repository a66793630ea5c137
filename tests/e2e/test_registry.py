"""An operator keeps the roster in Chromium: adds a PSM by form, imports a roster file, filters to the ineligible
and sees the reasons."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from registry.models import Person

CIREBON_DESA = "32.74.02.1001"  # a kelurahan in Kecamatan Lemahwungkuk


@pytest.fixture
def registry_portal(portal):
    return portal


def _roster_file(path) -> str:
    """A roster with one valid Tagana of 46 (ineligible: 18–40) and one PSM of 30; NIKs agree with the data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(
        [
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
            "No. HP",
            "Nomor SK",
            "Tanggal SK",
        ]
    )
    sheet.append(
        [
            "3274020304800001",
            "Joko Prasetyo",
            "L",
            "Cirebon",
            date(1980, 4, 3),
            "SLTA",
            CIREBON_DESA,
            "Jl. Pekiringan 2",
            "Tagana",
            "Non-ASN",
            "081200000001",
            "SK/TAGANA/01",
            date(2021, 2, 1),
        ]
    )
    sheet.append(
        [
            "3274025909960002",
            "Lilis Suryani",
            "P",
            "Cirebon",
            date(1996, 9, 19),
            "S1",
            CIREBON_DESA,
            "Jl. Lemahwungkuk 5",
            "PSM",
            "Non-ASN",
            "",
            "",
            None,
        ]
    )
    for row in sheet.iter_rows(min_row=2):
        row[0].number_format = "@"
    workbook.save(path)
    return str(path)


def _pick_wilayah(page: Page, picker_test_id: str, kecamatan: str, desa: str | None = None) -> None:
    picker = page.get_by_test_id(picker_test_id)
    with page.expect_response(lambda r: f"induk={kecamatan}" in r.url):
        picker.locator('select[data-level="3"]').select_option(kecamatan)
    if desa:
        picker.locator('select[data-level="4"]').select_option(desa)


def test_an_operator_adds_a_psm_imports_a_roster_and_finds_the_ineligible(page: Page, login, registry_portal, tmp_path):
    login(page, "operator.cirebon")
    portal = registry_portal

    # 1. Add a PSM by form.
    page.goto(f"{portal}/registri/orang/tambah/")
    page.locator("#id_nik").fill("3274014512940003")
    page.locator("#id_name").fill("Neneng Hasanah")
    page.get_by_label("Perempuan").check()
    page.locator("#id_birth_place").fill("Cirebon")
    page.locator("#id_birth_date").fill("1994-12-05")
    page.locator("#id_education").select_option(label="SLTA/SMA/SMK/sederajat")
    _pick_wilayah(page, "wilayah-picker", "32.74.01", "32.74.01.1001")
    page.locator("#id_address").fill("Jl. Kejaksan 7")
    page.get_by_role("button", name="Simpan").click()
    expect(page.locator("h1")).to_have_text("Neneng Hasanah")
    page.get_by_role("link", name="Tambah peran").click()
    page.locator("#id_kind").select_option(label="Pekerja Sosial Masyarakat (PSM)")
    _pick_wilayah(page, "wilayah-picker", "32.74.01")
    page.get_by_role("button", name="Simpan").click()
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Pekerja Sosial Masyarakat")
    expect(verdict).to_contain_text("Data belum lengkap")
    expect(verdict).to_contain_text("Belum tercatat: Pelatihan PSM.")

    # 2. Import a roster file: dry run first, then confirm.
    page.goto(f"{portal}/registri/orang/impor/")
    page.locator("input[type=file]").set_input_files(_roster_file(tmp_path / "daftar.xlsx"))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("main")).to_contain_text("Joko Prasetyo")
    assert not Person.objects.filter(name="Joko Prasetyo").exists()  # the dry run changed nothing
    confirm = page.get_by_test_id("confirm-button")
    expect(confirm).to_have_text("Konfirmasi: simpan 2 baris")  # the rows it writes
    confirm.click()
    expect(page.locator("main")).to_contain_text("Impor selesai")
    assert Person.objects.filter(name__in=["Joko Prasetyo", "Lilis Suryani"]).count() == 2

    # 3. Filter to the ineligible Tagana and read the reason.
    page.goto(f"{portal}/registri/orang/")
    page.locator("#id_jenis").select_option(label="Taruna Siaga Bencana (Tagana)")
    page.locator("#id_kelayakan").select_option(label="Tidak memenuhi syarat")
    page.get_by_role("button", name="Terapkan saringan").click()
    table = page.get_by_test_id("person-table")
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Joko Prasetyo")
    age = 2026 - 1980 - (1 if (date.today().month, date.today().day) < (4, 3) else 0)
    expect(table.get_by_test_id("reasons")).to_contain_text(f"Usia {age} tahun, batas Tagana 18–40 tahun.")
    expect(table).not_to_contain_text("3274020304800001")  # NIK masked in lists
