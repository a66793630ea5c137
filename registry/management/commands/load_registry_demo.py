from django.core.management.base import BaseCommand, CommandError

from registry.demo import registry_demo_load


class Command(BaseCommand):
    help = "Membuat data demo registri (orang dan lembaga fiktif di Kota Cirebon dan Kabupaten Ciamis). Aman diulang."

    def handle(self, *args, **options):
        try:
            count = registry_demo_load()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"Data demo registri siap ({count} orang, 2 lembaga; semua fiktif)."))
