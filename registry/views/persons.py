"""Person rosters: list with filters and eligibility, detail with roles/trainings/eligibility/history, forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from psks_portal import private_search, submissions
from psks_portal.scope import can_change, get_object_for_user, user_scope
from psks_portal.views.transfers import transfer_sent
from registry import selectors, services
from registry.forms import AssignmentForm, FactsForm, PersonForm, RosterFilterForm, TrainingForm
from registry.history import change_rows, merged
from registry.models import Assignment, Person, Training


def _require_writer(request: HttpRequest) -> None:
    if user_scope(request.user).read_only:
        raise PermissionDenied


def _get_person(request: HttpRequest, pk: int, *, write: bool = False) -> Person:
    person = get_object_for_user(Person.objects.select_related("desa__kecamatan"), request.user, write=write, pk=pk)
    if write and not can_change(request.user, person.desa):
        raise PermissionDenied
    return person


@login_required
def person_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # the filter form: the search text (name or NIK) goes to the session, not the URL
        return private_search.redirect_after_post(request)
    form = RosterFilterForm(private_search.query_with_search(request) or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    page, total = selectors.roster_page(
        request.user,
        page=request.GET.get("halaman"),
        wilayah=filters.get("wilayah"),
        kind=filters.get("jenis"),
        status=filters.get("status", ""),
        q=filters.get("q", ""),
        eligibility_status=filters.get("kelayakan", ""),
        on=filters.get("tanggal"),
    )
    return render(
        request,
        "registry/person_list.html",
        {
            "filter_form": form,
            "page": page,
            "total": total,
            "query": private_search.public_query(request, "halaman"),
            "reference_date": filters.get("tanggal") or timezone.localdate(),
            "active_nav": "persons",
            "can_write": not user_scope(request.user).read_only,
        },
    )


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk)
    on = timezone.localdate()
    verdicts = selectors.person_verdicts(person, on)
    scope = user_scope(request.user)
    history = merged(
        change_rows(person.history.all(), mask=scope.read_only, label=_("Data pribadi")),
        change_rows(Assignment.history.filter(person_id=person.pk), mask=scope.read_only, label=_("Peran")),
        change_rows(Training.history.filter(person_id=person.pk), mask=scope.read_only, label=_("Pelatihan")),
    )
    return render(
        request,
        "registry/person_detail.html",
        {
            "person": person,
            "verdicts": verdicts,
            "history": history,
            "on": on,
            "active_nav": "persons",
            "age": person.age_on(on),
            "trainings": person.trainings.order_by("-date"),
            "show_full_nik": not scope.read_only,
            "can_write": can_change(request.user, person.desa),
        },
    )


@login_required
def person_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    if repeat := submissions.repeated(request):
        return repeat
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if form.transfer_record is not None:  # the person moved here: the area that holds them decides
            return transfer_sent(request, kind="registri", record=form.transfer_record, desa=form.cleaned_data["desa"])

        def save() -> str:
            person = services.person_save(person=form.save(commit=False))
            for warning in form.nik_warnings:
                messages.warning(request, warning)
            messages.success(request, _("Data %(name)s disimpan. Tambahkan perannya di bawah.") % {"name": person.name})
            return reverse("registry:person_detail", args=[person.pk])

        try:
            return submissions.once(request, save)  # sent twice (double click, retry): one person
        except IntegrityError:  # the same NIK saved at the same moment from another form
            form.add_error("nik", _("NIK ini baru saja disimpan dari formulir lain. Muat ulang lalu periksa."))
    return render(
        request, "registry/person_form.html", {"form": form, "title": _("Tambah orang"), "active_nav": "persons"}
    )


@login_required
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    form = PersonForm(request.POST or None, user=request.user, instance=person)
    if request.method == "POST" and form.is_valid():
        services.person_save(person=form.save(commit=False))
        for warning in form.nik_warnings:
            messages.warning(request, warning)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "title": _("Ubah data orang"), "person": person, "active_nav": "persons"},
    )


def _assignment_form(request: HttpRequest, person: Person, assignment: Assignment | None) -> HttpResponse:
    form = AssignmentForm(request.POST or None, user=request.user, instance=assignment)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_save(assignment=form.save(commit=False), person=person)
        except services.RegistryError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Peran diperbarui.") if assignment else _("Peran ditambahkan."))
            return redirect("registry:person_detail", pk=person.pk)
    title = _("Ubah peran") if assignment else _("Tambah peran")
    context = {"form": form, "person": person, "active_nav": "persons", "title": title}
    return render(request, "registry/sub_form.html", context)


@login_required
def assignment_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _assignment_form(request, _get_person(request, pk, write=True), None)


@login_required
def assignment_edit(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    return _assignment_form(request, person, get_object_or_404(person.assignments, pk=assignment_pk))


@login_required
def training_add(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    form = TrainingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.training_add(training=form.save(commit=False), person=person)
        messages.success(request, _("Pelatihan/sertifikat dicatat."))
        return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/sub_form.html",
        {"form": form, "person": person, "active_nav": "persons", "title": _("Tambah pelatihan/sertifikat")},
    )


@login_required
def person_facts(request: HttpRequest, pk: int) -> HttpResponse:
    person = _get_person(request, pk, write=True)
    criteria_map = selectors.criteria_by_kind()
    criteria = [c for a in person.assignments.all() for c in criteria_map.get(a.kind_id, []) if c.type == "fact"]
    form = FactsForm(request.POST or None, facts=person.facts, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        services.facts_update(obj=person, facts=form.facts())
        messages.success(request, _("Pernyataan dan dokumen diperbarui."))
        return redirect("registry:person_detail", pk=person.pk)
    return render(
        request,
        "registry/sub_form.html",
        {"form": form, "person": person, "active_nav": "persons", "title": _("Pernyataan & dokumen")},
    )


urlpatterns = [
    path("orang/", person_list, name="person_list"),
    path("orang/tambah/", person_create, name="person_create"),
    path("orang/<int:pk>/", person_detail, name="person_detail"),
    path("orang/<int:pk>/ubah/", person_edit, name="person_edit"),
    path("orang/<int:pk>/peran/tambah/", assignment_add, name="assignment_add"),
    path("orang/<int:pk>/peran/<int:assignment_pk>/ubah/", assignment_edit, name="assignment_edit"),
    path("orang/<int:pk>/pelatihan/tambah/", training_add, name="training_add"),
    path("orang/<int:pk>/pernyataan/", person_facts, name="person_facts"),
]
