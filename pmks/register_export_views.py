"""BNBA export: the list's filters plus a stated purpose, then an XLSX or CSV file (posted, so no name in a URL).

No file is produced before the purpose form validates; a read-only Pimpinan gets 403 (names never leave for them).
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_http_methods

from pmks.io import exports as register_export
from pmks.register_forms import ExportForm
from pmks.views.register import FILTER_SESSION_KEY, NAV
from psks_portal.tabular.writers import attachment


@login_required
@require_http_methods(["GET", "POST"])
def record_export(request: HttpRequest) -> HttpResponse:
    if not register_export.can_export(request.user):
        raise PermissionDenied
    initial = {**request.session.get(FILTER_SESSION_KEY, {}), "format": "xlsx"}
    form = ExportForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export = register_export.record_export(
            user=request.user,
            fmt=data["format"],
            purpose=data["tujuan"],
            description=data["keterangan"],
            wilayah=data.get("wilayah"),
            category=data.get("kategori"),
            status=data.get("status", ""),
            q=data.get("q", ""),
        )
        return attachment(export)
    return render(request, "pmks/register/export.html", {"form": form, "active_nav": NAV})


urlpatterns = [path("bnba/ekspor/", record_export, name="register_export")]
