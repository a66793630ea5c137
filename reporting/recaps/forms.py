"""The recap page's form: which recap, for which wilayah (inside the user's scope) and period, and the options."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from psks_portal.widgets import WilayahField
from reporting.recaps.generators import LEVEL_NAMES, RECAP_CHOICES
from reporting.recaps.service import FORMAT_CHOICES

DETAIL_CHOICES = [(0, _("Tanpa rincian (ringkasan saja)"))] + [
    (level, _("Rincian per %(level)s, satu bagian per wilayah anak") % {"level": name})
    for level, name in LEVEL_NAMES.items()
    if level > Wilayah.PROVINSI
]
DELIMITER_CHOICES = [(",", _("Koma (,)")), (";", _("Titik koma (;) — Excel berbahasa Indonesia"))]


def period_choices(today, years: int = 3) -> list:
    """The periods that have started, newest first, grouped by year: the year, semesters, triwulan, months."""
    choices = []
    for year in range(today.year, today.year - years, -1):
        options = []
        for kind, count in ((periods.YEAR, 1), (periods.SEMESTER, 2), (periods.QUARTER, 4), (periods.MONTH, 12)):
            for index in range(1, count + 1):
                period = periods.Period(year, kind, index)
                if period.start <= today:
                    options.append((period.id, period.label))
        if options:
            choices.append((str(year), options))
    return choices


class RecapForm(forms.Form):
    rekap = forms.ChoiceField(label=_("Rekap"), choices=RECAP_CHOICES)
    periode = forms.CharField(label=_("Periode"), max_length=7)
    hanya_diterima = forms.BooleanField(
        label=_("Hanya laporan yang sudah diterima provinsi"),
        required=False,
        initial=True,
        help_text=_("Tanpa centang: semua laporan yang sudah dikirim, termasuk yang belum diverifikasi/diterima."),
    )
    rincian = forms.TypedChoiceField(
        label=_("Rincian"), choices=DETAIL_CHOICES, coerce=int, required=False, empty_value=0
    )
    jenis_kelamin = forms.BooleanField(label=_("PMKS menurut jenis kelamin (L/P/Jml)"), required=False, initial=True)
    rumus = forms.BooleanField(label=_("XLSX: jumlah sebagai rumus SUM"), required=False)
    pemisah = forms.ChoiceField(label=_("Pemisah CSV"), choices=DELIMITER_CHOICES, required=False, initial=",")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        scope = user_scope(user)
        self.fields["wilayah"] = WilayahField(
            user=user,
            max_level=Wilayah.KECAMATAN,
            required=not scope.everything,
            label=_("Wilayah"),
            help_text=_("Kosongkan untuk seluruh Indonesia.") if scope.everything else "",
        )
        self.order_fields(["rekap", "wilayah", "periode"])
        today = timezone.localdate()
        choices = period_choices(today)
        self.fields["periode"].widget = forms.Select(choices=choices)
        for name in ("periode", "rincian", "pemisah"):
            self.fields[name].widget.attrs["class"] = "form-select"
        self.fields["periode"].initial = periods.last_closed(periods.MONTH, today).id
        if not self.is_bound and scope.wilayah is not None:
            self.initial.setdefault("wilayah", scope.wilayah.code)

    def clean_periode(self):
        try:
            return periods.parse(self.cleaned_data["periode"])
        except periods.PeriodError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_wilayah(self):
        wilayah = self.cleaned_data.get("wilayah")
        if wilayah is not None and wilayah.level > Wilayah.KECAMATAN:
            raise forms.ValidationError(_("Pilih kecamatan, kabupaten/kota, provinsi, atau kosongkan untuk nasional."))
        return wilayah

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "detail": data.get("rincian") or 0,
            "by_sex": bool(data.get("jenis_kelamin")),
            "formulas": bool(data.get("rumus")),
            "delimiter": data.get("pemisah") or ",",
        }


class RecapDownloadForm(RecapForm):
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
