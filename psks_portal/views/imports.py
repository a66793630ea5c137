"""The one pair of import views (upload + preview, confirm) and the template download, for every importer.

Each app routes its URLs here with an ``ImportPage`` (``path(…, imports.upload, {"page": PAGE}, name=…)``). The
uploaded file is kept server-side under a random token that lives in the session (one per importer), never in a URL;
the confirm step imports it again from scratch (``tabular.pipeline``), so what is written is what the database allows
*now*. A read-only Pimpinan gets 403 on every page here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from psks_portal.forms import ImportConfirmForm, ImportUploadForm
from psks_portal.tabular import pipeline
from psks_portal.tabular.errors import ImportFileError
from psks_portal.tabular.pending import PendingImport, upload_discard
from psks_portal.tabular.preview import ImportPreview, ImportRefused
from psks_portal.tabular.templates import template_attachment

SESSION_KEY = "imports"
ACTIONS = ("list", "import", "import_confirm", "template")


@dataclass(frozen=True)
class ImportPage:
    """What the import screens say about one importer: its URL names (``list``, ``import``, ``import_confirm``,
    ``template``), the headings of the identifying and kind columns, hints on matching, a privacy notice."""

    importer: pipeline.Importer
    url_names: dict[str, str]
    ident_label: str
    kind_label: str
    hints: tuple[str, ...]
    file_stem: str
    privacy_notice: str = ""
    active_nav: str = ""

    def context(self) -> dict:
        return {
            "title": self.importer.title,
            "urls": {action: reverse(self.url_names[action]) for action in ACTIONS},
            "ident_label": self.ident_label,
            "kind_label": self.kind_label,
            "hints": self.hints,
            "privacy_notice": self.privacy_notice,
            "active_nav": self.active_nav,
        }


def _require_importer(request: HttpRequest) -> None:
    if not pipeline.can_import(request.user):
        raise PermissionDenied


def _pending(request: HttpRequest, page: ImportPage) -> PendingImport | None:
    data = request.session.get(SESSION_KEY, {}).get(page.importer.key)
    return PendingImport(data["token"], data["filename"]) if data else None


def _remember(request: HttpRequest, page: ImportPage, pending: PendingImport | None) -> None:
    """Keep (or with ``None`` forget and delete) the one upload waiting for confirmation for this importer."""
    stored = dict(request.session.get(SESSION_KEY, {}))
    previous = _pending(request, page)
    if previous is not None and previous != pending:
        upload_discard(previous)
    if pending is None:
        stored.pop(page.importer.key, None)
    else:
        stored[page.importer.key] = {"token": pending.token, "filename": pending.filename}
    request.session[SESSION_KEY] = stored


def _render_preview(request: HttpRequest, page: ImportPage, preview: ImportPreview, token: str) -> HttpResponse:
    # With refused rows the button imports the valid rows only, and says how many: it promises what it writes.
    form = ImportConfirmForm(initial={"token": token, "hanya_valid": preview.has_errors})
    context = {**page.context(), "preview": preview, "rows": preview.sample(), "form": form}
    return render(request, "imports/preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, *, page: ImportPage) -> HttpResponse:
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending, preview = pipeline.preview_upload(
                page.importer, upload=form.cleaned_data["berkas"], user=request.user
            )
        except ImportFileError as exc:
            form.add_error("berkas", str(exc))
        else:
            _remember(request, page, pending)
            return _render_preview(request, page, preview, pending.token)
    return render(request, "imports/upload.html", {**page.context(), "form": form})


@login_required
@require_POST
def confirm(request: HttpRequest, *, page: ImportPage) -> HttpResponse:
    _require_importer(request)
    pending, form = _pending(request, page), ImportConfirmForm(request.POST)
    if pending is None or not form.is_valid() or form.cleaned_data["token"] != pending.token:
        messages.error(request, _("Pratinjau impor ini sudah tidak berlaku. Unggah berkasnya lagi."))
        return redirect(page.url_names["import"])
    try:
        result = pipeline.confirm(
            page.importer, pending=pending, user=request.user, only_valid=form.cleaned_data["hanya_valid"]
        )
    except ImportRefused as exc:
        messages.error(request, _("Berkas berisi baris yang ditolak; tidak ada data yang diubah."))
        return _render_preview(request, page, exc.preview, pending.token)
    except (ImportFileError, IntegrityError) as exc:
        _remember(request, page, None)
        text = str(exc) if isinstance(exc, ImportFileError) else _("Data berubah saat impor berjalan")
        messages.error(
            request, _("%(reason)s. Tidak ada data yang diubah; unggah berkasnya lagi.") % {"reason": text.rstrip(".")}
        )
        return redirect(page.url_names["import"])
    _remember(request, page, None)
    messages.success(request, _("Impor selesai: %(summary)s") % {"summary": result.summary()})
    return redirect(page.url_names["list"])


@login_required
@require_GET
def template(request: HttpRequest, *, page: ImportPage) -> HttpResponse:
    _require_importer(request)
    return template_attachment(page.importer.template(user=request.user), page.file_stem)


def urls(prefix: str, page: ImportPage) -> list:
    """The three routes of an importer under ``prefix``: ``<prefix>/impor/``, ``<prefix>/impor/konfirmasi/`` and
    ``<prefix>/templat/``, named after ``page.url_names`` (within the app's namespace)."""

    def name(action: str) -> str:
        return page.url_names[action].rsplit(":", 1)[-1]

    return [
        path(f"{prefix}/impor/", upload, {"page": page}, name=name("import")),
        path(f"{prefix}/impor/konfirmasi/", confirm, {"page": page}, name=name("import_confirm")),
        path(f"{prefix}/templat/", template, {"page": page}, name=name("template")),
    ]
