from django.core.management.base import BaseCommand

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.selectors import active_catalogue
from pmks.services import catalogue_load


class Command(BaseCommand):
    help = (
        "Memuat tiga katalog PMKS (22 PMKS 2009, 26 PMKS berkode lama, 26 PMKS/PPKS Permensos 08/2012) dan padanan "
        "katalog lama ke Permensos 08/2012 dari fixtures/pmks/catalogues.json. Aman diulang."
    )

    def handle(self, *args, **options):
        result = catalogue_load()
        for catalogue in Catalogue.objects.all():
            self.stdout.write(
                f"{catalogue.name:<40} {Category.objects.filter(catalogue=catalogue).count():>3} kategori"
            )
        self.stdout.write(f"Padanan: {CategoryMapping.objects.count()}. Katalog aktif: {active_catalogue()}.")
        if not result.changed_anything:
            self.stdout.write(self.style.SUCCESS("Tidak ada perubahan: katalog PMKS sudah mutakhir."))
