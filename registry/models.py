"""Registry: the SDM Kesos workforce and the 12 PSKS (people, families, organisations) with their roles and criteria.

Catalogue rows (``Kind``, ``Criterion``) are reference data loaded from ``fixtures/registry/`` and editable by an admin;
records (``Person``, ``Organisation``) belong to a desa and are scoped through it.
"""

from __future__ import annotations

import copy
from datetime import date

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from psks_portal import ages
from psks_portal import nik as nik_rules
from psks_portal.digits import is_ascii_digits
from psks_portal.models import Wilayah
from psks_portal.scope import ScopedQuerySet


class Subject(models.TextChoices):
    PERSON = "person", _("Perseorangan")
    FAMILY = "family", _("Keluarga")
    ORGANISATION = "organisation", _("Lembaga/kelompok")


class SdmGroup(models.TextChoices):
    TKS = "tks", _("Tenaga Kesejahteraan Sosial")
    PEKSOS = "peksos", _("Pekerja Sosial")
    RELAWAN = "relawan", _("Relawan Sosial")
    PENYULUH = "penyuluh", _("Penyuluh Sosial")


class Education(models.IntegerChoices):
    """Ordered so that a minimum is a comparison (SLTP < SLTA < D1 … < S3)."""

    TIDAK_SEKOLAH = 0, _("Tidak/belum sekolah")
    SD = 10, _("SD/sederajat")
    SLTP = 20, _("SLTP/SMP/sederajat")
    SLTA = 30, _("SLTA/SMA/SMK/sederajat")
    D1 = 41, _("D1")
    D2 = 42, _("D2")
    D3 = 43, _("D3")
    D4 = 44, _("D4")
    S1 = 50, _("S1")
    S2 = 60, _("S2")
    S3 = 70, _("S3")


class AsnStatus(models.TextChoices):
    NON_ASN = "non_asn", _("Non-ASN")
    PNS = "pns", _("PNS")
    PPPK = "pppk", _("PPPK")


GOLONGAN = [
    "I/a",
    "I/b",
    "I/c",
    "I/d",
    "II/a",
    "II/b",
    "II/c",
    "II/d",
    "III/a",
    "III/b",
    "III/c",
    "III/d",
    "IV/a",
    "IV/b",
    "IV/c",
    "IV/d",
    "IV/e",
]
GOLONGAN_CHOICES = [(g, g) for g in GOLONGAN]


class KindQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def for_subject(self, subject: str):
        return self.filter(subject=subject)


class Kind(models.Model):
    """A type of SDM Kesos or PSKS (PSM, Tagana, LKS, Pendamping Sosial PKH, …), possibly a sub-kind of another.

    One row per real-world role: PSM is PSKS no. 2 (Permensos 08/2012) *and* a Relawan Sosial (Permensos 16/2017).
    """

    code = models.SlugField(_("kode"), max_length=40, unique=True)
    name = models.CharField(_("nama"), max_length=150)
    abbreviation = models.CharField(_("singkatan"), max_length=60, blank=True)
    aliases = models.CharField(
        _("nama lain"),
        max_length=300,
        blank=True,
        help_text=_("Dipisah koma; dipakai saat impor (mis. 'Pendamping PKH, PKH')."),
    )
    subject = models.CharField(_("subjek"), max_length=12, choices=Subject.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    psks_number = models.PositiveSmallIntegerField(_("nomor PSKS (Permensos 08/2012)"), null=True, blank=True)
    sdm_group = models.CharField(
        _("kelompok SDM Kesos (Permensos 16/2017)"), max_length=10, choices=SdmGroup.choices, blank=True
    )
    regulation = models.CharField(_("dasar hukum"), max_length=200, blank=True)
    definition = models.TextField(_("definisi"), blank=True)
    is_local = models.BooleanField(
        _("jenis lokal"), default=False, help_text=_("Ditambahkan oleh admin daerah, bukan dari peraturan nasional.")
    )
    is_active = models.BooleanField(_("aktif"), default=True)
    sort_order = models.PositiveIntegerField(_("urutan"), default=0)
    history = HistoricalRecords()

    objects = KindQuerySet.as_manager()

    class Meta:
        verbose_name = _("jenis SDM Kesos/PSKS")
        verbose_name_plural = _("jenis SDM Kesos/PSKS")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["psks_number"], condition=Q(parent__isnull=True), name="kind_unique_psks_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.abbreviation})" if self.abbreviation else self.name

    @property
    def short_name(self) -> str:
        return self.abbreviation or self.name

    def names_for_matching(self) -> list[str]:
        names = [self.name, self.abbreviation, self.code, *self.aliases.split(",")]
        return [n.strip() for n in names if n and n.strip()]

    def criteria_in_force(self):
        """Own criteria plus those inherited from parent kinds (a Pendamping Sosial is also a TKS)."""
        kinds, kind = [], self
        while kind is not None:
            kinds.append(kind.pk)
            kind = kind.parent
        return Criterion.objects.filter(kind_id__in=kinds, is_active=True).order_by("sort_order", "pk")


class TrainingCategory(models.TextChoices):
    PSM = "pelatihan_psm", _("Pelatihan PSM")
    TAGANA = "pelatihan_tagana", _("Pelatihan Tagana (penanggulangan bencana)")
    WPKS = "pelatihan_wpks", _("Pelatihan kepemimpinan wanita di bidang kesos")
    PENYULUH_FUNGSIONAL = "diklat_penyuluh", _("Diklat fungsional penyuluh sosial")
    BIMTEK_KESOS = "bimtek_kesos", _("Bimtek dasar kesejahteraan sosial")
    TKSK = "pelatihan_tksk", _("Pelatihan dasar TKSK")
    SERTIFIKAT_PEKSOS = "sertifikat_peksos", _("Sertifikat kompetensi pekerja sosial")
    STR_PEKSOS = "str_peksos", _("Surat Tanda Registrasi (STR) pekerja sosial")
    SIPPS = "sipps", _("Surat Izin Praktik Pekerja Sosial (SIPPS)")
    SERTIFIKAT_RELAWAN = "sertifikat_relawan", _("Sertifikat relawan sosial")
    SERTIFIKAT_PENYULUH = "sertifikat_penyuluh", _("Sertifikat penyuluh sosial")
    LAINNYA = "lainnya", _("Lainnya")


class CriterionType(models.TextChoices):
    AGE_RANGE = "age_range", _("Rentang usia")
    SEX = "sex", _("Jenis kelamin")
    EDUCATION_MIN = "education_min", _("Pendidikan minimal")
    ASN_STATUS = "asn_status", _("Status ASN")
    RANK_MIN = "rank_min", _("Pangkat/golongan minimal")
    TRAINING = "training", _("Pelatihan/sertifikat wajib")
    DOMICILE = "domicile", _("Berdomisili di kecamatan penugasan")
    EXPERIENCE = "experience", _("Pengalaman minimal (tahun)")
    ORG_FACT = "org_fact", _("Data lembaga")
    FACT = "fact", _("Pernyataan/dokumen")


class Criterion(models.Model):
    """One eligibility rule of a kind, as data: its type, parameters, and the regulation it follows."""

    kind = models.ForeignKey(Kind, verbose_name=_("jenis"), on_delete=models.CASCADE, related_name="criteria")
    code = models.SlugField(_("kode"), max_length=60)
    type = models.CharField(_("tipe"), max_length=20, choices=CriterionType.choices)
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    label = models.CharField(_("uraian"), max_length=250)
    source = models.CharField(_("sumber"), max_length=250, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    is_active = models.BooleanField(_("berlaku"), default=True)
    sort_order = models.PositiveIntegerField(_("urutan"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kriteria")
        verbose_name_plural = _("kriteria")
        ordering = ["kind", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="criterion_unique_code_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind.short_name}: {self.label}"


class CriterionOverride(models.Model):
    """A provinsi's own version of a national criterion, set by its Admin Provinsi (where regulations leave room,
    e.g. a local age limit): eligibility of roles held in the provinsi and of its organisations uses it instead of
    the national one. The national criterion itself is the superuser's."""

    criterion = models.ForeignKey(
        Criterion, verbose_name=_("kriteria nasional"), on_delete=models.CASCADE, related_name="overrides"
    )
    provinsi = models.ForeignKey(
        "psks_portal.Wilayah",
        verbose_name=_("provinsi"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": 1},
    )
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    label = models.CharField(_("uraian"), max_length=250)
    source = models.CharField(_("sumber"), max_length=250, blank=True)
    note = models.TextField(_("catatan"), blank=True)
    is_active = models.BooleanField(_("berlaku"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("kriteria provinsi")
        verbose_name_plural = _("kriteria provinsi")
        ordering = ["criterion", "provinsi"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "provinsi"], name="criterion_override_once_per_provinsi")
        ]

    def __str__(self) -> str:
        return f"{self.criterion} ({self.provinsi_id})"

    def applied(self) -> Criterion:
        """The national criterion as it reads in the provinsi (an unsaved copy)."""
        criterion = copy.copy(self.criterion)
        for name in ("params", "label", "source", "note", "is_active"):
            setattr(criterion, name, getattr(self, name))
        criterion.override = self
        return criterion


class PersonQuerySet(ScopedQuerySet):
    wilayah_field = "desa"

    def search(self, text: str):
        text = (text or "").strip()
        if not text:
            return self
        digits = text.replace(" ", "")
        if is_ascii_digits(digits) and len(digits) >= 4:
            return self.filter(nik__startswith=digits) if len(digits) < 16 else self.filter(nik=digits)
        return self.filter(name__icontains=text)


class Person(models.Model):
    """A person in the workforce registry. NIK is unique and stored as text."""

    SEX_CHOICES = [(nik_rules.MALE, _("Laki-laki")), (nik_rules.FEMALE, _("Perempuan"))]

    nik = models.CharField(_("NIK"), max_length=16, unique=True)
    nik_note = models.CharField(
        _("keterangan NIK"),
        max_length=250,
        blank=True,
        help_text=_("Alasan bila NIK tidak cocok dengan jenis kelamin/tanggal lahir."),
    )
    name = models.CharField(_("nama"), max_length=150)
    sex = models.CharField(_("jenis kelamin"), max_length=1, choices=SEX_CHOICES)
    birth_place = models.CharField(_("tempat lahir"), max_length=100)
    birth_date = models.DateField(_("tanggal lahir"))
    education = models.PositiveSmallIntegerField(
        _("pendidikan terakhir"), choices=Education.choices, null=True, blank=True
    )
    desa = models.ForeignKey(
        Wilayah,
        verbose_name=_("desa/kelurahan domisili"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Wilayah.DESA},
    )
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    asn_status = models.CharField(_("status ASN"), max_length=8, choices=AsnStatus.choices, default=AsnStatus.NON_ASN)
    golongan = models.CharField(_("pangkat/golongan"), max_length=5, choices=GOLONGAN_CHOICES, blank=True)
    facts = models.JSONField(_("pernyataan & dokumen"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("orang")
        verbose_name_plural = _("orang")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["L", "P"]), name="person_sex_l_or_p"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:person_detail", args=[self.pk])

    def age_on(self, on: date) -> int:
        return ages.age_on(self.birth_date, on)

    @property
    def masked_nik(self) -> str:
        return nik_rules.mask(self.nik)


TKSK_CODE = "tksk"


class AssignmentQuerySet(ScopedQuerySet):
    wilayah_field = "wilayah"

    def active(self):
        return self.filter(status=AssignmentStatus.ACTIVE)


class AssignmentStatus(models.TextChoices):
    ACTIVE = "aktif", _("Aktif")
    INACTIVE = "nonaktif", _("Tidak aktif")


class Assignment(models.Model):
    """A role a person holds: a kind, the wilayah of assignment, the period and the SK that appointed them."""

    person = models.ForeignKey(Person, verbose_name=_("orang"), on_delete=models.CASCADE, related_name="assignments")
    kind = models.ForeignKey(Kind, verbose_name=_("jenis"), on_delete=models.PROTECT, related_name="assignments")
    wilayah = models.ForeignKey(
        Wilayah, verbose_name=_("wilayah penugasan"), on_delete=models.PROTECT, related_name="+"
    )
    start_date = models.DateField(_("mulai"), null=True, blank=True)
    end_date = models.DateField(_("selesai"), null=True, blank=True)
    sk_number = models.CharField(_("nomor SK"), max_length=100, blank=True)
    sk_date = models.DateField(_("tanggal SK"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AssignmentStatus.choices, default=AssignmentStatus.ACTIVE
    )
    facts = models.JSONField(_("pernyataan & dokumen"), default=dict, blank=True)
    holds_tksk_seat = models.BooleanField(null=True, blank=True, editable=False, default=None)
    history = HistoricalRecords(excluded_fields=["holds_tksk_seat"])

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("peran")
        verbose_name_plural = _("peran")
        ordering = ["person", "kind__sort_order"]
        constraints = [
            # "Satu kecamatan satu TKSK": the database allows one active TKSK assignment per kecamatan. A partial
            # unique index cannot look at the kind through a join, so ``holds_tksk_seat`` mirrors "active TKSK".
            models.UniqueConstraint(
                fields=["wilayah"], condition=Q(holds_tksk_seat=True), name="one_active_tksk_per_kecamatan"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind.short_name} — {self.wilayah.label}"

    def save(self, *args, **kwargs):
        self.holds_tksk_seat = self.seat_flag(self.kind.code, self.status)
        super().save(*args, **kwargs)

    @staticmethod
    def seat_flag(kind_code: str, status: str) -> bool | None:
        """``holds_tksk_seat`` for an assignment: True for an active TKSK, else NULL (the unique index skips NULLs).
        Every write — ``save`` and the bulk writes of the import — sets it through here."""
        return True if status == AssignmentStatus.ACTIVE and kind_code == TKSK_CODE else None

    def is_tksk_seat(self) -> bool:
        return bool(self.seat_flag(self.kind.code, self.status))


class Training(models.Model):
    """A training, certification or licence a person holds (a Peksos' competence certificate, STR and SIPPS too)."""

    person = models.ForeignKey(Person, verbose_name=_("orang"), on_delete=models.CASCADE, related_name="trainings")
    category = models.CharField(_("kategori"), max_length=30, choices=TrainingCategory.choices)
    name = models.CharField(_("nama pelatihan/sertifikat"), max_length=200)
    body = models.CharField(_("penyelenggara/penerbit"), max_length=200, blank=True)
    number = models.CharField(_("nomor"), max_length=100, blank=True)
    date = models.DateField(_("tanggal"), null=True, blank=True)
    valid_until = models.DateField(_("berlaku sampai"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pelatihan/sertifikasi")
        verbose_name_plural = _("pelatihan/sertifikasi")
        ordering = ["person", "-date"]

    def __str__(self) -> str:
        return self.name

    def is_valid_on(self, on: date) -> bool:
        return (self.date is None or self.date <= on) and (self.valid_until is None or self.valid_until >= on)


class LegalStatus(models.TextChoices):
    BADAN_HUKUM = "berbadan_hukum", _("Berbadan hukum")
    TIDAK = "tidak_berbadan_hukum", _("Tidak berbadan hukum")


class OrganisationQuerySet(ScopedQuerySet):
    wilayah_field = "desa"

    def search(self, text: str):
        text = (text or "").strip()
        return self.filter(Q(name__icontains=text) | Q(registration_number__icontains=text)) if text else self


class Organisation(models.Model):
    """An LKS, Karang Taruna, LK3, WKSBM, Dunia Usaha, or a family (Keluarga Pioner): a PSKS that is not one person."""

    kind = models.ForeignKey(Kind, verbose_name=_("jenis"), on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(_("nama"), max_length=200)
    desa = models.ForeignKey(
        Wilayah,
        verbose_name=_("desa/kelurahan"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Wilayah.DESA},
    )
    address = models.CharField(_("alamat"), max_length=250, blank=True)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    legal_status = models.CharField(_("status badan hukum"), max_length=24, choices=LegalStatus.choices, blank=True)
    legal_number = models.CharField(_("nomor akta/SK badan hukum"), max_length=100, blank=True)
    registration_number = models.CharField(_("nomor tanda daftar"), max_length=100, blank=True)
    registration_date = models.DateField(_("tanggal tanda daftar"), null=True, blank=True)
    founded_date = models.DateField(_("tanggal berdiri"), null=True, blank=True)
    kk_number = models.CharField(_("nomor KK"), max_length=16, blank=True, help_text=_("Untuk keluarga."))
    work_programme = models.TextField(_("program kerja"), blank=True)
    accreditation = models.CharField(_("akreditasi"), max_length=20, blank=True)
    accreditation_date = models.DateField(_("tanggal akreditasi"), null=True, blank=True)
    is_active = models.BooleanField(_("aktif"), default=True)
    facts = models.JSONField(_("pernyataan & dokumen"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("lembaga/keluarga")
        verbose_name_plural = _("lembaga/keluarga")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration_number"],
                condition=~Q(registration_number=""),
                name="organisation_unique_registration_number",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation_detail", args=[self.pk])


class BoardMember(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="board")
    name = models.CharField(_("nama"), max_length=150)
    position = models.CharField(_("jabatan"), max_length=100)
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pengurus")
        verbose_name_plural = _("pengurus")
        ordering = ["organisation", "pk"]

    def __str__(self) -> str:
        return f"{self.position}: {self.name}"


TKSK_DOCUMENTS = [
    ("pas_foto", _("Pas foto 4×6 dan 3×4 (2 lembar)")),
    ("ktp", _("Fotokopi KTP")),
    ("kk", _("Fotokopi Kartu Keluarga")),
    ("ijazah", _("Fotokopi ijazah minimal SLTA/sederajat")),
    ("buku_tabungan", _("Fotokopi buku tabungan atas nama sendiri")),
    ("npwp", _("Fotokopi NPWP")),
    ("bukti_kendaraan", _("Fotokopi bukti kepemilikan kendaraan bermotor")),
    ("surat_tugas", _("Surat tugas Ketua Karang Taruna / FK-PSM / Kepala Desa, diketahui Camat")),
    ("surat_sehat", _("Surat keterangan sehat dari dokter/puskesmas")),
]

TKSK_PREFERENCES = [
    ("has_vehicle", _("Memiliki sarana transportasi")),
    ("computer_skills", _("Dapat mengoperasikan komputer")),
    ("higher_education", _("Berpendidikan D3/S1")),
    ("activist", _("Aktivis Karang Taruna dan/atau PSM")),
    ("runs_uep", _("Sudah mengelola UEP")),
]


class CandidateStatus(models.TextChoices):
    CANDIDATE = "calon", _("Calon")
    FAILED = "gugur", _("Gugur")
    PASSED = "lulus", _("Lulus seleksi")
    APPOINTED = "diangkat", _("Diangkat")


class TkskCandidateQuerySet(ScopedQuerySet):
    wilayah_field = "kecamatan"


class TkskCandidate(models.Model):
    """A candidate in a TKSK selection for one kecamatan: documents, gates, scores, preferences, outcome."""

    kecamatan = models.ForeignKey(
        Wilayah,
        verbose_name=_("kecamatan"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Wilayah.KECAMATAN},
    )
    person = models.ForeignKey(
        Person, verbose_name=_("calon"), on_delete=models.PROTECT, related_name="tksk_candidacies"
    )
    selection_year = models.PositiveSmallIntegerField(_("tahun seleksi"))
    documents = models.JSONField(_("kelengkapan dokumen"), default=dict, blank=True)
    preferences = models.JSONField(_("nilai tambah"), default=dict, blank=True)
    written_score = models.DecimalField(_("nilai tes tertulis"), max_digits=5, decimal_places=2, null=True, blank=True)
    interview_score = models.DecimalField(_("nilai wawancara"), max_digits=5, decimal_places=2, null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.CANDIDATE
    )
    notes = models.TextField(_("catatan"), blank=True)
    assignment = models.OneToOneField(
        Assignment,
        verbose_name=_("penugasan"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidacy",
    )
    history = HistoricalRecords()

    objects = TkskCandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("calon TKSK")
        verbose_name_plural = _("calon TKSK")
        ordering = ["kecamatan", "-selection_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kecamatan", "person", "selection_year"], name="tksk_candidate_once_per_selection"
            ),
            models.CheckConstraint(
                condition=Q(written_score__isnull=True) | Q(written_score__gte=0, written_score__lte=100),
                name="tksk_written_0_100",
            ),
            models.CheckConstraint(
                condition=Q(interview_score__isnull=True) | Q(interview_score__gte=0, interview_score__lte=100),
                name="tksk_interview_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.kecamatan.label} ({self.selection_year})"

    def missing_documents(self) -> list[str]:
        return [str(label) for code, label in TKSK_DOCUMENTS if not self.documents.get(code)]
