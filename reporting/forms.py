"""Forms of the reporting screens. They validate and normalise only; writes happen in ``reporting.services``."""

from __future__ import annotations

from datetime import date

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psks_portal import digits, periods
from psks_portal.forms import ConcurrencyGuardMixin
from psks_portal.models import Wilayah
from psks_portal.widgets import WilayahField
from reporting.models import Activity, PeriodKind, Report, State
from reporting.workflow import ACTION_LABELS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# How far back the period pickers reach, per kind (older periods can still be typed into the address).
PICKER_DEPTH = {periods.MONTH: 24, periods.QUARTER: 8, periods.SEMESTER: 4, periods.YEAR: 4}

# File signatures: an attachment must be what its name says (a renamed .exe is not a photo).
SIGNATURES = {"jpg": (b"\xff\xd8\xff",), "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",), "pdf": (b"%PDF-",)}


def period_choices(today: date, kinds=periods.KINDS, include: str = "") -> list:
    """Recent periods grouped by kind (newest first), for a ``<select>`` with one ``<optgroup>`` per kind."""
    groups = []
    for kind in kinds:
        current = periods.current(kind, today)
        options = [(p.id, p.label) for p in (current.shift(-i) for i in range(PICKER_DEPTH[kind]))]
        if include:
            try:
                extra = periods.parse(include)
            except periods.PeriodError:
                extra = None
            if extra is not None and extra.kind == kind and extra.id not in dict(options):
                options.insert(0, (extra.id, extra.label))
        groups.append((PeriodKind(kind).label, options))
    return groups


class PeriodField(forms.CharField):
    """A period id (``2026M03``, ``2026Q1``, ``2026S1``, ``2026``) chosen from a grouped list; cleans to a Period."""

    widget = forms.Select

    def __init__(self, *, kinds=periods.KINDS, empty_label=None, **kwargs):
        self.kinds, self.empty_label = kinds, empty_label
        super().__init__(**kwargs)
        self.set_choices(timezone.localdate())

    def set_choices(self, today: date, include: str = "") -> None:
        choices = period_choices(today, self.kinds, include)
        if self.empty_label is not None:
            choices = [("", self.empty_label), *choices]
        self.widget.choices = choices

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        try:
            period = periods.parse(value)
        except periods.PeriodError:
            raise ValidationError(_("Periode tidak dikenal (contoh: 2026M03, 2026Q1, 2026S1, 2026).")) from None
        if period.kind not in self.kinds:
            raise ValidationError(_("Jenis periode ini tidak tersedia di sini."))
        return period


class _ScopedFilterForm(forms.Form):
    """A filter with a period and a wilayah in the user's scope; the chosen period stays in the list."""

    def __init__(self, *args, user, wilayah_level: int = Wilayah.KECAMATAN, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wilayah"] = WilayahField(user=user, max_level=wilayah_level, required=False, label=_("Wilayah"))
        chosen = (self.data.get("periode") if self.is_bound else self.initial.get("periode")) or ""
        self.fields["periode"].set_choices(timezone.localdate(), chosen)


class ReportFilterForm(_ScopedFilterForm):
    jenis = forms.ChoiceField(
        label=_("Jenis laporan"), required=False, choices=[("", _("Semua jenis")), *PeriodKind.choices]
    )
    periode = PeriodField(label=_("Periode"), required=False, empty_label=_("Semua periode"))
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Semua status")), *State.choices])


class CompletenessFilterForm(_ScopedFilterForm):
    periode = PeriodField(label=_("Periode"), required=False)


class RollupFilterForm(_ScopedFilterForm):
    BASIS_ACCEPTED, BASIS_SUBMITTED = "diterima", "dikirim"

    periode = PeriodField(label=_("Periode"), required=False)
    dasar = forms.ChoiceField(
        label=_("Laporan yang dihitung"),
        required=False,
        choices=[
            (BASIS_ACCEPTED, _("Hanya yang diterima provinsi")),
            (BASIS_SUBMITTED, _("Semua yang dikirim (dikirim, diverifikasi, diterima)")),
        ],
        widget=forms.RadioSelect,
    )


class VersionedReportForm(forms.ModelForm):
    """A report's text fields with the version the user read: ``report_update`` refuses a stale one."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MonthlyReportForm(VersionedReportForm):
    # Longer than the stored 18 digits so that a NIP typed with its usual spaces reaches ``clean_camat_nip``.
    camat_nip = forms.CharField(label=_("NIP Camat"), required=False, max_length=30)

    class Meta:
        model = Report
        fields = ["cases", "obstacles", "follow_up", "camat_name", "camat_nip", "camat_date"]
        widgets = {
            "cases": forms.Textarea(attrs={"rows": 3}),
            "obstacles": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
            "camat_date": DATE_WIDGET,
        }

    def clean_camat_nip(self) -> str:
        try:
            return digits.parse_nip(self.cleaned_data.get("camat_nip") or "")
        except digits.InvalidNumber as exc:
            raise ValidationError(str(exc)) from None


class PeriodReportForm(VersionedReportForm):
    """The narrative of a quarterly, semester or annual report (its figures are compiled, not typed)."""

    class Meta:
        model = Report
        fields = ["summary", "obstacles", "follow_up"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 5}),
            "obstacles": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 3}),
        }


class EvaluationForm(VersionedReportForm):
    """The kabupaten/kota's year-end evaluation of the TKSK (Permensos 28/2018 Pasal 32)."""

    class Meta:
        model = Report
        fields = ["evaluation_performance", "evaluation_activeness", "evaluation_note"]
        widgets = {
            "evaluation_performance": forms.RadioSelect,
            "evaluation_activeness": forms.RadioSelect,
            "evaluation_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("evaluation_performance", "evaluation_activeness"):
            field = self.fields[name]
            field.required = True
            field.choices = [c for c in field.choices if c[0]]


class ActivityForm(ConcurrencyGuardMixin, forms.ModelForm):
    """An activity of the month: dated inside the month, in a desa of the kecamatan, with an optional attachment.
    An edit is refused (input kept) when someone changed the activity since the form was opened."""

    fingerprint_fields = (
        "date", "kind", "place", "desa_id", "participants_male", "participants_female", "result", "attachment",
        "attachment_kind",
    )  # fmt: skip

    class Meta:
        model = Activity
        fields = [
            "date",
            "kind",
            "place",
            "desa",
            "participants_male",
            "participants_female",
            "result",
            "attachment",
            "attachment_kind",
        ]
        widgets = {"date": DATE_WIDGET, "result": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, report: Report, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        desa = self.fields["desa"]
        desa.queryset = Wilayah.objects.filter(parent_id=report.kecamatan_id, level=Wilayah.DESA).order_by("name")
        desa.empty_label = _("— tingkat kecamatan —")
        desa.label_from_instance = lambda w: w.label
        self.fields["date"].widget.attrs.update({"min": report.start.isoformat(), "max": report.end.isoformat()})
        self.fields["attachment"].help_text = _("JPG, PNG atau PDF, paling besar %(mb)s MB.") % {
            "mb": settings.REPORTING_ATTACHMENT_MAX_MB
        }
        self.fields["attachment"].widget.attrs["accept"] = ".jpg,.jpeg,.png,.pdf"
        self.add_fingerprint_field()

    def clean_date(self) -> date:
        day = self.cleaned_data["date"]
        if not (self.report.start <= day <= self.report.end):
            raise ValidationError(
                _("Tanggal kegiatan harus di dalam bulan laporan (%(start)s s.d. %(end)s).")
                % {"start": self.report.start.strftime("%d-%m-%Y"), "end": self.report.end.strftime("%d-%m-%Y")}
            )
        return day

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        if not upload or upload == self.initial.get("attachment"):
            return upload  # nothing new (kept or cleared)
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if extension not in SIGNATURES:
            raise ValidationError(_("Lampiran harus berupa berkas JPG, PNG, atau PDF."), code="type")
        limit = settings.REPORTING_ATTACHMENT_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise ValidationError(
                _("Ukuran lampiran %(size)s MB melebihi batas %(limit)s MB.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}".replace(".", ","), "limit": limit},
                code="size",
            )
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(SIGNATURES[extension]):
            raise ValidationError(
                _("Isi berkas tidak sesuai dengan jenisnya (.%(ext)s). Unggah foto JPG/PNG atau dokumen PDF asli.")
                % {"ext": extension},
                code="type",
            )
        return upload

    def clean(self):
        cleaned = super().clean()
        has_file = bool(cleaned.get("attachment"))
        if has_file and not cleaned.get("attachment_kind"):
            self.add_error("attachment_kind", _("Pilih jenis lampiran."))
        if not has_file and "attachment" not in self.errors:
            cleaned["attachment_kind"] = ""
        self.check_fingerprint()
        return cleaned


class TransitionForm(forms.Form):
    action = forms.ChoiceField(choices=list(ACTION_LABELS.items()))
    comment = forms.CharField(required=False, max_length=4000, strip=True)


class NotReportingForm(forms.Form):
    kecamatan = forms.CharField(max_length=13)
    periode = PeriodField()
    reason = forms.CharField(
        label=_("Alasan"),
        max_length=1000,
        error_messages={"required": _("Tuliskan alasan kecamatan ini tidak melapor.")},
    )


class AcceptKabupatenForm(forms.Form):
    kabupaten = forms.CharField(max_length=13)
    periode = PeriodField()
