"""Roster exports (XLSX, CSV): the list page's filters, the user's scope, the page's masking for a read-only viewer.

Imports of the rosters go through the core's one pair of import views (``psks_portal.views.imports``) with the pages
of ``registry.io``; their URLs are routed here too.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from psks_portal import private_search
from psks_portal.scope import user_scope
from psks_portal.tabular.writers import attachment
from psks_portal.views import imports
from registry import io
from registry.forms import RosterFilterForm
from registry.models import Subject

FILTER_KEYS = ("q", "jenis", "wilayah", "status", "kelayakan", "tanggal")


def _require_viewer(request: HttpRequest) -> None:
    scope = user_scope(request.user)
    if not (scope.everything or scope.wilayah is not None):
        raise PermissionDenied


def _export_filters(request: HttpRequest, subject: str) -> tuple[dict, str]:
    """The list page's filters (same form, same meaning) and the file format; 400 on an invalid value."""
    fmt = request.GET.get("format", "xlsx")
    form = RosterFilterForm(private_search.query_with_search(request), user=request.user, subject=subject)
    if fmt not in ("xlsx", "csv") or not form.is_valid():
        errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        raise BadRequest(_("Saringan atau format ekspor tidak sah. %(errors)s") % {"errors": errors})
    return form.cleaned_data, fmt


def _shown_filters(request: HttpRequest) -> dict[str, str]:
    data = private_search.query_with_search(request)
    return {key: data[key] for key in FILTER_KEYS if data.get(key)}


def _roster_export(request: HttpRequest, subject: str, export, *, by_status: bool) -> HttpResponse:
    _require_viewer(request)
    filters, fmt = _export_filters(request, subject)
    # Like the list pages: the organisation list does not filter by ``status``.
    status = {"status": filters.get("status", "")} if by_status else {}
    return attachment(
        export(
            user=request.user,
            fmt=fmt,
            filters=_shown_filters(request),
            wilayah=filters.get("wilayah"),
            kind=filters.get("jenis"),
            q=filters.get("q", ""),
            eligibility_status=filters.get("kelayakan", ""),
            on=filters.get("tanggal"),
            **status,
        )
    )


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    return _roster_export(request, Subject.PERSON, io.person_export, by_status=True)


@login_required
@require_GET
def organisation_export(request: HttpRequest) -> HttpResponse:
    return _roster_export(request, Subject.ORGANISATION, io.organisation_export, by_status=False)


urlpatterns = [
    *imports.urls("orang", io.PERSON_PAGE),
    path("orang/ekspor/", person_export, name="person_export"),
    *imports.urls("lembaga", io.ORGANISATION_PAGE),
    path("lembaga/ekspor/", organisation_export, name="organisation_export"),
]
