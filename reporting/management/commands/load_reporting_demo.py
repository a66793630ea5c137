from django.core.management.base import BaseCommand, CommandError

from reporting.demo import reporting_demo_load


class Command(BaseCommand):
    help = (
        "Membuat laporan TKSK demo (6 bulan terakhir, Kota Cirebon dan Kabupaten Ciamis; angka fiktif). Aman diulang."
    )

    def handle(self, *args, **options):
        try:
            created = reporting_demo_load()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Data demo laporan siap ({created} laporan baru; semua angka fiktif)."))
