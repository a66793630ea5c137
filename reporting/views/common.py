"""What the report screens share: the state badges, lateness in words, the report's address and the access to a
kecamatan's report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import can_change, get_object_for_user
from reporting import services
from reporting.models import Report, State

STATE_BADGE = {
    State.DRAFT: "text-bg-secondary",
    State.SUBMITTED: "text-bg-primary",
    State.REVISION: "text-bg-warning",
    State.VERIFIED: "text-bg-info",
    State.ACCEPTED: "text-bg-success",
    State.NOT_REPORTING: "text-bg-dark",
}


# -- small shared helpers (also used by the completeness and roll-up screens) -----------------------------------


@dataclass(frozen=True)
class Timeliness:
    text: str
    css: str


def timeliness(report: Report, today: date) -> Timeliness:
    """On time, late by N days (from the first submission), or not yet handed in and how far past the deadline."""
    if report.state == State.NOT_REPORTING:
        return Timeliness(_("Tidak melapor"), "text-muted")
    if report.days_late is not None:
        if report.days_late == 0:
            return Timeliness(_("Tepat waktu"), "text-success")
        return Timeliness(_("Terlambat %(n)s hari") % {"n": report.days_late}, "text-danger")
    overdue = (today - report.due_date).days
    if overdue > 0:
        return Timeliness(_("Belum dikirim, lewat %(n)s hari") % {"n": overdue}, "text-danger fw-semibold")
    return Timeliness(_("Belum dikirim"), "text-muted")


def started(period: periods.Period) -> periods.Period:
    """A period from the address (the converter refused nonsense); 404 for one that has not started yet."""
    if period.start > timezone.localdate():
        raise Http404
    return period


def report_url(kecamatan_code: str, period: periods.Period | str) -> str:
    return reverse("reporting:report_detail", args=[kecamatan_code, str(period)])


# -- access ---------------------------------------------------------------------------------------------------------


def kecamatan_for(request: HttpRequest, code: str, *, write: bool = False) -> Wilayah:
    """The kecamatan if in the user's scope (404 otherwise); 403 for a write by a read-only user."""
    kecamatan = get_object_for_user(
        Wilayah.objects.filter(level=Wilayah.KECAMATAN).select_related("parent"), request.user, write=write, code=code
    )
    if write and not can_change(request.user, kecamatan):
        raise PermissionDenied
    return kecamatan


def existing(kecamatan: Wilayah, period: periods.Period) -> Report | None:
    return Report.objects.filter(kecamatan=kecamatan, period=period.id).first()


def month_asked(request: HttpRequest) -> periods.Period:
    """The month a page was asked for (``?periode=2026M03``), else the last month that has ended — the one being
    reported now; 404 for anything that is not a month."""
    text = request.GET.get("periode")
    if not text:
        return periods.last_closed(periods.MONTH, timezone.localdate())
    try:
        month = periods.parse(text)
    except periods.PeriodError:
        raise Http404 from None
    if month.kind != periods.MONTH:
        raise Http404
    return month


def refuse_locked(request: HttpRequest, report: Report) -> HttpResponse | None:
    """A message and the way back when the report may not be changed now; ``None`` when it may."""
    if report.is_editable:
        return None
    messages.error(request, services.locked_message())
    return redirect(report_url(report.kecamatan_id, report.period))
