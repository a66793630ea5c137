"""PMKS/PPKS catalogues, versioned: the 22 of 2009, the older coded 26, and the 26 of Permensos 08/2012, with the
mappings of each older list onto Permensos 08/2012 (including splits by age and categories with no successor)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from psks_portal.scope import ScopedQuerySet


class Unit(models.TextChoices):
    PERSON = "person", _("Jiwa")
    FAMILY = "family", _("Keluarga")
    COMMUNITY = "community", _("Komunitas")


class Sensitivity(models.TextChoices):
    """UU 27/2022 specific personal data classes that a category reveals about the people counted in it."""

    HEALTH = "health", _("Kesehatan")
    CRIMINAL = "criminal", _("Catatan kejahatan")
    CHILD = "child", _("Data anak")
    FINANCIAL = "financial", _("Keuangan")
    SEXUAL = "sexual", _("Kehidupan seksual")
    SEXUAL_ORIENTATION = "sexual_orientation", _("Orientasi seksual/kelompok minoritas")


class AtensiCluster(models.TextChoices):
    ANAK = "anak", _("Anak")
    DISABILITAS = "disabilitas", _("Penyandang disabilitas")
    TUNA_SOSIAL_KPO = "tuna_sosial_kpo", _("Tuna sosial dan korban perdagangan orang")
    NAPZA = "napza", _("Korban penyalahgunaan NAPZA")
    LANJUT_USIA = "lanjut_usia", _("Lanjut usia")
    BENCANA = "bencana", _("Korban bencana")
    LAINNYA = "lainnya", _("Lainnya")


class Catalogue(models.Model):
    """One list of PMKS categories as a regulation or source defines it. One catalogue is active per deployment."""

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    regulation = models.CharField(_("dasar/sumber"), max_length=250)
    year = models.PositiveSmallIntegerField(_("tahun"))
    is_active = models.BooleanField(
        _("katalog aktif"), default=False, help_text=_("Data baru dicatat dengan katalog ini. Hanya satu yang aktif.")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("katalog PMKS")
        verbose_name_plural = _("katalog PMKS")
        ordering = ["year", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="pmks_one_active_catalogue")
        ]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    catalogue = models.ForeignKey(
        Catalogue, verbose_name=_("katalog"), on_delete=models.PROTECT, related_name="categories"
    )
    number = models.PositiveSmallIntegerField(_("nomor urut"))
    code = models.CharField(_("singkatan"), max_length=12)
    name = models.CharField(_("nama"), max_length=150)
    ppks_label = models.CharField(_("label PPKS"), max_length=150, blank=True)
    definition = models.TextField(_("definisi"), blank=True)
    unit = models.CharField(_("satuan"), max_length=10, choices=Unit.choices, default=Unit.PERSON)
    min_age = models.PositiveSmallIntegerField(_("usia minimal"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(
        _("usia maksimal"), null=True, blank=True, help_text=_("Inklusif: 17 berarti di bawah 18 tahun.")
    )
    sex = models.CharField(
        _("jenis kelamin"), max_length=1, blank=True, choices=[("L", _("Laki-laki")), ("P", _("Perempuan"))]
    )
    sensitivity = models.JSONField(_("kelas data sensitif"), default=list, blank=True)
    atensi_cluster = models.CharField(_("klaster ATENSI"), max_length=20, choices=AtensiCluster.choices, blank=True)
    bidang = models.CharField(_("bidang dinas"), max_length=100, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kategori PMKS")
        verbose_name_plural = _("kategori PMKS")
        ordering = ["catalogue", "number"]
        constraints = [
            models.UniqueConstraint(fields=["catalogue", "number"], name="pmks_category_unique_number"),
            models.UniqueConstraint(fields=["catalogue", "code"], name="pmks_category_unique_code"),
            models.CheckConstraint(
                condition=Q(min_age__isnull=True) | Q(max_age__isnull=True) | Q(min_age__lte=models.F("max_age")),
                name="pmks_category_age_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number:02d} {self.name}" if self.code.isdigit() else f"{self.name} ({self.code})"

    @property
    def age_rule(self) -> str:
        if self.min_age is None and self.max_age is None:
            return "—"
        if self.max_age is None:
            return f"≥ {self.min_age} tahun"
        if self.min_age in (None, 0):
            return f"≤ {self.max_age} tahun"
        return f"{self.min_age}–{self.max_age} tahun"


class CategoryMapping(models.Model):
    """``source`` (an older catalogue's category) continues as ``target`` in Permensos 08/2012.

    Several rows for one source mean a split by age (``min_age``/``max_age`` of the person counted); no row at all
    means the category has no successor (its figures stay in the "unmapped" remainder of a mapped series).
    """

    source = models.ForeignKey(
        Category, verbose_name=_("kategori asal"), on_delete=models.CASCADE, related_name="mappings"
    )
    target = models.ForeignKey(
        Category, verbose_name=_("kategori tujuan"), on_delete=models.PROTECT, related_name="mapped_from"
    )
    min_age = models.PositiveSmallIntegerField(_("untuk usia minimal"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("untuk usia maksimal"), null=True, blank=True)
    source_note = models.CharField(_("sumber padanan"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("padanan kategori")
        verbose_name_plural = _("padanan kategori")
        ordering = ["source", "target__number"]
        constraints = [models.UniqueConstraint(fields=["source", "target"], name="pmks_mapping_unique_pair")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target}"


class FigureSource(models.TextChoices):
    MANUAL = "manual", _("Diisi TKSK")
    REGISTER = "bnba", _("Dihitung dari data BNBA")
    COPIED = "copied", _("Disalin dari bulan lalu")


class FigureQuerySet(ScopedQuerySet):
    """Figures and by-name records belong to a desa: scoped through it like every record of the portal."""

    wilayah_field = "desa"


class PmksFigure(models.Model):
    """How many people (families, communities) of one PMKS category a desa has in one month: a stock, never summed
    over months. For categories counted in persons the figure is split by sex and the total equals the parts."""

    desa = models.ForeignKey(
        "psks_portal.Wilayah", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(Category, verbose_name=_("kategori"), on_delete=models.PROTECT, related_name="figures")
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan yang dilaporkan."))
    male = models.PositiveIntegerField(_("laki-laki"), null=True, blank=True)
    female = models.PositiveIntegerField(_("perempuan"), null=True, blank=True)
    total = models.PositiveIntegerField(_("jumlah"))
    source = models.CharField(_("asal angka"), max_length=8, choices=FigureSource.choices, default=FigureSource.MANUAL)
    comment = models.CharField(
        _("keterangan"), max_length=300, blank=True, help_text=_("Wajib bila angka melonjak dibanding bulan lalu.")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        "psks_portal.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = FigureQuerySet.as_manager()

    class Meta:
        verbose_name = _("angka PMKS")
        verbose_name_plural = _("angka PMKS")
        ordering = ["month", "desa", "category__number"]
        constraints = [
            models.UniqueConstraint(fields=["desa", "category", "month"], name="pmks_figure_one_per_desa_month"),
            models.CheckConstraint(
                condition=Q(male__isnull=True, female__isnull=True)
                | Q(male__isnull=False, female__isnull=False, total=models.F("male") + models.F("female")),
                name="pmks_figure_total_is_sum",
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="pmks_figure_month_first_day"),
        ]
        indexes = [models.Index(fields=["month", "category"], name="pmks_figure_month_cat")]

    def __str__(self) -> str:
        return f"{self.desa_id} {self.category.code} {self.month:%Y-%m}: {self.total}"


class HandlingStatus(models.TextChoices):
    NEW = "baru", _("Baru")
    IN_PROGRESS = "ditangani", _("Ditangani")
    REFERRED = "dirujuk", _("Dirujuk")
    DONE = "selesai", _("Selesai")


class RecordQuerySet(FigureQuerySet):
    pass


class PmksRecord(models.Model):
    """A by-name (BNBA) PMKS record: specific personal data under UU 27/2022, seen only by the TKSK of the kecamatan
    and the operators/admins above it; never by a Pimpinan."""

    nik = models.CharField(_("NIK"), max_length=16, blank=True)
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=[("L", _("Laki-laki")), ("P", _("Perempuan"))])
    birth_date = models.DateField(_("tanggal lahir"), null=True, blank=True)
    desa = models.ForeignKey(
        "psks_portal.Wilayah", verbose_name=_("desa/kelurahan"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    categories = models.ManyToManyField(Category, verbose_name=_("kategori"), related_name="records")
    identified_on = models.DateField(_("tanggal teridentifikasi"))
    status = models.CharField(
        _("status penanganan"), max_length=10, choices=HandlingStatus.choices, default=HandlingStatus.NEW
    )
    referral_target = models.CharField(_("dirujuk ke"), max_length=200, blank=True)
    notes = models.TextField(_("catatan"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"], m2m_fields=[categories])

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("data BNBA PMKS")
        verbose_name_plural = _("data BNBA PMKS")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["nik"], condition=~Q(nik=""), name="pmks_record_one_per_nik"),
            models.CheckConstraint(
                condition=~Q(status="dirujuk") | ~Q(referral_target=""), name="pmks_record_referral_needs_target"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AccessLog(models.Model):
    """Who saw or exported by-name PMKS data, when, and why (UU 27/2022: keep who-saw-what records)."""

    VIEW_LIST, VIEW_RECORD, EXPORT = "list", "record", "export"
    ACTIONS = [(VIEW_LIST, _("Melihat daftar")), (VIEW_RECORD, _("Melihat data")), (EXPORT, _("Mengekspor"))]

    user = models.ForeignKey("psks_portal.User", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=8, choices=ACTIONS)
    record = models.ForeignKey(PmksRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    wilayah = models.ForeignKey(
        "psks_portal.Wilayah", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    row_count = models.PositiveIntegerField(default=0)
    purpose = models.CharField(max_length=300, blank=True)
    filters = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("log akses data BNBA")
        verbose_name_plural = _("log akses data BNBA")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action}"
