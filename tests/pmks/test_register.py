"""The by-name (BNBA) PMKS register: access by persona, category rules, NIK, duplicates, status, access log."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from pmks.models import AccessLog, Category, HandlingStatus, PmksRecord
from psks_portal.models import Wilayah

pytestmark = pytest.mark.django_db

KEJAKSAN, LEMAHWUNGKUK, CIAMIS = "32.74.01", "32.74.02", "32.07.01"


def _cat(code: str) -> Category:
    return Category.objects.get(catalogue__is_active=True, code=code)


def _desa(kecamatan: str) -> Wilayah:
    return Wilayah.objects.filter(kecamatan_id=kecamatan, level=Wilayah.DESA).order_by("code").first()


def _nik(kecamatan: str, birth: date, sex: str, serial: int = 1) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan.replace('.', '')}{day:02d}{birth:%m%y}{serial:04d}"


def _record(kecamatan=KEJAKSAN, *, name="Siti Aminah", nik="", sex="P", birth=date(1950, 3, 1), cats=("LUT",), **kw):
    record = PmksRecord.objects.create(
        nik=nik, name=name, sex=sex, birth_date=birth, desa=_desa(kecamatan), identified_on=date(2026, 1, 5), **kw
    )
    record.categories.set([_cat(c) for c in cats])
    return record


def _payload(**overrides) -> dict:
    data = {
        "nik": "",
        "name": "Warsini",
        "sex": "P",
        "birth_date": "1950-03-01",
        "desa": _desa(KEJAKSAN).code,
        "address": "Jl. Kejaksan 1",
        "categories": [_cat("LUT").pk],
        "identified_on": "2026-01-05",
        "notes": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def record(people, catalogue) -> PmksRecord:
    return _record(nik=_nik(KEJAKSAN, date(1950, 3, 1), "P"))


# --- access ----------------------------------------------------------------------------------------------------

ALLOWED, OTHER_KECAMATAN, READER = (200,) * 5, (200, 200, 404, 404, 404), (403,) * 5
EXPECTED = {
    "ani": ALLOWED,
    "budi": OTHER_KECAMATAN,
    "citra": OTHER_KECAMATAN,
    "dedi": ALLOWED,
    "euis": OTHER_KECAMATAN,
    "fajar": ALLOWED,
    "gita": OTHER_KECAMATAN,
    "hadi": READER,
    "intan": READER,
    "root": ALLOWED,
}


def _urls(record) -> list[str]:
    return [
        reverse("pmks:register_list"),
        reverse("pmks:register_create"),
        reverse("pmks:register_detail", args=[record.pk]),
        reverse("pmks:register_edit", args=[record.pk]),
        reverse("pmks:register_status", args=[record.pk]),
    ]


@pytest.mark.parametrize("persona", list(EXPECTED))
def test_every_url_answers_each_persona_as_expected(persona, people, record, login):
    client = login(people[persona])
    statuses = tuple(client.get(url).status_code for url in _urls(record))
    assert statuses == EXPECTED[persona]


def test_anonymous_is_sent_to_login(client, record):
    for url in _urls(record):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("persona", ["hadi", "intan", "budi", "euis", "gita"])
def test_refused_writes_change_nothing(persona, people, record, login):
    client = login(people[persona])
    before = (PmksRecord.objects.count(), PmksRecord.history.count(), record.name, record.status)
    expected = 403 if persona in ("hadi", "intan") else 404
    edit = client.post(reverse("pmks:register_edit", args=[record.pk]), _payload(name="Diubah"))
    status = client.post(
        reverse("pmks:register_status", args=[record.pk]), {"status": "dirujuk", "referral_target": "Panti"}
    )
    assert (edit.status_code, status.status_code) == (expected, expected)
    create = client.post(reverse("pmks:register_create"), _payload(name="Baru"))
    assert create.status_code == (403 if persona in ("hadi", "intan") else 200)  # 200: the desa is outside scope
    record.refresh_from_db()
    assert (PmksRecord.objects.count(), PmksRecord.history.count(), record.name, record.status) == before


def test_a_pimpinan_never_receives_a_name_or_nik(people, record, login):
    for persona in ("hadi", "intan"):
        client = login(people[persona])
        for url in _urls(record):
            response = client.get(url)
            assert response.status_code == 403
            assert record.name.encode() not in response.content and record.nik.encode() not in response.content
        assert client.post(reverse("pmks:register_list"), {"q": "Siti"}).status_code == 403
    assert not AccessLog.objects.exists()


# --- create and edit -------------------------------------------------------------------------------------------


def test_a_tksk_creates_a_record_with_categories_and_history(people, catalogue, login):
    client = login(people["ani"])
    payload = _payload(nik=_nik(KEJAKSAN, date(1950, 3, 1), "P", 7), categories=[_cat("LUT").pk, _cat("FM").pk])
    response = client.post(reverse("pmks:register_create"), payload)
    record = PmksRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("pmks:register_detail", args=[record.pk])
    assert record.status == HandlingStatus.NEW and record.nik == payload["nik"]
    assert set(record.categories.values_list("code", flat=True)) == {"LUT", "FM"}
    assert record.history.first().history_user == people["ani"]


def test_edit_saves_changes(people, record, login):
    client = login(people["dedi"])
    payload = _payload(nik=record.nik, name="Siti Aminah Binti Karta", address="Jl. Baru 2")
    response = client.post(reverse("pmks:register_edit", args=[record.pk]), payload)
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.name, record.address) == ("Siti Aminah Binti Karta", "Jl. Baru 2")


def test_a_tksk_cannot_place_a_record_in_another_kecamatan(people, catalogue, login):
    client = login(people["ani"])
    response = client.post(reverse("pmks:register_create"), _payload(desa=_desa(LEMAHWUNGKUK).code))
    assert response.status_code == 200
    assert "Wilayah tidak ditemukan atau di luar wilayah Anda." in response.content.decode()
    assert not PmksRecord.objects.exists()


def test_only_the_active_catalogue_is_offered(people, catalogue, login):
    older = Category.objects.filter(catalogue__is_active=False).first()
    response = login(people["ani"]).post(reverse("pmks:register_create"), _payload(categories=[older.pk]))
    assert response.status_code == 200 and "categories" in response.context["form"].errors
    assert not PmksRecord.objects.exists()


# --- category rules --------------------------------------------------------------------------------------------


def _errors(client, **overrides) -> dict:
    response = client.post(reverse("pmks:register_create"), _payload(**overrides))
    if response.status_code == 302:
        return {}
    return response.context["form"].errors


@pytest.mark.parametrize(
    ("identified_on", "ok"),
    [("2026-05-09", False), ("2026-05-10", True)],  # born 1966-05-10: 59 the day before the birthday, then 60
)
def test_lut_needs_60_on_the_date_identified(identified_on, ok, people, catalogue, login):
    errors = _errors(login(people["ani"]), birth_date="1966-05-10", identified_on=identified_on)
    if ok:
        assert errors == {} and PmksRecord.objects.count() == 1
    else:
        assert errors["categories"] == [
            "Lanjut Usia Telantar (LUT) untuk usia ≥ 60 tahun; usia pada tanggal teridentifikasi 59 tahun."
        ]
        assert not PmksRecord.objects.exists()


@pytest.mark.parametrize(
    ("birth", "sex", "ok"),
    [
        ("2008-01-05", "P", True),  # 18 on 2026-01-05
        ("2008-01-06", "P", False),  # 17
        ("1966-01-06", "P", True),  # 59
        ("1966-01-05", "P", False),  # 60
        ("1990-01-01", "L", False),  # male
    ],
)
def test_prse_is_for_women_18_to_59(birth, sex, ok, people, catalogue, login):
    errors = _errors(login(people["ani"]), birth_date=birth, sex=sex, categories=[_cat("PRSE").pk])
    assert (errors == {}) is ok
    if sex == "L":
        assert "Perempuan Rawan Sosial Ekonomi (PRSE) hanya untuk perempuan." in errors["categories"]
    elif not ok:
        assert "untuk usia 18–59 tahun; usia pada tanggal teridentifikasi" in errors["categories"][0]


def test_an_age_bound_category_needs_a_birth_date_but_others_do_not(people, catalogue, login):
    client = login(people["ani"])
    errors = _errors(client, birth_date="")
    assert errors["categories"] == [
        "Lanjut Usia Telantar (LUT) berbatas usia (≥ 60 tahun): isi tanggal lahir dan tanggal teridentifikasi."
    ]
    assert _errors(client, birth_date="", categories=[_cat("FM").pk]) == {}


def test_a_birth_date_after_identification_is_refused(people, catalogue, login):
    errors = _errors(login(people["ani"]), birth_date="2026-02-01", categories=[_cat("FM").pk])
    assert errors["identified_on"] == ["Tanggal teridentifikasi tidak boleh sebelum tanggal lahir."]


# --- NIK -------------------------------------------------------------------------------------------------------


def test_nik_of_the_wrong_length_is_refused(people, catalogue, login):
    errors = _errors(login(people["ani"]), nik="327401410350001")
    assert errors["nik"] == ["NIK harus 16 digit, bukan 15 digit."]


def test_a_woman_needs_day_plus_40_in_her_nik(people, catalogue, login):
    errors = _errors(login(people["ani"]), nik=_nik(KEJAKSAN, date(1950, 3, 1), "L"), sex="P")
    assert "NIK menunjukkan jenis kelamin laki-laki, tetapi data tertulis perempuan." in errors["nik"]
    assert not PmksRecord.objects.exists()


def test_a_nik_recorded_elsewhere_is_refused_without_revealing_the_record(people, catalogue, login):
    other = _record(CIAMIS, name="Rahayu Ciamis", nik=_nik(CIAMIS, date(1950, 3, 1), "P"))
    response = login(people["ani"]).post(reverse("pmks:register_create"), _payload(nik=other.nik))
    assert response.status_code == 200
    # Offered as a transfer request to the area that holds it (psks_portal.transfers); nothing of it is shown.
    assert response.context["form"].errors["nik"] == [str(response.context["form"].transfer_offer)]
    assert "Rahayu" not in response.content.decode() and CIAMIS not in response.content.decode()
    assert PmksRecord.objects.count() == 1


def test_a_record_keeps_its_own_nik_on_edit(people, record, login):
    response = login(people["ani"]).post(reverse("pmks:register_edit", args=[record.pk]), _payload(nik=record.nik))
    assert response.status_code == 302


# --- soft duplicate --------------------------------------------------------------------------------------------


def test_same_name_birth_date_and_desa_without_nik_asks_for_confirmation(people, record, login):
    client = login(people["ani"])
    payload = _payload(name="SITI AMINAH", birth_date="1950-03-01")
    response = client.post(reverse("pmks:register_create"), payload)
    assert response.status_code == 200
    assert response.context["form"].duplicate_warning
    assert "Tetap simpan" in response.content.decode()
    assert PmksRecord.objects.count() == 1
    response = client.post(reverse("pmks:register_create"), {**payload, "confirm_duplicate": "on"})
    assert response.status_code == 302 and PmksRecord.objects.count() == 2


def test_no_warning_for_another_desa_or_birth_date(people, record, login):
    client = login(people["ani"])
    assert _errors(client, name="Siti Aminah", birth_date="1950-03-02") == {}
    other_desa = Wilayah.objects.filter(kecamatan_id=KEJAKSAN, level=Wilayah.DESA).order_by("-code").first()
    assert _errors(client, name="Siti Aminah", desa=other_desa.code) == {}


# --- status ----------------------------------------------------------------------------------------------------


def test_status_change_to_dirujuk_needs_a_target_and_writes_history(people, record, login):
    client = login(people["ani"])
    url = reverse("pmks:register_status", args=[record.pk])
    rows = record.history.count()
    response = client.post(url, {"status": "dirujuk", "referral_target": ""})
    assert response.context["form"].errors["referral_target"] == ["Isi tujuan rujukan untuk status dirujuk."]
    assert record.history.count() == rows
    assert client.post(url, {"status": "dirujuk", "referral_target": "Panti Werdha Cirebon"}).status_code == 302
    assert client.post(url, {"status": "selesai"}).status_code == 302
    assert client.post(url, {"status": "selesai"}).context["form"].errors["status"] == ["Status tidak berubah."]
    record.refresh_from_db()
    assert (record.status, record.referral_target) == ("selesai", "Panti Werdha Cirebon")
    assert record.history.count() == rows + 2
    content = client.get(reverse("pmks:register_detail", args=[record.pk])).content.decode()
    assert "Dirujuk → Selesai" in content and "Baru → Dirujuk" in content and "— → Baru" in content


def test_the_database_refuses_dirujuk_without_target(record):
    record.status = HandlingStatus.REFERRED
    with pytest.raises(IntegrityError), transaction.atomic():
        record.save()


# --- access log and masking ------------------------------------------------------------------------------------


def test_list_and_detail_views_are_logged_without_names(people, record, login):
    client = login(people["dedi"])
    category = _cat("LUT")
    client.post(
        reverse("pmks:register_list"),
        {"q": "Siti", "kategori": category.pk, "status": "baru", "wilayah": KEJAKSAN},
    )
    response = client.get(reverse("pmks:register_list"))
    assert [row.name for row, _masked in response.context["rows"]] == ["Siti Aminah"]
    client.get(reverse("pmks:register_detail", args=[record.pk]))
    listed, viewed = AccessLog.objects.order_by("pk")
    assert (listed.user, listed.action, listed.wilayah_id, listed.row_count) == (people["dedi"], "list", KEJAKSAN, 1)
    assert listed.filters == {"wilayah": KEJAKSAN, "kategori": "LUT", "status": "baru", "cari_nama": True, "halaman": 1}
    assert (viewed.action, viewed.record, viewed.row_count) == ("record", record, 1)
    assert "Siti" not in str(listed.filters) and record.nik not in str(listed.filters)


def test_filters_narrow_the_list(people, record, login):
    _record(LEMAHWUNGKUK, name="Budiman", sex="L", cats=("FM",), status="ditangani")
    client = login(people["dedi"])

    def names(**filters):
        client.post(reverse("pmks:register_list"), filters)
        return [r.name for r, _m in client.get(reverse("pmks:register_list")).context["rows"]]

    assert names() == ["Budiman", "Siti Aminah"]
    assert names(kategori=_cat("FM").pk) == ["Budiman"]
    assert names(status="baru") == ["Siti Aminah"]
    assert names(q="budi") == ["Budiman"]
    assert names(wilayah=KEJAKSAN) == ["Siti Aminah"]
    # Outside Dedi's scope: the picker refuses the code and the list stays within his own scope.
    assert names(wilayah="32.07") == ["Budiman", "Siti Aminah"]
    assert client.get(reverse("pmks:register_list")).context["filter_form"].errors["wilayah"]
    client.post(reverse("pmks:register_list"), {"hapus": "1"})
    assert len(client.get(reverse("pmks:register_list")).context["rows"]) == 2


def test_nik_is_masked_in_the_list_and_full_in_the_detail(people, record, login):
    client = login(people["dedi"])
    listing = client.get(reverse("pmks:register_list")).content.decode()
    assert record.nik not in listing and f"{record.nik[:4]}********{record.nik[12:]}" in listing
    detail = client.get(reverse("pmks:register_detail", args=[record.pk])).content.decode()
    assert record.nik in detail


def test_a_tksk_sees_only_their_kecamatan_in_the_list(people, record, login):
    _record(LEMAHWUNGKUK, name="Budiman", sex="L", cats=("FM",))
    rows = login(people["budi"]).get(reverse("pmks:register_list")).context["rows"]
    assert [r.name for r, _m in rows] == ["Budiman"]


def test_pagination_is_50_and_logs_the_rows_shown(people, catalogue, login):
    desa = _desa(KEJAKSAN)
    records = PmksRecord.objects.bulk_create(
        PmksRecord(name=f"Orang {i:03d}", sex="L", desa=desa, identified_on=date(2026, 1, 5)) for i in range(55)
    )
    assert len(records) == 55
    client = login(people["ani"])
    assert len(client.get(reverse("pmks:register_list")).context["rows"]) == 50
    assert len(client.get(reverse("pmks:register_list") + "?halaman=2").context["rows"]) == 5
    assert list(AccessLog.objects.order_by("pk").values_list("row_count", flat=True)) == [50, 5]


@pytest.mark.parametrize("size", [5, 40])
def test_the_list_costs_a_bounded_number_of_queries(size, people, catalogue, login, django_assert_max_num_queries):
    for i in range(size):
        _record(name=f"Orang {i:03d}", cats=("LUT", "FM"))
    client = login(people["dedi"])
    client.post(reverse("pmks:register_list"), {"wilayah": KEJAKSAN, "kategori": _cat("LUT").pk})
    with django_assert_max_num_queries(20):
        response = client.get(reverse("pmks:register_list"))
    assert len(response.context["rows"]) == size
