"""BNBA import (upload → preview → confirm) and its XLSX template.

The uploaded file is kept server-side under a random token that lives in the session, never in a URL; the confirm step
imports it again from scratch (``pmks.register_import``), so what is written is what the database allows *now*. A
read-only Pimpinan gets 403 on every page here.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pmks import register_import
from pmks.views.register import NAV
from psks_portal import tabular
from psks_portal.forms import ImportConfirmForm as ConfirmForm
from psks_portal.forms import ImportUploadForm as UploadForm
from psks_portal.tabular import ImportFileError, ImportPreview, ImportRefused, PendingImport

SESSION_KEY = "pmks_bnba_import"


def _require_importer(request: HttpRequest) -> None:
    if not register_import.can_import(request.user):
        raise PermissionDenied


def _pending(request: HttpRequest) -> PendingImport | None:
    data = request.session.get(SESSION_KEY)
    return PendingImport(data["token"], data["filename"]) if data else None


def _remember(request: HttpRequest, pending: PendingImport | None) -> None:
    """Keep (or with ``None`` forget and delete) the one upload waiting for confirmation."""
    previous = _pending(request)
    if previous is not None and previous != pending:
        tabular.upload_discard(previous)
    if pending is None:
        request.session.pop(SESSION_KEY, None)
    else:
        request.session[SESSION_KEY] = {"token": pending.token, "filename": pending.filename}


def _page() -> dict:
    """What the shared import templates (``templates/imports/``) need to know about the BNBA import."""
    return {
        "title": register_import.TITLE,
        "urls": {
            "list": reverse("pmks:register_list"),
            "import": reverse("pmks:register_import"),
            "import_confirm": reverse("pmks:register_import_confirm"),
            "template": reverse("pmks:register_template"),
        },
        "ident_label": _("NIK"),
        "kind_label": _("Kategori"),
        "hints": [
            _("Orang dicocokkan menurut NIK; tanpa NIK menurut nama, tanggal lahir dan kode desa."),
            _(
                "Kategori ditulis dengan singkatan atau nomor katalog aktif, beberapa dipisah titik koma atau koma. "
                "Aturan usia dan jenis kelamin diperiksa pada tanggal teridentifikasi."
            ),
        ],
        "privacy_notice": _(
            "Data pribadi spesifik (UU 27/2022). Setiap impor dicatat dalam log akses dan riwayat perubahan."
        ),
        "active_nav": NAV,
    }


def _render_preview(request: HttpRequest, preview: ImportPreview, form: ConfirmForm) -> HttpResponse:
    context = {**_page(), "preview": preview, "rows": preview.sample(), "form": form}
    return render(request, "imports/preview.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def record_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending, preview = register_import.import_preview(upload=form.cleaned_data["berkas"], user=request.user)
        except ImportFileError as exc:
            form.add_error("berkas", str(exc))
        else:
            _remember(request, pending)
            return _render_preview(request, preview, ConfirmForm(initial={"token": pending.token}))
    return render(request, "imports/upload.html", {**_page(), "form": form})


@login_required
@require_POST
def record_import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    pending, form = _pending(request), ConfirmForm(request.POST)
    if pending is None or not form.is_valid() or form.cleaned_data["token"] != pending.token:
        messages.error(request, _("Pratinjau impor ini sudah tidak berlaku. Unggah berkasnya lagi."))
        return redirect("pmks:register_import")
    try:
        result = register_import.import_confirm(
            pending=pending, user=request.user, only_valid=form.cleaned_data["hanya_valid"]
        )
    except ImportRefused as exc:
        messages.error(request, _("Berkas berisi baris yang ditolak; tidak ada data yang diubah."))
        return _render_preview(request, exc.preview, form)
    except (ImportFileError, IntegrityError) as exc:
        _remember(request, None)
        text = str(exc) if isinstance(exc, ImportFileError) else _("Data berubah saat impor berjalan")
        messages.error(
            request, _("%(reason)s. Tidak ada data yang diubah; unggah berkasnya lagi.") % {"reason": text.rstrip(".")}
        )
        return redirect("pmks:register_import")
    _remember(request, None)
    messages.success(request, _("Impor selesai: %(summary)s") % {"summary": result.summary()})
    return redirect("pmks:register_list")


@login_required
@require_GET
def record_template(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    return tabular.template_attachment(register_import.template_xlsx(user=request.user), register_import.FILE_STEM)


urlpatterns = [
    path("bnba/impor/", record_import, name="register_import"),
    path("bnba/impor/konfirmasi/", record_import_confirm, name="register_import_confirm"),
    path("bnba/templat/", record_template, name="register_template"),
]
