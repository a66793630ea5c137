"""Completeness of the reports of a period in a wilayah — the kabupaten operator's to-do list and the provinsi's
monitoring screen — with the operator's "not reporting" mark and the Admin Provinsi's acceptance per kabupaten."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import can_change, get_object_for_user, user_scope
from reporting import selectors, services
from reporting.forms import AcceptKabupatenForm, CompletenessFilterForm, NotReportingForm
from reporting.models import State
from reporting.views.common import STATE_BADGE, report_url
from reporting.workflow import TransitionRefused

MISSING_LIMIT = 500


class DueDates(dict):
    """Deadline of the period per provinsi code, looked up once per provinsi (``services.deadline_days``)."""

    def __init__(self, period: periods.Period):
        super().__init__()
        self.period = period

    def __missing__(self, provinsi_code: str):
        self[provinsi_code] = self.period.due_date(services.deadline_days(provinsi_code, self.period.kind))
        return self[provinsi_code]


def filter_wilayah(request: HttpRequest) -> Wilayah | None:
    """The wilayah picked in the filter (default: the user's own); 404 for one outside the scope."""
    scope = user_scope(request.user)
    if not (scope.everything or scope.wilayah):
        raise PermissionDenied
    code = request.GET.get("wilayah", "")
    if code:
        return get_object_for_user(Wilayah.objects.all(), request.user, code=code)
    return scope.wilayah


def filter_data(request: HttpRequest, **defaults) -> dict:
    """The query with defaults filled in, so the form shows what the page shows: by default the last closed month
    (what TKSK are reporting on now)."""
    data = request.GET.copy()
    data.setdefault("periode", periods.last_closed(periods.MONTH, timezone.localdate()).id)
    for name, value in defaults.items():
        data.setdefault(name, value)
    return data


def filter_period(form) -> periods.Period:
    """The picked period; a period id that does not parse falls back to the last closed month."""
    if form.is_valid() and form.cleaned_data.get("periode"):
        return form.cleaned_data["periode"]
    return periods.last_closed(periods.MONTH, timezone.localdate())


@login_required
def completeness(request: HttpRequest) -> HttpResponse:
    form = CompletenessFilterForm(filter_data(request), user=request.user)
    wilayah = filter_wilayah(request)
    today = timezone.localdate()
    period = filter_period(form)
    rows, total = selectors.completeness(wilayah=wilayah, period=period)
    due = DueDates(period)
    missing = selectors.missing_reports(wilayah=wilayah, period=period, today=today, due=due, limit=MISSING_LIMIT + 1)
    user = request.user
    may_accept = roles.is_admin_provinsi(user) and not user_scope(user).read_only
    context = {
        "filter_form": form,
        "wilayah": wilayah,
        "period": period,
        "rows": [_row(r, period, may_accept) for r in rows],
        "total": total,
        "total_pct": _percentages(total),
        "total_accept": _acceptance(total, period, may_accept) if wilayah and wilayah.level == 2 else None,
        "missing": [
            (m, STATE_BADGE.get(m.state), State(m.state).label if m.state else "") for m in missing[:MISSING_LIMIT]
        ],
        "missing_more": len(missing) > MISSING_LIMIT,
        "may_mark": roles.is_operator(user) and can_change(user, wilayah),
        "due": due[wilayah.provinsi_id] if wilayah else None,
        "markable": {None, State.DRAFT},
        "active_nav": "completeness",
    }
    return render(request, "reporting/completeness.html", context)


def _row(row: selectors.CompletenessRow, period: periods.Period, may_accept: bool) -> dict:
    child = row.wilayah
    if child.level == Wilayah.KECAMATAN:
        link = report_url(child.code, period)
    else:
        link = f"?{urlencode({'wilayah': child.code, 'periode': period.id})}"
    return {
        "row": row,
        "pct": _percentages(row),
        "link": link,
        "accept": _acceptance(row, period, may_accept) if child.level == Wilayah.KABUPATEN else None,
    }


def _percentages(row: selectors.CompletenessRow) -> dict:
    """Shares of all kecamatan, except "on time", which is a share of those submitted."""
    return {
        "submitted": row.share(row.submitted),
        "on_time": row.share(row.on_time, row.submitted),
        "verified": row.share(row.verified),
        "accepted": row.share(row.accepted),
    }


def _acceptance(row: selectors.CompletenessRow, period: periods.Period, may_accept: bool) -> dict:
    """Whether a kabupaten's period can be accepted: every kecamatan verified (or accepted) or not reporting."""
    pending = row.kecamatan - row.verified - row.not_reporting
    done = row.accepted + row.not_reporting == row.kecamatan
    return {
        "kabupaten": row.wilayah,
        "pending": pending,
        "done": done,
        "ready": pending == 0 and not done,
        "button": may_accept and not done,
        "period": period,
    }


def _started(period: periods.Period) -> periods.Period:
    if period.start > timezone.localdate():
        raise Http404
    return period


def _back(kind_wilayah: str, period: periods.Period) -> HttpResponse:
    return redirect(f"{reverse('reporting:completeness')}?{urlencode({'wilayah': kind_wilayah, 'periode': period.id})}")


@login_required
@require_POST
def accept_kabupaten(request: HttpRequest) -> HttpResponse:
    """The Admin Provinsi accepts every verified report of a kabupaten for a period, all at once."""
    form = AcceptKabupatenForm(request.POST)
    if not form.is_valid():
        raise Http404
    kabupaten = get_object_for_user(
        Wilayah.objects.filter(level=Wilayah.KABUPATEN), request.user, write=True, code=form.cleaned_data["kabupaten"]
    )
    if not (roles.is_admin_provinsi(request.user) and can_change(request.user, kabupaten)):
        raise PermissionDenied
    period = _started(form.cleaned_data["periode"])
    try:
        accepted = services.accept_kabupaten(kabupaten=kabupaten, period=period, by=request.user)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(n)s laporan %(kab)s untuk %(period)s diterima.")
            % {"n": accepted, "kab": kabupaten.label, "period": period.label},
        )
    return _back(kabupaten.code, period)


@login_required
@require_POST
def not_reporting(request: HttpRequest) -> HttpResponse:
    """The kabupaten/kota operator records that a kecamatan will not report for a period, with the reason."""
    form = NotReportingForm(request.POST)
    if not form.is_valid() and ("kecamatan" in form.errors or "periode" in form.errors):
        raise Http404
    kecamatan = get_object_for_user(
        Wilayah.objects.filter(level=Wilayah.KECAMATAN), request.user, write=True, code=request.POST["kecamatan"]
    )
    if not (roles.is_operator(request.user) and can_change(request.user, kecamatan)):
        raise PermissionDenied
    period = _started(form.cleaned_data["periode"])
    if "reason" in form.errors:
        messages.error(request, form.errors["reason"][0])
        return _back(kecamatan.parent_id, period)
    try:
        with transaction.atomic():
            services.mark_not_reporting(
                kecamatan=kecamatan, period=period, by=request.user, reason=form.cleaned_data["reason"]
            )
    except TransitionRefused as exc:
        messages.error(request, f"{kecamatan.label}: {exc}")
    else:
        messages.success(
            request,
            _("%(kec)s ditandai tidak melapor untuk %(period)s.") % {"kec": kecamatan.label, "period": period.label},
        )
    return _back(kecamatan.parent_id, period)


urlpatterns = [
    path("kelengkapan/", completeness, name="completeness"),
    path("kelengkapan/terima/", accept_kabupaten, name="accept_kabupaten"),
    path("kelengkapan/tidak-melapor/", not_reporting, name="not_reporting"),
]
