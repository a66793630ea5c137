"""The PMKS table of a wilayah and month (child areas × categories) with the 12-month trend: the published figures
(``selectors.pmks_month``), as the dashboard and the roll-ups show them."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_GET

from pmks.selectors import active_catalogue
from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope
from reporting import selectors
from reporting.views.common import month_asked

SUBMITTED = "dikirim"


@login_required
@require_GET
def pmks_table(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    code = request.GET.get("wilayah") or (scope.wilayah.code if scope.wilayah else "")
    wilayah = get_object_for_user(Wilayah.objects.all(), request.user, code=code) if code else None
    if wilayah is None and not scope.everything:
        raise Http404
    catalogue = active_catalogue()
    if catalogue is None:
        raise Http404
    month = month_asked(request)
    accepted_only = selectors.published_basis(request.user, request.GET.get("dasar") != SUBMITTED)
    categories = list(catalogue.categories.order_by("number"))
    published = selectors.pmks_month(
        wilayah=wilayah,
        month=month,
        categories=categories,
        accepted_only=accepted_only,
        suppress=roles.suppresses_small_cells(request.user),
    )
    table = published.table
    rows = [
        (child, [table.shown(child.code, c.pk) for c in categories], table.shown(child.code, None))
        for child in published.children
    ]
    return render(
        request,
        "reporting/pmks_table.html",
        {
            "published": published,
            "table": table,
            "rows": rows,
            "totals": [table.shown(None, c.pk) for c in categories],
            "grand_total": table.shown(None, None),
            "trend_rows": [(c, published.trend(c)) for c in categories],
            "wilayah": wilayah,
            "month": month,
            "categories": categories,
            "accepted_only": accepted_only,
            "basis_fixed": table.suppressed,
            "active_nav": "pmks_table",
        },
    )


def legacy_table(request: HttpRequest) -> HttpResponse:
    """``/pmks/tabel/?bulan=2026-03`` → ``/laporan/pmks/?periode=2026M03`` (one address and one period id)."""
    query = request.GET.copy()
    month = query.pop("bulan", [""])[-1]
    if month:
        try:
            year, number = (int(part) for part in month.split("-"))
            query["periode"] = periods.Period(year, periods.MONTH, number).id
        except (ValueError, periods.PeriodError):
            raise Http404 from None
    target = reverse("reporting:pmks_table")
    return HttpResponsePermanentRedirect(f"{target}?{urlencode(query, doseq=True)}" if query else target)


urlpatterns = [path("pmks/", pmks_table, name="pmks_table")]
