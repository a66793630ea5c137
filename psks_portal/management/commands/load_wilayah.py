from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from psks_portal.models import Wilayah
from psks_portal.services import LEVEL_LABELS, WilayahSourceError, wilayah_load


class Command(BaseCommand):
    help = (
        "Memuat pohon wilayah Kemendagri (provinsi → kabupaten/kota → kecamatan → desa/kelurahan) "
        "dari fixtures/wilayah. "
        "Aman diulang: kode yang sudah sama tidak diubah. --only memuat satu provinsi atau kabupaten/kota saja."
    )

    def add_arguments(self, parser):
        parser.add_argument("--only", action="append", metavar="KODE", help="Kode provinsi (32) atau kab/kota (32.07).")
        parser.add_argument(
            "--source", type=Path, default=None, help="Folder berisi CSV sumber (bawaan: fixtures/wilayah)."
        )

    def handle(self, *args, only=None, source=None, **options):
        directory = source or settings.WILAYAH_FIXTURE_DIR
        try:
            result = wilayah_load(directory=directory, only=only)
        except WilayahSourceError as exc:
            raise CommandError(str(exc)) from None
        for level, label in LEVEL_LABELS.items():
            self.stdout.write(
                f"{label:<15} sumber {result.in_source[level]:>6}  baru {result.created[level]:>6}  "
                f"diubah {result.updated[level]:>6}  tetap {result.unchanged[level]:>6}  "
                f"di basis data {Wilayah.objects.filter(level=level).count():>6}"
            )
        if result.not_in_source:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.not_in_source} kode di basis data tidak ada di sumber "
                    f"(tidak dihapus; tandai 'berlaku sampai')."
                )
            )
        if result.changed_anything:
            self.stdout.write(self.style.SUCCESS(f"Selesai dalam {result.seconds:.1f} detik."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Tidak ada perubahan: data wilayah sudah mutakhir ({result.seconds:.1f} detik).")
            )
