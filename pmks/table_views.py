"""The PMKS table of a wilayah and month (categories × child areas) with the 12-month trend."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone

from pmks import tables
from pmks.figures import month_start, parse_month
from pmks.selectors import active_catalogue
from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope


@login_required
def pmks_table(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    code = request.GET.get("wilayah") or (scope.wilayah.code if scope.wilayah else "")
    wilayah = get_object_for_user(Wilayah.objects.all(), request.user, code=code) if code else None
    if wilayah is None and not scope.everything:
        raise Http404
    catalogue = active_catalogue()
    if catalogue is None:
        raise Http404
    try:
        month = parse_month(request.GET["bulan"]) if request.GET.get("bulan") else month_start(timezone.localdate())
    except ValueError:
        raise Http404 from None
    categories = list(catalogue.categories.order_by("number"))
    table = tables.pmks_table(wilayah=wilayah, month=month, categories=categories, suppress=scope.read_only)
    trend_months, trend_rows = tables.trend_rows(
        wilayah=wilayah, month=month, categories=categories, children=table.children, suppress=table.suppressed
    )
    rows = [
        (child, [table.cell(child.code, c.pk) for c in categories], table.row_total(child.code))
        for child in table.children
    ]
    totals = [table.column_total(c.pk) for c in categories]
    return render(
        request,
        "pmks/table.html",
        {
            "table": table,
            "rows": rows,
            "totals": totals,
            "grand_total": table.grand(),
            "trend_months": trend_months,
            "trend_rows": trend_rows,
            "wilayah": wilayah,
            "month": month,
            "categories": categories,
            "active_nav": "pmks_table",
        },
    )


urlpatterns = [path("tabel/", pmks_table, name="table")]
