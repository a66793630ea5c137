"""Digits-only input is ASCII 0–9, a NIK's date part is a real date, phone numbers follow one Indonesian rule, and
dates of people and records are plausible — in the pure rules, in every form and in the import cell parsers."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from pmks.models import Category, PmksRecord
from pmks.services import catalogue_load as pmks_catalogue_load
from psks_portal import date_bounds, digits, nik, phone
from psks_portal.models import User, Wilayah
from psks_portal.tabular import cells as tabular
from registry.models import Kind, Organisation, Person
from registry.services import catalogue_load as registry_catalogue_load
from tests.registry.conftest import make_person
from tests.registry.test_rosters import _person_form

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
A_NIK = "3274015705950003"  # Kejaksan, a woman born 17-05-95, serial 3


# --- the pure rules ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC, SUPERSCRIPT], ids=["fullwidth", "arabic", "superscript"])
def test_it_refuses_a_nik_in_other_digits_with_a_hint(table):
    with pytest.raises(nik.InvalidNIK, match="angka 0–9") as caught:
        nik.parse(A_NIK.translate(table))
    assert "lebar penuh" in str(caught.value)


def test_a_single_superscript_digit_is_refused_not_crashed():
    with pytest.raises(nik.InvalidNIK, match="angka 0–9"):
        nik.parse("327401570595000³")


@pytest.mark.parametrize(
    ("day_month_year", "sex"),
    [("3102", "L"), ("7102", "P"), ("3104", "L"), ("7104", "P"), ("2902", "L")],
    ids=["31-feb", "31-feb-woman", "31-apr", "31-apr-woman", "29-feb-1995"],
)
def test_it_refuses_a_nik_whose_date_is_not_in_the_calendar(day_month_year, sex):
    with pytest.raises(nik.InvalidNIK, match="tidak ada di kalender"):
        nik.parse(f"327401{day_month_year}950001")


@pytest.mark.parametrize("year2", ["00", "96", "24"])
def test_it_accepts_29_february_of_a_leap_year(year2):
    parsed = nik.parse(f"3274016902{year2}0001")  # a woman: 29 + 40
    assert (parsed.sex, parsed.birth_day, parsed.birth_month) == ("P", 29, 2)


def test_ascii_digits_only():
    assert digits.is_ascii_digits("0123456789")
    for text in ("", "１２", "٣", "²", "12a", "1 2", "-1"):
        assert not digits.is_ascii_digits(text), text
    assert digits.has_foreign_digits("08１2") and digits.has_foreign_digits("x²")
    assert not digits.has_foreign_digits("08abc")


def test_a_nip_is_eighteen_ascii_digits():
    assert digits.parse_nip("19700101 199503 1 001") == "197001011995031001"
    assert digits.parse_nip("") == ""
    for bad in ("19700101199503100", "1970010119950310011", "19700101199503100x"):
        with pytest.raises(digits.InvalidNumber, match="18 digit"):
            digits.parse_nip(bad)
    with pytest.raises(digits.InvalidNumber, match="lebar penuh"):
        digits.parse_nip("197001011995031001".translate(FULLWIDTH))


@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("081234567890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 7890", "081234567890"),
        ("(0231) 123456", "0231123456"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("", ""),
    ],
)
def test_a_phone_number_loses_only_its_layout(text, stored):
    assert phone.parse(text) == stored


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("08abc<script>", "hanya boleh berisi angka"),
        ("0812345678901234", "16 digit"),
        ("02311234", "8 digit"),
        ("81234567890", r"diawali 0 atau \+62"),
        ("+1 202 555 0100", "nomor Indonesia"),
        ("081234567890".translate(FULLWIDTH), "lebar penuh"),
        ("08123456789²", "lebar penuh"),
    ],
)
def test_a_bad_phone_number_is_refused_with_a_reason(text, message):
    with pytest.raises(phone.InvalidPhone, match=message):
        phone.parse(text)


def test_plausible_dates():
    today = date(2026, 5, 1)
    assert date_bounds.past_date_problem(None, label="Tanggal lahir", today=today) is None
    assert date_bounds.past_date_problem(date(1900, 1, 1), label="Tanggal lahir", today=today) is None
    assert date_bounds.past_date_problem(today, label="Tanggal lahir", today=today) is None
    assert "terlalu lama" in date_bounds.past_date_problem(date(1, 1, 1), label="Tanggal lahir", today=today)
    assert "masa depan" in date_bounds.past_date_problem(date(9999, 12, 31), label="Tanggal lahir", today=today)
    early = date_bounds.past_date_problem(
        date(1945, 8, 16), label="Tanggal teridentifikasi", today=today, earliest=date_bounds.EARLIEST_IDENTIFIED
    )
    assert early == "Tanggal teridentifikasi 16-08-1945 terlalu lama; paling awal 17-08-1945."


# --- import cells --------------------------------------------------------------------------------------------------


def test_import_cells_follow_the_same_rules():
    with pytest.raises(tabular.CellError, match="angka 0–9"):
        tabular.parse_nik(A_NIK.translate(FULLWIDTH))
    with pytest.raises(tabular.CellError, match="kalender"):
        tabular.parse_nik("3274013102950001")
    assert tabular.parse_phone("0812-3456-7890") == "081234567890"
    assert tabular.parse_phone(81234567890) == "081234567890"  # a number cell lost the leading zero
    assert tabular.parse_phone(None) == ""
    with pytest.raises(tabular.CellError, match="No. HP: Nomor telepon hanya boleh berisi angka"):
        tabular.parse_phone("08abc<script>")
    today = timezone.localdate()
    with pytest.raises(tabular.CellError, match="terlalu lama"):
        tabular.parse_past_date("01-01-0001", "Tanggal Lahir", today)
    with pytest.raises(tabular.CellError, match="masa depan"):
        tabular.parse_required_date("31-12-9999", "Tanggal Teridentifikasi", today)
    with pytest.raises(tabular.CellError, match="paling awal 17-08-1945"):
        tabular.parse_required_date("01-01-1930", "Tanggal Teridentifikasi", today, date_bounds.EARLIEST_IDENTIFIED)


# --- the registry's person form ------------------------------------------------------------------------------------


def _person(**overrides) -> dict:
    return _person_form(**{"nik": A_NIK, **overrides})


def _errors(response) -> str:
    assert response.status_code == 200
    return " ".join(str(e) for errs in response.context["form"].errors.values() for e in errs)


@pytest.fixture
def registry(people):
    registry_catalogue_load()


@pytest.mark.parametrize("table", [FULLWIDTH, ARABIC_INDIC], ids=["fullwidth", "arabic"])
def test_a_copy_of_a_registered_nik_in_other_digits_creates_no_second_person(registry, people, login, table):
    client = login(people["dedi"])
    assert client.post(reverse("registry:person_create"), _person()).status_code == 302
    response = client.post(reverse("registry:person_create"), _person(nik=A_NIK.translate(table), name="Siti Kedua"))
    assert "angka 0–9" in _errors(response)
    assert Person.objects.filter(name__startswith="Siti").count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"nik": "327401570595000³"}, "angka 0–9"),
        ({"nik": "3274017102950003", "birth_date": "1995-02-28"}, "tidak ada di kalender"),
        ({"phone": "08abc<script>"}, "hanya boleh berisi angka"),
        ({"phone": "0812"}, "4 digit"),
        ({"birth_date": "0001-01-01"}, "terlalu lama"),
        ({"birth_date": (timezone.localdate() + timedelta(days=1)).isoformat()}, "masa depan"),
    ],
)
def test_the_person_form_refuses_bad_numbers_and_dates(registry, people, login, overrides, message):
    response = login(people["dedi"]).post(reverse("registry:person_create"), _person(**overrides))
    assert message in _errors(response)
    assert not Person.objects.exists()


def test_the_person_form_stores_a_phone_without_its_layout(registry, people, login):
    response = login(people["dedi"]).post(reverse("registry:person_create"), _person(phone="+62 812-3456-7890"))
    assert response.status_code == 302
    assert Person.objects.get().phone == "+6281234567890"


def test_a_search_in_fullwidth_digits_finds_nothing_and_does_not_fail(registry, people):
    person = make_person(name="Warga Cari")
    assert list(Person.objects.search(person.nik[:6])) == [person]
    assert not Person.objects.search(person.nik[:6].translate(FULLWIDTH)).exists()


def test_an_organisation_and_its_board_get_the_phone_rule(registry, people, login):
    data = {
        "kind": Kind.objects.get(code="karang-taruna").pk,
        "name": "Karang Taruna Tunas",
        "desa": "32.74.01.1003",
        "address": "Balai Kelurahan",
        "phone": "08abc<script>",
        "is_active": "on",
        "pengurus-TOTAL_FORMS": "1",
        "pengurus-INITIAL_FORMS": "0",
        "pengurus-MIN_NUM_FORMS": "0",
        "pengurus-MAX_NUM_FORMS": "1000",
        "pengurus-0-name": "Rudi Hartono",
        "pengurus-0-position": "Ketua",
        "pengurus-0-phone": "0812abc",
    }
    client = login(people["dedi"])
    response = client.post(reverse("registry:organisation_create"), data)
    assert "hanya boleh berisi angka" in _errors(response)
    board_errors = " ".join(str(e) for form in response.context["board"].forms for e in form.errors.get("phone", []))
    assert "hanya boleh berisi angka" in board_errors
    assert not Organisation.objects.exists()
    fixed = {**data, "phone": "(0231) 123456", "pengurus-0-phone": "0812 1111 2222"}
    response = client.post(reverse("registry:organisation_create"), fixed)
    assert response.status_code == 302
    org = Organisation.objects.get()
    assert (org.phone, org.board.get().phone) == ("0231123456", "081211112222")


def test_a_user_account_gets_the_phone_and_nip_rules(people, login):
    data = {
        "username": "tksk.baru",
        "full_name": "Nining Suryani",
        "role": "tksk",
        "wilayah": "32.74.03",
        "is_active": "on",
        "password1": "Sandi-Uji-2026!",
        "password2": "Sandi-Uji-2026!",
        "phone": "08abc<script>",
        "nip": "197001011995031001".translate(FULLWIDTH),
    }
    client = login(people["dedi"])
    errors = _errors(client.post(reverse("user_create"), data))
    assert "hanya boleh berisi angka" in errors and "NIP terdiri dari 18 digit angka" in errors
    assert client.post(reverse("user_create"), {**data, "phone": "0812 3456 7890", "nip": ""}).status_code == 302
    assert User.objects.get(username="tksk.baru").phone == "081234567890"


# --- the BNBA register form ----------------------------------------------------------------------------------------


@pytest.fixture
def bnba(people):
    pmks_catalogue_load()


def _record(**overrides) -> dict:
    desa = Wilayah.objects.filter(kecamatan_id="32.74.01", level=Wilayah.DESA).order_by("code").first()
    lut = Category.objects.get(catalogue__is_active=True, code="LUT")
    data = {
        "nik": "",
        "name": "Warsini",
        "sex": "P",
        "birth_date": "1950-03-01",
        "desa": desa.code,
        "address": "Jl. Kejaksan 1",
        "categories": [lut.pk],
        "identified_on": "2026-01-05",
        "notes": "",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "0001-01-01"}, "Tanggal lahir 01-01-0001 terlalu lama; paling awal 01-01-1900."),
        ({"birth_date": "9999-12-31"}, "Tanggal lahir 31-12-9999 ada di masa depan."),
        ({"identified_on": "9999-12-31"}, "Tanggal teridentifikasi 31-12-9999 ada di masa depan."),
        ({"identified_on": "1900-01-01"}, "Tanggal teridentifikasi 01-01-1900 terlalu lama; paling awal 17-08-1945."),
        ({"nik": "3274014103500001".translate(FULLWIDTH)}, "angka 0–9"),
        ({"nik": "3274017102500001"}, "tidak ada di kalender"),
    ],
)
def test_the_bnba_form_refuses_implausible_dates_and_numbers(bnba, people, login, overrides, message):
    response = login(people["ani"]).post(reverse("pmks:register_create"), _record(**overrides))
    assert message in _errors(response)
    assert not PmksRecord.objects.exists()


def test_the_bnba_form_accepts_plausible_dates(bnba, people, login):
    fm = Category.objects.get(catalogue__is_active=True, code="FM")
    payload = _record(birth_date="1900-01-01", identified_on="1945-08-17", categories=[fm.pk])
    response = login(people["ani"]).post(reverse("pmks:register_create"), payload)
    assert response.status_code == 302, _errors(response)
    assert PmksRecord.objects.values_list("birth_date", "identified_on").get() == (date(1900, 1, 1), date(1945, 8, 17))
