from django.core.management.base import BaseCommand

from registry.models import Criterion, Kind
from registry.services import catalogue_load


class Command(BaseCommand):
    help = (
        "Memuat katalog jenis SDM Kesos (Permensos 16/2017) dan 12 PSKS (Permensos 08/2012) beserta kriterianya dari "
        "fixtures/registry/kinds.json. Aman diulang; kriteria yang sudah diubah admin tidak ditimpa kecuali --perbarui."
    )

    def add_arguments(self, parser):
        parser.add_argument("--perbarui", action="store_true", help="Timpa kriteria dengan isi berkas katalog.")

    def handle(self, *args, perbarui=False, **options):
        result = catalogue_load(update_criteria=perbarui)
        self.stdout.write(
            f"Jenis: baru {result.kinds_created}, diubah {result.kinds_updated}, total {Kind.objects.count()} "
            f"(PSKS {Kind.objects.filter(psks_number__isnull=False, parent__isnull=True).count()}). "
            f"Kriteria: baru {result.criteria_created}, diubah {result.criteria_updated}, "
            f"total {Criterion.objects.count()}."
        )
        if not result.changed_anything:
            self.stdout.write(self.style.SUCCESS("Tidak ada perubahan: katalog sudah mutakhir."))
