"""The dashboard: one wilayah (the user's own by default, or a child area drilled into) and one month."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import Scope, get_object_for_user, user_scope
from reporting import dashboards, selectors, tasks
from reporting.views.common import month_asked

ACCEPTED_ONLY = "diterima"


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    wilayah = _wilayah(request, scope)
    month = month_asked(request)
    accepted_only = selectors.published_basis(request.user, request.GET.get("status") == ACCEPTED_ONLY)
    suppress = roles.suppresses_small_cells(request.user)
    board = dashboards.dashboard_build(wilayah=wilayah, month=month, accepted_only=accepted_only, suppress=suppress)
    context = {
        "board": board,
        "chart_data": board.chart_data(),
        "path": _drill_path(wilayah, scope),
        "status": ACCEPTED_ONLY if accepted_only else "",
        "basis_fixed": suppress,
        "recap_periods": [month.parent(kind) for kind in (periods.YEAR, periods.SEMESTER, periods.QUARTER)] + [month],
        "recaps": tasks.recap_choices(),
        "formats": tasks.FORMATS,
        "active_nav": "dashboard",
    }
    return render(request, "reporting/dashboard.html", context)


def _wilayah(request: HttpRequest, scope: Scope) -> Wilayah | None:
    """The wilayah asked for (404 outside the scope), else the user's own; the whole country for a national scope."""
    code = request.GET.get("wilayah") or (scope.wilayah.code if scope.wilayah else "")
    if code:
        return get_object_for_user(Wilayah.objects.all(), request.user, code=code)
    if not scope.everything:
        raise Http404
    return None


def _drill_path(wilayah: Wilayah | None, scope: Scope) -> list[tuple[str, str | None]]:
    """(label, code) from the top the user may see down to ``wilayah``; code ``None`` is the whole country."""
    trail: list[tuple[str, str | None]] = [("Indonesia", None)] if scope.everything else []
    for ancestor in wilayah.lineage() if wilayah else []:
        if scope.contains(ancestor):
            trail.append((ancestor.label, ancestor.code))
    return trail


urlpatterns = [path("dasbor/", dashboard, name="dashboard")]
