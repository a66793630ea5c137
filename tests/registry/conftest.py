"""Registry test data: synthetic people built with NIKs consistent with their data."""

from __future__ import annotations

from datetime import date
from itertools import count

from registry.models import Assignment, Kind, Person, Training

_serial = count(1)


def synthetic_nik(desa_code: str, sex: str, birth: date) -> str:
    """A NIK that agrees with the given sex and birth date (serials from a counter: unique within a run)."""
    kecamatan = desa_code.replace(".", "")[:6]
    day = birth.day + (40 if sex == "P" else 0)
    return f"{kecamatan}{day:02d}{birth.month:02d}{birth.year % 100:02d}{next(_serial) % 10000 or 1:04d}"


def make_person(
    *,
    name="Warga Uji",
    desa="32.74.01.1001",
    sex="L",
    birth=date(1990, 5, 17),
    education=30,
    asn="non_asn",
    golongan="",
    facts=None,
    **extra,
) -> Person:
    return Person.objects.create(
        nik=synthetic_nik(desa, sex, birth),
        name=name,
        sex=sex,
        birth_place="Cirebon",
        birth_date=birth,
        education=education,
        desa_id=desa,
        asn_status=asn,
        golongan=golongan,
        facts=facts or {},
        **extra,
    )


def assign(person: Person, kind_code: str, wilayah: str | None = None, **extra) -> Assignment:
    kind = Kind.objects.get(code=kind_code)
    return Assignment.objects.create(person=person, kind=kind, wilayah_id=wilayah or person.desa.kecamatan_id, **extra)


def train(person: Person, category: str, on=date(2020, 1, 1), until=None) -> Training:
    return Training.objects.create(person=person, category=category, name=category, date=on, valid_until=until)
