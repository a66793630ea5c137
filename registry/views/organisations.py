"""Organisation and family rosters (LKS, Karang Taruna, LK3, WKSBM, Dunia Usaha, Keluarga Pioner)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from psks_portal import private_search, submissions
from psks_portal.scope import can_change, get_object_for_user, user_scope
from registry import eligibility, selectors, services
from registry.forms import BoardFormSet, FactsForm, OrganisationForm, RosterFilterForm
from registry.history import change_rows
from registry.models import Organisation, Subject


def _get_organisation(request: HttpRequest, pk: int, *, write: bool = False) -> Organisation:
    org = get_object_for_user(Organisation.objects.select_related("desa", "kind"), request.user, write=write, pk=pk)
    if write and not can_change(request.user, org.desa):
        raise PermissionDenied
    return org


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":  # the filter form: the search text (a family's name) goes to the session
        return private_search.redirect_after_post(request)
    data = private_search.query_with_search(request)
    form = RosterFilterForm(data or None, user=request.user, subject=Subject.ORGANISATION)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.organisation_roster(
        request.user,
        wilayah=filters.get("wilayah"),
        kind=filters.get("jenis"),
        q=filters.get("q", ""),
        eligibility_status=filters.get("kelayakan", ""),
        on=filters.get("tanggal"),
    )
    page = Paginator(rows, 50).get_page(request.GET.get("halaman"))
    return render(
        request,
        "registry/organisation_list.html",
        {
            "filter_form": form,
            "page": page,
            "total": len(rows),
            "query": private_search.public_query(request, "halaman"),
            "active_nav": "organisations",
            "can_write": not user_scope(request.user).read_only,
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation(request, pk)
    on = timezone.localdate()
    criteria = selectors.criteria_by_kind(selectors.provinsi_of(org.desa_id)).get(org.kind_id, [])
    verdict = eligibility.evaluate(eligibility.subject_for_organisation(org), criteria, kind=org.kind, on=on)
    scope = user_scope(request.user)
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "organisation": org,
            "verdict": verdict,
            "on": on,
            "board": org.board.all(),
            "history": change_rows(org.history.all(), mask=scope.read_only),
            "active_nav": "organisations",
            "can_write": can_change(request.user, org.desa),
        },
    )


def _edit(request: HttpRequest, org: Organisation | None) -> HttpResponse:
    if repeat := submissions.repeated(request):
        return repeat
    form = OrganisationForm(request.POST or None, user=request.user, instance=org)
    board = BoardFormSet(request.POST or None, instance=org or Organisation(), prefix="pengurus")
    if request.method == "POST" and form.is_valid() and board.is_valid():

        def save() -> str:
            saved = services.organisation_save(
                organisation=form.save(commit=False), board=board.save(commit=False), removed=board.deleted_objects
            )
            messages.success(request, _("Data %(name)s disimpan.") % {"name": saved.name})
            return reverse("registry:organisation_detail", args=[saved.pk])

        return submissions.once(request, save)  # sent twice (double click, retry): saved once
    title = _("Ubah data lembaga/keluarga") if org else _("Tambah lembaga/keluarga")
    return render(
        request,
        "registry/organisation_form.html",
        {"form": form, "board": board, "title": title, "organisation": org, "active_nav": "organisations"},
    )


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    if user_scope(request.user).read_only:
        raise PermissionDenied
    return _edit(request, None)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, _get_organisation(request, pk, write=True))


@login_required
def organisation_facts(request: HttpRequest, pk: int) -> HttpResponse:
    org = _get_organisation(request, pk, write=True)
    criteria = selectors.criteria_by_kind(selectors.provinsi_of(org.desa_id)).get(org.kind_id, [])
    criteria = [c for c in criteria if c.type == "fact"]
    form = FactsForm(request.POST or None, facts=org.facts, criteria=criteria)
    if request.method == "POST" and form.is_valid():
        services.facts_update(obj=org, facts=form.facts())
        messages.success(request, _("Pernyataan dan dokumen diperbarui."))
        return redirect("registry:organisation_detail", pk=org.pk)
    return render(
        request,
        "registry/sub_form.html",
        {"form": form, "organisation": org, "active_nav": "organisations", "title": _("Pernyataan & dokumen")},
    )


urlpatterns = [
    path("lembaga/", organisation_list, name="organisation_list"),
    path("lembaga/tambah/", organisation_create, name="organisation_create"),
    path("lembaga/<int:pk>/", organisation_detail, name="organisation_detail"),
    path("lembaga/<int:pk>/ubah/", organisation_edit, name="organisation_edit"),
    path("lembaga/<int:pk>/pernyataan/", organisation_facts, name="organisation_facts"),
]
