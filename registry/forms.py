"""Registry forms: validation and normalisation only (NIK parsing, NIK vs sex/birth date, wilayah in scope)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from psks_portal import nik as nik_rules
from psks_portal.forms import (
    ConcurrencyGuardMixin,
    NikHolderMixin,
    PhoneField,
    plausible_past_date,
    transfer_request_field,
)
from psks_portal.models import Wilayah
from psks_portal.widgets import DesaField, WilayahField
from registry.eligibility import STATUS_LABELS
from registry.models import Assignment, AssignmentStatus, Kind, Organisation, Person, Subject, Training

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    return helper


class PersonForm(NikHolderMixin, ConcurrencyGuardMixin, forms.ModelForm):
    transfer_kind = "registri"
    duplicate_message = _("NIK ini sudah terdaftar: buka data orang tersebut dan tambahkan perannya.")
    kirim_permintaan = transfer_request_field()

    class Meta:
        model = Person
        fields = [
            "nik",
            "name",
            "sex",
            "birth_place",
            "birth_date",
            "education",
            "desa",
            "address",
            "phone",
            "asn_status",
            "golongan",
            "nik_note",
        ]
        widgets = {"birth_date": DATE_WIDGET, "sex": forms.RadioSelect}
        field_classes = {"phone": PhoneField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["desa"] = DesaField(
            user=user, label=_("Desa/kelurahan domisili"), initial=self.instance.desa if self.instance.pk else None
        )
        self.fields["nik"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": 16})
        self.fields["nik"].help_text = _("16 digit, tanpa spasi.")
        self.add_fingerprint_field()
        self.helper = _helper()
        self.nik_warnings: list[str] = []

    def clean_nik(self) -> str:
        try:
            parsed = nik_rules.parse(self.cleaned_data["nik"])
        except nik_rules.InvalidNIK as exc:
            raise ValidationError(str(exc)) from None
        self.check_nik_holder(parsed.value, purpose="formulir orang")
        if not Wilayah.objects.filter(code=parsed.kecamatan_code).exists():
            self.nik_warnings.append(
                _("Enam digit pertama NIK (%(code)s) bukan kode kecamatan yang dikenal; periksa lagi bila perlu.")
                % {"code": parsed.kecamatan_code}
            )
        return parsed.value

    def clean_birth_date(self):
        return plausible_past_date(self.cleaned_data.get("birth_date"), label=_("Tanggal lahir"))

    def clean(self):
        cleaned = super().clean()
        value = cleaned.get("nik")
        if value and not self.errors.get("nik"):
            problems = nik_rules.consistency_problems(
                nik_rules.parse(value), sex=cleaned.get("sex"), birth_date=cleaned.get("birth_date")
            )
            if problems and not (cleaned.get("nik_note") or "").strip():
                for problem in problems:
                    self.add_error("nik", problem)
                self.add_error("nik_note", _("Isi keterangan bila data NIK memang berbeda (mis. salah cetak KTP)."))
        if cleaned.get("asn_status") == "pns" and not cleaned.get("golongan"):
            self.add_error("golongan", _("PNS wajib mengisi pangkat/golongan."))
        self.check_fingerprint()
        return cleaned


class AssignmentForm(forms.ModelForm):
    class Meta:
        model = Assignment
        fields = ["kind", "wilayah", "status", "start_date", "end_date", "sk_number", "sk_date"]
        widgets = {"start_date": DATE_WIDGET, "end_date": DATE_WIDGET, "sk_date": DATE_WIDGET}

    def __init__(self, *args, user, subject: str = Subject.PERSON, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = Kind.objects.active().for_subject(subject)
        self.fields["wilayah"] = WilayahField(
            user=user, label=_("Wilayah penugasan"), initial=self.instance.wilayah if self.instance.pk else None
        )
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("Tanggal selesai tidak boleh sebelum tanggal mulai."))
        if cleaned.get("status") == AssignmentStatus.INACTIVE and not end:
            self.add_error("end_date", _("Isi tanggal selesai untuk peran yang tidak aktif."))
        kind, wilayah = cleaned.get("kind"), cleaned.get("wilayah")
        if kind and wilayah and kind.code == "tksk" and wilayah.level != Wilayah.KECAMATAN:
            self.add_error("wilayah", _("TKSK ditugaskan di satu kecamatan."))
        return cleaned


class TrainingForm(forms.ModelForm):
    class Meta:
        model = Training
        fields = ["category", "name", "body", "number", "date", "valid_until"]
        widgets = {"date": DATE_WIDGET, "valid_until": DATE_WIDGET}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("valid_until") and cleaned["valid_until"] < cleaned["date"]:
            self.add_error("valid_until", _("Masa berlaku tidak boleh berakhir sebelum tanggal terbit."))
        return cleaned


class FactsForm(forms.Form):
    """Yes/no/unknown answers for the statement and document criteria of the kinds a record holds."""

    CHOICES = [("", _("Belum dinyatakan")), ("ya", _("Ya")), ("tidak", _("Tidak"))]

    def __init__(self, *args, facts: dict, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        for criterion in criteria:
            key = criterion.params.get("key")
            if not key or key in self.fields:
                continue
            value = facts.get(key)
            self.fields[key] = forms.ChoiceField(
                label=criterion.label,
                choices=self.CHOICES,
                required=False,
                initial={True: "ya", False: "tidak"}.get(value, ""),
            )
        self.helper = _helper()

    def facts(self) -> dict:
        return {key: {"ya": True, "tidak": False}.get(value) for key, value in self.cleaned_data.items()}


class RosterFilterForm(forms.Form):
    q = forms.CharField(label=_("Cari nama atau NIK"), required=False)
    jenis = forms.ModelChoiceField(
        label=_("Jenis"),
        queryset=Kind.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("Semua jenis"),
    )
    status = forms.ChoiceField(
        label=_("Status peran"), required=False, choices=[("", _("Semua status")), *AssignmentStatus.choices]
    )
    kelayakan = forms.ChoiceField(
        label=_("Kelayakan"), required=False, choices=[("", _("Semua")), *STATUS_LABELS.items()]
    )
    tanggal = forms.DateField(label=_("Tanggal acuan"), required=False, widget=DATE_WIDGET)

    def __init__(self, *args, user, subject: str = Subject.PERSON, **kwargs):
        super().__init__(*args, **kwargs)
        kinds = Kind.objects.active()
        kinds = kinds.for_subject(subject) if subject == Subject.PERSON else kinds.exclude(subject=Subject.PERSON)
        self.fields["jenis"].queryset = kinds
        self.fields["wilayah"] = WilayahField(user=user, required=False, label=_("Wilayah"))


class OrganisationForm(ConcurrencyGuardMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = [
            "kind",
            "name",
            "desa",
            "address",
            "phone",
            "legal_status",
            "legal_number",
            "registration_number",
            "registration_date",
            "founded_date",
            "kk_number",
            "work_programme",
            "accreditation",
            "accreditation_date",
            "is_active",
        ]
        widgets = {
            "registration_date": DATE_WIDGET,
            "founded_date": DATE_WIDGET,
            "accreditation_date": DATE_WIDGET,
            "work_programme": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {"phone": PhoneField}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = Kind.objects.active().exclude(subject=Subject.PERSON)
        self.fields["desa"] = DesaField(
            user=user, label=_("Desa/kelurahan"), initial=self.instance.desa if self.instance.pk else None
        )
        self.add_fingerprint_field()
        self.helper = _helper()

    def clean_registration_number(self) -> str:
        number = (self.cleaned_data.get("registration_number") or "").strip()
        if number and Organisation.objects.filter(registration_number=number).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Nomor tanda daftar ini sudah dipakai lembaga lain."))
        return number

    def clean(self):
        cleaned = super().clean()
        self.check_fingerprint()
        return cleaned


BoardFormSet = forms.inlineformset_factory(
    Organisation,
    Organisation.board.rel.related_model,
    fields=["name", "position", "phone"],
    field_classes={"phone": PhoneField},
    extra=2,
    can_delete=True,
)
