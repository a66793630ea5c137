"""Importing the registry rosters: upload → preview → confirm, with real XLSX/CSV files through the test client.

Personas (tests/conftest.py): Ani is the TKSK of Kejaksan (32.74.01), Budi of Lemahwungkuk (32.74.02), Citra of
Ciamis (32.07.01); Dedi operates Kota Cirebon (32.74); Gita administers Jawa Tengah (33); Hadi and Intan are
read-only Pimpinan.
"""

from __future__ import annotations

import csv
import os
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import IntegrityError
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from psks_portal import transfers
from psks_portal.tabular import pipeline
from registry import io
from registry.models import AsnStatus, Assignment, BoardMember, Education, LegalStatus, Organisation, Person

pytestmark = pytest.mark.django_db

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
ORG_HEADERS = [
    "Nama Lembaga",
    "Jenis",
    "Kode Desa",
    "Alamat",
    "Status Badan Hukum",
    "Nomor Tanda Daftar",
    "Ketua",
    "No. HP",
]
IMPORT_URL, CONFIRM_URL = "registry:person_import", "registry:person_import_confirm"
ORG_IMPORT_URL, ORG_CONFIRM_URL = "registry:organisation_import", "registry:organisation_import_confirm"


# --- Helpers (also used by test_export.py) ---------------------------------------------------------------------------


def nik_for(kecamatan: str = "327401", born: date = date(1990, 1, 1), sex: str = "L", serial: int = 1) -> str:
    """A NIK consistent with the sex and birth date (women: day + 40)."""
    day = born.day + (40 if sex == "P" else 0)
    return f"{kecamatan}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def person_row(
    serial: int = 1, *, kecamatan: str = "327401", born: date = date(1990, 1, 1), sex: str = "L", **cells
) -> dict:
    row = {
        "NIK": nik_for(kecamatan, born, sex, serial),
        "Nama": f"Orang Uji {serial}",
        "Jenis Kelamin": sex,
        "Tempat Lahir": "Cirebon",
        "Tanggal Lahir": born,
        "Pendidikan": "SLTA",
        "Kode Desa": "32.74.01.1001",
        "Alamat": f"Jl. Kartini No. {serial}",
        "Jenis": "PSM",
        "Status ASN": "Non-ASN",
        "Golongan": "",
        "No. HP": "081234567890",
        "Nomor SK": "",
        "Tanggal SK": None,
    }
    row.update(cells)
    return row


def org_row(serial: int = 1, **cells) -> dict:
    row = {
        "Nama Lembaga": f"LKS Harapan {serial}",
        "Jenis": "LKS",
        "Kode Desa": "32.74.01.1001",
        "Alamat": f"Jl. Siliwangi No. {serial}",
        "Status Badan Hukum": "Berbadan hukum",
        "Nomor Tanda Daftar": f"460/{serial}/Dinsos/2024",
        "Ketua": f"Ketua {serial}",
        "No. HP": "0231123456",
    }
    row.update(cells)
    return row


def write_xlsx(path: Path, rows: list[dict], headers: list[str] = HEADERS, *, above: list[list] = ()) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for line in above:
        sheet.append(line)
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(h) for h in headers])
    workbook.save(path)
    return path


def write_csv(
    path: Path, rows: list[dict], headers: list[str] = HEADERS, *, delimiter: str = ",", encoding: str = "utf-8"
) -> Path:
    def text(value):
        return value.strftime("%d-%m-%Y") if isinstance(value, date) else ("" if value is None else str(value))

    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([text(row.get(h)) for h in headers])
    return path


def upload(client, path: Path, url: str = IMPORT_URL):
    with path.open("rb") as handle:
        return client.post(reverse(url), {"berkas": handle})


def confirm(client, url: str = CONFIRM_URL, *, roster: str = "person", only_valid: bool = False):
    token = client.session.get("imports", {}).get(roster, {}).get("token", "")
    data = {"token": token, **({"hanya_valid": "on"} if only_valid else {})}
    return client.post(reverse(url), data)


def stored_uploads() -> list[Path]:
    directory = Path(django_settings.MEDIA_ROOT) / "imports"
    return sorted(directory.iterdir()) if directory.is_dir() else []


def import_file(
    client,
    path: Path,
    *,
    url: str = IMPORT_URL,
    confirm_url: str = CONFIRM_URL,
    roster: str = "person",
    only_valid: bool = False,
):
    preview = upload(client, path, url)
    assert preview.status_code == 200
    return preview, confirm(client, confirm_url, roster=roster, only_valid=only_valid)


# --- Fixtures -------------------------------------------------------------------------------------------------------


@pytest.fixture
def kinds(catalogue):
    """The shipped catalogue (reference data: see tests/conftest.py)."""


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def files(tmp_path) -> Path:
    directory = tmp_path / "files"
    directory.mkdir()
    return directory


@pytest.fixture
def ani(people, kinds, login):
    return login(people["ani"])


# --- Preview and confirm --------------------------------------------------------------------------------------------


def test_it_previews_without_changing_anything(ani, files):
    rows = [person_row(1), person_row(2, sex="P", born=date(1985, 7, 17)), person_row(3, Jenis="Tagana")]
    response = upload(ani, write_xlsx(files / "daftar.xlsx", rows))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview.counts == {"baru": 3, "diperbarui": 0, "tidak_berubah": 0, "ditolak": 0}
    assert Person.objects.count() == 0 and Assignment.objects.count() == 0
    html = response.content.decode()
    first = rows[0]["NIK"]
    assert first not in html and f"{first[:4]}********{first[-4:]}" in html
    stored = stored_uploads()
    assert len(stored) == 1 and stored[0].name == ani.session["imports"]["person"]["token"]
    assert "daftar" not in stored[0].name


def test_it_imports_on_confirm_with_roles_history_and_an_audit_record(people, ani, files):
    rows = [
        person_row(1, **{"Nomor SK": "460/12/2025", "Tanggal SK": date(2025, 1, 2), "Pendidikan": "D3"}),
        person_row(2, sex="P", born=date(1985, 7, 17), Jenis="Tagana", **{"Kode Desa": "32.74.01.1002"}),
    ]
    _, response = import_file(ani, write_xlsx(files / "daftar.xlsx", rows))
    assert response.status_code == 302 and response.url == reverse("registry:person_list")
    first = Person.objects.get(nik=rows[0]["NIK"])
    assert (first.name, first.sex, first.birth_place, first.birth_date) == (
        "Orang Uji 1",
        "L",
        "Cirebon",
        date(1990, 1, 1),
    )
    assert (first.education, first.desa_id, first.phone, first.asn_status) == (
        Education.D3,
        "32.74.01.1001",
        "081234567890",
        AsnStatus.NON_ASN,
    )
    role = first.assignments.get()
    assert (role.kind.code, role.wilayah_id, role.sk_number, role.sk_date) == (
        "psm",
        "32.74.01",
        "460/12/2025",
        date(2025, 1, 2),
    )
    second = Person.objects.get(nik=rows[1]["NIK"])
    assert second.sex == "P" and second.assignments.get().kind.code == "tagana"
    history = Person.history.filter(history_user=people["ani"], history_type="+")
    assert history.count() == 2 and "Impor" in history.first().history_change_reason
    assert Assignment.history.filter(history_user=people["ani"]).count() == 2
    entry = LogEntry.objects.get(user=people["ani"], action_flag=CHANGE)
    assert "2 baru" in entry.change_message
    assert stored_uploads() == [] and "person" not in ani.session.get("imports", {})


def test_the_same_file_twice_changes_nothing_the_second_time(ani, files):
    path = write_xlsx(files / "daftar.xlsx", [person_row(n, **{"Nomor SK": f"SK-{n}"}) for n in range(1, 4)])
    import_file(ani, path)
    before = (Person.history.count(), Assignment.history.count(), list(Person.objects.values_list("updated_at")))
    preview, response = import_file(ani, path)
    assert preview.context["preview"].counts == {"baru": 0, "diperbarui": 0, "tidak_berubah": 3, "ditolak": 0}
    assert response.status_code == 302
    after = (Person.history.count(), Assignment.history.count(), list(Person.objects.values_list("updated_at")))
    assert after == before and Assignment.objects.count() == 3


def test_changed_rows_are_updated_and_roles_are_not_duplicated(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [person_row(n) for n in range(1, 4)]))
    ids = dict(Person.objects.values_list("nik", "pk"))
    changed = [person_row(1, Nama="Orang Uji Satu"), person_row(2, **{"Nomor SK": "SK-BARU"}), person_row(3)]
    preview, _ = import_file(ani, write_xlsx(files / "b.xlsx", changed))
    statuses = [(r.line, r.status) for r in preview.context["preview"].rows]
    assert statuses == [(2, "diperbarui"), (3, "diperbarui"), (4, "tidak_berubah")]
    assert "nama" in preview.context["preview"].rows[0].changes
    assert dict(Person.objects.values_list("nik", "pk")) == ids
    assert Person.objects.get(nik=changed[0]["NIK"]).name == "Orang Uji Satu"
    assert Assignment.objects.count() == 3
    assert Assignment.objects.get(person__nik=changed[1]["NIK"]).sk_number == "SK-BARU"


def test_empty_optional_cells_do_not_erase_stored_values(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [person_row(1, Pendidikan="S1", **{"Nomor SK": "SK-1"})]))
    preview, _ = import_file(
        ani, write_xlsx(files / "b.xlsx", [person_row(1, Pendidikan="", Alamat="", **{"No. HP": "", "Nomor SK": ""})])
    )
    assert preview.context["preview"].counts["tidak_berubah"] == 1
    person = Person.objects.get()
    assert (person.education, person.phone, person.assignments.get().sk_number) == (
        Education.S1,
        "081234567890",
        "SK-1",
    )


def test_a_person_with_two_roles_is_written_once_with_two_assignments(ani, files):
    rows = [person_row(1, Jenis="PSM"), person_row(1, Jenis="Tagana")]
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", rows))
    assert preview.context["preview"].counts["baru"] == 2
    assert Person.objects.count() == 1
    assert sorted(Assignment.objects.values_list("kind__code", "wilayah_id")) == [
        ("psm", "32.74.01"),
        ("tagana", "32.74.01"),
    ]


def test_a_file_with_refused_rows_changes_nothing_unless_only_valid_rows_are_chosen(ani, files):
    rows = [person_row(1), person_row(2, NIK="327401010190002"), person_row(3)]
    upload(ani, write_xlsx(files / "a.xlsx", rows))
    refused = confirm(ani)
    assert refused.status_code == 200 and "tidak ada data yang diubah" in refused.content.decode()
    assert Person.objects.count() == 0 and len(stored_uploads()) == 1
    done = confirm(ani, only_valid=True)
    assert done.status_code == 302
    assert set(Person.objects.values_list("nik", flat=True)) == {rows[0]["NIK"], rows[2]["NIK"]}
    messages = [str(m) for m in done.wsgi_request._messages]
    assert any("2 baru" in m and "1 baris dilewati" in m for m in messages)


def test_every_refused_row_says_why(ani, files):
    rows = [
        (person_row(1, NIK="327401010190001"), "NIK harus 16 digit, bukan 15 digit."),
        (person_row(2, **{"Jenis Kelamin": "P"}), "NIK menunjukkan jenis kelamin laki-laki"),
        (person_row(3, **{"Tanggal Lahir": "31-02-1990"}), "Tanggal Lahir harus berupa tanggal DD-MM-YYYY"),
        (person_row(4, **{"Tanggal Lahir": date(1991, 1, 1)}), "Tanggal lahir pada NIK (01-01-90)"),
        (person_row(5, Jenis="Penyihir"), "Jenis “Penyihir” tidak dikenal"),
        (person_row(6, Jenis="LKS"), "tidak dapat diimpor sebagai perorangan"),
        (person_row(7, **{"Kode Desa": "32.74.01.1999"}), "Kode Desa 32.74.01.1999 tidak terdaftar."),
        (person_row(8, **{"Kode Desa": "32.74.01"}), "bukan kode desa/kelurahan"),
        (person_row(9, Pendidikan="Pesantren"), "Pendidikan “Pesantren” tidak dikenal"),
        (person_row(10, **{"Status ASN": "Honorer"}), "Status ASN harus Non-ASN, PNS atau PPPK"),
        (person_row(12, Nama=""), "Nama wajib diisi."),
        (person_row(14, NIK=int(nik_for(serial=14))), "NIK tersimpan sebagai angka"),
        (person_row(15, **{"Tanggal Lahir": 32874}), "Tanggal Lahir berupa angka (32874)"),
        (person_row(16, **{"Tanggal Lahir": date(2090, 1, 1)}), "ada di masa depan"),
        (person_row(17, Golongan="V/z", **{"Status ASN": "PNS"}), "Golongan “V/z” tidak dikenal"),
    ]
    response = upload(ani, write_xlsx(files / "a.xlsx", [row for row, _ in rows]))
    preview = response.context["preview"]
    assert preview.counts["ditolak"] == len(rows)
    html = response.content.decode()
    for line, ((_, expected), outcome) in enumerate(zip(rows, preview.rows, strict=True), start=2):
        assert outcome.line == line and outcome.status == "ditolak"
        assert any(m.startswith(f"Baris {line}: ") and expected in m for m in outcome.messages), (line, outcome)
    assert "Baris 2: NIK harus 16 digit, bukan 15 digit." in html


def test_common_spellings_are_accepted(ani, files):
    rows = [
        person_row(1, Pendidikan="SMA", Jenis="psm", **{"Jenis Kelamin": "Laki-laki", "Kode Desa": "3274011001"}),
        person_row(2, Pendidikan="D-III", Jenis="Pendamping PKH", **{"Status ASN": "non asn"}),
        person_row(
            3, Pendidikan="SLTA/SMA/SMK/sederajat", Jenis="Pekerja Sosial Masyarakat", **{"Tanggal Lahir": "1990-01-01"}
        ),
        person_row(
            4,
            Pendidikan="S1",
            Jenis="  TAGANA ",
            Golongan="III a",
            **{"Status ASN": "PNS", "Tanggal Lahir": "01/01/1990"},
        ),
        person_row(5, sex="P", Jenis="PKH", **{"Jenis Kelamin": "Perempuan", "Status ASN": "P3K"}),
    ]
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", rows))
    assert preview.context["preview"].counts["baru"] == 5, preview.context["preview"].error_rows
    got = {p.nik: (p.education, p.asn_status, p.golongan, p.sex) for p in Person.objects.all()}
    assert got == {
        rows[0]["NIK"]: (Education.SLTA, "non_asn", "", "L"),
        rows[1]["NIK"]: (Education.D3, "non_asn", "", "L"),
        rows[2]["NIK"]: (Education.SLTA, "non_asn", "", "L"),
        rows[3]["NIK"]: (Education.S1, "pns", "III/a", "L"),
        rows[4]["NIK"]: (Education.SLTA, "pppk", "", "P"),
    }
    assert sorted(Assignment.objects.values_list("kind__code", flat=True)) == [
        "pendamping-pkh",
        "pendamping-pkh",
        "psm",
        "psm",
        "tagana",
    ]


def test_an_unknown_kecamatan_in_the_nik_is_a_warning_not_an_error(ani, files):
    response = upload(ani, write_xlsx(files / "a.xlsx", [person_row(1, kecamatan="329901")]))
    row = response.context["preview"].rows[0]
    assert row.status == "baru" and row.errors == []
    assert row.warning_messages == ["Baris 2: Kode wilayah pada NIK (32.99.01) bukan kode kecamatan yang dikenal."]


def test_duplicate_rows_in_one_file_are_refused(ani, files):
    rows = [person_row(1), person_row(1), person_row(2), person_row(2, Nama="Nama Lain", Jenis="Tagana")]
    preview = upload(ani, write_xlsx(files / "a.xlsx", rows)).context["preview"]
    assert [r.status for r in preview.rows] == ["baru", "ditolak", "baru", "ditolak"]
    assert "Duplikat baris 2" in preview.rows[1].messages[0]
    assert "NIK sama dengan baris 4 tetapi data orangnya berbeda" in preview.rows[3].messages[0]


def test_one_kecamatan_gets_one_active_tksk(ani, files):
    rows = [person_row(1, Jenis="TKSK"), person_row(2, Jenis="TKSK")]
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", rows), only_valid=True)
    assert "sudah mendapat TKSK lain di berkas ini" in preview.context["preview"].rows[1].messages[0]
    seat = Assignment.objects.get(kind__code="tksk")
    assert seat.holds_tksk_seat is True and seat.wilayah_id == "32.74.01"
    again = upload(ani, write_xlsx(files / "b.xlsx", [person_row(3, Jenis="TKSK"), person_row(1, Jenis="TKSK")]))
    assert [r.status for r in again.context["preview"].rows] == ["ditolak", "tidak_berubah"]
    assert "sudah memiliki TKSK aktif lain" in again.context["preview"].rows[0].messages[0]


def test_the_header_may_vary_in_case_and_spaces_and_sit_below_a_title(ani, files):
    headers = [f"  {h.upper()} " for h in HEADERS] + ["Catatan"]
    rows = [{f"  {k.upper()} ": v for k, v in person_row(1).items()}]
    path = write_xlsx(files / "a.xlsx", rows, headers, above=[["Daftar PSM Kecamatan Kejaksan"], []])
    preview = upload(ani, path).context["preview"]
    assert preview.counts["baru"] == 1 and preview.rows[0].line == 4
    assert preview.notices == ["Kolom yang tidak dikenal diabaikan: Catatan."]


# --- Scope ----------------------------------------------------------------------------------------------------------


def test_rows_outside_the_users_kecamatan_are_refused(ani, files):
    rows = [person_row(1), person_row(2, kecamatan="327402", **{"Kode Desa": "32.74.02.1001"})]
    preview = upload(ani, write_xlsx(files / "a.xlsx", rows)).context["preview"]
    assert [r.status for r in preview.rows] == ["baru", "ditolak"]
    assert preview.rows[1].messages == ["Baris 3: Desa 32.74.02.1001 (Pegambiran) berada di luar wilayah Anda."]


@pytest.mark.parametrize("persona", ["budi", "citra", "gita"])
def test_users_of_another_kecamatan_kabupaten_or_provinsi_cannot_import_anis_rows(people, kinds, login, files, persona):
    client = login(people[persona])
    preview, response = import_file(
        client, write_xlsx(files / "a.xlsx", [person_row(1), person_row(2)]), only_valid=True
    )
    rows = preview.context["preview"].rows
    assert all(r.status == "ditolak" and "di luar wilayah Anda" in r.messages[0] for r in rows)
    assert response.status_code == 302 and Person.objects.count() == 0


@pytest.mark.parametrize("persona", ["budi", "citra", "gita"])
def test_a_nik_registered_in_another_wilayah_cannot_be_taken_over(people, kinds, login, files, persona):
    """Budi, Citra and Gita each own a person; Ani's file names that NIK at a desa of Kejaksan and is refused."""
    desa = {"budi": "32.74.02.1001", "citra": "32.07.01.1001", "gita": "33.01.01.2001"}[persona]
    owner = login(people[persona])
    import_file(owner, write_xlsx(files / "own.xlsx", [person_row(1, **{"Kode Desa": desa})]))
    assert Person.objects.get().desa_id == desa
    ani = login(people["ani"])
    preview, _ = import_file(ani, write_xlsx(files / "a.xlsx", [person_row(1, Nama="Diambil alih")]), only_valid=True)
    assert transfers.ELSEWHERE_ROW in preview.context["preview"].rows[0].messages[0]
    person = Person.objects.get()
    assert (person.name, person.desa_id) == ("Orang Uji 1", desa)


def test_an_operator_imports_across_the_kecamatan_of_the_kota(people, kinds, login, files):
    rows = [person_row(1), person_row(2, kecamatan="327402", **{"Kode Desa": "32.74.02.1001"})]
    import_file(login(people["dedi"]), write_xlsx(files / "a.xlsx", rows))
    assert Person.objects.count() == 2


@pytest.mark.parametrize("persona", ["hadi", "intan"])
def test_a_read_only_pimpinan_may_not_import(people, kinds, login, files, persona):
    client = login(people[persona])
    assert client.get(reverse(IMPORT_URL)).status_code == 403
    assert upload(client, write_xlsx(files / "a.xlsx", [person_row(1)])).status_code == 403
    assert client.post(reverse(CONFIRM_URL), {"token": "x" * 32}).status_code == 403
    assert client.get(reverse(ORG_IMPORT_URL)).status_code == 403
    assert Person.objects.count() == 0 and stored_uploads() == []


def test_anonymous_users_are_sent_to_the_login_page(client, tree):
    for name in (
        IMPORT_URL,
        CONFIRM_URL,
        "registry:person_template",
        ORG_IMPORT_URL,
        ORG_CONFIRM_URL,
        "registry:organisation_template",
    ):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login")), name


def test_the_upload_page_shows_the_form_and_the_template_link(ani):
    response = ani.get(reverse(IMPORT_URL))
    assert response.status_code == 200
    assert reverse("registry:person_template") in response.content.decode()


# --- The confirm step -----------------------------------------------------------------------------------------------


def test_confirm_without_a_matching_pending_upload_changes_nothing(people, ani, login, files):
    assert confirm(ani).status_code == 302
    upload(ani, write_xlsx(files / "a.xlsx", [person_row(1)]))
    stale = ani.post(reverse(CONFIRM_URL), {"token": "A" * 32})
    assert stale.status_code == 302 and stale.url == reverse(IMPORT_URL)
    token = ani.session["imports"]["person"]["token"]
    budi = login(people["budi"])  # Budi's session has no pending upload: Ani's token is worth nothing to him
    assert budi.post(reverse(CONFIRM_URL), {"token": token, "hanya_valid": "on"}).status_code == 302
    assert Person.objects.count() == 0
    assert budi.get(reverse(CONFIRM_URL)).status_code == 405


def test_confirm_validates_again_instead_of_trusting_the_preview(people, kinds, login, files):
    path = write_xlsx(files / "a.xlsx", [person_row(1), person_row(2)])
    dedi = login(people["dedi"])
    assert upload(dedi, path).context["preview"].counts["baru"] == 2
    # Between Dedi's preview and his confirmation, Euis registers the first NIK in Kabupaten Ciamis.
    euis = Client()
    euis.force_login(people["euis"])
    import_file(euis, write_xlsx(files / "b.xlsx", [person_row(1, **{"Kode Desa": "32.07.01.1001"})]))
    refused = confirm(dedi)
    assert refused.status_code == 200
    assert refused.context["preview"].counts == {"baru": 1, "diperbarui": 0, "tidak_berubah": 0, "ditolak": 1}
    assert list(Person.objects.values_list("desa_id", flat=True)) == ["32.07.01.1001"]


def test_a_vanished_upload_or_a_clash_during_the_import_changes_nothing(ani, files, monkeypatch):
    path = write_xlsx(files / "a.xlsx", [person_row(1)])
    upload(ani, path)
    stored_uploads()[0].unlink()  # swept after a day
    response = confirm(ani)
    assert response.status_code == 302 and response.url == reverse(IMPORT_URL)
    assert any("sudah tidak tersedia" in str(m) for m in response.wsgi_request._messages)

    def clash(plan, *, user):
        raise IntegrityError("duplicate key value violates unique constraint")

    upload(ani, path)
    monkeypatch.setattr(io.PERSONS, "write", clash)
    response = confirm(ani)
    assert any("Data berubah saat impor berjalan" in str(m) for m in response.wsgi_request._messages)
    assert Person.objects.count() == 0 and stored_uploads() == []


def test_uploads_are_deleted_after_a_day(ani, files):
    directory = Path(django_settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True)
    old = directory / ("x" * 32)
    old.write_bytes(b"lama")
    day_ago = time.time() - 25 * 3600
    os.utime(old, (day_ago, day_ago))
    upload(ani, write_xlsx(files / "a.xlsx", [person_row(1)]))
    assert not old.exists() and len(stored_uploads()) == 1


def test_a_new_upload_replaces_the_pending_one(ani, files):
    upload(ani, write_xlsx(files / "a.xlsx", [person_row(1)]))
    first = stored_uploads()
    upload(ani, write_xlsx(files / "b.xlsx", [person_row(2)]))
    assert len(stored_uploads()) == 1 and stored_uploads() != first


def _excel_like_xlsx(path: Path, *, date1904: bool) -> Path:
    """An XLSX as Excel writes it (shared strings, rich text, a date as a styled serial number, a number cell for the
    phone, the data on the second sheet), which openpyxl-made test files never exercise."""
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    row = person_row(1)
    texts = [
        *HEADERS,
        row["NIK"],
        "Orang Uji 1",
        "L",
        "Cirebon",
        "SLTA",
        "32.74.01.1001",
        "Jl. Kartini No. 1",
        "PSM",
        "Non-ASN",
    ]
    shared = "".join(
        f"<si><t>{t}</t></si>"
        if t != "Orang Uji 1"
        else '<si><r><t xml:space="preserve">Orang </t></r><r><rPr><b/></rPr><t>Uji 1</t></r></si>'
        for t in texts
    )
    serial = 32874 - (1462 if date1904 else 0)  # 1990-01-01

    def s(col: str, text: str) -> str:
        return f'<c r="{col}2" t="s"><v>{texts.index(text, len(HEADERS))}</v></c>'

    header = "".join(f'<c r="{chr(65 + i)}1" t="s"><v>{i}</v></c>' for i in range(len(HEADERS)))
    data = (
        s("A", row["NIK"])
        + s("B", "Orang Uji 1")
        + s("C", "L")
        + s("D", "Cirebon")
        + f'<c r="E2" s="1"><v>{serial}</v></c>'
        + s("F", "SLTA")
        + s("G", "32.74.01.1001")
        + s("H", "Jl. Kartini No. 1")
        + s("I", "PSM")
        + s("J", "Non-ASN")
        + '<c r="L2"><v>81234567890</v></c>'
    )
    files = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        # The package relationship Excel always writes (calamine, like Excel, finds the workbook through it).
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'<workbook xmlns="{main}" xmlns:r="{rel}"><workbookPr date1904="{int(date1904)}"/>'
        '<sheets><sheet name="Petunjuk" sheetId="1" r:id="rId1"/>'
        '<sheet name="Data" sheetId="2" r:id="rId2"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
        f'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
        f'Type="{rel}/worksheet" Target="/xl/worksheets/sheet2.xml"/></Relationships>',
        "xl/styles.xml": f'<styleSheet xmlns="{main}"><numFmts count="1"><numFmt numFmtId="164" '
        'formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/>'
        '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>',
        "xl/sharedStrings.xml": f'<sst xmlns="{main}">{shared}</sst>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{main}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>Isi lembar Data</t></is></c></row></sheetData></worksheet>",
        "xl/worksheets/sheet2.xml": f'<worksheet xmlns="{main}"><dimension ref="A1"/><sheetData><row r="1">{header}'
        f'</row><row r="2">{data}</row></sheetData></worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return path


@pytest.mark.parametrize("date1904", [False, True])
def test_an_excel_file_with_shared_strings_and_date_serials_is_read(ani, files, date1904):
    preview, _ = import_file(ani, _excel_like_xlsx(files / "excel.xlsx", date1904=date1904))
    assert preview.context["preview"].counts["baru"] == 1, preview.context["preview"].error_rows
    person = Person.objects.get()
    assert (person.nik, person.name, person.birth_date, person.phone) == (
        person_row(1)["NIK"],
        "Orang Uji 1",
        date(1990, 1, 1),
        "081234567890",
    )


# --- Bad files ------------------------------------------------------------------------------------------------------


def _xlsx_with(path: Path, extra: dict[str, bytes], *, drop_workbook: bool = False) -> Path:
    source = write_xlsx(path.with_suffix(".src.xlsx"), [person_row(1)])
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info in original.infolist():
            if not (drop_workbook and info.filename == "xl/workbook.xml"):
                target.writestr(info, original.read(info.filename))
        for name, content in extra.items():
            target.writestr(name, content)
    return path


def _zip_bomb(path: Path) -> Path:
    _xlsx_with(path, {})
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
        archive.open("xl/media/padding.bin", "w", force_zip64=True) as member,
    ):
        chunk = b" " * (8 << 20)
        for _ in range(django_settings.IMPORT_MAX_UNPACKED_BYTES // len(chunk) + 1):
            member.write(chunk)
    return path


BAD_FILES = {
    "empty": (lambda d: _bytes(d / "kosong.csv", b""), "Berkas kosong."),
    "only a header": (lambda d: write_xlsx(d / "judul.xlsx", []), "hanya berisi judul kolom"),
    "missing headers": (
        lambda d: write_xlsx(d / "kurang.xlsx", [person_row(1)], HEADERS[:8]),
        "Kolom wajib tidak ditemukan: Jenis, Status ASN.",
    ),
    "duplicate header": (
        lambda d: write_xlsx(d / "ganda.xlsx", [person_row(1)], [*HEADERS, "nik"]),
        "Kolom “NIK” muncul lebih dari sekali.",
    ),
    "empty sheet": (lambda d: write_xlsx(d / "kosong.xlsx", [], []), "Berkas kosong"),
    "pdf named xlsx": (
        lambda d: _bytes(d / "daftar.xlsx", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"),
        "bukan spreadsheet XLSX atau CSV",
    ),
    "png named csv": (
        lambda d: _bytes(d / "daftar.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
        "bukan spreadsheet XLSX atau CSV",
    ),
    "binary named csv": (lambda d: _bytes(d / "daftar.csv", bytes(range(256)) * 4), "bukan spreadsheet"),
    "word document": (
        lambda d: _xlsx_with(d / "surat.xlsx", {"word/document.xml": b"<w/>"}, drop_workbook=True),
        "bukan buku kerja Excel",
    ),
    "broken xlsx": (lambda d: _bytes(d / "rusak.xlsx", b"PK\x03\x04" + b"\x00" * 200), "rusak"),
    "xlsm": (lambda d: write_xlsx(d / "makro.xlsm", [person_row(1)]), "Berkas makro (.xlsm) tidak diterima"),
    "vba inside xlsx": (
        lambda d: _xlsx_with(d / "makro.xlsx", {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}),
        "berisi makro (VBA)",
    ),
    # XLS and ODS are read too now (issue 10): the messages that said otherwise changed.
    "damaged xls": (
        lambda d: _bytes(d / "lama.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
        "dilindungi kata sandi atau rusak",
    ),
    "xls named xlsx": (
        lambda d: _bytes(d / "lama.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500),
        "dilindungi kata sandi",
    ),
    "other format": (lambda d: _bytes(d / "daftar.numbers", b"PK\x03\x04"), "Hanya berkas XLSX, XLS, ODS atau CSV"),
    "broken ods": (lambda d: _bytes(d / "daftar.ods", b"PK\x03\x04"), "Berkas ODS rusak"),
    "zip bomb": (lambda d: _zip_bomb(d / "bom.xlsx"), "terlalu besar setelah dibuka"),
}


def _bytes(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_message_and_changes_nothing(ani, files, case):
    build, expected = BAD_FILES[case]
    response = upload(ani, build(files))
    assert response.status_code == 200
    errors = response.context["form"].errors["berkas"]
    assert any(expected in e for e in errors), errors
    assert expected in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert Person.objects.count() == 0 and stored_uploads() == []
    assert "imports" not in ani.session or "person" not in ani.session["imports"]


def test_an_oversized_upload_is_refused(ani, files, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 2_000
    response = upload(ani, write_csv(files / "besar.csv", [person_row(n) for n in range(1, 40)]))
    assert any("terlalu besar" in e for e in response.context["form"].errors["berkas"])
    assert stored_uploads() == []


def test_a_file_over_the_row_limit_is_refused(ani, files, settings):
    settings.IMPORT_MAX_ROWS = 3
    response = upload(ani, write_csv(files / "banyak.csv", [person_row(n) for n in range(1, 5)]))
    assert any("lebih dari 3 baris" in e for e in response.context["form"].errors["berkas"])


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("utf-8", ","), ("utf-8-sig", ";"), ("cp1252", ";"), ("latin-1", ","), ("utf-16", "\t"), ("utf-16", ",")],
)
def test_csv_in_other_encodings_and_separators_is_read(ani, files, encoding, delimiter):
    rows = [person_row(1, Nama="José Andrés Siregar"), person_row(2, Nama="Nur Aini", Alamat="Jl. Raya, No. 2")]
    path = write_csv(files / "daftar.csv", rows, delimiter=delimiter, encoding=encoding)
    preview, _ = import_file(ani, path)
    assert preview.context["preview"].counts["baru"] == 2, preview.context["preview"].error_rows
    assert sorted(Person.objects.values_list("name", "address", "birth_date")) == [
        ("José Andrés Siregar", "Jl. Kartini No. 1", date(1990, 1, 1)),
        ("Nur Aini", "Jl. Raya, No. 2", date(1990, 1, 1)),
    ]


# --- Query counts ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [10, 100])
def test_the_import_query_count_does_not_grow_with_rows(people, kinds, files, size, django_assert_max_num_queries):
    """A fixed number of statements per batch. (SQLite's 999-parameter limit cuts a batch to ~55 rows, so 100 rows
    cost a few more statements there than 10 rows; on PostgreSQL a batch is 1,000 rows.)"""
    user = people["dedi"]
    rows = [person_row(n, Jenis="PSM" if n % 2 else "Tagana") for n in range(1, size + 1)]
    path = write_xlsx(files / "a.xlsx", rows)
    user.wilayah  # noqa: B018 - load the user's wilayah outside the measured block, as a request would
    # Two of them log the look-ups of the NIKs not held in the user's area (psks_portal.transfers), in one go.
    with django_assert_max_num_queries(7):
        assert pipeline.dry_run(io.PERSONS, path=path, filename="a.xlsx", user=user).counts["baru"] == size
    with django_assert_max_num_queries(18):
        pipeline.apply(io.PERSONS, path=path, filename="a.xlsx", user=user)
    changed = write_xlsx(files / "b.xlsx", [{**row, "Alamat": "Alamat baru", "Nomor SK": "SK-2"} for row in rows])
    with django_assert_max_num_queries(18):
        assert pipeline.apply(io.PERSONS, path=changed, filename="b.xlsx", user=user).counts["diperbarui"] == size
    assert Person.objects.count() == size and Assignment.objects.filter(sk_number="SK-2").count() == size


# --- Organisations --------------------------------------------------------------------------------------------------


def test_it_imports_organisations_with_their_chair(people, ani, files):
    rows = [
        org_row(1),
        org_row(2, Jenis="Karang Taruna", **{"Nomor Tanda Daftar": "", "Status Badan Hukum": ""}),
        org_row(
            3,
            Jenis="Keluarga Pioner",
            **{
                "Nama Lembaga": "Keluarga Bapak Ahmad",
                "Status Badan Hukum": "Tidak berbadan hukum",
                "Nomor Tanda Daftar": "",
            },
        ),
    ]
    path = write_xlsx(files / "lembaga.xlsx", rows, ORG_HEADERS)
    preview, response = import_file(ani, path, url=ORG_IMPORT_URL, confirm_url=ORG_CONFIRM_URL, roster="organisation")
    assert preview.context["preview"].counts["baru"] == 3
    assert response.status_code == 302 and response.url == reverse("registry:organisation_list")
    lks = Organisation.objects.get(registration_number="460/1/Dinsos/2024")
    assert (lks.kind.code, lks.desa_id, lks.legal_status, lks.address, lks.phone) == (
        "lks",
        "32.74.01.1001",
        LegalStatus.BADAN_HUKUM,
        "Jl. Siliwangi No. 1",
        "0231123456",
    )
    assert Organisation.objects.get(name="Keluarga Bapak Ahmad").legal_status == LegalStatus.TIDAK
    assert sorted(BoardMember.objects.values_list("position", "name")) == [("Ketua", f"Ketua {n}") for n in (1, 2, 3)]
    assert Organisation.history.filter(history_user=people["ani"]).count() == 3
    assert LogEntry.objects.filter(user=people["ani"], action_flag=CHANGE).count() == 1


def test_organisations_match_on_registration_number_else_name_and_desa(ani, files):
    first = [org_row(1), org_row(2, **{"Nomor Tanda Daftar": ""})]
    kwargs = {"url": ORG_IMPORT_URL, "confirm_url": ORG_CONFIRM_URL, "roster": "organisation"}
    import_file(ani, write_xlsx(files / "a.xlsx", first, ORG_HEADERS), **kwargs)
    ids = set(Organisation.objects.values_list("pk", flat=True))
    again, _ = import_file(ani, write_xlsx(files / "b.xlsx", first, ORG_HEADERS), **kwargs)
    assert again.context["preview"].counts["tidak_berubah"] == 2
    second = [
        org_row(1, **{"Nama Lembaga": "LKS Harapan Satu", "Ketua": "Ketua Baru"}),
        org_row(2, **{"Nama Lembaga": "lks harapan 2", "Nomor Tanda Daftar": "460/99/Dinsos/2025"}),
    ]
    preview, _ = import_file(ani, write_xlsx(files / "c.xlsx", second, ORG_HEADERS), **kwargs)
    assert [r.status for r in preview.context["preview"].rows] == ["diperbarui", "diperbarui"]
    assert set(Organisation.objects.values_list("pk", flat=True)) == ids
    assert Organisation.objects.get(registration_number="460/1/Dinsos/2024").name == "LKS Harapan Satu"
    assert Organisation.objects.get(name="lks harapan 2").registration_number == "460/99/Dinsos/2025"
    assert BoardMember.objects.filter(position="Ketua").count() == 2
    assert BoardMember.objects.get(organisation__registration_number="460/1/Dinsos/2024").name == "Ketua Baru"


def test_refused_organisation_rows_say_why(ani, files):
    rows = [
        org_row(1, Jenis="PSM"),
        org_row(2, **{"Kode Desa": "32.74.02.1001"}),
        org_row(3, **{"Status Badan Hukum": "Mungkin"}),
        org_row(4),
        org_row(4, Alamat="Lain"),
        org_row(5, **{"Nama Lembaga": ""}),
    ]
    preview = upload(ani, write_xlsx(files / "a.xlsx", rows, ORG_HEADERS), url=ORG_IMPORT_URL).context["preview"]
    assert [r.status for r in preview.rows] == ["ditolak", "ditolak", "ditolak", "baru", "ditolak", "ditolak"]
    expected = [
        "tidak dapat diimpor sebagai lembaga atau keluarga",
        "berada di luar wilayah Anda",
        "Status Badan Hukum harus",
        None,
        "Lembaga yang sama sudah ada di baris 5",
        "Nama Lembaga wajib diisi",
    ]
    for row, text in zip(preview.rows, expected, strict=True):
        assert text is None or any(text in m for m in row.messages), row.messages


@pytest.mark.parametrize("persona", ["budi", "citra", "gita"])
def test_other_wilayah_cannot_import_anis_organisations(people, kinds, login, files, persona):
    client = login(people[persona])
    path = write_xlsx(files / "a.xlsx", [org_row(1), org_row(2)], ORG_HEADERS)
    preview, _ = import_file(
        client, path, url=ORG_IMPORT_URL, confirm_url=ORG_CONFIRM_URL, roster="organisation", only_valid=True
    )
    assert preview.context["preview"].counts["ditolak"] == 2 and Organisation.objects.count() == 0


# --- Templates ------------------------------------------------------------------------------------------------------


def _workbook(response, tmp: Path):
    path = tmp / "templat.xlsx"
    path.write_bytes(response.content)
    return load_workbook(path)


def test_the_person_template_has_the_headers_formats_kinds_and_the_users_desa(ani, files):
    response = ani.get(reverse("registry:person_template"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    workbook = _workbook(response, files)
    data = workbook["Data"]
    assert [c.value for c in data[1]] == HEADERS
    assert data.column_dimensions["A"].number_format == "@"  # NIK stays text when typed in Excel
    kinds = {row[0] for row in workbook["Jenis"].iter_rows(min_row=2, values_only=True)}
    assert {"PSM", "Tagana", "TKSK"} <= kinds and "LKS" not in kinds
    desa = {row[0] for row in workbook["Kode Desa"].iter_rows(min_row=2, values_only=True)}
    assert desa == {"32.74.01.1001", "32.74.01.1002", "32.74.01.1003", "32.74.01.1004"}


@pytest.mark.parametrize("persona", ["budi", "citra", "gita"])
@pytest.mark.parametrize("url", ["registry:person_template", "registry:organisation_template"])
def test_the_template_lists_only_the_desa_of_the_users_own_wilayah(people, kinds, login, files, persona, url):
    workbook = _workbook(login(people[persona]).get(reverse(url)), files)
    desa = [row[0] for row in workbook["Kode Desa"].iter_rows(min_row=2, values_only=True)]
    prefix = people[persona].wilayah_id + "."
    assert desa and all(code.startswith(prefix) for code in desa) and "32.74.01.1001" not in desa


def test_a_filled_in_template_imports(ani, files):
    workbook = _workbook(ani.get(reverse("registry:person_template")), files)
    for row in (person_row(1), person_row(2)):
        workbook["Data"].append([row[h] for h in HEADERS])
    path = files / "terisi.xlsx"
    workbook.save(path)
    preview, _ = import_file(ani, path)
    assert preview.context["preview"].counts["baru"] == 2 and Person.objects.count() == 2


def test_the_organisation_template_offers_organisation_kinds(ani, files):
    workbook = _workbook(ani.get(reverse("registry:organisation_template")), files)
    assert [c.value for c in workbook["Data"][1]] == ORG_HEADERS
    kinds = {row[0] for row in workbook["Jenis"].iter_rows(min_row=2, values_only=True)}
    assert {"LKS", "KT", "Keluarga Pioner"} <= kinds and "PSM" not in kinds


# --- Relaxed rules, messages and the confirm button (issue 10) ------------------------------------------------------


def test_a_pns_without_golongan_and_an_empty_birth_place_import_flagged_incomplete(ani, files):
    rows = [person_row(1, **{"Status ASN": "PNS"}), person_row(2, **{"Tempat Lahir": ""}), person_row(3)]
    preview, response = import_file(ani, write_xlsx(files / "a.xlsx", rows))
    outcomes = preview.context["preview"].rows
    assert [r.status for r in outcomes] == ["baru", "baru", "baru"] and all(not r.errors for r in outcomes)
    assert outcomes[0].warnings == [
        "Data belum lengkap: Status ASN PNS tanpa Golongan (mis. III/a); kelayakan yang "
        "bergantung pada golongan belum dapat dinilai."
    ]
    assert outcomes[1].warnings == ["Data belum lengkap: Tempat Lahir kosong."] and outcomes[2].warnings == []
    assert "Data belum lengkap" in preview.content.decode()
    assert response.status_code == 302
    pns = Person.objects.get(nik=rows[0]["NIK"])
    assert (pns.asn_status, pns.golongan) == (AsnStatus.PNS, "")
    assert Person.objects.get(nik=rows[1]["NIK"]).birth_place == ""
    # A later file that gives the golongan completes the record, and the warning goes.
    again = upload(ani, write_xlsx(files / "b.xlsx", [person_row(1, Golongan="III/a", **{"Status ASN": "PNS"})]))
    assert again.context["preview"].rows[0].warnings == [] and again.context["preview"].rows[0].status == "diperbarui"


def test_an_unknown_jenis_lists_the_accepted_values(ani, files):
    from registry.models import Kind, Subject

    kinds = Kind.objects.filter(subject=Subject.PERSON, is_active=True).order_by("sort_order", "name")
    names = [k.short_name for k in kinds]
    expected = f"{', '.join(names[:-1])} atau {names[-1]}"
    preview = upload(ani, write_xlsx(files / "a.xlsx", [person_row(1, Jenis="Penyihir")])).context["preview"]
    assert preview.rows[0].errors == [f"Jenis “Penyihir” tidak dikenal. Jenis yang diterima: {expected}."]
    assert "LKS" not in expected and {"PSM", "Tagana", "TKSK"} <= set(names)


@pytest.mark.parametrize("code", ["32.74.01.5001", "3274015001", "32.00.01.1001"])
def test_a_well_formed_code_that_names_no_desa_is_not_registered_rather_than_invalid(ani, files, code):
    shown = f"{code[:2]}.{code[2:4]}.{code[4:6]}.{code[6:]}" if "." not in code else code
    preview = upload(ani, write_xlsx(files / "a.xlsx", [person_row(1, **{"Kode Desa": code})])).context["preview"]
    assert preview.rows[0].errors == [f"Kode Desa {shown} tidak terdaftar."]


def test_the_confirm_button_counts_the_rows_it_writes(ani, files):
    import_file(ani, write_xlsx(files / "a.xlsx", [person_row(1)]))
    rows = [person_row(1), person_row(2), person_row(3), person_row(4, Jenis="Penyihir")]
    response = upload(ani, write_xlsx(files / "b.xlsx", rows))
    preview = response.context["preview"]
    assert preview.counts == {"baru": 2, "diperbarui": 0, "tidak_berubah": 1, "ditolak": 1}
    html = response.content.decode()
    assert "Lewati 1 baris yang ditolak dan simpan 2 baris" in html and "Konfirmasi impor" not in html
    before = Person.objects.count()
    # The button posts what it says: the valid rows only (a hidden field), two of which write.
    token = ani.session["imports"]["person"]["token"]
    done = ani.post(reverse(CONFIRM_URL), {"token": token, "hanya_valid": "True"})
    assert done.status_code == 302 and Person.objects.count() - before == 2
    clean = upload(ani, write_xlsx(files / "c.xlsx", [person_row(1), person_row(5)])).content.decode()
    assert "Konfirmasi: simpan 1 baris" in clean
    unchanged = upload(ani, write_xlsx(files / "d.xlsx", [person_row(1)])).content.decode()
    assert "Tidak ada baris yang mengubah data" in unchanged and 'data-testid="confirm-button"' not in unchanged


@pytest.mark.parametrize(
    ("url", "text_columns"),
    [
        ("registry:person_template", ["NIK", "Kode Desa", "No. HP", "Nomor SK"]),
        ("registry:organisation_template", ["Kode Desa", "Nomor Tanda Daftar", "No. HP"]),
    ],
)
def test_the_template_formats_nik_desa_code_and_phone_columns_as_text(ani, files, url, text_columns):
    data = _workbook(ani.get(reverse(url)), files)["Data"]
    headers = [c.value for c in data[1]]
    formats = {h: data.column_dimensions[chr(65 + i)].number_format for i, h in enumerate(headers)}
    assert {h: formats[h] for h in text_columns} == dict.fromkeys(text_columns, "@")
    assert formats["Nama" if "Nama" in formats else "Nama Lembaga"] != "@"


@pytest.mark.parametrize("name", ["daftar.xls", "daftar.ods", "rumus-libreoffice.xlsx"])
def test_xls_and_ods_import_and_a_formula_cell_is_named_with_its_kept_value(ani, files, name):
    path = Path(__file__).resolve().parent.parent / "files" / name
    preview, _ = import_file(ani, path, only_valid=True)
    rows = preview.context["preview"].rows
    assert [r.status for r in rows] == ["baru", "baru", "ditolak"]
    assert rows[1].warnings == [
        "Sel berisi rumus; yang dibaca adalah nilai hasil rumus yang tersimpan di berkas: Nama."
    ]
    formula = {"daftar.xls": "(rumus)", "daftar.ods": '“=IF(1;"X";"L")”'}.get(name, '“=IF(1,"X","L")”')
    assert rows[2].errors == [
        f"Jenis Kelamin harus L atau P, bukan “X”. (Sel Jenis Kelamin berisi rumus {formula}; nilai tersimpannya “X”.)"
    ]
    assert sorted(Person.objects.values_list("nik", "name", "phone")) == [
        ("3274010101900001", "Orang Uji 1", "081234567890"),
        ("3274010101900002", "Orang Uji 1 Jr", "081234567891"),
    ]


def test_a_formula_without_a_kept_value_is_named_not_read_as_empty(ani, files):
    path = Path(__file__).resolve().parent.parent / "files" / "rumus-tanpa-nilai.xlsx"
    rows = upload(ani, path).context["preview"].rows
    assert rows[1].errors == [
        'Nama berisi rumus “=B2&" Jr"” tanpa nilai tersimpan di berkas. Buka berkas di Excel '
        "atau LibreOffice lalu simpan lagi agar nilainya dihitung, atau tempel sebagai nilai "
        "(Paste Special → Values)."
    ]
    assert not any("Nama wajib diisi" in m for m in rows[1].errors)
