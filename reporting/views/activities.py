"""The activities of a monthly report: add, edit, delete, and the attachment (served only through here)."""

from __future__ import annotations

import mimetypes

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psks_portal import periods, submissions
from psks_portal.models import Wilayah
from reporting import services
from reporting.forms import ActivityForm
from reporting.models import Activity, Report
from reporting.views.common import existing, kecamatan_for, refuse_locked, report_url, started
from reporting.views.reports import render_page


def _editable_report(
    request: HttpRequest, kecamatan: str, period: periods.Period
) -> tuple[Wilayah, periods.Period, Report]:
    kec = kecamatan_for(request, kecamatan, write=True)
    per = started(period)
    report = existing(kec, per)
    if report is None or not report.is_monthly:
        raise Http404
    return kec, per, report


@login_required
@require_POST
def activity_add(request: HttpRequest, kecamatan: str, period: periods.Period) -> HttpResponse:
    kec, per, report = _editable_report(request, kecamatan, period)
    if repeat := submissions.repeated(request):
        return repeat
    if refused := refuse_locked(request, report):
        return refused
    form = ActivityForm(request.POST, request.FILES, report=report)
    if form.is_valid():

        def add() -> str:
            services.activity_save(report=report, activity=form.save(commit=False), by=request.user)
            messages.success(request, _("Kegiatan ditambahkan."))
            return report_url(kec.code, per) + "#kegiatan"

        try:
            return submissions.once(request, add)  # sent twice (double click, retry): added once
        except services.ReportLocked as exc:  # submitted while this form was open
            messages.error(request, str(exc))
            return redirect(report_url(kec.code, per))
    messages.error(request, _("Kegiatan belum disimpan: periksa isian yang ditandai."))
    return render_page(request, kec, per, report, activity_form=form)


@login_required
def activity_edit(request: HttpRequest, kecamatan: str, period: periods.Period, pk: int) -> HttpResponse:
    kec, per, report = _editable_report(request, kecamatan, period)
    activity = get_object_or_404(report.activities, pk=pk)
    if refused := refuse_locked(request, report):
        return refused
    previous_file = activity.attachment.name
    form = ActivityForm(request.POST or None, request.FILES or None, instance=activity, report=report)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.activity_save(report=report, activity=form.save(commit=False), by=request.user)
        except services.ReportLocked as exc:
            messages.error(request, str(exc))
            return redirect(report_url(kec.code, per))
        if previous_file and previous_file != saved.attachment.name:
            saved.attachment.storage.delete(previous_file)
        messages.success(request, _("Kegiatan diperbarui."))
        return redirect(report_url(kec.code, per) + "#kegiatan")
    context = {"form": form, "report": report, "kecamatan": kec, "period": per, "active_nav": "report_list"}
    return render(request, "reporting/activity_form.html", context)


@login_required
@require_POST
def activity_delete(request: HttpRequest, kecamatan: str, period: periods.Period, pk: int) -> HttpResponse:
    kec, per, report = _editable_report(request, kecamatan, period)
    activity = get_object_or_404(report.activities, pk=pk)
    if refused := refuse_locked(request, report):
        return refused
    try:
        services.activity_delete(report=report, activity=activity, by=request.user)
    except services.ReportLocked as exc:
        messages.error(request, str(exc))
        return redirect(report_url(kec.code, per))
    messages.success(request, _("Kegiatan dihapus."))
    return redirect(report_url(kec.code, per) + "#kegiatan")


@login_required
def activity_attachment(request: HttpRequest, kecamatan: str, period: periods.Period, pk: int) -> FileResponse:
    """Attachments are served only here, to users whose scope holds the report (never from a public media URL)."""
    kec = kecamatan_for(request, kecamatan)
    activity = get_object_or_404(Activity, pk=pk, report__kecamatan=kec, report__period=started(period).id)
    if not activity.attachment:
        raise Http404
    extension = activity.attachment.name.rsplit(".", 1)[-1].lower()
    try:
        handle = activity.attachment.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        filename=f"lampiran-{kec.code}-{period.id}-{activity.pk}.{extension}",
        content_type=mimetypes.types_map.get(f".{extension}", "application/octet-stream"),
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"
    return response


urlpatterns = [
    path("<kecamatan_code:kecamatan>/<period:period>/kegiatan/", activity_add, name="activity_add"),
    path("<kecamatan_code:kecamatan>/<period:period>/kegiatan/<int:pk>/", activity_edit, name="activity_edit"),
    path(
        "<kecamatan_code:kecamatan>/<period:period>/kegiatan/<int:pk>/hapus/",
        activity_delete,
        name="activity_delete",
    ),
    path(
        "<kecamatan_code:kecamatan>/<period:period>/kegiatan/<int:pk>/lampiran/",
        activity_attachment,
        name="activity_attachment",
    ),
]
