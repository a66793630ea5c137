"""Import (upload → preview → confirm), templates and exports of the person and organisation rosters.

The uploaded file is kept server-side under a random token that lives in the session, never in a URL; the confirm step
imports it again from scratch (``registry.imports``), so what is written is what the database allows *now*.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from psks_portal import private_search, tabular
from psks_portal.forms import ImportConfirmForm as ConfirmForm
from psks_portal.forms import ImportUploadForm as UploadForm
from psks_portal.scope import user_scope
from registry import imports
from registry.forms import RosterFilterForm
from registry.imports import ORGANISATIONS, PERSONS, ImportFileError, ImportRefused, PendingImport, RosterSpec
from registry.models import Subject

SESSION_KEY = "registry_imports"
FILTER_KEYS = ("q", "jenis", "wilayah", "status", "kelayakan", "tanggal")


def _require_importer(request: HttpRequest) -> None:
    if not imports.can_import(request.user):
        raise PermissionDenied


def _require_viewer(request: HttpRequest) -> None:
    scope = user_scope(request.user)
    if not (scope.everything or scope.wilayah is not None):
        raise PermissionDenied


def _pending(request: HttpRequest, spec: RosterSpec) -> PendingImport | None:
    data = request.session.get(SESSION_KEY, {}).get(spec.key)
    return PendingImport(data["token"], data["filename"]) if data else None


def _remember(request: HttpRequest, spec: RosterSpec, pending: PendingImport | None) -> None:
    """Keep (or with ``None`` forget and delete) the one upload waiting for confirmation for this roster."""
    stored = dict(request.session.get(SESSION_KEY, {}))
    previous = _pending(request, spec)
    if previous is not None and previous != pending:
        imports.upload_discard(previous)
    if pending is None:
        stored.pop(spec.key, None)
    else:
        stored[spec.key] = {"token": pending.token, "filename": pending.filename}
    request.session[SESSION_KEY] = stored


def _page(spec: RosterSpec) -> dict:
    """What the shared import templates (``templates/imports/``) need to know about this roster."""
    person = spec.key == PERSONS.key
    return {
        "spec": spec,
        "title": spec.title,
        "urls": {action: reverse(spec.url_name(action)) for action in ("list", "import", "import_confirm", "template")},
        "ident_label": _("NIK") if person else _("Nomor Tanda Daftar"),
        "kind_label": _("Jenis"),
        "hints": [
            _("Orang dicocokkan menurut NIK; satu baris untuk satu peran (Jenis).")
            if person
            else _("Lembaga dicocokkan menurut Nomor Tanda Daftar, atau bila kosong menurut nama dan kode desa.")
        ],
    }


def _render_preview(
    request: HttpRequest, spec: RosterSpec, preview: imports.ImportPreview, form: ConfirmForm
) -> HttpResponse:
    context = {**_page(spec), "preview": preview, "rows": preview.sample(), "form": form}
    return render(request, "imports/preview.html", context)


def _upload(request: HttpRequest, spec: RosterSpec) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending, preview = imports.import_preview(spec, upload=form.cleaned_data["berkas"], user=request.user)
        except ImportFileError as exc:
            form.add_error("berkas", str(exc))
        else:
            _remember(request, spec, pending)
            return _render_preview(request, spec, preview, ConfirmForm(initial={"token": pending.token}))
    return render(request, "imports/upload.html", {**_page(spec), "form": form})


def _confirm(request: HttpRequest, spec: RosterSpec) -> HttpResponse:
    _require_importer(request)
    pending, form = _pending(request, spec), ConfirmForm(request.POST)
    if pending is None or not form.is_valid() or form.cleaned_data["token"] != pending.token:
        messages.error(request, _("Pratinjau impor ini sudah tidak berlaku. Unggah berkasnya lagi."))
        return redirect(spec.url_name("import"))
    try:
        result = imports.import_confirm(
            spec, pending=pending, user=request.user, only_valid=form.cleaned_data["hanya_valid"]
        )
    except ImportRefused as exc:
        messages.error(request, _("Berkas berisi baris yang ditolak; tidak ada data yang diubah."))
        return _render_preview(request, spec, exc.preview, form)
    except (ImportFileError, IntegrityError) as exc:
        _remember(request, spec, None)
        text = str(exc) if isinstance(exc, ImportFileError) else _("Data berubah saat impor berjalan")
        messages.error(request, _("%(reason)s. Tidak ada data yang diubah; unggah berkasnya lagi.")
                       % {"reason": text.rstrip(".")})
        return redirect(spec.url_name("import"))
    _remember(request, spec, None)
    messages.success(request, _("Impor selesai: %(summary)s") % {"summary": result.summary()})
    return redirect(spec.url_name("list"))


def _template(request: HttpRequest, spec: RosterSpec) -> HttpResponse:
    _require_viewer(request)
    return tabular.template_attachment(imports.template_xlsx(spec, user=request.user), spec.file_stem)


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


@login_required
@require_http_methods(["GET", "POST"])
def person_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, PERSONS)


@login_required
@require_POST
def person_import_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, PERSONS)


@login_required
@require_GET
def person_template(request: HttpRequest) -> HttpResponse:
    return _template(request, PERSONS)


@login_required
@require_GET
def person_export(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    filters, fmt = _export_filters(request, Subject.PERSON)
    export = imports.person_export(
        user=request.user, fmt=fmt, filters=_shown_filters(request), wilayah=filters.get("wilayah"),
        kind=filters.get("jenis"), status=filters.get("status", ""), q=filters.get("q", ""),
        eligibility_status=filters.get("kelayakan", ""), on=filters.get("tanggal"),
    )
    return tabular.attachment(export)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, ORGANISATIONS)


@login_required
@require_POST
def organisation_import_confirm(request: HttpRequest) -> HttpResponse:
    return _confirm(request, ORGANISATIONS)


@login_required
@require_GET
def organisation_template(request: HttpRequest) -> HttpResponse:
    return _template(request, ORGANISATIONS)


@login_required
@require_GET
def organisation_export(request: HttpRequest) -> HttpResponse:
    _require_viewer(request)
    filters, fmt = _export_filters(request, Subject.ORGANISATION)
    # Like the list page, which does not filter organisations by ``status``.
    export = imports.organisation_export(
        user=request.user, fmt=fmt, filters=_shown_filters(request), wilayah=filters.get("wilayah"),
        kind=filters.get("jenis"), q=filters.get("q", ""), eligibility_status=filters.get("kelayakan", ""),
        on=filters.get("tanggal"),
    )
    return tabular.attachment(export)


urlpatterns = [
    path("orang/impor/", person_import, name="person_import"),
    path("orang/impor/konfirmasi/", person_import_confirm, name="person_import_confirm"),
    path("orang/templat/", person_template, name="person_template"),
    path("orang/ekspor/", person_export, name="person_export"),
    path("lembaga/impor/", organisation_import, name="organisation_import"),
    path("lembaga/impor/konfirmasi/", organisation_import_confirm, name="organisation_import_confirm"),
    path("lembaga/templat/", organisation_template, name="organisation_template"),
    path("lembaga/ekspor/", organisation_export, name="organisation_export"),
]
