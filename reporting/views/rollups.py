"""Roll-ups of the reports for a wilayah and period: PMKS, PSKS and activities by child area, with the state of the
reports underneath each row. Figures come from ``reporting.selectors`` (GROUP BY in the database, constant queries).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from pmks.models import Unit
from pmks.selectors import active_catalogue
from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from psks_portal.templatetags.portal import angka
from reporting import selectors
from reporting.forms import RollupFilterForm
from reporting.models import ActivityKind, State
from reporting.views.common import STATE_BADGE, report_url
from reporting.views.completeness import filter_data, filter_period, filter_wilayah

TABS = {"pmks": gettext_lazy("PMKS"), "psks": gettext_lazy("PSKS"), "kegiatan": gettext_lazy("Kegiatan")}


@login_required
def rollup(request: HttpRequest) -> HttpResponse:
    form = RollupFilterForm(filter_data(request, dasar=RollupFilterForm.BASIS_ACCEPTED), user=request.user)
    wilayah = filter_wilayah(request)
    if wilayah is not None and wilayah.level == Wilayah.DESA:
        wilayah = wilayah.parent  # reports are made per kecamatan: a desa is looked at through its kecamatan
    period = filter_period(form)
    asked = request.GET.get("dasar") != RollupFilterForm.BASIS_SUBMITTED
    accepted_only = selectors.published_basis(request.user, asked)
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "pmks"
    # The small-cell rule protects people in PMKS situations; PSKS and activities are not sensitive.
    suppress = roles.suppresses_small_cells(request.user) and tab == "pmks"
    data, all_columns = _data(tab, wilayah, period, accepted_only)
    # The whole table is published (and protected) as every other screen publishes it; 26 PMKS categories make a
    # table wider than a screen, so only the columns with figures are printed, and the page says how many are empty.
    table = selectors.publish_rollup(data, suppress=suppress)
    columns = [c for c in all_columns if c["key"] in data.column_totals]
    base = {"periode": period.id, "dasar": "diterima" if accepted_only else "dikirim"}
    context = {
        "filter_form": form,
        "wilayah": wilayah,
        "period": period,
        "accepted_only": accepted_only,
        "tab": tab,
        "tabs": [(key, label, _query(base, wilayah, tab=key)) for key, label in TABS.items()],
        "columns": columns,
        "empty_columns": len(all_columns) - len(columns),
        "rows": [_row(data, child, table, columns, tab, base, suppress) for child in data.children],
        "totals": [
            {"total": table.shown(None, c["key"]), "split": _split(data.column_totals.get(c["key"]), c, suppress)}
            for c in columns
        ],
        "grand_total": table.shown(None, None),
        "participants": _participants(data.grand_total) if tab == "kegiatan" else None,
        "child_label": _child_label(wilayah, tab),
        "basis": _basis(data, wilayah, accepted_only),
        "suppressed": suppress,
        "basis_fixed": roles.suppresses_small_cells(request.user),
        "up": _up(request, wilayah, base, tab),
        "active_nav": "rollup",
    }
    return render(request, "reporting/rollup.html", context)


def _data(tab: str, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool):
    if tab == "psks":
        data = selectors.psks_rollup(wilayah=wilayah, period=period, accepted_only=accepted_only)
        return data, [{"key": k.pk, "label": k.short_name, "title": k.name, "split": False} for k in data.keys]
    if tab == "kegiatan":
        data = selectors.activity_rollup(wilayah=wilayah, period=period, accepted_only=accepted_only)
        labels = dict(ActivityKind.choices)
        return data, [{"key": k, "label": labels[k], "title": labels[k], "split": False} for k in data.keys]
    catalogue = active_catalogue()
    categories = list(catalogue.categories.order_by("number")) if catalogue else []
    data = selectors.pmks_rollup(wilayah=wilayah, period=period, categories=categories, accepted_only=accepted_only)
    columns = [
        {"key": c.pk, "label": f"{c.number:02d} {c.code}", "title": c.name, "split": c.unit == Unit.PERSON}
        for c in categories
    ]
    return data, columns


def _up(request: HttpRequest, wilayah: Wilayah | None, base: dict, tab: str) -> str | None:
    """A link one level up, when the parent is still inside the user's scope."""
    if wilayah is None:
        return None
    scope = user_scope(request.user)
    parent = wilayah.parent if wilayah.parent_id else None
    if (parent is None and not scope.everything) or (parent is not None and not scope.contains(parent)):
        return None
    return _query(base, parent, tab=tab)


def _query(base: dict, wilayah: Wilayah | None, **extra) -> str:
    values = {**base, **extra}
    if wilayah is not None:
        values["wilayah"] = wilayah.code
    return "?" + urlencode(values)


def _split(figure, column: dict, suppress: bool) -> tuple[str, str] | None:
    """For PMKS counted per person, the split by sex (L/P) when the figures carry it. Not shown under the small-cell
    rule: L + P = Jml is one more equation that would give a hidden figure back."""
    if suppress or figure is None or not column["split"] or figure.male is None or figure.female is None:
        return None
    return angka(figure.male), angka(figure.female)


def _participants(figure) -> tuple[str, str]:
    return angka(figure.male if figure else None), angka(figure.female if figure else None)


def _row(data: selectors.Rollup, child: Wilayah, table: selectors.PublishedTable, columns: list, tab: str,
         base: dict, suppress: bool) -> dict:  # fmt: skip
    cells = [
        {"total": table.shown(child.code, c["key"]), "split": _split(data.cell(child.code, c["key"]), c, suppress)}
        for c in columns
    ]
    return {
        "child": child,
        "link": _query(base, child, tab=tab) if child.level < Wilayah.DESA else None,
        "report_link": report_url(child.code, data.period) if child.level == Wilayah.KECAMATAN else None,
        "cells": cells,
        "total": table.shown(child.code, None),
        "participants": _participants(data.row_totals.get(child.code)) if tab == "kegiatan" else None,
        "state": _state(data, child),
    }


def _state(data: selectors.Rollup, child: Wilayah) -> dict | None:
    """ "5/7 kecamatan diterima" beside an area; for a kecamatan, its month's state or how many months count."""
    entry = data.states.get(child.code)
    if entry is None:
        return None
    verb = _("diterima") if data.accepted_only else _("dikirim")
    detail = " · ".join(f"{State(s).label} {n}" for s, n in sorted(entry.by_state.items()))
    if child.level != Wilayah.KECAMATAN:
        text = _("%(n)s/%(of)s kecamatan %(verb)s") % {"n": entry.contributing, "of": entry.kecamatan, "verb": verb}
        return {"text": text, "detail": detail, "complete": entry.contributing == entry.kecamatan, "badge": None}
    if data.period.kind == periods.MONTH:
        state = next(iter(entry.by_state), None)
        label = State(state).label if state else _("Belum ada laporan")
        complete = state in selectors.handed_in_states(data.accepted_only)
        return {"text": label, "detail": detail, "complete": complete, "badge": STATE_BADGE.get(state)}
    months = sum(entry.count(s) for s in selectors.handed_in_states(data.accepted_only))
    text = _("%(n)s/%(of)s bulan %(verb)s") % {"n": months, "of": len(data.period.months()), "verb": verb}
    return {"text": text, "detail": detail, "complete": months == len(data.period.months()), "badge": None}


def _basis(data: selectors.Rollup, wilayah: Wilayah | None, accepted_only: bool) -> str:
    """One line under the title: how many kecamatan the figures rest on."""
    kecamatan = sum(s.kecamatan for s in data.states.values())
    contributing = sum(s.contributing for s in data.states.values())
    verb = _("diterima provinsi") if accepted_only else _("sudah dikirim")
    return _("Angka bersumber dari %(n)s dari %(of)s kecamatan yang laporannya %(verb)s.") % {
        "n": contributing,
        "of": kecamatan,
        "verb": verb,
    }


def _child_label(wilayah: Wilayah | None, tab: str) -> str:
    if wilayah is None:
        return _("Provinsi")
    if wilayah.level == Wilayah.KECAMATAN and tab == "kegiatan":
        return _("Kecamatan")
    return str(wilayah.child_level_label) or _("Wilayah")


urlpatterns = [path("rekap/", rollup, name="rollup")]
