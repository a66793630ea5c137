"""Pure NIK (Nomor Induk Kependudukan) parsing: ``PPKKCC DDMMYY NNNN``.

The first six digits are the kecamatan where the person was first registered; then the birth date with 40 added to the
day for women; then a serial from 0001. Stored as text (Excel keeps only 15 significant digits).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from psks_portal.digits import FOREIGN_DIGITS_HINT, has_foreign_digits, is_ascii_digits

MALE, FEMALE = "L", "P"


class InvalidNIK(ValueError):
    """The NIK cannot be right; the message says why, in Indonesian."""


@dataclass(frozen=True)
class NIK:
    value: str
    kecamatan_code: str  # "32.74.01"
    sex: str
    birth_day: int
    birth_month: int
    birth_year_2: int  # two digits: the century is not in the NIK
    serial: int

    def masked(self) -> str:
        return mask(self.value)

    def birth_date_matches(self, birth: date) -> bool:
        return (birth.day, birth.month, birth.year % 100) == (self.birth_day, self.birth_month, self.birth_year_2)


def parse(text: str) -> NIK:
    """Validate the form of a NIK (16 ASCII digits, a date part that is a real date, serial ≥ 1) and read its parts.

    Fullwidth or Arabic-Indic digits are refused, not converted: a converted copy of a NIK already registered
    would otherwise look new to anyone comparing the text.
    """
    value = re.sub(r"[\s.\-]", "", str(text or ""))
    if not value:
        raise InvalidNIK("NIK wajib diisi.")
    if has_foreign_digits(value):
        raise InvalidNIK(f"NIK hanya boleh berisi angka 0–9. {FOREIGN_DIGITS_HINT}")
    if not is_ascii_digits(value):
        raise InvalidNIK("NIK hanya boleh berisi angka.")
    if len(value) != 16:
        raise InvalidNIK(f"NIK harus 16 digit, bukan {len(value)} digit.")
    day, month, year2, serial = int(value[6:8]), int(value[8:10]), int(value[10:12]), int(value[12:16])
    sex = FEMALE if day > 40 else MALE
    real_day = day - 40 if sex == FEMALE else day
    if not (1 <= real_day <= 31):
        raise InvalidNIK(
            f"Tanggal lahir pada NIK tidak sah ({value[6:8]}): 01–31 untuk laki-laki, 41–71 untuk perempuan."
        )
    if not (1 <= month <= 12):
        raise InvalidNIK(f"Bulan lahir pada NIK tidak sah ({value[8:10]}).")
    if not _real_date(real_day, month, year2):
        raise InvalidNIK(f"Tanggal lahir pada NIK ({real_day:02d}-{month:02d}-{year2:02d}) tidak ada di kalender.")
    if serial == 0:
        raise InvalidNIK("Nomor urut NIK (4 digit terakhir) tidak boleh 0000.")
    if value[:2] == "00" or value[2:4] == "00" or value[4:6] == "00":
        raise InvalidNIK("Kode wilayah pada NIK (6 digit pertama) tidak sah.")
    kecamatan = f"{value[0:2]}.{value[2:4]}.{value[4:6]}"
    return NIK(value, kecamatan, sex, real_day, month, year2, serial)


def _real_date(day: int, month: int, year2: int) -> bool:
    """Whether day-month exists in a year ending in ``year2``: 29 February only when that year is a leap year
    (``00`` counts as 2000; from 1901 to 2099 every year divisible by four is one)."""
    try:
        date(2000 + year2, month, day)
    except ValueError:
        return False
    return True


def consistency_problems(nik: NIK, *, sex: str | None, birth_date: date | None) -> list[str]:
    """Mismatches between the NIK and the stated sex and birth date (Indonesian messages; empty when consistent)."""
    problems = []
    if sex and sex != nik.sex:
        shown = "perempuan (tanggal + 40)" if nik.sex == FEMALE else "laki-laki"
        written = "perempuan" if sex == FEMALE else "laki-laki"
        problems.append(f"NIK menunjukkan jenis kelamin {shown}, tetapi data tertulis {written}.")
    if birth_date and not nik.birth_date_matches(birth_date):
        problems.append(
            f"Tanggal lahir pada NIK ({nik.birth_day:02d}-{nik.birth_month:02d}-{nik.birth_year_2:02d}) "
            f"tidak sama dengan tanggal lahir {birth_date:%d-%m-%Y}."
        )
    return problems


def mask(value: str) -> str:
    """``3274014101900001`` → ``3274********0001``."""
    value = str(value or "")
    if len(value) != 16:
        return "*" * len(value)
    return f"{value[:4]}********{value[12:]}"
