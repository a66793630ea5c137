"""The "Unduhan" page: the user's own recap exports with their status and progress, the download of a finished file
(through this view only, for its owner only), and the POST that queues a new export for a wilayah in scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import get_object_for_user, user_scope
from reporting import tasks
from reporting.models import Export, ExportStatus

PAGE_SIZE = 25
MAX_PENDING = 5  # queued or running exports per user: a double click must not fill the queue

_BADGES = {
    ExportStatus.QUEUED: "text-bg-secondary",
    ExportStatus.RUNNING: "text-bg-info",
    ExportStatus.DONE: "text-bg-success",
    ExportStatus.FAILED: "text-bg-danger",
    ExportStatus.EXPIRED: "text-bg-light border",
}


class ExportRequestForm(forms.Form):
    recap = forms.ChoiceField(label=gettext_lazy("Rekap"), choices=tasks.recap_choices)
    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=list(tasks.FORMATS.items()))
    wilayah = forms.CharField(label=gettext_lazy("Wilayah"), required=False, max_length=13)
    period = forms.CharField(label=gettext_lazy("Periode"), max_length=7)
    accepted_only = forms.BooleanField(label=gettext_lazy("Hanya laporan yang diterima provinsi"), required=False)
    delimiter = forms.ChoiceField(label=gettext_lazy("Pemisah CSV"), choices=[(",", ","), (";", ";")], required=False)

    def clean_period(self) -> periods.Period:
        try:
            return periods.parse(self.cleaned_data["period"])
        except periods.PeriodError:
            raise forms.ValidationError(_("Periode tidak dikenal (contoh: 2026M03, 2026Q1, 2026S1, 2026).")) from None

    def options(self) -> dict:
        data = self.cleaned_data
        options = {"accepted_only": data["accepted_only"]}
        if data["format"] == "csv":
            options["delimiter"] = data["delimiter"] or ","
        return options


@dataclass
class ExportRow:
    """An export as the page shows it: a finished file past its expiry is shown expired before the sweep runs."""

    export: Export
    now: datetime

    @property
    def expires_at(self) -> datetime | None:
        """When the file stops being offered (a file made at once may carry no expiry: then from when it was made)."""
        e = self.export
        if e.expires_at or e.finished_at is None:
            return e.expires_at
        return e.finished_at + timedelta(hours=settings.EXPORT_FILE_TTL_HOURS)

    @property
    def status(self) -> str:
        e = self.export
        if e.status == ExportStatus.DONE and self.expires_at and self.expires_at <= self.now:
            return ExportStatus.EXPIRED
        return e.status

    @property
    def status_label(self) -> str:
        return ExportStatus(self.status).label

    @property
    def badge(self) -> str:
        return _BADGES[self.status]

    @property
    def pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def available(self) -> bool:
        return self.status == ExportStatus.DONE and bool(self.export.file)

    @property
    def recap_label(self) -> str:
        return tasks.recap_label(self.export.recap)

    @property
    def format_label(self) -> str:
        return tasks.FORMATS.get(self.export.format, self.export.format.upper())

    @property
    def wilayah_label(self) -> str:
        return self.export.wilayah.label if self.export.wilayah else _("Nasional")

    @property
    def period_label(self) -> str:
        try:
            return periods.parse(self.export.period).label
        except periods.PeriodError:
            return self.export.period


def _own_export(user, pk: int) -> Export:
    """The user's own export, else 404: nobody learns whether another user's export exists."""
    export = Export.objects.for_owner(user).select_related("wilayah").filter(pk=pk).first()
    if export is None:
        raise Http404
    return export


@login_required
@require_GET
def downloads(request: HttpRequest) -> HttpResponse:
    exports = Export.objects.for_owner(request.user).select_related("wilayah")
    page = Paginator(exports, PAGE_SIZE).get_page(request.GET.get("halaman"))
    now = timezone.now()
    rows = [ExportRow(e, now) for e in page.object_list]
    context = {"page": page, "rows": rows, "export_ttl_hours": settings.EXPORT_FILE_TTL_HOURS}
    return render(request, "reporting/downloads.html", {**context, "active_nav": "downloads"})


@login_required
@require_GET
def download_status(request: HttpRequest, pk: int) -> HttpResponse:
    """One row of the page, polled by htmx while the export is queued or running."""
    row = ExportRow(_own_export(request.user, pk), timezone.now())
    return render(request, "reporting/downloads_row.html", {"row": row})


@login_required
@require_GET
def download_file(request: HttpRequest, pk: int) -> FileResponse:
    row = ExportRow(_own_export(request.user, pk), timezone.now())
    if not row.available:
        raise Http404
    try:
        handle = row.export.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=row.export.filename or row.export.file.name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def export_create(request: HttpRequest) -> HttpResponse:
    """Queue a recap export. A wilayah outside the user's scope answers 404 and records nothing."""
    form = ExportRequestForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(str(e) for field_errors in form.errors.values() for e in field_errors)
        messages.error(request, _("Permintaan rekap tidak dapat diproses: %(errors)s") % {"errors": errors})
        return redirect("reporting:downloads")
    wilayah = _wilayah_in_scope(request.user, form.cleaned_data["wilayah"])
    pending = [ExportStatus.QUEUED, ExportStatus.RUNNING]
    if Export.objects.filter(user=request.user, status__in=pending).count() >= MAX_PENDING:
        messages.warning(request, _("Masih ada %(n)s rekap dalam proses. Tunggu hingga selesai.") % {"n": MAX_PENDING})
        return redirect("reporting:downloads")
    data = form.cleaned_data
    export = tasks.export_request(
        user=request.user,
        recap=data["recap"],
        format=data["format"],
        wilayah=wilayah,
        period=data["period"],
        options=form.options(),
    )
    _announce(request, export)
    return redirect(reverse("reporting:downloads"))


def _wilayah_in_scope(user, code: str) -> Wilayah | None:
    if code:
        return get_object_for_user(Wilayah.objects.all(), user, code=code)
    if not user_scope(user).everything:
        raise Http404
    return None


def _announce(request: HttpRequest, export: Export) -> None:
    row = ExportRow(export, timezone.now())
    subject = f"{row.recap_label} {row.wilayah_label} {row.period_label} ({row.format_label})"
    if export.status == ExportStatus.DONE:
        messages.success(request, _("%(subject)s siap diunduh.") % {"subject": subject})
    elif export.status == ExportStatus.FAILED:
        reason = export.error
        messages.error(request, _("%(subject)s gagal dibuat: %(reason)s") % {"subject": subject, "reason": reason})
    else:
        messages.info(
            request, _("%(subject)s sedang disiapkan; halaman ini diperbarui sendiri.") % {"subject": subject}
        )


urlpatterns = [
    path("unduhan/", downloads, name="downloads"),
    path("unduhan/minta/", export_create, name="export_create"),
    path("unduhan/<int:pk>/status/", download_status, name="download_status"),
    path("unduhan/<int:pk>/berkas/", download_file, name="download_file"),
]
