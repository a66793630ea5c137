"""TKSK periodic reports: one per kecamatan and period (month, triwulan, semester, year), moving through
draft → submitted → verified → accepted (or back to revision), with every move kept.

The monthly report holds the PMKS figures of its kecamatan-month (stored in ``pmks.PmksFigure``, locked while the
report is handed in), the PSKS present per desa and type (frozen here at submission), activities, cases, obstacles,
follow-up plans and the Camat's acknowledgement. Quarterly, semester and annual reports add a narrative (and for the
year the kabupaten's evaluation, Permensos 28/2018 Pasal 32); their figures are compiled from the monthly reports.
"""

from __future__ import annotations

import secrets

from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from psks_portal import periods
from psks_portal.scope import ScopedQuerySet, user_scope

ATTACHMENT_EXTENSIONS = ["jpg", "jpeg", "png", "pdf"]


class State(models.TextChoices):
    DRAFT = "draft", _("Draf")
    SUBMITTED = "submitted", _("Dikirim")
    REVISION = "revision", _("Dikembalikan untuk revisi")
    VERIFIED = "verified", _("Diverifikasi kabupaten/kota")
    ACCEPTED = "accepted", _("Diterima provinsi")
    NOT_REPORTING = "not_reporting", _("Tidak melapor")


# Which states count as "handed in" for roll-ups: accepted only, or everything submitted and not sent back.
ACCEPTED_STATES = (State.ACCEPTED,)
SUBMITTED_STATES = (State.SUBMITTED, State.VERIFIED, State.ACCEPTED)
EDITABLE_STATES = (State.DRAFT, State.REVISION)


class PeriodKind(models.TextChoices):
    MONTH = periods.MONTH, _("Bulanan")
    QUARTER = periods.QUARTER, _("Triwulanan")
    SEMESTER = periods.SEMESTER, _("Semesteran")
    YEAR = periods.YEAR, _("Tahunan")


class Performance(models.TextChoices):
    GOOD = "baik", _("Baik")
    FAIR = "cukup", _("Cukup")
    POOR = "buruk", _("Buruk")


class Activeness(models.TextChoices):
    ACTIVE = "aktif", _("Aktif")
    INACTIVE = "tidak_aktif", _("Tidak aktif")


class ReportQuerySet(ScopedQuerySet):
    wilayah_field = "kecamatan"

    def of_period(self, period: periods.Period):
        return self.filter(period=period.id)

    def monthly_in(self, period: periods.Period):
        """The monthly reports whose month lies in ``period``."""
        return self.filter(period_kind=periods.MONTH, start__gte=period.start, start__lte=period.end)


class Report(models.Model):
    kecamatan = models.ForeignKey(
        "psks_portal.Wilayah", verbose_name=_("kecamatan"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.CharField(_("periode"), max_length=7, help_text=_("2026M03, 2026Q1, 2026S1 atau 2026."))
    period_kind = models.CharField(_("jenis laporan"), max_length=1, choices=PeriodKind.choices)
    start = models.DateField(_("awal periode"))
    end = models.DateField(_("akhir periode"))
    state = models.CharField(_("status"), max_length=14, choices=State.choices, default=State.DRAFT)
    version = models.PositiveIntegerField(default=1, editable=False)

    tksk_name = models.CharField(_("nama TKSK"), max_length=150, blank=True)
    summary = models.TextField(_("ringkasan/narasi"), blank=True)
    cases = models.TextField(_("kasus menonjol dan bencana"), blank=True)
    obstacles = models.TextField(_("hambatan"), blank=True)
    follow_up = models.TextField(_("rencana tindak lanjut"), blank=True)
    camat_name = models.CharField(_("nama Camat"), max_length=150, blank=True)
    camat_nip = models.CharField(_("NIP Camat"), max_length=18, blank=True)
    camat_date = models.DateField(_("tanggal diketahui Camat"), null=True, blank=True)

    # Year-end evaluation of the TKSK by the kabupaten/kota (annual report only; Permensos 28/2018 Pasal 32).
    evaluation_performance = models.CharField(
        _("penilaian kinerja"), max_length=6, choices=Performance.choices, blank=True
    )
    evaluation_activeness = models.CharField(_("keaktifan"), max_length=12, choices=Activeness.choices, blank=True)
    evaluation_note = models.TextField(_("catatan evaluasi"), blank=True)

    due_date = models.DateField(_("batas waktu"))
    first_submitted_at = models.DateTimeField(_("pertama dikirim"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("terakhir dikirim"), null=True, blank=True)
    days_late = models.PositiveIntegerField(
        _("terlambat (hari)"), null=True, blank=True, help_text=_("Dihitung dari pengiriman pertama; 0 = tepat waktu.")
    )
    last_comment = models.TextField(_("catatan terakhir"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "psks_portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at", "version"])

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("laporan TKSK")
        verbose_name_plural = _("laporan TKSK")
        ordering = ["-start", "period_kind", "kecamatan"]
        constraints = [
            models.UniqueConstraint(fields=["kecamatan", "period"], name="report_one_per_kecamatan_period"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="report_end_after_start"),
            models.CheckConstraint(condition=Q(state__in=[s.value for s in State]), name="report_state_known"),
        ]
        indexes = [
            models.Index(fields=["period_kind", "start", "state"], name="report_kind_start_state"),
            models.Index(fields=["kecamatan", "period_kind", "start"], name="report_kec_kind_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_period_kind_display()} {self.period_obj.label} — {self.kecamatan_id}"

    @property
    def period_obj(self) -> periods.Period:
        return periods.Period.parse(self.period)

    @property
    def is_monthly(self) -> bool:
        return self.period_kind == periods.MONTH

    @property
    def is_annual(self) -> bool:
        return self.period_kind == periods.YEAR

    @property
    def is_editable(self) -> bool:
        """Content may change only in draft or revision: handed-in data is read-only until a reopen."""
        return self.state in EDITABLE_STATES

    @property
    def on_time(self) -> bool | None:
        return None if self.days_late is None else self.days_late == 0


class ActivityKind(models.TextChoices):
    DATA = "pendataan", _("Pendataan")
    GUIDANCE = "bimbingan", _("Bimbingan/penyuluhan sosial")
    COORDINATION = "koordinasi", _("Koordinasi/jejaring")
    PROGRAMME = "pendampingan", _("Pendampingan program (bansos, PKH, …)")
    OUTREACH = "penjangkauan", _("Penjangkauan")
    REFERRAL = "rujukan", _("Rujukan")
    DISASTER = "bencana", _("Tanggap bencana")
    MONITORING = "monitoring", _("Monitoring")


class AttachmentKind(models.TextChoices):
    PHOTO = "foto", _("Foto kegiatan")
    MINUTES = "notulen", _("Notulen/berita acara")
    ATTENDANCE = "daftar_hadir", _("Daftar hadir")
    OTHER = "lain", _("Lainnya")


def attachment_path(instance: Activity, filename: str) -> str:
    """``laporan/<kecamatan>/<period>/<32 random hex digits>.<ext>``: a name nobody can guess (the file is served only
    by the scoped ``activity_attachment`` view, under a readable download name)."""
    extension = filename.rsplit(".", 1)[-1].lower()
    report = instance.report
    return f"laporan/{report.kecamatan_id}/{report.period}/{secrets.token_hex(16)}.{extension}"


class Activity(models.Model):
    """An activity of the month: a flow — activities and participants sum over months."""

    report = models.ForeignKey(Report, verbose_name=_("laporan"), on_delete=models.CASCADE, related_name="activities")
    date = models.DateField(_("tanggal"))
    kind = models.CharField(_("jenis kegiatan"), max_length=14, choices=ActivityKind.choices)
    place = models.CharField(_("tempat"), max_length=200)
    desa = models.ForeignKey(
        "psks_portal.Wilayah",
        verbose_name=_("desa/kelurahan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants_male = models.PositiveIntegerField(_("peserta/sasaran laki-laki"), default=0)
    participants_female = models.PositiveIntegerField(_("peserta/sasaran perempuan"), default=0)
    result = models.TextField(_("hasil"))
    attachment = models.FileField(
        _("lampiran"),
        upload_to=attachment_path,
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    attachment_kind = models.CharField(_("jenis lampiran"), max_length=14, choices=AttachmentKind.choices, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kegiatan")
        verbose_name_plural = _("kegiatan")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.date:%d-%m-%Y} {self.get_kind_display()}"

    @property
    def participants(self) -> int:
        return self.participants_male + self.participants_female


class PsksCount(models.Model):
    """PSKS present in a desa, by type, as counted from the registry when the monthly report was submitted."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="psks_counts")
    desa = models.ForeignKey("psks_portal.Wilayah", on_delete=models.PROTECT, related_name="+")
    kind = models.ForeignKey("registry.Kind", on_delete=models.PROTECT, related_name="+")
    count = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("PSKS per desa")
        verbose_name_plural = _("PSKS per desa")
        constraints = [models.UniqueConstraint(fields=["report", "desa", "kind"], name="psks_count_unique")]

    def __str__(self) -> str:
        return f"{self.desa_id} {self.kind_id}: {self.count}"


class Transition(models.Model):
    """One move of a report through the workflow: who, when, from which state to which, and why."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="transitions")
    action = models.CharField(_("tindakan"), max_length=20)
    from_state = models.CharField(_("dari"), max_length=14, choices=State.choices)
    to_state = models.CharField(_("menjadi"), max_length=14, choices=State.choices)
    by = models.ForeignKey("psks_portal.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    comment = models.TextField(_("catatan"), blank=True)

    class Meta:
        verbose_name = _("riwayat status laporan")
        verbose_name_plural = _("riwayat status laporan")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.from_state} → {self.to_state}"


class Deadline(models.Model):
    """Days after the end of a period by which its report is due, per provinsi (none = the national default)."""

    provinsi = models.ForeignKey(
        "psks_portal.Wilayah",
        verbose_name=_("provinsi"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    period_kind = models.CharField(_("jenis laporan"), max_length=1, choices=PeriodKind.choices)
    days_after_end = models.PositiveSmallIntegerField(
        _("hari setelah akhir periode"), help_text=_("10 = tanggal 10 bulan berikutnya untuk laporan bulanan.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("batas waktu laporan")
        verbose_name_plural = _("batas waktu laporan")
        constraints = [
            models.UniqueConstraint(fields=["provinsi", "period_kind"], name="deadline_one_per_provinsi_kind"),
            models.UniqueConstraint(
                fields=["period_kind"], condition=Q(provinsi__isnull=True), name="deadline_one_national_per_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provinsi_id or 'nasional'} {self.period_kind}: +{self.days_after_end}"


class Letterhead(models.Model):
    """The kop surat and signature block of a dinas (per provinsi or kabupaten/kota) for recaps sent up the chain."""

    wilayah = models.OneToOneField(
        "psks_portal.Wilayah",
        verbose_name=_("wilayah dinas"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"level__in": [1, 2]},
    )
    government = models.CharField(
        _("pemerintah daerah"), max_length=150, help_text=_("Mis. PEMERINTAH KABUPATEN CIAMIS.")
    )
    office = models.CharField(_("nama dinas"), max_length=150, help_text=_("Mis. DINAS SOSIAL."))
    address = models.CharField(_("alamat"), max_length=250)
    contact = models.CharField(_("telepon/surel/laman"), max_length=250, blank=True)
    logo = models.ImageField(_("logo"), upload_to="kop/", blank=True)
    city = models.CharField(_("tempat penandatanganan"), max_length=100, help_text=_("Mis. Ciamis."))
    head_position = models.CharField(_("jabatan penanda tangan"), max_length=150, default="Kepala Dinas Sosial")
    head_name = models.CharField(_("nama penanda tangan"), max_length=150, blank=True)
    head_rank = models.CharField(_("pangkat/golongan"), max_length=100, blank=True)
    head_nip = models.CharField(_("NIP"), max_length=18, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kop surat dinas")
        verbose_name_plural = _("kop surat dinas")

    def __str__(self) -> str:
        return f"{self.office} — {self.wilayah_id}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Dalam antrean")
    RUNNING = "running", _("Sedang dibuat")
    DONE = "done", _("Selesai")
    FAILED = "failed", _("Gagal")
    EXPIRED = "expired", _("Kedaluwarsa")


class ExportQuerySet(ScopedQuerySet):
    wilayah_field = "wilayah"

    def for_owner(self, user):
        """The user's own exports that they may still have: of a wilayah inside their scope *now*, and for a
        read-only viewer only files fit for one. An account moved to another wilayah, or made read-only, keeps no
        file it could not make today."""
        exports = self.for_user(user).filter(user=user)
        if user_scope(user).read_only:
            exports = exports.filter(fit_for_read_only=True)
        return exports


class Export(models.Model):
    """Every recap file made (who, what, for which wilayah and period, when) — made at once or as a background job.

    The "Unduhan" page lists a user's exports with their status and progress; files expire after a while.
    """

    user = models.ForeignKey("psks_portal.User", verbose_name=_("pengguna"), on_delete=models.PROTECT, related_name="+")
    recap = models.CharField(_("rekap"), max_length=30)
    format = models.CharField(_("format"), max_length=5)
    wilayah = models.ForeignKey(
        "psks_portal.Wilayah",
        verbose_name=_("wilayah"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("periode"), max_length=7)
    options = models.JSONField(_("pilihan"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(_("kemajuan (%)"), default=0)
    task_id = models.CharField(max_length=64, blank=True)
    file = models.FileField(_("berkas"), upload_to="unduhan/%Y/%m/", blank=True, max_length=250)
    filename = models.CharField(_("nama berkas"), max_length=200, blank=True)
    size = models.PositiveBigIntegerField(_("ukuran (byte)"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("jumlah baris"), null=True, blank=True)
    error = models.TextField(_("alasan gagal"), blank=True)
    fit_for_read_only = models.BooleanField(
        _("layak untuk pengguna baca-saja"),
        default=False,
        help_text=_("Berkas menyamarkan angka kecil (atau tidak memuat angka sensitif): boleh untuk Pimpinan."),
    )
    created_at = models.DateTimeField(_("diminta"), auto_now_add=True)
    finished_at = models.DateTimeField(_("selesai"), null=True, blank=True)
    expires_at = models.DateTimeField(_("kedaluwarsa"), null=True, blank=True)

    objects = ExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("ekspor rekap")
        verbose_name_plural = _("ekspor rekap")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_created")]

    def __str__(self) -> str:
        return f"{self.recap} {self.period} {self.format} ({self.get_status_display()})"
