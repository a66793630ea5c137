"""BNBA import from XLSX/CSV: dry run then confirm, all or nothing, idempotent, the form's rules, scope, bad files,
history and access log. Files are real XLSX (openpyxl) and CSV (UTF-8 with BOM) written by the tests."""

from __future__ import annotations

import csv
import html
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from pmks import register
from pmks.models import AccessLog, Category, PmksRecord
from psks_portal import tabular, transfers
from psks_portal.models import Wilayah

pytestmark = pytest.mark.django_db

KEJAKSAN, LEMAHWUNGKUK = "32.74.01", "32.74.02"
DESA_A, DESA_B = "32.74.01.1001", "32.74.01.1002"  # Kejaksan, Sukapura (Kecamatan Kejaksan)
OTHER_DESA = "32.74.02.1001"  # Lemahwungkuk
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
IDENTIFIED = date(2026, 1, 5)


# --- files -------------------------------------------------------------------------------------------------------


def nik_for(kecamatan: str, birth: date, sex: str, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


def bnba_row(
    serial: int = 1, *, sex: str = "P", born: date = date(1950, 3, 1), kecamatan: str = KEJAKSAN, **cells
) -> dict:
    row = {
        "NIK": nik_for(kecamatan, born, sex, serial),
        "Nama": f"Warga Uji {serial}",
        "Jenis Kelamin": sex,
        "Tanggal Lahir": born,
        "Kode Desa": DESA_A,
        "Alamat": f"Jl. Kartini No. {serial}",
        "Kategori": "LUT",
        "Tanggal Teridentifikasi": IDENTIFIED,
        "Status Penanganan": "",
        "Dirujuk Ke": "",
        "Catatan": "",
    }
    row.update(cells)
    return row


def write_xlsx(path: Path, rows: list[dict], headers: list[str] = HEADERS) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


def write_csv(path: Path, rows: list[dict], headers: list[str] = HEADERS, *, delimiter: str = ";") -> Path:
    def text(value):
        return value.strftime("%d-%m-%Y") if isinstance(value, date) else ("" if value is None else str(value))

    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([text(row.get(h)) for h in headers])
    return path


def upload(client, path: Path):
    with path.open("rb") as handle:
        return client.post(reverse("pmks:register_import"), {"berkas": handle})


def confirm(client, *, only_valid: bool = False):
    token = client.session.get("imports", {}).get("bnba", {}).get("token", "")
    return client.post(
        reverse("pmks:register_import_confirm"), {"token": token, **({"hanya_valid": "on"} if only_valid else {})}
    )


def import_file(client, path: Path, *, only_valid: bool = False):
    preview = upload(client, path)
    assert preview.status_code == 200, preview.content[:500]
    return preview, confirm(client, only_valid=only_valid)


def stored_uploads() -> list[Path]:
    directory = Path(django_settings.MEDIA_ROOT) / "imports"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def snapshot() -> tuple:
    """Everything an import may write."""
    through = PmksRecord.categories.through
    return (
        sorted(
            PmksRecord.objects.values_list(
                "pk",
                "nik",
                "name",
                "sex",
                "birth_date",
                "desa_id",
                "address",
                "identified_on",
                "status",
                "referral_target",
                "notes",
                "updated_at",
            )
        ),
        sorted(through.objects.values_list("pmksrecord_id", "category_id")),
        PmksRecord.history.count(),
    )


def m2m_history():
    return apps.get_model("pmks", "HistoricalPmksRecord_categories")


def codes(record: PmksRecord) -> set[str]:
    return set(record.categories.values_list("code", flat=True))


# --- fixtures ----------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def files(tmp_path) -> Path:
    directory = tmp_path / "berkas"
    directory.mkdir()
    return directory


@pytest.fixture
def ani(people, catalogue, login):
    return login(people["ani"])


def _cat(code: str) -> Category:
    return Category.objects.get(catalogue__is_active=True, code=code)


# --- dry run, confirm, idempotence --------------------------------------------------------------------------------


def test_it_shows_a_dry_run_then_imports_on_confirm(ani, people, files):
    rows = [
        bnba_row(1),
        bnba_row(2, Kategori="LUT; FM", **{"Kode Desa": DESA_B}),
        bnba_row(3, NIK="", sex="L", born=date(1980, 7, 1), Kategori="24"),
    ]
    preview = upload(ani, write_xlsx(files / "bnba.xlsx", rows))
    assert preview.status_code == 200
    result = preview.context["preview"]
    assert result.counts == {"baru": 3, "diperbarui": 0, "tidak_berubah": 0, "ditolak": 0}
    assert [r.line for r in result.rows] == [2, 3, 4]
    assert PmksRecord.objects.count() == 0 and len(stored_uploads()) == 1
    # The dry run is in the access log too (issue 11: it checks a whole file against the register): counts only.
    dry_run = AccessLog.objects.get()
    assert (dry_run.user, dry_run.action, dry_run.row_count, dry_run.wilayah_id) == (
        people["ani"],
        "preview",
        3,
        KEJAKSAN,
    )
    assert dry_run.filters == {"berkas": "bnba.xlsx", "baru": 3, "diperbarui": 0, "tidak_berubah": 0, "ditolak": 0}
    html = preview.content.decode()
    assert "3274********0001" in html and rows[0]["NIK"] not in html  # masked in the preview

    response = confirm(ani)
    assert response.status_code == 302 and response["Location"] == reverse("pmks:register_list")
    assert stored_uploads() == []
    records = {r.name: r for r in PmksRecord.objects.all()}
    assert set(records) == {"Warga Uji 1", "Warga Uji 2", "Warga Uji 3"}
    assert codes(records["Warga Uji 2"]) == {"LUT", "FM"} and codes(records["Warga Uji 3"]) == {"FM"}
    first = records["Warga Uji 1"]
    assert (first.nik, first.sex, first.birth_date, first.desa_id, first.identified_on, first.status) == (
        rows[0]["NIK"],
        "P",
        date(1950, 3, 1),
        DESA_A,
        IDENTIFIED,
        "baru",
    )
    assert records["Warga Uji 3"].nik == ""
    # History: one creation row per record, by Ani, with the categories of that version.
    version = first.history.get()
    assert (version.history_type, version.history_user, version.history_change_reason) == (
        "+",
        people["ani"],
        "Impor berkas BNBA",
    )
    history_cats = m2m_history().objects.filter(history=records["Warga Uji 2"].history.get())
    assert set(history_cats.values_list("category__code", flat=True)) == {"LUT", "FM"}
    # Access log: one row for the import, counts and the file name, never a name or NIK.
    log = AccessLog.objects.get(action="import")
    assert (log.user, log.action, log.row_count, log.wilayah_id) == (people["ani"], "import", 3, KEJAKSAN)
    assert log.filters == {"berkas": "bnba.xlsx", "baru": 3, "diperbarui": 0, "tidak_berubah": 0, "dilewati": 0}
    assert "Warga" not in str(log.filters) + log.purpose


def test_importing_the_same_file_twice_changes_nothing(ani, files):
    path = write_xlsx(files / "bnba.xlsx", [bnba_row(1, Kategori="LUT; FM"), bnba_row(2, NIK="")])
    import_file(ani, path)
    before = snapshot()
    preview, response = import_file(ani, path)
    assert preview.context["preview"].counts == {"baru": 0, "diperbarui": 0, "tidak_berubah": 2, "ditolak": 0}
    assert response.status_code == 302
    assert snapshot() == before
    assert "Semua baris sudah sama" in preview.content.decode()


def test_a_csv_with_bom_and_semicolons_imports_like_the_xlsx(ani, files):
    import_file(ani, write_csv(files / "bnba.csv", [bnba_row(1, Nama="José Siregar", Alamat="Jl. Raya, No. 2")]))
    record = PmksRecord.objects.get()
    assert (record.name, record.address, record.birth_date) == ("José Siregar", "Jl. Raya, No. 2", date(1950, 3, 1))
    preview = upload(ani, write_xlsx(files / "sama.xlsx", [bnba_row(1, Nama="José Siregar", Alamat="Jl. Raya, No. 2")]))
    assert preview.context["preview"].counts["tidak_berubah"] == 1


def test_changed_rows_update_the_record_matched_by_nik(ani, people, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(1, Kategori="LUT; FM")]))
    record = PmksRecord.objects.get()
    changed = bnba_row(
        1,
        Nama="Warga Uji Satu",
        Kategori="LUT",
        **{"Status Penanganan": "Dirujuk", "Dirujuk Ke": "Panti Werdha Cirebon"},
    )
    preview, _ = import_file(ani, write_xlsx(files / "b.xlsx", [changed]))
    outcome = preview.context["preview"].rows[0]
    assert outcome.status == "diperbarui" and set(outcome.changes) >= {"nama", "status penanganan", "kategori"}
    record.refresh_from_db()
    assert (record.pk, record.name, record.status, record.referral_target) == (
        record.pk,
        "Warga Uji Satu",
        "dirujuk",
        "Panti Werdha Cirebon",
    )
    assert codes(record) == {"LUT"}
    latest = record.history.order_by("-history_id").first()
    assert (latest.history_type, latest.history_user) == ("~", people["ani"])
    assert list(m2m_history().objects.filter(history=latest).values_list("category__code", flat=True)) == ["LUT"]
    # The handling status history of the detail page sees the change.
    assert [(c.old, c.new) for c in register.status_history(record)] == [("Baru", "Dirujuk"), ("—", "Baru")]


def test_empty_optional_cells_keep_what_is_stored(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(1, Catatan="Tinggal sendiri")]))
    preview, _ = import_file(ani, write_xlsx(files / "b.xlsx", [bnba_row(1, Alamat="", Catatan="")]))
    assert preview.context["preview"].rows[0].status == "tidak_berubah"
    record = PmksRecord.objects.get()
    assert (record.address, record.notes) == ("Jl. Kartini No. 1", "Tinggal sendiri")


def test_a_row_without_nik_matches_name_birth_date_and_desa(ani, files):
    desa = Wilayah.objects.get(code=DESA_A)
    record = PmksRecord.objects.create(
        name="Siti Aminah", sex="P", birth_date=date(1950, 3, 1), desa=desa, identified_on=IDENTIFIED
    )
    record.categories.set([_cat("LUT")])
    row = bnba_row(9, NIK="", Nama="  SITI   aminah ", Alamat="Jl. Baru 2")
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", [row]))
    assert preview.context["preview"].rows[0].status == "diperbarui"
    record.refresh_from_db()
    assert PmksRecord.objects.count() == 1 and record.address == "Jl. Baru 2" and record.name == "SITI aminah"


def test_a_row_without_nik_is_checked_against_the_stored_nik(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(1)]))
    before = snapshot()
    row = bnba_row(1, NIK="", Kategori="FM", **{"Jenis Kelamin": "L"})
    preview, _ = import_file(ani, write_xlsx(files / "b.xlsx", [row]))
    assert preview.context["preview"].rows[0].errors == [
        "NIK menunjukkan jenis kelamin perempuan (tanggal + 40), tetapi data tertulis laki-laki."
    ]
    assert snapshot() == before


def test_a_nik_is_added_to_the_one_matching_record_without_nik(ani, files):
    desa = Wilayah.objects.get(code=DESA_A)
    record = PmksRecord.objects.create(
        name="Warga Uji 4", sex="P", birth_date=date(1950, 3, 1), desa=desa, identified_on=IDENTIFIED
    )
    record.categories.set([_cat("LUT")])
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(4)]))
    outcome = preview.context["preview"].rows[0]
    assert outcome.status == "diperbarui" and "NIK" in outcome.changes
    assert outcome.warnings == [
        "Dicocokkan dengan data tanpa NIK yang nama, tanggal lahir dan desanya sama; NIK "
        "ditambahkan pada data tersebut."
    ]
    record.refresh_from_db()
    assert PmksRecord.objects.count() == 1 and record.nik == bnba_row(4)["NIK"]


def test_two_matching_records_without_nik_need_a_nik(ani, files):
    desa = Wilayah.objects.get(code=DESA_A)
    for _ in range(2):
        PmksRecord.objects.create(
            name="Warga Uji 5", sex="P", birth_date=date(1950, 3, 1), desa=desa, identified_on=IDENTIFIED
        )
    before = snapshot()
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(5, NIK="")]))
    assert preview.context["preview"].rows[0].messages == [
        "Baris 2: Ada 2 data dengan nama, tanggal lahir dan desa yang sama; isi NIK untuk menentukan yang dimaksud."
    ]
    assert snapshot() == before


def test_categories_by_code_or_number_separated_by_semicolon_or_comma(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [bnba_row(1, Kategori="08, fm; 24 ;Pemulung")]))
    assert codes(PmksRecord.objects.get()) == {"LUT", "FM", "PEM"}  # 24 is FM: named twice, kept once
    number_cell = bnba_row(2, Kategori=24)  # a number typed in a number cell
    import_file(ani, write_xlsx(files / "b.xlsx", [number_cell]))
    assert codes(PmksRecord.objects.get(nik=number_cell["NIK"])) == {"FM"}


# --- refused rows ------------------------------------------------------------------------------------------------

BAD_ROWS = {
    "nik too short": ({"NIK": "327401410350001"}, "NIK harus 16 digit, bukan 15 digit."),
    "nik typed as a number": ({"NIK": 3274014103500001}, "NIK tersimpan sebagai angka"),
    "nik says male": (
        {"NIK": nik_for(KEJAKSAN, date(1950, 3, 1), "L", 1)},
        "NIK menunjukkan jenis kelamin laki-laki, tetapi data tertulis perempuan.",
    ),
    "no name": ({"Nama": ""}, "Nama wajib diisi."),
    "bad sex": ({"Jenis Kelamin": "X"}, "Jenis Kelamin harus L atau P, bukan “X”."),
    "unknown category": ({"Kategori": "LUT; XYZ"}, "Kategori “XYZ” tidak ada dalam"),
    "no category": ({"Kategori": ""}, "Kategori wajib diisi"),
    "lut too young": (
        {"Kategori": "LUT", "Tanggal Lahir": date(1980, 3, 1), "NIK": ""},
        "Lanjut Usia Telantar (LUT) untuk usia ≥ 60 tahun; usia pada tanggal teridentifikasi 45 tahun.",
    ),
    "prse for a man": (
        {"Kategori": "PRSE", "Jenis Kelamin": "L", "Tanggal Lahir": date(1990, 1, 1), "NIK": ""},
        "Perempuan Rawan Sosial Ekonomi (PRSE) hanya untuk perempuan.",
    ),
    "age rule without birth date": (
        {"Tanggal Lahir": None, "NIK": ""},
        "Lanjut Usia Telantar (LUT) berbatas usia (≥ 60 tahun): isi tanggal lahir",
    ),
    "identified before birth": (
        {"Kategori": "FM", "Tanggal Lahir": date(2026, 1, 4), "NIK": "", "Tanggal Teridentifikasi": date(2025, 12, 1)},
        "Tanggal Teridentifikasi tidak boleh sebelum Tanggal Lahir.",
    ),
    "identified in the future": ({"Tanggal Teridentifikasi": date(2099, 1, 1)}, "ada di masa depan"),
    "no identification date": ({"Tanggal Teridentifikasi": None}, "Tanggal Teridentifikasi wajib diisi."),
    "dirujuk without target": ({"Status Penanganan": "Dirujuk"}, "Status Dirujuk wajib disertai Dirujuk Ke"),
    "unknown status": ({"Status Penanganan": "Hilang"}, "Status Penanganan harus Baru, Ditangani, Dirujuk"),
    "desa outside the wilayah": (
        {"Kode Desa": OTHER_DESA},
        f"Desa {OTHER_DESA} (Pegambiran) berada di luar wilayah Anda.",
    ),
    "unknown desa": ({"Kode Desa": "32.74.01.1999"}, "Kode Desa 32.74.01.1999 tidak terdaftar."),
    "kecamatan code as desa": ({"Kode Desa": "32.74.01"}, "bukan kode desa/kelurahan"),
}


@pytest.mark.parametrize("case", list(BAD_ROWS))
def test_a_bad_row_is_refused_with_its_line_and_reason_and_nothing_is_written(case, ani, files):
    cells, message = BAD_ROWS[case]
    rows = [bnba_row(1), bnba_row(2, **cells), bnba_row(3)]
    preview, response = import_file(ani, write_xlsx(files / "bnba.xlsx", rows))
    result = preview.context["preview"]
    assert result.counts["ditolak"] == 1 and result.counts["baru"] == 2
    refused = result.error_rows[0]
    assert refused.line == 3 and any(message in m for m in refused.messages), refused.messages
    assert all(m.startswith("Baris 3: ") for m in refused.messages)
    assert message in html.unescape(preview.content.decode())
    # Confirming the whole file refuses it: all or nothing.
    assert response.status_code == 200 and "tidak ada data yang diubah" in response.content.decode()
    assert PmksRecord.objects.count() == 0 and PmksRecord.history.count() == 0
    # Logged: the preview and the refused confirmation (both showed the rows), no import.
    assert list(AccessLog.objects.order_by("pk").values_list("action", "filters__ditolak")) == [("preview", 1)] * 2


def test_only_the_valid_rows_when_asked(ani, files):
    rows = [bnba_row(1), bnba_row(2, Kategori="XYZ"), bnba_row(3)]
    _, response = import_file(ani, write_xlsx(files / "bnba.xlsx", rows), only_valid=True)
    assert response.status_code == 302
    assert sorted(PmksRecord.objects.values_list("name", flat=True)) == ["Warga Uji 1", "Warga Uji 3"]
    assert AccessLog.objects.get(action="import").filters["dilewati"] == 1


@pytest.mark.parametrize(("identified", "ok"), [(date(2026, 5, 9), False), (date(2026, 5, 10), True)])
def test_lut_needs_60_on_the_date_identified_as_in_the_form(identified, ok, ani, files):
    # Born 1966-05-10: 59 the day before the 60th birthday, 60 on it (the same boundary as the form's test).
    row = bnba_row(1, born=date(1966, 5, 10), **{"Tanggal Teridentifikasi": identified})
    preview = upload(ani, write_xlsx(files / "bnba.xlsx", [row])).context["preview"]
    assert preview.has_errors is not ok
    if not ok:
        assert preview.rows[0].errors == [
            "Lanjut Usia Telantar (LUT) untuk usia ≥ 60 tahun; usia pada tanggal teridentifikasi 59 tahun."
        ]


def test_the_same_person_twice_in_a_file_is_refused(ani, files):
    rows = [bnba_row(1), bnba_row(1, Alamat="Lain"), bnba_row(2, NIK=""), bnba_row(2, NIK="", Alamat="Lain")]
    preview = upload(ani, write_xlsx(files / "bnba.xlsx", rows)).context["preview"]
    assert [(r.line, r.messages) for r in preview.error_rows] == [
        (3, ["Baris 3: Orang yang sama sudah ada di baris 2."]),
        (5, ["Baris 5: Orang yang sama sudah ada di baris 4."]),
    ]


# --- bad files -----------------------------------------------------------------------------------------------------


def _bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


def _zip_without_workbook(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", b"<w/>")
    return path


BAD_FILES = {
    # XLS and ODS are read too now (issue 10): the two messages that said otherwise changed.
    "wrong type": (
        lambda d: _bytes(d / "bnba.pdf", b"%PDF-1.7\n"),
        "Hanya berkas XLSX, XLS, ODS atau CSV yang dapat diimpor.",
    ),
    "damaged old excel": (
        lambda d: _bytes(d / "bnba.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64),
        "dilindungi kata sandi atau rusak",
    ),
    "macro workbook": (lambda d: write_xlsx(d / "bnba.xlsm", [bnba_row(1)]), "Berkas makro (.xlsm) tidak diterima"),
    "empty": (lambda d: _bytes(d / "bnba.csv", b""), "Berkas kosong."),
    "corrupt zip": (lambda d: _bytes(d / "bnba.xlsx", b"PK\x03\x04" + b"\x00" * 200), "rusak"),
    "zip that is not a workbook": (lambda d: _zip_without_workbook(d / "bnba.xlsx"), "bukan buku kerja Excel"),
    "pdf named xlsx": (lambda d: _bytes(d / "bnba.xlsx", b"%PDF-1.7\n1 0 obj"), "bukan spreadsheet XLSX atau CSV"),
    "missing headers": (
        lambda d: write_xlsx(d / "bnba.xlsx", [bnba_row(1)], HEADERS[:5]),
        "Kolom wajib tidak ditemukan: Kategori, Tanggal Teridentifikasi.",
    ),
    "only the header": (lambda d: write_xlsx(d / "bnba.xlsx", []), "hanya berisi judul kolom"),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_nothing_is_kept(case, ani, files):
    make, message = BAD_FILES[case]
    response = upload(ani, make(files))
    assert response.status_code == 200 and "preview" not in response.context
    assert any(message in e for e in response.context["form"].errors["berkas"]), response.context["form"].errors
    assert stored_uploads() == [] and PmksRecord.objects.count() == 0


def test_a_file_over_the_size_limit_is_refused(ani, files, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2_000
    response = upload(ani, write_csv(files / "besar.csv", [bnba_row(n) for n in range(1, 40)]))
    assert any("terlalu besar" in e for e in response.context["form"].errors["berkas"])
    assert stored_uploads() == []


def test_a_stale_confirmation_changes_nothing(ani, files):
    upload(ani, write_xlsx(files / "bnba.xlsx", [bnba_row(1)]))
    response = ani.post(reverse("pmks:register_import_confirm"), {"token": "x" * 32})
    assert response.status_code == 302 and response["Location"] == reverse("pmks:register_import")
    assert PmksRecord.objects.count() == 0


# --- template --------------------------------------------------------------------------------------------------


def test_the_template_has_the_headers_categories_and_the_users_desa(ani, files):
    response = ani.get(reverse("pmks:register_template"))
    assert response.status_code == 200 and response["Content-Type"] == tabular.XLSX_TYPE
    path = files / "templat.xlsx"
    path.write_bytes(response.content)
    workbook = load_workbook(path)
    assert [c.value for c in workbook["Data"][1]] == HEADERS
    categories = [row[1] for row in workbook["Kategori"].iter_rows(min_row=2, values_only=True)]
    assert len(categories) == 26 and categories[7] == "LUT"
    desa = [row[0] for row in workbook["Kode Desa"].iter_rows(min_row=2, values_only=True)]
    assert desa == ["32.74.01.1001", "32.74.01.1002", "32.74.01.1003", "32.74.01.1004"]
    assert workbook["Data"].column_dimensions["A"].number_format == "@"  # NIK typed as text


def test_a_filled_template_imports(ani, files):
    path = files / "templat.xlsx"
    path.write_bytes(ani.get(reverse("pmks:register_template")).content)
    workbook = load_workbook(path)
    row = bnba_row(1)
    workbook["Data"].append([row[h] for h in HEADERS])
    workbook.save(path)
    import_file(ani, path)
    assert PmksRecord.objects.get().nik == row["NIK"]


# --- access --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ani", 200),
        ("budi", 200),
        ("citra", 200),
        ("dedi", 200),
        ("euis", 200),
        ("fajar", 200),
        ("gita", 200),
        ("hadi", 403),
        ("intan", 403),
        ("root", 200),
    ],
)
def test_the_import_pages_answer_each_persona(persona, status, people, catalogue, login):
    client = login(people[persona])
    assert client.get(reverse("pmks:register_import")).status_code == status
    assert client.get(reverse("pmks:register_template")).status_code == status


def test_anonymous_is_sent_to_login(client):
    for url in ("pmks:register_import", "pmks:register_template"):
        response = client.get(reverse(url))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["hadi", "intan"])
def test_a_pimpinan_can_never_import(persona, people, catalogue, login, files):
    client = login(people[persona])
    assert client.get(reverse("pmks:register_import")).status_code == 403
    assert upload(client, write_xlsx(files / "bnba.xlsx", [bnba_row(1)])).status_code == 403
    assert client.post(reverse("pmks:register_import_confirm"), {"token": "x" * 32}).status_code == 403
    assert client.get(reverse("pmks:register_template")).status_code == 403
    assert PmksRecord.objects.count() == 0 and stored_uploads() == [] and not AccessLog.objects.exists()


def test_another_kecamatan_cannot_import_into_kejaksan(people, catalogue, login, files):
    budi = login(people["budi"])
    before = snapshot()
    preview, response = import_file(budi, write_xlsx(files / "bnba.xlsx", [bnba_row(1)]))
    assert preview.context["preview"].error_rows[0].messages == [
        f"Baris 2: Desa {DESA_A} (Kejaksan) berada di luar wilayah Anda."
    ]
    assert response.status_code == 200 and snapshot() == before
    assert not AccessLog.objects.filter(action="import").exists()


def test_a_nik_recorded_in_another_kecamatan_is_not_changed(people, catalogue, login, files):
    import_file(login(people["ani"]), write_xlsx(files / "a.xlsx", [bnba_row(1)]))
    before = snapshot()
    moved = bnba_row(1, Nama="Diambil Alih", **{"Kode Desa": OTHER_DESA})
    preview, _ = import_file(login(people["budi"]), write_xlsx(files / "b.xlsx", [moved]))
    messages = preview.context["preview"].error_rows[0].messages
    assert messages == [f"Baris 2: {transfers.ELSEWHERE_ROW}"]  # a transfer request, not a takeover
    assert "Warga Uji 1" not in preview.content.decode() and DESA_A not in preview.content.decode()
    assert snapshot() == before


def test_an_operator_imports_across_the_kecamatan_of_the_kota(people, catalogue, login, files):
    rows = [bnba_row(1), bnba_row(2, kecamatan=LEMAHWUNGKUK, **{"Kode Desa": OTHER_DESA})]
    import_file(login(people["dedi"]), write_xlsx(files / "bnba.xlsx", rows))
    assert sorted(PmksRecord.objects.values_list("desa_id", flat=True)) == [DESA_A, OTHER_DESA]


# --- query count -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 30])
def test_the_import_query_count_does_not_grow_with_rows(size, ani, files, django_assert_max_num_queries):
    rows = [bnba_row(n, Kategori="LUT; FM") for n in range(1, size + 1)]
    # A fixed number of statements: reading the catalogue, the desa, the matching records and their categories once,
    # then one bulk statement per kind of write (SQLite's 999-parameter limit splits batches beyond ~55 rows).
    # (two more log the look-ups of NIKs not held in the user's area, in one go: psks_portal.transfers)
    with django_assert_max_num_queries(17):
        upload(ani, write_xlsx(files / "a.xlsx", rows))
    with django_assert_max_num_queries(26):
        assert confirm(ani).status_code == 302
    assert PmksRecord.objects.count() == size
    changed = [bnba_row(n, Kategori="FM", Alamat="Jl. Baru") for n in range(1, size + 1)]
    upload(ani, write_xlsx(files / "b.xlsx", changed))
    with django_assert_max_num_queries(26):
        assert confirm(ani).status_code == 302
    assert PmksRecord.objects.filter(address="Jl. Baru").count() == size
