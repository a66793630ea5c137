"""The recap page: choose recap, wilayah, period and options, preview the tables, download PDF, XLSX or CSV.

The preview prints the same document (and column map) as the files. A download is made at once by the same job as a
background export (``reporting.tasks``) and recorded as an ``Export`` (so it also appears on the downloads page). A
wilayah outside the user's scope is a 404, before anything is computed or recorded.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope
from reporting import tasks
from reporting.models import ExportStatus
from reporting.recaps import service
from reporting.recaps.forms import RecapDownloadForm, RecapForm
from reporting.recaps.generators import RecapUnavailable

PREVIEW_SECTIONS = 6
PREVIEW_ROWS = 300


def _check_wilayah(request: HttpRequest, data) -> None:
    """404 for a wilayah code outside the user's scope (or unknown), and for a user with no scope at all."""
    scope = user_scope(request.user)
    if not scope.everything and scope.wilayah is None:
        raise Http404
    code = (data.get("wilayah") or "").strip()
    if code:
        get_object_for_user(Wilayah.objects.all(), request.user, code=code)


def _preview(document) -> list[dict]:
    sections = []
    for n, section in enumerate(document.iter_sections(), start=1):
        if n > PREVIEW_SECTIONS:
            break
        sections.append(
            {
                "number": n,
                "section": section,
                "header": section.header(),
                "rows": section.display_rows(limit=PREVIEW_ROWS),
                "cut": max(0, len(section.rows) - PREVIEW_ROWS),
            }
        )
    return sections


@login_required
def recap_index(request: HttpRequest) -> HttpResponse:
    _check_wilayah(request, request.GET)
    form = RecapForm(request.GET if "rekap" in request.GET else None, user=request.user)
    document, error = None, ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            document = service.build_document(
                user=request.user,
                recap=data["rekap"],
                wilayah=data["wilayah"],
                period=data["periode"],
                accepted_only=data["hanya_diterima"],
                options=form.options(),
            )
        except RecapUnavailable as exc:
            error = str(exc)
    return render(
        request,
        "reporting/recaps/index.html",
        {
            "form": form,
            "document": document,
            "sections": _preview(document) if document else [],
            "more_sections": max(0, document.section_count - PREVIEW_SECTIONS) if document else 0,
            "error": error,
            "query": request.GET.urlencode(),
            "active_nav": "recap_index",
        },
    )


@login_required
@require_POST
def recap_download(request: HttpRequest) -> HttpResponse:
    _check_wilayah(request, request.POST)
    form = RecapDownloadForm(request.POST, user=request.user)
    back = reverse("reporting:recap_index")
    if not form.is_valid():
        messages.error(
            request,
            _("Pilihan rekap tidak lengkap: ")
            + "; ".join(
                f"{form.fields[name].label if name in form.fields else name}: {' '.join(errs)}"
                for name, errs in form.errors.items()
            ),
        )
        return redirect(back)
    data = form.cleaned_data
    query = {k: v for k, v in request.POST.items() if k not in ("csrfmiddlewaretoken", "format")}
    job = {
        "user": request.user,
        "recap": data["rekap"],
        "format": data["format"],
        "wilayah": data["wilayah"],
        "period": data["periode"],
        "options": {**form.options(), "accepted_only": data["hanya_diterima"]},
    }
    if tasks.runs_in_background(
        service.estimate_rows(recap=data["rekap"], wilayah=data["wilayah"], options=form.options())
    ):
        # A big recap is made by a worker: the request only queues it, the file appears on the downloads page.
        tasks.export_request(**job)
        messages.info(request, _("Rekap ini besar dan dibuat di latar belakang; berkasnya muncul di halaman Unduhan."))
        return redirect("reporting:downloads")
    export = tasks.export_now(**job)  # made within the request, through the same job as a queued export
    if export.status != ExportStatus.DONE:
        messages.error(request, export.error or tasks.generic_failure())
        return redirect(f"{back}?{urlencode(query)}")
    response = FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=export.filename,
        content_type=service.FORMATS[export.format],
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


urlpatterns = [
    path("rekap-dokumen/", recap_index, name="recap_index"),
    path("rekap-dokumen/unduh/", recap_download, name="recap_download"),
]
