from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from psks_portal import backups


class Command(BaseCommand):
    help = (
        "Membuat cadangan: dump PostgreSQL format custom (pg_dump -Fc), arsip MEDIA_ROOT (tanpa imports/) dan "
        "manifest jumlah baris serta checksum per tabel dan per berkas, dalam satu direktori psks-<waktu>/ di "
        "BACKUP_DIR (atau --tujuan). Uji hasilnya dengan manage.py restore_check <direktori>."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tujuan", type=Path, default=None, help="direktori tujuan (bawaan: BACKUP_DIR)")

    def handle(self, *args, **options):
        destination = options["tujuan"] or settings.BACKUP_DIR
        try:
            made = backups.backup(destination=destination)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from None
        manifest = backups.read_manifest(made)
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Cadangan dibuat: {made} ({len(manifest['tables'])} tabel, {rows} baris, "
                f"{len(manifest['media'])} berkas)"
            )
        )
