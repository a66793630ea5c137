"""BNBA register forms: validation only (NIK, category age/sex rules, duplicates, status and referral; the stated
purpose of an export). An import's upload and confirmation use the core's ``ImportUploadForm``/``ImportConfirmForm``."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from pmks import register
from pmks.io.exports import PURPOSE_MIN_LENGTH, PURPOSES
from pmks.models import Category, HandlingStatus, PmksRecord
from pmks.selectors import active_catalogue
from psks_portal import date_bounds
from psks_portal import nik as nik_rules
from psks_portal.forms import NikHolderMixin, plausible_past_date, transfer_request_field
from psks_portal.widgets import DesaField, WilayahField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DUPLICATE_WARNING = _(
    "Sudah ada data dengan nama, tanggal lahir, dan desa yang sama. Periksa dulu agar tidak tercatat dua kali; "
    "bila memang orang yang berbeda, centang “Tetap simpan”."
)


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


def _active_categories():
    catalogue = active_catalogue()
    return Category.objects.filter(catalogue=catalogue) if catalogue else Category.objects.none()


class RecordForm(NikHolderMixin, forms.ModelForm):
    transfer_kind = "bnba"
    duplicate_message = _("NIK ini sudah tercatat di wilayah Anda: buka data BNBA tersebut.")
    kirim_permintaan = transfer_request_field()
    confirm_duplicate = forms.BooleanField(
        label=_("Tetap simpan: orang ini berbeda dari data yang sudah ada"), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = PmksRecord
        fields = ["nik", "name", "sex", "birth_date", "desa", "address", "categories", "identified_on", "notes"]
        widgets = {
            "birth_date": DATE_WIDGET,
            "identified_on": DATE_WIDGET,
            "sex": forms.RadioSelect,
            "categories": forms.CheckboxSelectMultiple,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["desa"] = DesaField(
            user=user, label=_("Desa/kelurahan"), initial=self.instance.desa if self.instance.pk else None
        )
        categories = Q(pk__in=_active_categories().values("pk"))
        if self.instance.pk:  # keep categories of an older catalogue already on the record
            categories |= Q(pk__in=self.instance.categories.values("pk"))
        self.fields["categories"].queryset = Category.objects.filter(categories).order_by("number")
        self.fields["nik"].required = False
        self.fields["nik"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 16})
        self.fields["nik"].help_text = _("16 digit, tanpa spasi. Kosongkan bila tidak diketahui.")
        self.duplicate_warning = False
        self.helper = _helper()

    def clean_nik(self) -> str:
        value = (self.cleaned_data.get("nik") or "").strip()
        if not value:
            return ""
        try:
            parsed = nik_rules.parse(value)
        except nik_rules.InvalidNIK as exc:
            raise ValidationError(str(exc)) from None
        self.check_nik_holder(parsed.value, purpose="formulir BNBA")
        return parsed.value

    def clean_birth_date(self):
        return plausible_past_date(self.cleaned_data.get("birth_date"), label=_("Tanggal lahir"))

    def clean_identified_on(self):
        return plausible_past_date(
            self.cleaned_data.get("identified_on"),
            label=_("Tanggal teridentifikasi"),
            earliest=date_bounds.EARLIEST_IDENTIFIED,
        )

    def clean(self):
        cleaned = super().clean()
        sex, birth, on = cleaned.get("sex"), cleaned.get("birth_date"), cleaned.get("identified_on")
        value = cleaned.get("nik")
        if value and "nik" not in self.errors:
            for problem in nik_rules.consistency_problems(nik_rules.parse(value), sex=sex, birth_date=birth):
                self.add_error("nik", problem)
        if birth and on and on < birth:
            self.add_error("identified_on", _("Tanggal teridentifikasi tidak boleh sebelum tanggal lahir."))
        for problem in register.category_problems(cleaned.get("categories") or [], sex=sex, birth_date=birth, on=on):
            self.add_error("categories", problem)
        name, desa = cleaned.get("name"), cleaned.get("desa")
        checkable = not value and name and birth and desa and not self.errors
        if checkable and register.possible_duplicate(
            name=name, birth_date=birth, desa=desa, exclude_pk=self.instance.pk
        ):
            # A soft warning: the user confirms with the tick that appears, and the record is saved.
            self.duplicate_warning = True
            self.fields["confirm_duplicate"].widget = forms.CheckboxInput()
            if not cleaned.get("confirm_duplicate"):
                raise ValidationError(DUPLICATE_WARNING, code="possible_duplicate")
        return cleaned


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status penanganan baru"), choices=HandlingStatus.choices)
    referral_target = forms.CharField(
        label=_("Dirujuk ke"), max_length=200, required=False, help_text=_("Wajib bila status menjadi dirujuk.")
    )
    reason = forms.CharField(label=_("Keterangan perubahan"), max_length=100, required=False)

    def __init__(self, *args, record: PmksRecord, **kwargs):
        super().__init__(*args, **kwargs)
        self.record = record
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status and status == self.record.status:
            self.add_error("status", _("Status tidak berubah."))
        if status == HandlingStatus.REFERRED and not (cleaned.get("referral_target") or "").strip():
            self.add_error("referral_target", _("Isi tujuan rujukan untuk status dirujuk."))
        return cleaned


class RegisterFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama"), required=False, max_length=150)
    kategori = forms.ModelChoiceField(
        label=_("Kategori"), queryset=Category.objects.none(), required=False, empty_label=_("Semua kategori")
    )
    status = forms.ChoiceField(
        label=_("Status penanganan"), required=False, choices=[("", _("Semua status")), *HandlingStatus.choices]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kategori"].queryset = _active_categories().order_by("number")
        self.fields["wilayah"] = WilayahField(user=user, required=False, label=_("Wilayah"))


# --- import and export -----------------------------------------------------------------------------------------


class ExportForm(RegisterFilterForm):
    """The list filters, plus why the names are needed (required before any file is produced) and the format."""

    tujuan = forms.ChoiceField(
        label=_("Tujuan penggunaan"),
        choices=[("", _("— pilih tujuan —")), *PURPOSES],
        error_messages={"required": _("Pilih tujuan penggunaan data ini.")},
    )
    keterangan = forms.CharField(
        label=_("Uraian tujuan"),
        min_length=PURPOSE_MIN_LENGTH,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Untuk apa dan oleh siapa data ini dipakai. Dicatat dalam log akses bersama jumlah baris."),
        error_messages={
            "required": _("Uraikan tujuan penggunaan data ini."),
            "min_length": _("Uraikan tujuan penggunaan paling sedikit %(limit_value)d karakter."),
        },
    )
    format = forms.ChoiceField(
        label=_("Format berkas"),
        choices=[("xlsx", _("XLSX (Excel)")), ("csv", _("CSV (UTF-8)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
