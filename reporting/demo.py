"""Synthetic monthly reports for the quick start: Kota Cirebon (32.74) and Kabupaten Ciamis (32.07).

The last six closed months get PMKS figures for every desa (invented, seeded so every run gives the same numbers),
a few activities per kecamatan, and reports moved through the real workflow (``services.transition``) into a mix of
states: Kota Cirebon is accepted up to the month before last; Ciamis has drafts, late and returned reports, so the
completeness screen has something to show. Each move is made by the demo account that would make it (the kecamatan's
TKSK, the kabupaten/kota operator, the Admin Provinsi; the superadmin where the demo has no such account) and dated
when it would have happened — submissions around the deadline, verification and acceptance a few days later, never
after today — so timeliness and the history read true. Safe to repeat: months that already have reports are left
alone.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pmks.models import PmksFigure, Unit
from pmks.selectors import active_catalogue
from psks_portal import periods
from psks_portal.models import Role, User, Wilayah
from reporting import services
from reporting.models import Activity, ActivityKind, Letterhead, Report, Transition
from reporting.workflow import Action

KABUPATEN = ("32.74", "32.07")
MONTHS_BACK = 6

LETTERHEADS = [
    ("32", "PEMERINTAH DAERAH PROVINSI JAWA BARAT", "DINAS SOSIAL", "Jl. Soekarno-Hatta No. 1 (alamat demo), Bandung",
     "Telp. (022) 000000 · dinsos@jabarprov.example", "Bandung", "Kepala Dinas Sosial Provinsi Jawa Barat",
     "Dadang Suherman (demo)", "Pembina Utama Muda (IV/c)", "197001012000011001"),
    ("32.74", "PEMERINTAH DAERAH KOTA CIREBON", "DINAS SOSIAL", "Jl. Kartini No. 1 (alamat demo), Cirebon",
     "Telp. (0231) 000000 · dinsos@cirebonkota.example", "Cirebon", "Kepala Dinas Sosial Kota Cirebon",
     "Hj. Siti Aminah (demo)", "Pembina Tingkat I (IV/b)", "197502022001122002"),
    ("32.07", "PEMERINTAH KABUPATEN CIAMIS", "DINAS SOSIAL", "Jl. Jend. Sudirman No. 1 (alamat demo), Ciamis",
     "Telp. (0265) 000000 · dinsos@ciamiskab.example", "Ciamis", "Kepala Dinas Sosial Kabupaten Ciamis",
     "Drs. Agus Salim (demo)", "Pembina Tingkat I (IV/b)", "196803031995031003"),
]  # fmt: skip


def _superuser() -> User:
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        raise RuntimeError("Jalankan load_demo lebih dulu: data demo laporan memerlukan akun superadmin demo.")
    return user


@transaction.atomic
def reporting_demo_load(today: date | None = None) -> int:
    """Create the demo reports; returns how many reports were created."""
    if not settings.PORTAL_DEMO_ENABLED:
        raise RuntimeError("Mode demo tidak aktif (PORTAL_DEMO_ENABLED=false): data demo laporan tidak dibuat.")
    today = today or timezone.localdate()
    catalogue = active_catalogue()
    if catalogue is None:
        raise RuntimeError("Muat katalog PMKS lebih dulu (load_pmks_catalogue).")
    for code, government, office, address, contact, city, position, name, rank, nip in LETTERHEADS:
        Letterhead.objects.get_or_create(
            wilayah_id=code,
            defaults={"government": government, "office": office, "address": address, "contact": contact,
                      "city": city, "head_position": position, "head_name": name, "head_rank": rank, "head_nip": nip},
        )  # fmt: skip
    actors = _Actors(_superuser())
    categories = list(catalogue.categories.order_by("number"))
    last = periods.last_closed(periods.MONTH, today)
    months = [last.shift(-i) for i in reversed(range(MONTHS_BACK))]
    kecamatan = list(Wilayah.objects.filter(parent_id__in=KABUPATEN, level=Wilayah.KECAMATAN).order_by("code"))
    desa = {}
    for code, parent in Wilayah.objects.filter(kecamatan__in=kecamatan, level=Wilayah.DESA).values_list(
        "code", "parent_id"
    ):
        desa.setdefault(parent, []).append(code)
    created = 0
    for kec in kecamatan:
        rng = random.Random(kec.code)  # the same invented numbers on every machine
        base = {
            (d, c.pk): rng.choice([0, 0, 1, 2, 3, 5, 8, 12, 20, 35]) for d in desa.get(kec.code, []) for c in categories
        }
        for position, month in enumerate(months):
            if Report.objects.filter(kecamatan=kec, period=month.id).exists():
                continue
            _figures(kec, month, categories, base, rng, drift=position)
            report = services.report_open(kecamatan=kec, period=month)
            for _n in range(rng.randint(1, 4)):
                _activity(report, rng, desa.get(kec.code, []))
            report.obstacles = "Jarak antar desa jauh; data BNBA belum lengkap (demo)."
            report.follow_up = "Pendataan ulang PMKS di desa yang belum terdata (demo)."
            report.camat_name = f"Camat {kec.name} (demo)"
            report.camat_date = month.end
            report.save()
            _move(report, position, kec, rng, actors, today)
            created += 1
    return created


def _figures(kec, month, categories, base, rng, *, drift: int) -> None:
    rows = []
    for (desa_code, category_id), value in base.items():
        value = max(0, value + rng.choice([0, 0, 0, 1, -1]) * (drift % 3))
        if value == 0 and rng.random() < 0.6:
            continue
        category = next(c for c in categories if c.pk == category_id)
        if category.unit == Unit.PERSON:
            male = {"P": 0, "L": value}.get(category.sex, value // 2 + rng.randint(0, value % 2))
            rows.append(
                PmksFigure(
                    desa_id=desa_code,
                    category_id=category_id,
                    month=month.start,
                    male=male,
                    female=value - male,
                    total=value,
                )  # fmt: skip
            )
        else:
            rows.append(PmksFigure(desa_id=desa_code, category_id=category_id, month=month.start, total=value))
    PmksFigure.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)


def _activity(report: Report, rng: random.Random, desa: list[str]) -> None:
    day = report.start + timedelta(days=rng.randint(0, (report.end - report.start).days))
    kind = rng.choice(ActivityKind.values)
    Activity.objects.create(
        report=report,
        date=day,
        kind=kind,
        place=rng.choice(["Balai desa", "Kantor kecamatan", "Rumah warga", "Posyandu"]),
        desa_id=rng.choice(desa) if desa else None,
        participants_male=rng.randint(0, 25),
        participants_female=rng.randint(0, 25),
        result=f"{ActivityKind(kind).label} berjalan; tindak lanjut dicatat (demo).",
    )


class _Actors:
    """The demo account that makes each move: the TKSK of the kecamatan, the operator of its kabupaten/kota, the
    Admin Provinsi — or the superadmin where the demo has no such account."""

    def __init__(self, fallback: User) -> None:
        self.fallback = fallback
        seats = User.objects.filter(is_active=True, role__in=[Role.TKSK, Role.OPERATOR_KABKOTA, Role.ADMIN_PROVINSI])
        self.by_seat = {(user.role, user.wilayah_id): user for user in seats.order_by("pk")}

    def tksk(self, kec: Wilayah) -> User:
        return self.by_seat.get((Role.TKSK, kec.code), self.fallback)

    def operator(self, kec: Wilayah) -> User:
        return self.by_seat.get((Role.OPERATOR_KABKOTA, kec.kabupaten_id), self.fallback)

    def admin(self, kec: Wilayah) -> User:
        return self.by_seat.get((Role.ADMIN_PROVINSI, kec.provinsi_id), self.fallback)


def _at(day: date, rng: random.Random) -> datetime:
    """A moment in office hours of ``day`` (Asia/Jakarta)."""
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 15), rng.randint(0, 59))))


def _dated(report: Report, moment: datetime, *, submitted: bool = False) -> None:
    """Date the report's latest move at ``moment`` (a demo report is submitted once: for the submission, its
    submission times too)."""
    last = Transition.objects.filter(report=report).order_by("-pk").values_list("pk", flat=True).first()
    Transition.objects.filter(pk=last).update(at=moment)
    times = {"first_submitted_at": moment, "submitted_at": moment} if submitted else {}
    Report.objects.filter(pk=report.pk).update(updated_at=moment, **times)


def _move(report: Report, position: int, kec: Wilayah, rng: random.Random, actors: _Actors, today: date) -> None:
    """Older months are accepted; the last two months show every stage of the workflow."""
    latest = position == MONTHS_BACK - 1
    second_latest = position == MONTHS_BACK - 2
    ciamis = kec.kabupaten_id == "32.07"
    roll = rng.random()
    if latest and (roll < 0.25 or (ciamis and roll < 0.45)):
        return  # still a draft: shows up as missing
    first_day = report.end + timedelta(days=1)  # a report can be sent once its month is over
    wanted = report.due_date + timedelta(days=rng.choice([-6, -3, -1, 0, 0, 2, 5]))
    submitted_on = max(first_day, min(today, wanted))
    report = services.transition(report=report, action=Action.SUBMIT, by=actors.tksk(kec), today=submitted_on)
    _dated(report, _at(submitted_on, rng), submitted=True)
    if latest and roll < 0.55:
        return
    checked_on = min(today, submitted_on + timedelta(days=rng.randint(1, 4)))
    if latest and roll < 0.65:
        services.transition(
            report=report, action=Action.RETURN, by=actors.operator(kec), comment="Lengkapi angka LUT (demo)."
        )
        _dated(report, _at(checked_on, rng))
        return
    report = services.transition(report=report, action=Action.VERIFY, by=actors.operator(kec))
    _dated(report, _at(checked_on, rng))
    if latest or (second_latest and ciamis):
        return
    services.transition(report=report, action=Action.ACCEPT, by=actors.admin(kec))
    _dated(report, _at(min(today, checked_on + timedelta(days=rng.randint(2, 6))), rng))
