from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from psks_portal import backups


class Command(BaseCommand):
    help = (
        "Uji pemulihan satu cadangan: memulihkan dump ke basis data sementara yang baru (pg_restore) dan berkas ke "
        "folder sementara, lalu membandingkan jumlah baris dan checksum setiap tabel dan setiap berkas dengan "
        "manifest. Gagal (kode keluar bukan 0) bila ada yang berbeda. Basis data sementara dihapus sesudahnya."
    )

    def add_arguments(self, parser):
        parser.add_argument("direktori", type=Path, help="direktori psks-<waktu>/ buatan manage.py backup")
        parser.add_argument(
            "--simpan-basis-data",
            action="store_true",
            help="jangan hapus basis data sementara (namanya dicetak) untuk diperiksa",
        )

    def handle(self, *args, **options):
        try:
            report = backups.restore_drill(backup_dir=options["direktori"], keep_database=options["simpan_basis_data"])
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        if report.database:
            self.stdout.write(f"Basis data sementara disimpan: {report.database}")
        if not report.ok:
            for difference in report.differences:
                self.stderr.write(difference)
            raise CommandError(f"Pemulihan TIDAK sama dengan cadangan: {len(report.differences)} perbedaan.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Pemulihan sama dengan cadangan: {report.tables} tabel ({report.rows} baris) dan "
                f"{report.files} berkas cocok."
            )
        )
