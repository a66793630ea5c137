from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from psks_portal.demo import DEMO_PASSWORD, DemoDisabled, demo_load


class Command(BaseCommand):
    help = (
        "Membuat data demo (Kabupaten Ciamis 32.07 dan Kota Cirebon 32.74) dan satu akun demo per peran. "
        "Aman diulang (kata sandi demo disetel ulang). Ditolak bila PORTAL_DEMO_ENABLED mati."
    )

    def handle(self, *args, **options):
        try:
            accounts = demo_load()
        except DemoDisabled as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS("Akun demo (kata sandi sama untuk semua):"))
        for a in accounts:
            role = a.role or "superuser"
            self.stdout.write(f"  {a.username:<18} {role:<18} {a.wilayah or 'nasional':<10} {a.position}")
        self.stdout.write(f"  Kata sandi: {DEMO_PASSWORD}")
