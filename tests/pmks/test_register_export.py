"""BNBA export: no file without a stated purpose, logged with the purpose and row count, the list's scope and filters,
NIK and codes as text, formulas neutralised, never to a Pimpinan. Files are read back with openpyxl / csv."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from pmks.models import AccessLog, PmksRecord
from psks_portal import tabular
from tests.factories import download
from tests.pmks.test_register import CIAMIS, KEJAKSAN, LEMAHWUNGKUK, _cat, _nik, _record
from tests.pmks.test_register_import import HEADERS, confirm, snapshot, upload

pytestmark = pytest.mark.django_db

URL = "pmks:register_export"
PURPOSE = {"tujuan": "bantuan", "keterangan": "Verifikasi calon penerima bantuan lansia 2026"}
EXTRA_HEADERS = ["Desa/Kelurahan", "Kecamatan"]


@pytest.fixture
def records(people, catalogue):
    siti = _record(
        name="Siti Aminah", nik=_nik(KEJAKSAN, date(1950, 3, 1), "P"), cats=("LUT", "FM"), address="Jl. Kejaksan 1"
    )
    warsini = _record(name="Warsini", nik="", birth=date(1952, 6, 2), status="ditangani")
    budiman = _record(
        LEMAHWUNGKUK, name="Budiman", sex="L", nik=_nik(LEMAHWUNGKUK, date(1950, 3, 1), "L"), cats=("FM",)
    )
    rahayu = _record(CIAMIS, name="Rahayu", nik=_nik(CIAMIS, date(1950, 3, 1), "P"))
    return {"siti": siti, "warsini": warsini, "budiman": budiman, "rahayu": rahayu}


def export(client, **data):
    return client.post(reverse(URL), {"format": "xlsx", **PURPOSE, **data})


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200 and response["Content-Type"] == tabular.XLSX_TYPE, download(response)[:300]
    workbook = load_workbook(io.BytesIO(download(response)))
    return [list(row) for row in workbook["Data"].iter_rows(values_only=True)]


def names(response) -> list[str]:
    rows = sheet_rows(response)
    return [row[1] for row in rows[1:]]


# --- purpose ---------------------------------------------------------------------------------------------------


def test_no_file_is_produced_without_a_stated_purpose(people, records, login):
    client = login(people["dedi"])
    page = client.get(reverse(URL))
    assert page.status_code == 200 and "Tujuan penggunaan" in page.content.decode()
    for data, field, message in [
        ({"tujuan": "", "keterangan": ""}, "tujuan", "Pilih tujuan penggunaan data ini."),
        ({"tujuan": "bantuan", "keterangan": ""}, "keterangan", "Uraikan tujuan penggunaan data ini."),
        (
            {"tujuan": "bantuan", "keterangan": "  Bansos  "},
            "keterangan",
            "Uraikan tujuan penggunaan paling sedikit 10 karakter.",
        ),
        ({"tujuan": "iseng", "keterangan": PURPOSE["keterangan"]}, "tujuan", None),
    ]:
        response = client.post(reverse(URL), {"format": "xlsx", **data})
        assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
        errors = response.context["form"].errors[field]
        assert message is None or errors == [message]
        assert b"Siti Aminah" not in download(response)
    assert not AccessLog.objects.exists()


def test_an_xlsx_export_is_logged_with_its_purpose_and_row_count(people, records, login):
    client = login(people["ani"])
    response = export(client)
    assert response["Content-Disposition"].startswith('attachment; filename="daftar-bnba-pmks-')
    assert response["Cache-Control"] == "no-store"
    rows = sheet_rows(response)
    assert rows[0] == HEADERS + EXTRA_HEADERS
    siti, warsini = records["siti"], records["warsini"]
    assert rows[1] == [
        siti.nik,
        "Siti Aminah",
        "P",
        rows[1][3],
        siti.desa_id,
        "Jl. Kejaksan 1",
        "LUT; FM",
        rows[1][7],
        "Baru",
        None,
        None,
        siti.desa.name,
        "Kejaksan",
    ]
    assert (rows[1][3].date(), rows[1][7].date()) == (date(1950, 3, 1), date(2026, 1, 5))
    assert rows[2][:2] == [None, "Warsini"] and rows[2][8] == "Ditangani"
    assert len(rows) == 3  # Ani's kecamatan only
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.row_count, log.wilayah_id) == (people["ani"], "export", 2, KEJAKSAN)
    assert log.purpose == "Penyaluran bantuan sosial: Verifikasi calon penerima bantuan lansia 2026"
    assert log.filters == {"wilayah": "", "kategori": "", "status": "", "cari_nama": False, "format": "xlsx"}
    assert warsini.name not in str(log.filters)


def test_nik_and_codes_are_text_cells(people, records, login):
    response = export(login(people["dedi"]))
    workbook = load_workbook(io.BytesIO(download(response)))
    sheet = workbook["Data"]
    nik_cell = next(row[0] for row in sheet.iter_rows(min_row=2) if row[1].value == "Siti Aminah")
    assert nik_cell.data_type == "s" and nik_cell.value == records["siti"].nik and len(nik_cell.value) == 16
    assert all(row[4].data_type == "s" for row in sheet.iter_rows(min_row=2))  # Kode Desa


def test_a_csv_export_is_utf8_with_bom(people, records, login):
    records["siti"].name = "Siti Nur'aini Sitompul-Ñ"
    records["siti"].save()
    response = export(login(people["dedi"]), format="csv")
    assert response["Content-Type"] == tabular.CSV_TYPE and download(response).startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(download(response).decode("utf-8-sig"))))
    assert rows[0] == HEADERS + EXTRA_HEADERS
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Siti Nur'aini Sitompul-Ñ", "Warsini", "Budiman"}
    assert by_name["Siti Nur'aini Sitompul-Ñ"][0] == records["siti"].nik
    assert by_name["Budiman"][3] == "01-03-1950" and by_name["Budiman"][6] == "FM"
    assert AccessLog.objects.get().filters["format"] == "csv"


def test_formula_injection_is_neutralised(people, records, login):
    siti = records["siti"]
    siti.name, siti.address, siti.notes = '=HYPERLINK("http://x")', "+62 Jl. Raya", "@SUM(A1)"
    siti.referral_target = "-1 Panti"
    siti.save()
    rows = sheet_rows(export(login(people["ani"])))
    row = next(r for r in rows if r[0] == siti.nik)
    # XLSX text cells are inline strings, never evaluated: the values come back as typed (issue 11, item 12).
    assert (row[1], row[5], row[9], row[10]) == ('=HYPERLINK("http://x")', "+62 Jl. Raya", "-1 Panti", "@SUM(A1)")
    workbook = load_workbook(io.BytesIO(download(export(login(people["ani"])))))
    assert all(
        cell.data_type == "s"
        for cell in next(r for r in workbook["Data"].iter_rows() if r[0].value == siti.nik)
        if isinstance(cell.value, str)
    )


# --- filters and scope ------------------------------------------------------------------------------------------


def test_the_filters_of_the_list_narrow_the_export(people, records, login):
    client = login(people["dedi"])
    assert names(export(client)) == ["Budiman", "Siti Aminah", "Warsini"]
    assert names(export(client, wilayah=KEJAKSAN)) == ["Siti Aminah", "Warsini"]
    assert names(export(client, kategori=_cat("FM").pk)) == ["Budiman", "Siti Aminah"]
    assert names(export(client, status="ditangani")) == ["Warsini"]
    assert names(export(client, q="budi")) == ["Budiman"]
    last = AccessLog.objects.order_by("pk").last()
    assert last.filters["cari_nama"] is True and "budi" not in str(last.filters).casefold()
    assert list(AccessLog.objects.order_by("pk").values_list("row_count", flat=True)) == [3, 2, 2, 1, 1]


def test_the_list_filters_are_the_starting_point(people, records, login):
    client = login(people["dedi"])
    client.post(reverse("pmks:register_list"), {"wilayah": KEJAKSAN, "status": "baru"})
    form = client.get(reverse(URL)).context["form"]
    assert (form["wilayah"].value(), form["status"].value()) == (KEJAKSAN, "baru")


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ani", ["Siti Aminah", "Warsini"]),
        ("budi", ["Budiman"]),
        ("citra", ["Rahayu"]),
        ("dedi", ["Budiman", "Siti Aminah", "Warsini"]),
        ("euis", ["Rahayu"]),
        ("fajar", ["Budiman", "Rahayu", "Siti Aminah", "Warsini"]),
        ("gita", []),
        ("root", ["Budiman", "Rahayu", "Siti Aminah", "Warsini"]),
    ],
)
def test_each_persona_exports_only_their_scope(persona, expected, people, records, login):
    assert names(export(login(people[persona]))) == expected


@pytest.mark.parametrize(("persona", "code"), [("budi", KEJAKSAN), ("euis", KEJAKSAN), ("gita", "32.74")])
def test_another_wilayah_cannot_be_exported(persona, code, people, records, login):
    response = export(login(people[persona]), wilayah=code)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["wilayah"] == ["Wilayah tidak ditemukan atau di luar wilayah Anda."]
    assert b"Siti Aminah" not in download(response) and records["siti"].nik.encode() not in download(response)
    assert not AccessLog.objects.exists()


@pytest.mark.parametrize("persona", ["hadi", "intan"])
def test_a_pimpinan_never_receives_names_or_nik(persona, people, records, login):
    client = login(people[persona])
    for response in (client.get(reverse(URL)), export(client), export(client, format="csv")):
        assert response.status_code == 403
        for record in records.values():
            assert record.name.encode() not in download(response)
            assert not record.nik or record.nik.encode() not in download(response)
    assert not AccessLog.objects.exists()


def test_anonymous_is_sent_to_login(client, records):
    response = client.post(reverse(URL), {"format": "xlsx", **PURPOSE})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- round trip and cost ----------------------------------------------------------------------------------------


def test_an_exported_file_imports_back_unchanged(people, records, login, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    client = login(people["ani"])
    records["siti"].name = "=Siti Aminah"  # neutralised on the way out, restored on the way in
    records["siti"].save()
    path = tmp_path / "ekspor.xlsx"
    path.write_bytes(download(export(client)))
    before = snapshot()
    preview = upload(client, path).context["preview"]
    assert preview.counts == {"baru": 0, "diperbarui": 0, "tidak_berubah": 2, "ditolak": 0}
    assert preview.notices == ["Kolom yang tidak dikenal diabaikan: Desa/Kelurahan, Kecamatan."]
    assert confirm(client).status_code == 302
    assert snapshot() == before


@pytest.mark.parametrize("size", [3, 30])
def test_the_export_query_count_does_not_grow_with_rows(size, people, catalogue, login, django_assert_max_num_queries):
    for i in range(size):
        _record(name=f"Orang {i:03d}", nik=_nik(KEJAKSAN, date(1950, 3, 1), "P", i + 1), cats=("LUT", "FM"))
    client = login(people["dedi"])
    with django_assert_max_num_queries(12):
        rows = sheet_rows(export(client, kategori=_cat("LUT").pk))
    assert len(rows) == size + 1 and PmksRecord.objects.count() == size
