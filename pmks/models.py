"""PMKS/PPKS catalogues, versioned: the 22 of 2009, the older coded 26, and the 26 of Permensos 08/2012, with the
mappings of each older list onto Permensos 08/2012 (including splits by age and categories with no successor)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
