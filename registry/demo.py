"""Synthetic registry records for the quick start's demo wilayah (Kota Cirebon and Kabupaten Ciamis).

Every name and NIK here is invented; NIKs agree with the stated sex and birth date and carry the kecamatan code.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import transaction

from registry.models import Assignment, BoardMember, Kind, Organisation, Person, Training

# name, sex, birth, desa, education, asn, golongan, kinds, trainings, facts
PEOPLE = [
    (
        "Ahmad Fauzi",
        "L",
        date(1988, 3, 14),
        "32.74.01.1001",
        30,
        "non_asn",
        "",
        ["tksk"],
        ["pelatihan_tksk"],
        {"surat_sehat": True},
    ),
    (
        "Nur Aisyah",
        "P",
        date(1992, 7, 2),
        "32.74.01.1002",
        50,
        "non_asn",
        "",
        ["psm", "wpks"],
        ["pelatihan_psm", "pelatihan_wpks"],
        {"sehat": True, "berkelakuan_baik": True, "pengalaman_karang_taruna": True, "diakui_masyarakat": True},
    ),
    (
        "Bambang Sutrisno",
        "L",
        date(1979, 11, 30),
        "32.74.02.1001",
        30,
        "non_asn",
        "",
        ["tagana"],
        ["pelatihan_tagana"],
        {},
    ),
    ("Dewi Lestari", "P", date(2001, 1, 19), "32.74.03.1002", 30, "non_asn", "", ["tagana"], ["pelatihan_tagana"], {}),
    (
        "Hendra Gunawan",
        "L",
        date(1975, 5, 5),
        "32.74.04.1001",
        50,
        "pns",
        "III/b",
        ["penyuluh-fungsional"],
        ["diklat_penyuluh"],
        {"penilaian_kerja_baik": True, "mulai_penyuluhan": "2015-02-01"},
    ),
    ("Yuyun Yuningsih", "P", date(1990, 9, 9), "32.74.05.1001", 20, "non_asn", "", ["psm"], [], {}),
    ("Ujang Saepuloh", "L", date(1985, 12, 1), "32.07.01.1001", 43, "non_asn", "", ["tksk"], [], {"surat_sehat": True}),
    ("Rina Marlina", "P", date(1994, 4, 21), "32.07.17.2006", 30, "non_asn", "", ["pendamping-pkh"], [], {}),
    (
        "Cecep Supriatna",
        "L",
        date(1970, 8, 17),
        "32.07.02.2001",
        30,
        "non_asn",
        "",
        ["tksk"],
        [],
        {"surat_sehat": True},
    ),
]


def _nik(desa: str, sex: str, birth: date, serial: int) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{desa.replace('.', '')[:6]}{day:02d}{birth.month:02d}{birth.year % 100:02d}{9000 + serial:04d}"


@transaction.atomic
def registry_demo_load() -> int:
    """Create (or leave as they are) the demo people and organisations; returns how many people exist for the demo."""
    if not settings.PORTAL_DEMO_ENABLED:
        raise RuntimeError("Mode demo tidak aktif (PORTAL_DEMO_ENABLED=false): data demo tidak dibuat.")
    kinds = {k.code: k for k in Kind.objects.all()}
    for serial, (name, sex, birth, desa, edu, asn, gol, kind_codes, trainings, facts) in enumerate(PEOPLE, start=1):
        person, created = Person.objects.get_or_create(
            nik=_nik(desa, sex, birth, serial),
            defaults={
                "name": name,
                "sex": sex,
                "birth_place": "Cirebon" if desa.startswith("32.74") else "Ciamis",
                "birth_date": birth,
                "education": edu,
                "desa_id": desa,
                "asn_status": asn,
                "golongan": gol,
                "facts": facts,
                "address": "Alamat demo",
            },
        )
        if not created:
            continue
        for code in kind_codes:
            Assignment.objects.create(
                person=person,
                kind=kinds[code],
                wilayah_id=desa[:8],
                start_date=date(2020, 1, 1),
                sk_number=f"DEMO/{serial:03d}/{code.upper()}/2020",
                sk_date=date(2020, 1, 1),
            )
        for category in trainings:
            Training.objects.create(
                person=person,
                category=category,
                name=f"Demo {category}",
                body="Dinas Sosial (demo)",
                date=date(2019, 6, 1),
            )
    org, created = Organisation.objects.get_or_create(
        name="LKS Bina Sejahtera (demo)",
        desa_id="32.74.01.1001",
        defaults={
            "kind": kinds["lks"],
            "address": "Jl. Demo No. 1",
            "registration_number": "DEMO-LKS-001",
            "work_programme": "Pendampingan lansia dan anak telantar",
            "facts": {"kegiatan_kesos": True},
        },
    )
    if created:
        BoardMember.objects.create(organisation=org, name="Ketua Demo", position="Ketua")
    Organisation.objects.get_or_create(
        name="Karang Taruna Tunas Muda (demo)",
        desa_id="32.07.01.1001",
        defaults={"kind": kinds["karang-taruna"], "address": "Balai Desa (demo)"},
    )
    return len(PEOPLE)
