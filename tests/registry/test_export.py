"""Exporting the registry rosters: the filtered, scoped list as XLSX and CSV, read back with openpyxl and csv."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.http import QueryDict
from django.urls import reverse
from openpyxl import load_workbook

from psks_portal import tabular
from psks_portal.models import Role
from registry import io as registry_io
from registry.models import BoardMember, Education, Kind, LegalStatus, Organisation, Person
from tests.factories import download
from tests.registry import test_import as base
from tests.registry.conftest import assign, make_person

pytestmark = pytest.mark.django_db

# The fixtures of the import tests.
kinds, media, files = base.kinds, base.media, base.files

EXPORT_URL, ORG_EXPORT_URL = "registry:person_export", "registry:organisation_export"
PERSON_HEADERS = [
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
    "Desa/Kelurahan",
    "Kecamatan",
    "Wilayah Penugasan",
    "Status Peran",
    "Kelayakan",
    "Keterangan Kelayakan",
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
    "Desa/Kelurahan",
    "Kecamatan",
    "Status",
    "Kelayakan",
    "Keterangan Kelayakan",
]
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]


def person(desa: str, kind: str, *, status: str = "aktif", sk_number: str = "", **fields) -> Person:
    """A synthetic person (NIK consistent with sex and birth date) holding one role at their kecamatan."""
    birth_place = fields.pop("birth_place", "Cirebon")  # the shared helper always writes Cirebon
    someone = make_person(desa=desa, **{"phone": "081200000001", "address": "Jl. Ekspor", **fields})
    Person.objects.filter(pk=someone.pk).update(birth_place=birth_place)
    someone.birth_place = birth_place
    assign(someone, kind, status=status, sk_number=sk_number, sk_date=date(2025, 1, 2) if sk_number else None)
    return someone


@pytest.fixture
def roster(kinds) -> dict[str, Person]:
    """Two people in Ani's Kejaksan (one with formula-like text), one each in Lemahwungkuk, Ciamis and Cilacap."""
    return {
        "a1": person(
            "32.74.01.1001",
            "psm",
            name='=HYPERLINK("http://contoh.test","klik")',
            birth=date(1990, 1, 1),
            phone="+6281234567890",
            address="-1+2 Jl. Minus",
            birth_place="@Cirebon",
            education=Education.D3,
            sk_number="SK-01",
        ),
        "a2": person("32.74.01.1002", "tagana", sex="P", birth=date(1985, 7, 17), name="Siti Aminah"),
        "b1": person("32.74.02.1001", "psm", name="Orang Lemahwungkuk"),
        "c1": person("32.07.01.1001", "psm", name="Orang Ciamis"),
        "g1": person("33.01.01.2001", "psm", name="Orang Cilacap", status="nonaktif"),
    }


def shown(user, nik: str) -> str:
    """A NIK as the pages show it to this user: whole, or to a read-only Pimpinan first four and last four digits."""
    return f"{nik[:4]}{'*' * 8}{nik[-4:]}" if user.role == Role.PIMPINAN else nik


def visible(user, roster: dict[str, Person]) -> set[str]:
    """The NIKs a user should get (as their pages show them), worked out from the desa codes alone."""
    if user.wilayah_id is None:
        return {shown(user, p.nik) for p in roster.values()}
    return {shown(user, p.nik) for p in roster.values() if p.desa_id.startswith(user.wilayah_id + ".")}


def read_xlsx(response) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(download(response)))
    return [tuple(cell for cell in row) for row in workbook["Data"].iter_rows()]


def read_csv(response) -> list[list[str]]:
    assert download(response).startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8 names correctly
    return list(csv.reader(io.StringIO(download(response).decode("utf-8-sig"))))


def export_niks(client, **query) -> set[str]:
    response = client.get(reverse(EXPORT_URL), {"format": "csv", **query})
    assert response.status_code == 200, download(response)
    return {row[0] for row in read_csv(response)[1:]}


# --- Files ----------------------------------------------------------------------------------------------------------


def test_the_xlsx_export_keeps_nik_and_phone_as_text_and_neutralises_formulas(people, roster, login):
    response = login(people["ani"]).get(reverse(EXPORT_URL))
    assert response.status_code == 200 and response["Content-Type"] == tabular.XLSX_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="daftar-sdm-kesos-psks-')
    header, *rows = read_xlsx(response)
    assert [c.value for c in header] == PERSON_HEADERS
    by_nik = {row[0].value: dict(zip(PERSON_HEADERS, row, strict=True)) for row in rows}
    assert set(by_nik) == {roster["a1"].nik, roster["a2"].nik}
    first = by_nik[roster["a1"].nik]
    assert first["NIK"].data_type == "s" and first["No. HP"].data_type == "s" and first["Kode Desa"].data_type == "s"
    # Text cells (inline strings) are never evaluated: no visible apostrophe is needed (issue 11, item 12).
    assert first["No. HP"].value == "+6281234567890"
    assert first["Nama"].value == """=HYPERLINK("http://contoh.test","klik")""" and first["Nama"].data_type == "s"
    assert first["Alamat"].value == "-1+2 Jl. Minus" and first["Tempat Lahir"].value == "@Cirebon"
    assert first["Tanggal Lahir"].is_date and first["Tanggal Lahir"].value.date() == date(1990, 1, 1)
    assert first["Tanggal SK"].value.date() == date(2025, 1, 2) and first["Nomor SK"].value == "SK-01"
    assert (first["Pendidikan"].value, first["Jenis"].value, first["Status ASN"].value) == ("D3", "PSM", "Non-ASN")
    assert (first["Desa/Kelurahan"].value, first["Kecamatan"].value) == ("Kejaksan", "Kejaksan")
    assert by_nik[roster["a2"].nik]["Jenis Kelamin"].value == "P"
    assert all(cell.data_type != "f" for row in rows for cell in row)


def test_the_csv_export_has_the_same_columns_and_neutralised_cells(people, roster, login):
    response = login(people["ani"]).get(reverse(EXPORT_URL), {"format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    header, *rows = read_csv(response)
    assert header == PERSON_HEADERS
    first = dict(zip(header, next(r for r in rows if r[0] == roster["a1"].nik), strict=True))
    assert first["Nama"].startswith("'=") and first["No. HP"] == "'+6281234567890"
    assert (first["Tanggal Lahir"], first["Tanggal SK"]) == ("01-01-1990", "02-01-2025")


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_tab_and_carriage_return_are_neutralised_too(people, roster, login, value):
    Person.objects.filter(pk=roster["a2"].pk).update(address=value)
    client = login(people["ani"])
    row = next(r for r in read_csv(client.get(reverse(EXPORT_URL), {"format": "csv"})) if r[0] == roster["a2"].nik)
    assert row[PERSON_HEADERS.index("Alamat")] == "'" + value
    cells = next(r for r in read_xlsx(client.get(reverse(EXPORT_URL))) if r[0].value == roster["a2"].nik)
    address = cells[PERSON_HEADERS.index("Alamat")]
    assert address.data_type == "s" and address.value.strip() == value.strip()


# --- Scope, filters and audit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_persona_exports_only_their_wilayah(people, roster, login, persona):
    client = login(people[persona])
    assert export_niks(client) == visible(people[persona], roster)
    rows = read_xlsx(client.get(reverse(EXPORT_URL)))[1:]
    assert {row[0].value for row in rows} == visible(people[persona], roster)


@pytest.mark.parametrize(
    ("persona", "query", "expected"),
    [
        ("ani", {"jenis": "tagana"}, {"a2"}),
        ("ani", {"wilayah": "32.74.01.1002"}, {"a2"}),
        ("ani", {"q": "Siti"}, {"a2"}),
        ("dedi", {"q": "327402"}, {"b1"}),
        ("dedi", {"jenis": "psm"}, {"a1", "b1"}),
        ("intan", {"status": "nonaktif"}, {"g1"}),
        ("fajar", {"wilayah": "32.07"}, {"c1"}),
    ],
)
def test_the_export_follows_the_list_filters(people, roster, login, persona, query, expected):
    client = login(people[persona])
    listed = client.post(reverse("registry:person_list"), query, follow=True)  # the filter form is posted
    assert {row.person.nik for row in listed.context["page"].object_list} == {roster[key].nik for key in expected}
    address = urlsplit(listed.redirect_chain[-1][0]).query  # the list's URL after the redirect: no search text
    assert "q" not in query or (query["q"] not in address and "cari=" in address)
    exported = export_niks(client, **dict(QueryDict(address).items()))
    assert exported == {shown(people[persona], roster[key].nik) for key in expected}


def test_the_eligibility_filter_gives_what_the_list_shows(people, roster, login):
    client = login(people["fajar"])
    for status in ("memenuhi", "tidak_memenuhi", "belum_lengkap"):
        listed = client.get(reverse("registry:person_list"), {"kelayakan": status})
        shown = {row.person.nik for row in listed.context["page"].object_list}
        assert export_niks(client, kelayakan=status) == shown
    assert export_niks(client) == visible(people["fajar"], roster)


@pytest.mark.parametrize("persona", ["budi", "citra", "gita"])
def test_a_wilayah_filter_outside_the_scope_is_refused(people, roster, login, persona):
    client = login(people[persona])
    response = client.get(reverse(EXPORT_URL), {"wilayah": "32.74.01"})
    assert response.status_code == 400
    assert client.get(reverse(ORG_EXPORT_URL), {"wilayah": "32.74.01"}).status_code == 400
    assert not LogEntry.objects.filter(user=people[persona]).exists()


def test_an_unknown_format_is_refused(people, roster, login):
    assert login(people["ani"]).get(reverse(EXPORT_URL), {"format": "pdf"}).status_code == 400


def test_every_export_is_recorded_without_the_nik(people, roster, login):
    client = login(people["ani"])
    client.get(reverse(EXPORT_URL), {"jenis": "psm"})
    searched = client.post(reverse("registry:person_list"), {"q": roster["a1"].nik})
    client.get(reverse(EXPORT_URL) + "?format=csv&" + urlsplit(searched.url).query)
    entries = LogEntry.objects.filter(user=people["ani"], action_flag=registry_io.EXPORT_ACTION_FLAG).order_by("pk")
    assert [e.content_type for e in entries] == [ContentType.objects.get_for_model(Person)] * 2
    assert entries[0].change_message == "Ekspor XLSX: 1 baris; saringan: jenis=psm"
    assert entries[1].change_message == "Ekspor CSV: 1 baris; saringan: q=(angka disamarkan)"
    assert all(roster["a1"].nik not in e.change_message + e.object_repr for e in entries)


@pytest.mark.parametrize("extra", [0, 12])
def test_the_export_query_count_does_not_grow_with_rows(people, roster, login, django_assert_max_num_queries, extra):
    """Each row's desa and kecamatan come with its chunk: no query per row (12 more people cost no more queries)."""
    for n in range(extra):
        person(f"32.74.01.{1001 + n % 2}", "psm", name=f"Tambahan {n:02d}", birth=date(1980, 1, 1 + n))
    client = login(people["dedi"])
    with django_assert_max_num_queries(24):
        response = client.get(reverse(EXPORT_URL), {"format": "csv"})
        rows = read_csv(response)[1:]
    assert len(rows) == 3 + extra


def test_a_chunked_export_gives_the_rows_of_the_list_in_its_order(people, roster, kinds):
    """``iter_roster`` reads a chunk at a time; with chunks of 2 it must give exactly ``roster``'s rows, in order."""
    from registry import selectors

    for n in range(5):
        person("32.74.02.1001", "psm", name=f"Urut {n}", birth=date(1975, 3, 1 + n))
    whole = selectors.roster(people["fajar"], on=date(2026, 11, 23))
    chunked = list(selectors.iter_roster(people["fajar"], on=date(2026, 11, 23), chunk_size=2))

    def pairs(rows):
        return [(r.assignment.pk, r.verdict.status) for r in rows]

    assert pairs(chunked) == pairs(whole)
    assert len(whole) == 4 + 5  # Jawa Barat: the four of 32.74 and 32.07, and the five added


def test_anonymous_users_are_sent_to_the_login_page(client, tree):
    for name in (EXPORT_URL, ORG_EXPORT_URL):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_an_exported_file_imports_back_unchanged(people, roster, login, files, fmt):
    client = login(people["ani"])
    response = client.get(reverse(EXPORT_URL), {"format": fmt})
    path = files / f"ekspor.{fmt}"
    path.write_bytes(download(response))
    preview = base.upload(client, path).context["preview"]
    assert preview.counts == {"baru": 0, "diperbarui": 0, "tidak_berubah": 2, "ditolak": 0}, preview.rows


# --- Organisations --------------------------------------------------------------------------------------------------


@pytest.fixture
def organisations(kinds) -> dict[str, Organisation]:
    lks = Organisation.objects.create(
        kind=Kind.objects.get(code="lks"),
        name="=cmd|' /C calc'!A0",
        desa_id="32.74.01.1001",
        legal_status=LegalStatus.BADAN_HUKUM,
        registration_number="460/1/2024",
        address="Jl. Siliwangi 1",
        phone="0231123456",
    )
    BoardMember.objects.create(organisation=lks, name="Ahmad Fauzi", position="Ketua")
    BoardMember.objects.create(organisation=lks, name="Bendahara Satu", position="Bendahara")
    kt = Organisation.objects.create(
        kind=Kind.objects.get(code="karang-taruna"), name="Karang Taruna Pegambiran", desa_id="32.74.02.1001"
    )
    return {"lks": lks, "kt": kt}


def test_the_organisation_export_has_the_chair_and_neutralised_names(people, organisations, login):
    response = login(people["ani"]).get(reverse(ORG_EXPORT_URL))
    assert response.status_code == 200
    header, *rows = read_xlsx(response)
    assert [c.value for c in header] == ORG_HEADERS
    assert len(rows) == 1
    row = dict(zip(ORG_HEADERS, (c.value for c in rows[0]), strict=True))
    assert row["Nama Lembaga"] == "=cmd|' /C calc'!A0" and row["Ketua"] == "Ahmad Fauzi"
    assert rows[0][0].data_type == "s"  # a text cell, never a formula
    assert (row["Jenis"], row["Status Badan Hukum"], row["Nomor Tanda Daftar"], row["No. HP"]) == (
        "LKS",
        "Berbadan hukum",
        "460/1/2024",
        "0231123456",
    )
    assert rows[0][ORG_HEADERS.index("No. HP")].data_type == "s"
    entry = LogEntry.objects.get(user=people["ani"], action_flag=registry_io.EXPORT_ACTION_FLAG)
    assert entry.content_type == ContentType.objects.get_for_model(Organisation)


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ani", {"lks"}),
        ("budi", {"kt"}),
        ("citra", set()),
        ("dedi", {"lks", "kt"}),
        ("gita", set()),
        ("hadi", {"lks", "kt"}),
    ],
)
def test_the_organisation_export_is_scoped(people, organisations, login, persona, expected):
    response = login(people[persona]).get(reverse(ORG_EXPORT_URL), {"format": "csv"})
    names = {row[0] for row in read_csv(response)[1:]}
    assert names == {tabular.neutralise(organisations[key].name) for key in expected}


def test_an_exported_organisation_file_imports_back_unchanged(people, organisations, login, files):
    client = login(people["dedi"])
    path = files / "lembaga.xlsx"
    path.write_bytes(download(client.get(reverse(ORG_EXPORT_URL))))
    preview = base.upload(client, path, base.ORG_IMPORT_URL).context["preview"]
    assert preview.counts == {"baru": 0, "diperbarui": 0, "tidak_berubah": 2, "ditolak": 0}, preview.rows


# --- The page's masking (issue 11, item 2) --------------------------------------------------------------------------


def _table(response, fmt: str) -> list[list[str]]:
    if fmt == "csv":
        return read_csv(response)
    return [
        [
            "" if c.value is None else (c.value.strftime("%d-%m-%Y") if hasattr(c.value, "strftime") else str(c.value))
            for c in row
        ]
        for row in read_xlsx(response)
    ]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("persona", ["hadi", "intan", "dedi"])
def test_a_person_export_gives_a_pimpinan_what_the_pages_give(people, roster, login, persona, fmt):
    """The list page shows a Pimpinan masked NIKs and the detail page hides the phone: so does the export, which also
    leaves out the birth date; an operator gets every column."""
    client = login(people[persona])
    response = client.get(reverse(EXPORT_URL), {"format": fmt})
    header, *rows = _table(response, fmt)
    pimpinan = people[persona].role == Role.PIMPINAN
    hidden = {"Tanggal Lahir", "No. HP"}
    assert header == ([h for h in PERSON_HEADERS if h not in hidden] if pimpinan else PERSON_HEADERS)
    expected = visible(people[persona], roster)
    assert {row[0] for row in rows} == expected
    content = download(response).decode("utf-8-sig") if fmt == "csv" else " ".join(" ".join(r) for r in rows)
    for someone in roster.values():
        if shown(people[persona], someone.nik) not in expected:
            continue
        assert (someone.nik in content) is not pimpinan
        assert (someone.phone.lstrip("+") in content) is not pimpinan
        assert (someone.birth_date.strftime("%d-%m-%Y") in content) is not pimpinan
    if pimpinan:  # the list page's own masking, the same characters
        page = client.get(reverse("registry:person_list")).content.decode()
        assert all(nik in page for nik in expected)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("persona", ["hadi", "dedi"])
def test_an_organisation_export_gives_a_pimpinan_no_phone(people, organisations, login, persona, fmt):
    response = login(people[persona]).get(reverse(ORG_EXPORT_URL), {"format": fmt})
    header, *rows = _table(response, fmt)
    pimpinan = people[persona].role == Role.PIMPINAN
    assert header == ([h for h in ORG_HEADERS if h != "No. HP"] if pimpinan else ORG_HEADERS)
    assert len(rows) == 2
    assert ("0231123" in " ".join(" ".join(r) for r in rows)) is not pimpinan


def test_spreadsheet_users_are_told_to_take_the_xlsx(people, roster, login):
    client = login(people["dedi"])
    for url in ("registry:person_list", "registry:organisation_list"):
        notice = client.get(reverse(url)).content.decode()
        assert 'data-testid="csv-notice"' in notice and "pakai XLSX" in notice


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_keeps_nik_phone_and_formula_like_text_of_the_xlsx_but_not_of_the_csv(
    people, roster, login, tmp_path
):
    """What LibreOffice Calc makes of the exports with its default settings (converted headless to CSV / XLSX)."""
    client = login(people["ani"])
    a1 = roster["a1"]
    xlsx_path = tmp_path / "ekspor.xlsx"
    xlsx_path.write_bytes(download(client.get(reverse(EXPORT_URL))))
    to_utf8_csv = "csv:Text - txt - csv (StarCalc):44,34,76"
    subprocess.run(
        ["soffice", "--headless", "--convert-to", to_utf8_csv, "--outdir", str(tmp_path / "dari-xlsx"), str(xlsx_path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    with (tmp_path / "dari-xlsx" / "ekspor.csv").open(encoding="utf-8") as handle:
        row = next(r for r in csv.reader(handle) if r[0] == a1.nik)  # 16 digits intact
    assert row[PERSON_HEADERS.index("No. HP")] == a1.phone
    assert row[PERSON_HEADERS.index("Nama")] == a1.name  # the =HYPERLINK(…) text, not evaluated, no apostrophe
    csv_path = tmp_path / "ekspor.csv"
    csv_path.write_bytes(download(client.get(reverse(EXPORT_URL), {"format": "csv"})))
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "xlsx", "--outdir", str(tmp_path / "dari-csv"), str(csv_path)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheet = load_workbook(tmp_path / "dari-csv" / "ekspor.xlsx").active
    niks = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert a1.nik not in niks and all(isinstance(n, int | float) for n in niks)  # why the pages steer to XLSX
