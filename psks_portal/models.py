"""Core models: the Kemendagri wilayah tree and the portal user with a role and a wilayah."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from psks_portal import wilayah_codes as codes

DEFAULT_DECREE = "Kepmendagri 300.2.2-2138/2025"

# Official designations in front of a name (Indonesian proper names: not translated).
LABEL_PREFIX = {
    codes.KIND_PROVINSI: "Provinsi",
    codes.KIND_KECAMATAN: "Kecamatan",
    codes.KIND_DESA: "Desa",
    codes.KIND_KELURAHAN: "Kelurahan",
    codes.KIND_DESA_ADAT: "Desa Adat",
}

# The ancestor column that holds a wilayah of each level (a row holds itself at its own level).
LEVEL_FIELD = {
    codes.PROVINSI: "provinsi",
    codes.KABUPATEN: "kabupaten",
    codes.KECAMATAN: "kecamatan",
    codes.DESA: "code",
}


class WilayahQuerySet(models.QuerySet):
    def within(self, wilayah: Wilayah | None) -> WilayahQuerySet:
        """The wilayah itself and everything below it; ``None`` means the whole country."""
        if wilayah is None:
            return self.all()
        return self.filter(**{LEVEL_FIELD[wilayah.level]: wilayah.code})

    def for_user(self, user) -> WilayahQuerySet:
        from psks_portal.scope import user_scope

        scope = user_scope(user)
        if scope.everything:
            return self.all()
        if scope.wilayah is None:
            return self.none()
        return self.within(scope.wilayah)

    def at_level(self, level: int) -> WilayahQuerySet:
        return self.filter(level=level)

    def active(self) -> WilayahQuerySet:
        return self.filter(valid_until__isnull=True)


class Wilayah(models.Model):
    """A provinsi, kabupaten/kota, kecamatan or desa/kelurahan, keyed by its official code.

    The ancestor at every level is stored (``provinsi``, ``kabupaten``, ``kecamatan``; a row holds itself at its
    own level) so roll-ups group by a column instead of walking the tree.
    """

    PROVINSI, KABUPATEN, KECAMATAN, DESA = codes.PROVINSI, codes.KABUPATEN, codes.KECAMATAN, codes.DESA
    LEVEL_CHOICES = [
        (PROVINSI, _("Provinsi")),
        (KABUPATEN, _("Kabupaten/Kota")),
        (KECAMATAN, _("Kecamatan")),
        (DESA, _("Desa/Kelurahan")),
    ]
    KIND_CHOICES = [
        (codes.KIND_PROVINSI, _("Provinsi")),
        (codes.KIND_KABUPATEN, _("Kabupaten")),
        (codes.KIND_KOTA, _("Kota")),
        (codes.KIND_KECAMATAN, _("Kecamatan")),
        (codes.KIND_DESA, _("Desa")),
        (codes.KIND_KELURAHAN, _("Kelurahan")),
        (codes.KIND_DESA_ADAT, _("Desa adat")),
    ]

    code = models.CharField(_("kode"), max_length=13, primary_key=True)
    name = models.CharField(_("nama"), max_length=100)
    level = models.PositiveSmallIntegerField(_("tingkat"), choices=LEVEL_CHOICES, db_index=True)
    kind = models.CharField(_("jenis"), max_length=12, choices=KIND_CHOICES)
    parent = models.ForeignKey(
        "self", verbose_name=_("induk"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    provinsi = models.ForeignKey(
        "self", verbose_name=_("provinsi"), on_delete=models.PROTECT, related_name="+", db_index=True
    )
    kabupaten = models.ForeignKey(
        "self", verbose_name=_("kabupaten/kota"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kecamatan = models.ForeignKey(
        "self", verbose_name=_("kecamatan"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_decree = models.CharField(_("dasar hukum"), max_length=80, default=DEFAULT_DECREE)
    valid_from = models.DateField(_("berlaku sejak"), null=True, blank=True)
    valid_until = models.DateField(
        _("berlaku sampai"), null=True, blank=True, help_text=_("Diisi bila kode dihapus atau diganti (pemekaran).")
    )
    history = HistoricalRecords(excluded_fields=["provinsi", "kabupaten", "kecamatan"])

    objects = WilayahQuerySet.as_manager()

    class Meta:
        verbose_name = _("wilayah")
        verbose_name_plural = _("wilayah")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=4), name="wilayah_level_range"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True) | Q(level__gt=1, parent__isnull=False),
                name="wilayah_parent_matches_level",
            ),
            models.CheckConstraint(
                condition=Q(level__lt=2) | Q(kabupaten__isnull=False), name="wilayah_kabupaten_set_below_provinsi"
            ),
            models.CheckConstraint(
                condition=Q(level__lt=3) | Q(kecamatan__isnull=False), name="wilayah_kecamatan_set_below_kabupaten"
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("wilayah_detail", args=[self.code])

    @property
    def label(self) -> str:
        """``Kabupaten Ciamis``, ``Kecamatan Lakbok``, ``Desa Sidaharja``: the official designation, not translated.

        (It is part of the proper name, like "Kota Cirebon"; and a plain lookup keeps long lists fast.)
        """
        if self.level == self.KABUPATEN:
            return self.name
        return f"{LABEL_PREFIX[self.kind]} {self.name}"

    def ancestor_codes(self) -> list[str]:
        return codes.parse(self.code).ancestors()

    def lineage(self) -> list[Wilayah]:
        """This wilayah and its ancestors, from the provinsi down (one query)."""
        by_code = {w.code: w for w in Wilayah.objects.filter(code__in=self.ancestor_codes())}
        return [by_code[c] for c in self.ancestor_codes() if c in by_code]

    def contains(self, other: Wilayah | None) -> bool:
        """True when ``other`` is this wilayah or lies below it."""
        if other is None:
            return False
        return other.code == self.code or other.code.startswith(self.code + ".")

    @property
    def child_level_label(self) -> str:
        return {
            self.PROVINSI: _("Kabupaten/Kota"),
            self.KABUPATEN: _("Kecamatan"),
            self.KECAMATAN: _("Desa/Kelurahan"),
        }.get(self.level, "")


class Role(models.TextChoices):
    ADMIN_PROVINSI = "admin_provinsi", _("Admin Provinsi")
    OPERATOR_KABKOTA = "operator_kabkota", _("Operator Dinsos Kabupaten/Kota")
    TKSK = "tksk", _("TKSK")
    PIMPINAN = "pimpinan", _("Pimpinan")


# The level of wilayah each role is attached to; ``None`` in the set means "no wilayah" (national).
ROLE_LEVELS: dict[str, frozenset[int | None]] = {
    Role.ADMIN_PROVINSI: frozenset({Wilayah.PROVINSI}),
    Role.OPERATOR_KABKOTA: frozenset({Wilayah.KABUPATEN}),
    Role.TKSK: frozenset({Wilayah.KECAMATAN}),
    Role.PIMPINAN: frozenset({None, Wilayah.PROVINSI, Wilayah.KABUPATEN, Wilayah.KECAMATAN}),
}


class PortalUserManager(UserManager):
    """Refuses to create an account whose role and wilayah do not fit together."""

    def _create_user_object(self, username, email, password, **extra_fields):
        user = super()._create_user_object(username, email, password, **extra_fields)
        user.clean_role()
        return user


class User(AbstractUser):
    """A portal account: a role and the wilayah it works in. Superusers have no role and see everything."""

    full_name = models.CharField(_("nama lengkap"), max_length=150, blank=True)
    role = models.CharField(_("peran"), max_length=20, choices=Role.choices, blank=True)
    wilayah = models.ForeignKey(
        Wilayah,
        verbose_name=_("wilayah"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    position = models.CharField(_("jabatan"), max_length=150, blank=True)
    nip = models.CharField(
        _("NIP"), max_length=18, blank=True, help_text=_("Nomor Induk Pegawai (18 digit), bila ASN.")
    )
    phone = models.CharField(_("nomor HP"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("wajib ganti kata sandi"), default=False)
    history = HistoricalRecords(excluded_fields=["password", "last_login"])

    objects = PortalUserManager()

    class Meta:
        verbose_name = _("pengguna")
        verbose_name_plural = _("pengguna")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_superuser=True) | ~Q(role=""), name="user_role_required_unless_superuser"
            ),
            models.CheckConstraint(
                condition=Q(role__in=["", Role.PIMPINAN]) | Q(wilayah__isnull=False),
                name="user_wilayah_required_for_role",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        return self.full_name.strip() or super().get_full_name()

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.username

    def clean_role(self) -> None:
        """The wilayah must be of the level the role works at (a TKSK belongs to one kecamatan, …)."""
        if self.is_superuser and not self.role:
            return
        if not self.role:
            raise ValidationError({"role": _("Peran wajib diisi.")})
        allowed = ROLE_LEVELS[self.role]
        level = self.wilayah.level if self.wilayah_id else None
        if level not in allowed:
            raise ValidationError({"wilayah": role_wilayah_message(self.role)})

    def clean(self) -> None:
        super().clean()
        self.clean_role()


def role_wilayah_message(role: str) -> str:
    return {
        Role.ADMIN_PROVINSI: _("Admin Provinsi harus ditempatkan di sebuah provinsi."),
        Role.OPERATOR_KABKOTA: _("Operator Dinsos harus ditempatkan di sebuah kabupaten/kota."),
        Role.TKSK: _("TKSK harus ditempatkan di satu kecamatan."),
        Role.PIMPINAN: _("Pimpinan ditempatkan di provinsi, kabupaten/kota, kecamatan, atau tingkat nasional."),
    }[role]


class FormSubmission(models.Model):
    """A form that created something, by the one-time token the page gave it: a second submission of the same page
    (a double click, a retry after a lost answer) is answered with the first one's result instead of creating the
    thing again (``psks_portal.submissions``)."""

    token = models.CharField(max_length=64)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("formulir terkirim")
        verbose_name_plural = _("formulir terkirim")
        constraints = [models.UniqueConstraint(fields=["user", "token"], name="form_submission_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class NikCheck(models.Model):
    """One look-up of a NIK that is not in the user's own area (a form, an import row, the TKSK look-up): who, when,
    why, what it found. The NIK itself is never stored — only a keyed hash, so an audit can see the same NIK probed
    again and again without the log holding it (``psks_portal.transfers``)."""

    NEW, ELSEWHERE, LIMITED = "baru", "di_wilayah_lain", "dibatasi"
    OUTCOMES = [(NEW, _("Belum tercatat")), (ELSEWHERE, _("Tercatat di wilayah lain")), (LIMITED, _("Dibatasi"))]

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20)
    purpose = models.CharField(max_length=40)
    outcome = models.CharField(max_length=20, choices=OUTCOMES)
    nik_hash = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("pemeriksaan NIK")
        verbose_name_plural = _("pemeriksaan NIK")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.kind} {self.outcome}"


class TransferStatus(models.TextChoices):
    PENDING = "menunggu", _("Menunggu keputusan")
    ACCEPTED = "diterima", _("Diterima: data dipindahkan")
    DECLINED = "ditolak", _("Ditolak")


class TransferRequest(models.Model):
    """A record held by another area, asked for by someone who entered its NIK (the person moved): the owning area
    accepts (the record moves to ``to_desa``) or declines. The requester only learns that the request was sent and,
    later, the decision; never whose record it is or where it was."""

    kind = models.CharField(max_length=20)
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    owner_wilayah = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+")
    to_desa = models.ForeignKey(Wilayah, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("keterangan"), max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=TransferStatus.choices, default=TransferStatus.PENDING)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("alasan"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("permintaan pindah data")
        verbose_name_plural = _("permintaan pindah data")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "requested_by"],
                condition=Q(status="menunggu"),
                name="transfer_request_one_pending_per_requester",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.to_desa_id} ({self.status})"
