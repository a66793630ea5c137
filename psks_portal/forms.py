"""Forms of the core. They validate and normalise only; writes happen in services."""

from __future__ import annotations

import hashlib

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psks_portal import date_bounds, digits
from psks_portal import phone as phone_rules
from psks_portal.accounts import can_assign, manageable_roles
from psks_portal.models import ROLE_LEVELS, Role, User, role_wilayah_message
from psks_portal.tabular.errors import ImportFileError
from psks_portal.tabular.reader import ACCEPTED_EXTENSIONS, check_upload
from psks_portal.widgets import WilayahField


def plausible_past_date(value, *, label, earliest=date_bounds.EARLIEST):
    """For a form's ``clean_<field>``: ``value`` unless it lies in the future or before ``earliest``."""
    problem = date_bounds.past_date_problem(value, label=str(label), today=timezone.localdate(), earliest=earliest)
    if problem:
        raise ValidationError(problem)
    return value


class PhoneField(forms.CharField):
    """A telephone number by the core's one rule (``psks_portal.phone``): layout dropped, ``0…`` or ``+62…`` kept."""

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "tel"}

    def to_python(self, value) -> str:
        try:
            return phone_rules.parse(super().to_python(value))
        except phone_rules.InvalidPhone as exc:
            raise ValidationError(str(exc), code="invalid") from None


class ConcurrencyGuardMixin:
    """Refuses to save when the record changed since the form was shown (a fingerprint of the edited fields).

    The second editor gets a clear message and keeps what they typed, so nothing is silently overwritten.
    """

    @property
    def fingerprint_fields(self) -> tuple[str, ...]:
        """The edited model fields (the form's ``Meta.fields``), by their column names."""
        model = self._meta.model
        return tuple(model._meta.get_field(name).attname for name in self._meta.fields)

    def add_fingerprint_field(self) -> None:
        self.fields["fingerprint"] = forms.CharField(widget=forms.HiddenInput, required=False)
        if self.instance.pk and not self.is_bound:
            self.initial["fingerprint"] = self.instance_fingerprint(self.instance)

    def instance_fingerprint(self, instance) -> str:
        fresh = type(instance).objects.filter(pk=instance.pk).values(*self.fingerprint_fields).first() or {}
        text = "|".join(f"{k}={fresh.get(k)!r}" for k in self.fingerprint_fields)
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def check_fingerprint(self) -> None:
        if self.instance.pk and self.cleaned_data.get("fingerprint") != self.instance_fingerprint(self.instance):
            raise ValidationError(
                _(
                    "Data ini sudah diubah orang lain sejak Anda membukanya. Muat ulang halaman untuk melihat versi "
                    "terbaru, lalu terapkan lagi perubahan Anda."
                ),
                code="stale",
            )


class NikHolderMixin:
    """The NIK rule of a form that records a person by NIK (``psks_portal.transfers``): a NIK another record of the
    user's own area holds is refused as a duplicate; one held outside the user's area is offered as a *transfer
    request* (a tick, ``kirim_permintaan``), never described; past the day's look-up limit the NIK is refused with the
    same message whatever it is. The form declares ``transfer_kind`` and a ``kirim_permintaan`` field."""

    transfer_kind: str = ""
    transfer_record = None  # the record held elsewhere, once the user asked for the transfer
    duplicate_message = _("NIK ini sudah tercatat di wilayah Anda: buka data tersebut.")
    transfer_offer = _(
        "NIK ini tercatat di wilayah lain. Bila orangnya pindah ke wilayah Anda, centang “Kirim permintaan pindah "
        "data” lalu simpan: petugas wilayah asal akan memutuskan, dan Anda diberi tahu hasilnya."
    )
    not_usable = _("NIK ini tidak dapat dipakai untuk data ini: NIK tersebut tercatat pada data lain.")

    def _get_validation_exclusions(self):
        # The model's own "NIK already exists" (unique field or constraint) would answer for every area at once:
        # ``check_nik_holder`` decides instead, and the database constraint still stands behind it.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("nik")
        return exclusions

    def check_nik_holder(self, nik: str, *, purpose: str) -> None:
        from psks_portal import transfers

        self.transfer_record = None
        if self.instance.pk and nik == self.instance.nik:
            return
        try:
            found = transfers.look_up(user=self.user, kind=self.transfer_kind, nik=nik, purpose=purpose)
        except transfers.NikCheckLimited as exc:
            raise ValidationError(str(exc)) from None
        if found.mine is not None and found.mine.pk != self.instance.pk:
            raise ValidationError(self.duplicate_message)
        if found.elsewhere:
            if self.instance.pk:
                raise ValidationError(self.not_usable)
            self.fields["kirim_permintaan"].widget = forms.CheckboxInput()
            if not self.data.get(self.add_prefix("kirim_permintaan")):
                raise ValidationError(self.transfer_offer, code="held_elsewhere")
            self.transfer_record = found.record


def transfer_request_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Kirim permintaan pindah data ke wilayah asal"), required=False, widget=forms.HiddenInput
    )


class UserForm(ConcurrencyGuardMixin, forms.ModelForm):
    """Create or edit an account below the manager: role limited to what the manager may give, wilayah in scope."""

    password1 = forms.CharField(
        label=_("Kata sandi awal"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        required=False,
        help_text=_("Pengguna wajib menggantinya saat pertama masuk."),
    )
    password2 = forms.CharField(
        label=_("Ulangi kata sandi"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), required=False
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "role", "wilayah", "position", "nip", "email", "phone", "is_active"]
        labels = {"username": _("Nama pengguna"), "is_active": _("Akun aktif"), "email": _("Email")}
        field_classes = {"phone": PhoneField}
        help_texts = {
            "username": _("Huruf, angka dan . _ - saja. Jangan memakai NIK."),
            "is_active": _("Matikan untuk menonaktifkan akun; akun tidak pernah dihapus agar riwayatnya tetap ada."),
        }

    def __init__(self, *args, manager: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        self.fields["role"].choices = [(r, label) for r, label in Role.choices if r in manageable_roles(manager)]
        self.fields["role"].required = True
        self.fields["wilayah"] = WilayahField(
            user=manager,
            required=False,
            label=_("Wilayah penugasan"),
            initial=self.instance.wilayah if self.instance.pk else None,
        )
        self.fields["wilayah"].help_text = _(
            "TKSK: satu kecamatan. Operator: kabupaten/kota. Pimpinan: tingkat mana pun."
        )
        self.fields["full_name"].required = True
        if not self.instance.pk:
            self.fields["password1"].required = self.fields["password2"].required = True
        else:
            self.fields["password1"].label = _("Setel ulang kata sandi (opsional)")
        self.add_fingerprint_field()
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def new_password(self) -> str:
        """The password a manager set on the form (empty: keep the current one)."""
        return self.cleaned_data.get("password1") or ""

    def clean_username(self) -> str:
        username = self.cleaned_data["username"].strip()
        if username.isdigit() and len(username) >= 16:  # any script's digits: a NIK typed in fullwidth too
            raise ValidationError(_("Nama pengguna tidak boleh berupa NIK atau nomor KK."))
        return username

    def clean_nip(self) -> str:
        try:
            return digits.parse_nip(self.cleaned_data.get("nip") or "")
        except digits.InvalidNumber as exc:
            raise ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        role, wilayah = cleaned.get("role"), cleaned.get("wilayah")
        if role and "wilayah" not in self.errors:
            level = wilayah.level if wilayah else None
            if level not in ROLE_LEVELS[role]:
                self.add_error("wilayah", role_wilayah_message(role))
            elif not can_assign(self.manager, role, wilayah):
                self.add_error("wilayah", _("Anda tidak berwenang membuat akun dengan peran ini di wilayah tersebut."))
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 or p2:
            if p1 != p2:
                self.add_error("password2", _("Kedua kata sandi tidak sama."))
            else:
                probe = User(
                    username=cleaned.get("username", ""),
                    full_name=cleaned.get("full_name", ""),
                    email=cleaned.get("email", ""),
                )
                try:
                    password_validation.validate_password(p1, probe)
                except ValidationError as exc:
                    self.add_error("password1", exc)
        self.check_fingerprint()
        return cleaned


class UserFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari"), required=False)
    role = forms.ChoiceField(label=_("Peran"), required=False, choices=[("", _("Semua peran")), *Role.choices])


class LoginForm(AuthenticationForm):
    """Django's login form with a plain Indonesian error, and no database work for impossible user names."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Masukkan nama pengguna dan sandi yang benar. Huruf besar dan kecil dibedakan."),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        if len(username) > self.fields["username"].max_length:
            # No account has such a name: the answer of a wrong password, and nothing for the login throttle to
            # store (its username column is 255 characters; a longer value was a database error, a 500).
            raise self.get_invalid_login_error()
        return super().clean()


class WilayahJumpForm(forms.Form):
    """The picker on the wilayah pages: go to any wilayah inside the user's scope."""

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kode"] = WilayahField(user=user, required=False, label=_("Pindah ke wilayah"))


# --- spreadsheet imports (registry rosters, PMKS by-name register) ----------------------------------------------


class ImportUploadForm(forms.Form):
    """The file of an import: XLSX, XLS, ODS or CSV, refused by name and size before anything is stored."""

    berkas = forms.FileField(
        label=_("Berkas XLSX, XLS, ODS atau CSV"),
        error_messages={"empty": _("Berkas kosong.")},
        widget=forms.FileInput(attrs={"accept": ",".join(ACCEPTED_EXTENSIONS)}),
        help_text=_("Paling besar 10 MB. CSV boleh dipisah koma atau titik koma."),
    )

    def clean_berkas(self):
        upload = self.cleaned_data["berkas"]
        try:
            check_upload(name=upload.name, size=upload.size)
        except ImportFileError as exc:
            raise ValidationError(str(exc)) from None
        return upload


class ImportConfirmForm(forms.Form):
    """The confirmation of a previewed import: its token, and whether to import only the valid rows."""

    token = forms.CharField(widget=forms.HiddenInput)
    hanya_valid = forms.BooleanField(label=_("Impor hanya baris yang valid; lewati baris yang ditolak"), required=False)
