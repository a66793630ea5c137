"""The PMKS entry grid: desa rows × category columns for one kecamatan and month, saved in one post."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pmks import selectors, services
from pmks.forms import GridForm, field_name
from pmks.models import Unit
from pmks.selectors import active_catalogue
from psks_portal import locks, periods
from psks_portal.models import Role, Wilayah
from psks_portal.scope import can_change, get_object_for_user, user_scope

VERSION_CHANGED = _(
    "Angka bulan ini sudah disimpan orang lain sejak Anda membuka halaman. Isian Anda masih ada di bawah; muat ulang "
    "untuk melihat versi terbaru lalu terapkan lagi."
)


@login_required
def grid_index(request: HttpRequest) -> HttpResponse:
    """A TKSK goes straight to this month's grid; others pick a kecamatan in their scope."""
    try:
        month = periods.parse(request.GET["periode"]) if request.GET.get("periode") else None
    except periods.PeriodError:
        raise Http404 from None
    if month is None or month.kind != periods.MONTH:
        month = periods.current(periods.MONTH, timezone.localdate())
    code = request.GET.get("kecamatan", "")
    if request.user.role == Role.TKSK and request.user.wilayah_id:
        code = request.user.wilayah_id
    if code:
        return redirect("pmks:grid", code=code, period=month)
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


def _save(request: HttpRequest, grid, form: GridForm) -> str | None:
    """Save a valid post; the message to show again with the input when the save is refused, else ``None``."""
    try:
        services.cell_sources(
            grid, form.cells, copied=bool(request.POST.get("disalin")), derived=bool(request.POST.get("dari_bnba"))
        )
        written = services.grid_save(
            grid=grid, cells=form.cells, version=form.version, comment=form.comment, by=request.user
        )
    except services.GridChanged:
        return VERSION_CHANGED
    messages.success(
        request,
        _("Angka PMKS %(k)s bulan %(m)s disimpan (%(n)s sel berubah).")
        % {"k": grid.kecamatan.label, "m": grid.period.label, "n": written},
    )
    return None


@login_required
def grid_edit(request: HttpRequest, code: str, period: periods.Period) -> HttpResponse:
    kecamatan = get_object_for_user(Wilayah.objects.filter(level=Wilayah.KECAMATAN), request.user, code=code)
    if not can_change(request.user, kecamatan):
        raise PermissionDenied
    catalogue = active_catalogue()
    if catalogue is None:
        raise Http404
    locked = locks.locked_reason(kecamatan.code, period.start)
    if locked and request.method == "POST":
        # Handed-in figures are read-only: nothing of the post is written.
        messages.error(request, _("%(reason)s Tidak ada angka yang disimpan.") % {"reason": locked})
        return redirect("pmks:grid", code=code, period=period)
    categories = list(catalogue.categories.order_by("number"))
    grid = selectors.grid_load(kecamatan=kecamatan, period=period, categories=categories)
    form = None
    if request.method == "POST":
        form = GridForm(grid, request.POST)
        if form.is_valid():
            try:
                refused = _save(request, grid, form)
            except services.FiguresLocked as locked_now:  # the report was handed in while this grid was open
                messages.error(request, _("%(reason)s Tidak ada angka yang disimpan.") % {"reason": locked_now})
                return redirect("pmks:grid", code=code, period=period)
            if refused is None:
                return redirect("pmks:grid", code=code, period=period)
            form.form_errors.append(refused)
    elif request.GET.get("salin") and not locked:
        grid.cells = selectors.previous_cells(grid)
        messages.info(request, _("Angka bulan lalu disalin sebagai titik awal. Periksa, lalu simpan."))
    elif request.GET.get("bnba") and not locked:
        grid.cells = {**grid.cells, **selectors.register_cells(grid)}
        messages.info(
            request,
            _(
                "Angka kategori yang tercatat di data BNBA dihitung dari data BNBA pada akhir bulan; kategori lain "
                "tetap seperti isian. Periksa, lalu simpan."
            ),
        )
    rows = _rows(grid, request.POST if form is not None else None, form.errors if form is not None else None)
    return render(
        request,
        "pmks/grid.html",
        {
            "grid": grid,
            "rows": rows,
            "form": form,
            "catalogue": catalogue,
            "month": period.start,
            "period": period,
            "previous_period": period.previous(),
            "next_period": period.next(),
            "locked": locked,
            "copied": bool(request.GET.get("salin")) or (form is not None and request.POST.get("disalin")),
            "from_register": bool(request.GET.get("bnba")) or (form is not None and request.POST.get("dari_bnba")),
            "active_nav": "pmks_grid",
        },
    )


@login_required
@require_GET
def legacy_grid(request: HttpRequest, code: str, year: str, month: str) -> HttpResponse:
    """Addresses of the old form ``…/2026-03/`` move to ``…/2026M03/`` (one period id in every URL)."""
    get_object_for_user(Wilayah.objects.filter(level=Wilayah.KECAMATAN), request.user, code=code)
    try:
        period = periods.parse(f"{year}M{month}")
    except periods.PeriodError:
        raise Http404 from None
    return redirect("pmks:grid", code=code, period=period, permanent=True)


urlpatterns = [
    path("isian/", grid_index, name="grid_index"),
    path("isian/<kecamatan_code:code>/<month:period>/", grid_edit, name="grid"),
    re_path(
        r"^isian/(?P<code>\d{2}\.\d{2}\.\d{2})/(?P<year>\d{4})-(?P<month>\d{2})/$", legacy_grid, name="grid_legacy"
    ),
]
