"""The PMKS entry grid: desa rows × category columns for one kecamatan and month, saved in one post."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from pmks import figures
from pmks.grid_forms import GridForm, field_name
from pmks.models import Unit
from pmks.selectors import active_catalogue
from psks_portal import locks, periods
from psks_portal.models import Role, Wilayah
from psks_portal.scope import can_change, get_object_for_user, user_scope


def _month(text: str) -> date:
    try:
        return figures.parse_month(text)
    except ValueError:
        raise Http404 from None


@login_required
def grid_index(request: HttpRequest) -> HttpResponse:
    """A TKSK goes straight to this month's grid; others pick a kecamatan in their scope."""
    month = figures.month_start(timezone.localdate()).strftime("%Y-%m")
    code = request.GET.get("kecamatan", "")
    if request.user.role == Role.TKSK and request.user.wilayah_id:
        code = request.user.wilayah_id
    if code:
        return redirect("pmks:grid", code=code, period=request.GET.get("bulan") or month)
    scope = user_scope(request.user)
    kecamatan = Wilayah.objects.for_user(request.user).filter(level=Wilayah.KECAMATAN)
    if not scope.everything:
        kecamatan = kecamatan[:500]
    return render(request, "pmks/grid_index.html", {"kecamatan": kecamatan, "month": month, "active_nav": "pmks_grid"})


def _rows(grid, data=None, errors=None):
    """Template rows: each desa with one entry per category holding the shown values, last month and errors."""
    rows = []
    for desa in grid.desa:
        entries = []
        for category in grid.categories:
            key = (desa.code, category.pk)
            cell = grid.cell(desa.code, category.pk)
            if data is not None:
                shown = {p: data.get(field_name(desa.code, category.pk, p), "") for p in "lpt"}
            else:
                shown = {"l": cell.male, "p": cell.female, "t": cell.total}
                shown = {k: "" if v is None else v for k, v in shown.items()}
            entries.append(
                {
                    "category": category,
                    "desa": desa.code,
                    "values": shown,
                    "person": category.unit == Unit.PERSON,
                    "previous": grid.previous.get(key),
                    "errors": (errors or {}).get(key, []),
                }
            )
        rows.append((desa, entries))
    return rows


@login_required
def grid_edit(request: HttpRequest, code: str, period: str) -> HttpResponse:
    kecamatan = get_object_for_user(Wilayah.objects.filter(level=Wilayah.KECAMATAN), request.user, code=code)
    if not can_change(request.user, kecamatan):
        raise PermissionDenied
    catalogue = active_catalogue()
    if catalogue is None:
        raise Http404
    month = _month(period)
    locked = locks.locked_reason(kecamatan.code, month)
    if locked and request.method == "POST":
        # Handed-in figures are read-only: nothing of the post is written.
        messages.error(request, _("%(reason)s Tidak ada angka yang disimpan.") % {"reason": locked})
        return redirect("pmks:grid", code=code, period=period)
    categories = list(catalogue.categories.order_by("number"))
    grid = figures.grid_load(kecamatan=kecamatan, month=month, categories=categories)
    form = None
    if request.method == "POST":
        form = GridForm(grid, request.POST)
        if form.is_valid():
            try:
                written = figures.grid_save(
                    grid=grid, cells=form.cells, comment=request.POST.get("keterangan", ""), by=request.user
                )
            except figures.FiguresLocked as locked_now:  # the report was handed in while this grid was open
                messages.error(request, _("%(reason)s Tidak ada angka yang disimpan.") % {"reason": locked_now})
                return redirect("pmks:grid", code=code, period=period)
            messages.success(
                request,
                _("Angka PMKS %(k)s bulan %(m)s disimpan (%(n)s sel berubah).")
                % {"k": kecamatan.label, "m": month.strftime("%m-%Y"), "n": written},
            )
            return redirect("pmks:grid", code=code, period=period)
    elif request.GET.get("salin") and not locked:
        grid = figures.copy_previous(grid)
        messages.info(request, _("Angka bulan lalu disalin sebagai titik awal. Periksa, lalu simpan."))
    elif request.GET.get("bnba") and not locked:
        grid = figures.derive_from_register(grid)
        messages.info(request, _("Angka dihitung dari data BNBA. Periksa, lalu simpan."))
    rows = _rows(grid, request.POST if form is not None else None, form.errors if form is not None else None)
    return render(
        request,
        "pmks/grid.html",
        {
            "grid": grid,
            "rows": rows,
            "form": form,
            "catalogue": catalogue,
            "month": month,
            "previous_period": figures.previous_month(month).strftime("%Y-%m"),
            "next_period": figures.next_month(month).strftime("%Y-%m"),
            "period": period,
            "locked": locked,
            "report_period": periods.Period.month_of(month).id,
            "copied": bool(request.GET.get("salin")) or (form is not None and request.POST.get("disalin")),
            "from_register": bool(request.GET.get("bnba")) or (form is not None and request.POST.get("dari_bnba")),
            "active_nav": "pmks_grid",
        },
    )


urlpatterns = [
    path("isian/", grid_index, name="grid_index"),
    path("isian/<str:code>/<str:period>/", grid_edit, name="grid"),
]
