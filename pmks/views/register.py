"""BNBA register pages: list, detail, create, edit, status change.

Names and NIK never travel in a URL: the list filters are posted and kept in the session. A read-only user (Pimpinan)
gets 403 on every page here; records outside the user's scope answer 404. Every list page and record view is logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmks import register
from pmks.models import PmksRecord
from pmks.register_forms import RecordForm, RegisterFilterForm, StatusForm
from psks_portal import nik as nik_rules
from psks_portal import submissions
from psks_portal.scope import can_change, get_object_for_user, user_scope
from psks_portal.views.transfers import transfer_sent

FILTER_SESSION_KEY = "pmks_register_filters"
FILTER_FIELDS = ("q", "kategori", "status", "wilayah")
NAV = "pmks_register"
CLASHED = gettext_lazy(
    "Data ini bentrok dengan data yang baru saja disimpan dari formulir lain. Periksa, lalu kirim lagi."
)


def _require_register_access(request: HttpRequest) -> None:
    """By-name data is for the TKSK, operators, admins and superusers; readers see counts elsewhere."""
    if user_scope(request.user).read_only:
        raise PermissionDenied


def _get_record(request: HttpRequest, pk: int, *, write: bool = False) -> PmksRecord:
    _require_register_access(request)
    record = get_object_for_user(PmksRecord.objects.select_related("desa"), request.user, write=write, pk=pk)
    if write and not can_change(request.user, record.desa):
        raise PermissionDenied
    return record


@login_required
def record_list(request: HttpRequest) -> HttpResponse:
    _require_register_access(request)
    if request.method == "POST":
        if "hapus" in request.POST:
            request.session.pop(FILTER_SESSION_KEY, None)
        else:
            request.session[FILTER_SESSION_KEY] = {k: request.POST.get(k, "") for k in FILTER_FIELDS}
        return redirect("pmks:register_list")
    saved = request.session.get(FILTER_SESSION_KEY)
    form = RegisterFilterForm(saved or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    wilayah, category = filters.get("wilayah"), filters.get("kategori")
    page = register.record_page(
        request.user,
        page=request.GET.get("halaman"),
        wilayah=wilayah,
        category=category,
        status=filters.get("status", ""),
        q=filters.get("q", ""),
    )
    register.log_list(
        request.user,
        wilayah=wilayah,
        row_count=len(page.object_list),
        filters={
            "wilayah": wilayah.code if wilayah else "",
            "kategori": category.code if category else "",
            "status": filters.get("status", ""),
            "cari_nama": bool(filters.get("q")),  # whether a name was searched, never the name itself
            "halaman": page.number,
        },
    )
    rows = [(record, nik_rules.mask(record.nik) if record.nik else "") for record in page.object_list]
    return render(
        request,
        "pmks/register/list.html",
        {"filter_form": form, "page": page, "rows": rows, "active_nav": NAV, "filtered": bool(saved)},
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = _get_record(request, pk)
    register.log_record(request.user, record)
    return render(
        request,
        "pmks/register/detail.html",
        {
            "record": record,
            "categories": record.categories.select_related("catalogue").order_by("number"),
            "history": register.status_history(record),
            "can_write": can_change(request.user, record.desa),
            "active_nav": NAV,
        },
    )


def _record_form(request: HttpRequest, record: PmksRecord | None) -> HttpResponse:
    if repeat := submissions.repeated(request):
        return repeat
    form = RecordForm(request.POST or None, user=request.user, instance=record)
    if request.method == "POST" and form.is_valid():
        if form.transfer_record is not None:  # the person moved here: the area that holds the record decides
            return transfer_sent(request, kind="bnba", record=form.transfer_record, desa=form.cleaned_data["desa"])

        def save() -> str:
            saved = register.record_save(
                record=form.save(commit=False), categories=list(form.cleaned_data["categories"])
            )
            messages.success(request, _("Perubahan disimpan.") if record else _("Data BNBA ditambahkan."))
            return reverse("pmks:register_detail", args=[saved.pk])

        try:
            return submissions.once(request, save)  # sent twice (double click, retry): saved once
        except IntegrityError:  # the same NIK written at the same moment from another form
            form.add_error(None, CLASHED)
    title = _("Ubah data BNBA") if record else _("Tambah data BNBA")
    return render(
        request, "pmks/register/form.html", {"form": form, "record": record, "title": title, "active_nav": NAV}
    )


@login_required
def record_create(request: HttpRequest) -> HttpResponse:
    _require_register_access(request)
    return _record_form(request, None)


@login_required
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _record_form(request, _get_record(request, pk, write=True))


@login_required
def record_status(request: HttpRequest, pk: int) -> HttpResponse:
    record = _get_record(request, pk, write=True)
    form = StatusForm(request.POST or None, record=record)
    if request.method == "POST" and form.is_valid():
        register.status_change(
            record=record,
            status=form.cleaned_data["status"],
            referral_target=form.cleaned_data["referral_target"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, _("Status penanganan diperbarui."))
        return redirect("pmks:register_detail", pk=record.pk)
    return render(
        request,
        "pmks/register/status.html",
        {"form": form, "record": record, "title": _("Ubah status penanganan"), "active_nav": NAV},
    )


urlpatterns = [
    path("bnba/", record_list, name="register_list"),
    path("bnba/tambah/", record_create, name="register_create"),
    path("bnba/<int:pk>/", record_detail, name="register_detail"),
    path("bnba/<int:pk>/ubah/", record_edit, name="register_edit"),
    path("bnba/<int:pk>/status/", record_status, name="register_status"),
]
