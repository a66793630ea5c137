"""NIK parsing and age arithmetic (pure modules of the core)."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psks_portal import ages, nik


def test_it_reads_a_male_nik():
    parsed = nik.parse("3274011208900001")
    assert (parsed.kecamatan_code, parsed.sex, parsed.birth_day, parsed.birth_month, parsed.birth_year_2) == (
        "32.74.01",
        "L",
        12,
        8,
        90,
    )
    assert parsed.masked() == "3274********0001"


def test_a_woman_has_forty_added_to_the_day():
    parsed = nik.parse("3274015208900002")
    assert (parsed.sex, parsed.birth_day) == ("P", 12)
    assert nik.consistency_problems(parsed, sex="P", birth_date=date(1990, 8, 12)) == []
    problems = nik.consistency_problems(parsed, sex="L", birth_date=date(1990, 8, 13))
    assert len(problems) == 2 and "perempuan" in problems[0] and "13-08-1990" in problems[1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "wajib"),
        ("327401120890000", "16 digit, bukan 15"),
        ("32740112089000011", "16 digit, bukan 17"),
        ("32740112O8900001", "hanya boleh berisi angka"),
        ("3274013208900001", "Tanggal lahir"),  # day 32
        ("3274017208900001", "Tanggal lahir"),  # day 72 (32 + 40)
        ("3274011213900001", "Bulan"),
        ("3274011208900000", "0000"),
        ("0074011208900001", "Kode wilayah"),
    ],
)
def test_bad_niks_are_refused_with_a_reason(text, message):
    with pytest.raises(nik.InvalidNIK, match=message):
        nik.parse(text)


def test_spaces_and_dots_are_ignored():
    assert nik.parse(" 3274 0112 0890 0001 ").value == "3274011208900001"


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 11, 23), date(2025, 11, 23), 25),  # birthday today
        (date(2000, 11, 24), date(2025, 11, 23), 24),  # birthday tomorrow
        (date(2000, 2, 29), date(2025, 2, 28), 24),  # leap-day birth, common year: not yet
        (date(2000, 2, 29), date(2025, 3, 1), 25),  # … on 1 March
        (date(2000, 2, 29), date(2024, 2, 29), 24),  # leap year: on the day
    ],
)
def test_age_on_boundaries(birth, on, age):
    assert ages.age_on(birth, on) == age


@given(st.dates(min_value=date(1920, 1, 1), max_value=date(2020, 12, 31)), st.integers(min_value=0, max_value=90))
def test_age_matches_an_independent_count(birth, years):
    """Age equals the number of birthdays (29 Feb → 1 March in common years) up to and including the date."""
    on = date(min(birth.year + years, 9999), 12, 31)
    birthdays = 0
    for year in range(birth.year + 1, on.year + 1):
        try:
            anniversary = birth.replace(year=year)
        except ValueError:
            anniversary = date(year, 3, 1)
        birthdays += anniversary <= on
    assert ages.age_on(birth, on) == birthdays
