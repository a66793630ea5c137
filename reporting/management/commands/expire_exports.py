from django.core.management.base import BaseCommand

from reporting.tasks import exports_expire


class Command(BaseCommand):
    help = (
        "Menghapus berkas rekap yang sudah kedaluwarsa (EXPORT_FILE_TTL_HOURS setelah selesai; catatannya tetap ada, "
        "berstatus kedaluwarsa) dan menandai gagal pekerjaan yang tertahan lebih lama dari itu. Jalankan tiap jam "
        "(cron/systemd timer); aman diulang."
    )

    def handle(self, *args, **options):
        outcome = exports_expire()
        self.stdout.write(
            self.style.SUCCESS(
                f"Berkas kedaluwarsa dihapus: {outcome.expired}. "
                f"Pekerjaan tertahan ditandai gagal: {outcome.abandoned}."
            )
        )
