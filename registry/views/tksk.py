"""TKSK selection (candidates, gates, scores, ranking, appointment) and coverage ("satu kecamatan satu TKSK").

Everyone in scope views; only an Operator Dinsos, an Admin Provinsi above it, or a superuser changes anything
(``tksk.can_manage_selection``). Outside the scope → 404, read-only inside it → 403.
"""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from psks_portal import nik as nik_rules
from psks_portal import private_search, transfers
from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope
from psks_portal.views.transfers import transfer_sent
from psks_portal.widgets import DesaField, WilayahField
from registry import tksk
from registry.forms import PersonForm
from registry.models import TKSK_CODE, TKSK_DOCUMENTS, TKSK_PREFERENCES, Assignment, TkskCandidate

DATE_FORMATS = ["%Y-%m-%d", "%d-%m-%Y"]


def _date_field(label, **kwargs) -> forms.DateField:
    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    return forms.DateField(label=label, widget=widget, input_formats=DATE_FORMATS, **kwargs)


# --- Forms (validate and normalise only) ----------------------------------------------------------------------------


class CoverageFilterForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["wilayah"] = WilayahField(
            user=user, max_level=Wilayah.KECAMATAN, required=False, label=gettext_lazy("Wilayah")
        )
        self.fields["belum"] = forms.BooleanField(
            label=gettext_lazy("Hanya kecamatan yang belum ada TKSK"), required=False
        )


class SelectionFilterForm(forms.Form):
    """Which selection (year) and on which reference date the gates (age) are evaluated."""

    tanggal = _date_field(gettext_lazy("Tanggal acuan (usia dihitung pada tanggal ini)"), required=False)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tahun"] = forms.TypedChoiceField(
            label=_("Tahun seleksi"), coerce=int, required=False, choices=[(y, y) for y in years]
        )
        self.order_fields(["tahun", "tanggal"])

    def chosen(self, default_year: int) -> tuple[int, date]:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return data.get("tahun") or default_year, data.get("tanggal") or timezone.localdate()


def _reference_date(params) -> date:
    """``?tanggal=`` (the ranking's reference date) carried to the appointment form; today when absent or invalid."""
    field = SelectionFilterForm.base_fields["tanggal"]
    try:
        return field.clean(params.get("tanggal")) or timezone.localdate()
    except forms.ValidationError:
        return timezone.localdate()


class NikLookupForm(forms.Form):
    nik = forms.CharField(
        label=gettext_lazy("NIK calon"),
        max_length=24,
        help_text=gettext_lazy(
            "16 digit. Orang yang sudah terdaftar di wilayah Anda langsung dipakai; bila belum, isi data singkatnya."
        ),
    )

    def clean_nik(self) -> str:
        try:
            return nik_rules.parse(self.cleaned_data["nik"]).value
        except nik_rules.InvalidNIK as exc:
            raise forms.ValidationError(str(exc)) from None


class CandidateForm(forms.Form):
    """Documents checklist, preferences, scores and notes; the selection year only when registering."""

    documents = forms.MultipleChoiceField(
        label=gettext_lazy("Kelengkapan dokumen"),
        choices=TKSK_DOCUMENTS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    preferences = forms.MultipleChoiceField(
        label=gettext_lazy("Nilai tambah (diutamakan)"),
        choices=TKSK_PREFERENCES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=gettext_lazy("Nilai tambah D3/S1 mengikuti pendidikan terakhir bila sudah tercatat."),
    )
    written_score = forms.DecimalField(
        label=gettext_lazy("Nilai tes tertulis (0–100)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    interview_score = forms.DecimalField(
        label=gettext_lazy("Nilai wawancara (0–100)"),
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        required=False,
    )
    notes = forms.CharField(label=gettext_lazy("Catatan"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, with_year: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_year:
            self.fields["selection_year"] = forms.IntegerField(
                label=_("Tahun seleksi"), min_value=2000, max_value=2100, initial=timezone.localdate().year
            )
            self.order_fields(["selection_year"])

    @classmethod
    def initial_for(cls, candidate: TkskCandidate) -> dict:
        return {
            "documents": [k for k, v in (candidate.documents or {}).items() if v],
            "preferences": [k for k, v in (candidate.preferences or {}).items() if v],
            "written_score": candidate.written_score,
            "interview_score": candidate.interview_score,
            "notes": candidate.notes,
        }


class NewPersonForm(PersonForm):
    """The registry's person form reduced to what a candidate needs; the NIK comes from the lookup."""

    class Meta(PersonForm.Meta):
        fields = [
            "nik",
            "name",
            "sex",
            "birth_place",
            "birth_date",
            "education",
            "desa",
            "asn_status",
            "golongan",
            "nik_note",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nik"].widget = forms.HiddenInput()
        self.fields["education"].required = True

    def new_person(self) -> tksk.NewPerson:
        data = self.cleaned_data
        return tksk.NewPerson(**{f: data.get(f) for f in self.Meta.fields if data.get(f) is not None})


class AppointForm(forms.Form):
    sk_number = forms.CharField(label=gettext_lazy("Nomor SK"), max_length=100)
    sk_date = _date_field(gettext_lazy("Tanggal SK"))
    start_date = _date_field(gettext_lazy("Mulai bertugas"))
    reference_date = _date_field(
        gettext_lazy("Tanggal acuan syarat (usia)"),
        help_text=gettext_lazy("Biasanya tanggal seleksi; syarat dinilai pada tanggal ini."),
    )


class TermEndForm(forms.Form):
    end_date = _date_field(gettext_lazy("Tanggal selesai bertugas"))
    reason = forms.CharField(
        label=gettext_lazy("Alasan"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("Mis. mengundurkan diri, habis masa tugas, diberhentikan."),
    )


# --- Access helpers -------------------------------------------------------------------------------------------------


def _require_manager(request: HttpRequest, kecamatan: Wilayah) -> None:
    if not tksk.can_manage_selection(request.user, kecamatan):
        raise PermissionDenied


def _get_kecamatan(request: HttpRequest, code: str, *, write: bool = False) -> Wilayah:
    kecamatan = get_object_for_user(Wilayah.objects.at_level(Wilayah.KECAMATAN), request.user, write=write, code=code)
    if write:
        _require_manager(request, kecamatan)
    return kecamatan


def _get_candidate(request: HttpRequest, pk: int) -> TkskCandidate:
    qs = TkskCandidate.objects.select_related("kecamatan", "person__desa__kecamatan")
    candidate = get_object_for_user(qs, request.user, write=True, pk=pk)
    _require_manager(request, candidate.kecamatan)
    return candidate


def _get_tksk_assignment(request: HttpRequest, pk: int) -> Assignment:
    qs = Assignment.objects.filter(kind__code=TKSK_CODE).select_related("person", "wilayah")
    assignment = get_object_for_user(qs, request.user, write=True, pk=pk)
    _require_manager(request, assignment.wilayah)
    return assignment


def _coverage_wilayah(request: HttpRequest) -> Wilayah | None:
    """``?wilayah=`` inside the scope (provinsi, kabupaten/kota or kecamatan), else the user's own wilayah."""
    code = (request.GET.get("wilayah") or "").strip()
    if code:
        return get_object_for_user(Wilayah.objects.filter(level__lte=Wilayah.KECAMATAN), request.user, code=code)
    scope = user_scope(request.user)
    if scope.wilayah is None and not scope.everything:
        raise Http404
    return scope.wilayah


def _selection_url(kecamatan: Wilayah, **query) -> str:
    url = reverse("registry:tksk_selection", args=[kecamatan.code])
    query = {k: v for k, v in query.items() if v}
    return f"{url}?{urlencode(query)}" if query else url


# --- Views ----------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def tksk_coverage(request: HttpRequest) -> HttpResponse:
    """Kecamatan with and without an active TKSK below a wilayah, with totals per area."""
    wilayah = _coverage_wilayah(request)
    uncovered_only = request.GET.get("belum") in ("1", "on")
    filters = CoverageFilterForm(user=request.user, initial={"wilayah": wilayah, "belum": uncovered_only})
    return render(
        request,
        "registry/tksk/coverage.html",
        {
            "coverage": tksk.coverage(wilayah, uncovered_only=uncovered_only),
            "filters": filters,
            "uncovered_only": uncovered_only,
            "can_manage": wilayah is not None and tksk.can_manage_selection(request.user, wilayah),
            "active_nav": "tksk",
        },
    )


@login_required
@require_GET
def tksk_selection(request: HttpRequest, code: str) -> HttpResponse:
    """The candidates of one kecamatan's selection, gated and ranked on the reference date."""
    kecamatan = _get_kecamatan(request, code)
    years = tksk.selection_years(kecamatan)
    filters = SelectionFilterForm(request.GET or None, years=years)
    year, on = filters.chosen(default_year=years[0])
    try:
        ranking = tksk.selection_ranking(kecamatan=kecamatan, selection_year=year, on=on)
    except tksk.TkskError as exc:
        messages.error(request, str(exc))
        ranking = []
    return render(
        request,
        "registry/tksk/selection.html",
        {
            "kecamatan": kecamatan,
            "ranking": ranking,
            "year": year,
            "on": on,
            "filters": filters,
            "coverage_url": _coverage_url(request.user, kecamatan),
            "holder": tksk.seat_holder(kecamatan),
            "can_manage": tksk.can_manage_selection(request.user, kecamatan),
            "formula": _formula(),
            "active_nav": "tksk",
        },
    )


def _coverage_url(user, kecamatan: Wilayah) -> str:
    """Back to the coverage of the kecamatan's kabupaten/kota when the user reaches it, else of their own wilayah."""
    url = reverse("registry:tksk_coverage")
    kabupaten = Wilayah.objects.filter(code=kecamatan.kabupaten_id).first()
    return f"{url}?{urlencode({'wilayah': kabupaten.code})}" if user_scope(user).contains(kabupaten) else url


def _formula() -> dict:
    labels = dict(TKSK_PREFERENCES)
    bonus = [(labels[k], points) for k, points in tksk.PREFERENCE_BONUS.items()]
    return {"written": tksk.WRITTEN_WEIGHT, "interview": tksk.INTERVIEW_WEIGHT, "bonus": bonus}


def _nik_lookup(request: HttpRequest, kecamatan: Wilayah, *, expired: bool) -> HttpResponse:
    """The first step of registering a candidate: the NIK, posted, then kept in the session (``?cari=<key>``)."""
    lookup = NikLookupForm(request.POST if request.method == "POST" else None)
    if lookup.is_valid():
        url = reverse("registry:tksk_candidate_create", args=[kecamatan.code])
        return private_search.redirect_to_key(request, url, lookup.cleaned_data["nik"])
    if expired:
        messages.warning(request, _("Pencarian NIK sudah tidak berlaku (sesi berganti). Masukkan NIK lagi."))
    return render(
        request,
        "registry/tksk/candidate_form.html",
        {"kecamatan": kecamatan, "lookup": lookup, "form": None, "active_nav": "tksk"},
    )


@login_required
def tksk_candidate_create(request: HttpRequest, code: str) -> HttpResponse:
    """Register a candidate: look the NIK up in scope; a new person gets the minimal registry data.

    The NIK is posted and then waits in the session under an opaque key (``?cari=…``): it never reaches a URL."""
    kecamatan = _get_kecamatan(request, code, write=True)
    key = request.GET.get(private_search.PARAM)
    nik = private_search.recall(request, key)
    if nik is None:
        return _nik_lookup(request, kecamatan, expired=bool(key))
    lookup = NikLookupForm({"nik": nik})
    person = found = None
    if lookup.is_valid():
        try:
            found = transfers.look_up(
                user=request.user, kind="registri", nik=lookup.cleaned_data["nik"], purpose="pencarian calon TKSK"
            )
        except transfers.NikCheckLimited as exc:
            lookup.add_error("nik", str(exc))
        else:
            person = found.mine
    if found is not None and found.elsewhere:
        return _offer_transfer(request, kecamatan, lookup, found)
    ready = not lookup.errors
    form = CandidateForm(request.POST or None, with_year=True) if ready else None
    person_form = None
    if ready and person is None:
        # The picker opens at the candidate's kecamatan: domicile there is a gate.
        person_form = NewPersonForm(
            request.POST or None,
            user=request.user,
            prefix="orang",
            initial={"nik": lookup.cleaned_data["nik"], "desa": kecamatan.code},
        )
    if request.method == "POST" and form and form.is_valid() and (person_form is None or person_form.is_valid()):
        try:
            candidate = tksk.tksk_candidate_create(
                kecamatan=kecamatan,
                person=person,
                new_person=person_form.new_person() if person_form else None,
                by=request.user,
                **form.cleaned_data,
            )
        except tksk.TkskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("%(name)s didaftarkan sebagai calon TKSK.") % {"name": candidate.person.name})
            return redirect(_selection_url(kecamatan, tahun=candidate.selection_year))
    return render(
        request,
        "registry/tksk/candidate_form.html",
        {
            "kecamatan": kecamatan,
            "lookup": lookup,
            "form": form,
            "person_form": person_form,
            "person": person,
            "masked_nik": nik_rules.mask(lookup.cleaned_data["nik"]) if ready else "",
            "active_nav": "tksk",
        },
    )


class TransferForm(forms.Form):
    def __init__(self, *args, user, kecamatan: Wilayah, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["desa"] = DesaField(user=user, label=_("Desa/kelurahan domisili barunya"), initial=kecamatan)


def _offer_transfer(request: HttpRequest, kecamatan: Wilayah, lookup, found) -> HttpResponse:
    """The NIK is held by another area: say only that, and offer to ask that area to move the person here."""
    form = TransferForm(request.POST if "kirim_permintaan" in request.POST else None, user=request.user,
                        kecamatan=kecamatan)  # fmt: skip
    if form.is_valid():
        return transfer_sent(request, kind="registri", record=found.record, desa=form.cleaned_data["desa"])
    return render(request, "registry/tksk/transfer_offer.html", {
        "kecamatan": kecamatan, "form": form, "masked_nik": nik_rules.mask(lookup.cleaned_data["nik"]),
        "active_nav": "tksk",
    })  # fmt: skip


@login_required
def tksk_candidate_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a candidate's documents, preferences and written-test and interview scores."""
    candidate = _get_candidate(request, pk)
    form = CandidateForm(request.POST or None, initial=CandidateForm.initial_for(candidate))
    if request.method == "POST" and form.is_valid():
        tksk.tksk_candidate_update(candidate=candidate, by=request.user, **form.cleaned_data)
        messages.success(request, _("Data calon %(name)s disimpan.") % {"name": candidate.person.name})
        return redirect(_selection_url(candidate.kecamatan, tahun=candidate.selection_year))
    return render(
        request,
        "registry/tksk/candidate_form.html",
        {
            "kecamatan": candidate.kecamatan,
            "candidate": candidate,
            "form": form,
            "person": candidate.person,
            "active_nav": "tksk",
        },
    )


@login_required
@require_POST
def tksk_selection_apply(request: HttpRequest, code: str) -> HttpResponse:
    """Write the ranking's outcome as candidate statuses (lulus/gugur) for the chosen year and reference date."""
    kecamatan = _get_kecamatan(request, code, write=True)
    filters = SelectionFilterForm(request.POST, years=tksk.selection_years(kecamatan))
    year, on = filters.chosen(default_year=timezone.localdate().year)
    counts = tksk.tksk_selection_apply(kecamatan=kecamatan, selection_year=year, on=on, by=request.user)
    messages.success(
        request, _("Hasil seleksi %(year)s ditetapkan: %(lulus)d lulus, %(gugur)d gugur.") % {"year": year, **counts}
    )
    return redirect(_selection_url(kecamatan, tahun=year, tanggal=on.isoformat()))


@login_required
def tksk_appoint(request: HttpRequest, pk: int) -> HttpResponse:
    """Appoint a candidate as the kecamatan's TKSK with the SK data; a taken seat is a message, never a 500."""
    candidate = _get_candidate(request, pk)
    reference = _reference_date(request.GET)
    form = AppointForm(request.POST or None, initial={"reference_date": reference})
    if request.method == "POST" and form.is_valid():
        try:
            tksk.tksk_appoint(candidate=candidate, by=request.user, **form.cleaned_data)
        except tksk.TkskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(name)s diangkat sebagai TKSK %(kecamatan)s.")
                % {"name": candidate.person.name, "kecamatan": candidate.kecamatan.label},
            )
            return redirect(_selection_url(candidate.kecamatan, tahun=candidate.selection_year))
    on = getattr(form, "cleaned_data", {}).get("reference_date") or reference
    return render(
        request,
        "registry/tksk/appoint_form.html",
        {
            "candidate": candidate,
            "kecamatan": candidate.kecamatan,
            "form": form,
            "on": on,
            "verdict": tksk.candidate_gates(candidate, on=on),
            "holder": tksk.seat_holder(candidate.kecamatan),
            "active_nav": "tksk",
        },
    )


@login_required
def tksk_term_end(request: HttpRequest, pk: int) -> HttpResponse:
    """End an active TKSK's term so the kecamatan's seat is free for a new appointment."""
    assignment = _get_tksk_assignment(request, pk)
    form = TermEndForm(request.POST or None, initial={"end_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            tksk.tksk_term_end(assignment=assignment, by=request.user, **form.cleaned_data)
        except tksk.TkskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Masa tugas %(name)s sebagai TKSK %(kecamatan)s diakhiri.")
                % {"name": assignment.person.name, "kecamatan": assignment.wilayah.label},
            )
            return redirect(_selection_url(assignment.wilayah))
    return render(
        request,
        "registry/tksk/term_end_form.html",
        {
            "assignment": assignment,
            "kecamatan": assignment.wilayah,
            "form": form,
            "active_nav": "tksk",
        },
    )


urlpatterns = [
    path("tksk/", tksk_coverage, name="tksk_coverage"),
    path("tksk/kecamatan/<str:code>/", tksk_selection, name="tksk_selection"),
    path("tksk/kecamatan/<str:code>/calon/tambah/", tksk_candidate_create, name="tksk_candidate_create"),
    path("tksk/kecamatan/<str:code>/tetapkan/", tksk_selection_apply, name="tksk_selection_apply"),
    path("tksk/calon/<int:pk>/ubah/", tksk_candidate_edit, name="tksk_candidate_edit"),
    path("tksk/calon/<int:pk>/angkat/", tksk_appoint, name="tksk_appoint"),
    path("tksk/penugasan/<int:pk>/akhiri/", tksk_term_end, name="tksk_term_end"),
]
