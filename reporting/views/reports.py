"""TKSK reports: the list, the report page (figures, PSKS, activities, narrative, history) and its workflow
actions (activities and their attachments: ``reporting.views.activities``). Writes go through
``reporting.services``; figures come from ``pmks.selectors`` (the grid) and the reporting selectors.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from pmks import selectors as pmks_selectors
from pmks.models import FigureSource
from pmks.selectors import active_catalogue
from psks_portal import periods, roles
from psks_portal.models import Wilayah
from psks_portal.scope import can_change, user_scope
from registry.models import Kind
from registry.selectors import active_tksk_names, psks_present
from reporting import selectors, services, workflow
from reporting.forms import (
    ActivityForm,
    EvaluationForm,
    MonthlyReportForm,
    PeriodReportForm,
    ReportFilterForm,
    TransitionForm,
)
from reporting.models import SUBMITTED_STATES, ActivityKind, PsksCount, Report, State
from reporting.views.common import (
    STATE_BADGE,
    existing,
    kecamatan_for,
    refuse_locked,
    report_url,
    started,
    timeliness,
)
from reporting.workflow import Action, TransitionRefused

PAGE_SIZE = 50
ACTION_DONE = {
    Action.SUBMIT: gettext_lazy("Laporan dikirim ke Dinas Sosial kabupaten/kota."),
    Action.RETURN: gettext_lazy("Laporan dikembalikan kepada TKSK untuk revisi."),
    Action.VERIFY: gettext_lazy("Laporan diverifikasi."),
    Action.REOPEN: gettext_lazy("Laporan dibuka kembali."),
    Action.NOT_REPORTING: gettext_lazy("Kecamatan ditandai tidak melapor untuk periode ini."),
}
ACTION_STYLE = {
    Action.SUBMIT: "btn-portal",
    Action.VERIFY: "btn-success",
    Action.RETURN: "btn-outline-danger",
    Action.REOPEN: "btn-outline-warning",
    Action.NOT_REPORTING: "btn-outline-dark",
}


def _unsaved(kecamatan: Wilayah, period: periods.Period) -> Report:
    """What a report nobody has opened yet looks like (shown to readers; nothing is written)."""
    return Report(
        kecamatan=kecamatan,
        period=period.id,
        period_kind=period.kind,
        start=period.start,
        end=period.end,
        due_date=services.due_date(kecamatan, period),
    )


def _opens_draft(user, kecamatan: Wilayah) -> bool:
    """The TKSK of the kecamatan starts its draft just by opening the page."""
    return roles.is_tksk_of(user, kecamatan.code) and can_change(user, kecamatan)


# -- the list -----------------------------------------------------------------------------------------------------


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    scope = user_scope(request.user)
    if not (scope.everything or scope.wilayah):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, user=request.user)
    if form.is_bound and "wilayah" in form.errors:
        raise Http404
    filters = form.cleaned_data if form.is_valid() else {}
    reports = Report.objects.for_user(request.user).select_related("kecamatan__parent", "updated_by")
    if filters.get("wilayah"):
        reports = reports.in_wilayah(filters["wilayah"])
    if filters.get("jenis"):
        reports = reports.filter(period_kind=filters["jenis"])
    if filters.get("periode"):
        reports = reports.of_period(filters["periode"])
    if filters.get("status"):
        reports = reports.filter(state=filters["status"])
    page = Paginator(reports.order_by("-start", "period_kind", "kecamatan_id"), PAGE_SIZE).get_page(
        request.GET.get("halaman")
    )
    today = timezone.localdate()
    query = request.GET.copy()
    query.pop("halaman", None)
    context = {
        "filter_form": form,
        "page": page,
        "rows": [(r, timeliness(r, today), STATE_BADGE.get(r.state)) for r in page.object_list],
        "query": query.urlencode(),
        "shortcuts": _shortcuts(request.user, today),
        "is_tksk": roles.is_tksk(request.user),
        "active_nav": "report_list",
    }
    return render(request, "reporting/report_list.html", context)


def _shortcuts(user, today: date) -> list[tuple[str, str]]:
    """For a TKSK: buttons to this month's and last month's report and the last closed triwulan/semester/year."""
    if not roles.is_tksk(user) or not user.wilayah_id:
        return []
    this_month = periods.current(periods.MONTH, today)
    targets = [
        (_("Laporan bulan ini (%(p)s)") % {"p": this_month.label}, this_month),
        (_("Laporan bulan lalu (%(p)s)") % {"p": this_month.previous().label}, this_month.previous()),
    ]
    for kind in (periods.QUARTER, periods.SEMESTER, periods.YEAR):
        period = periods.last_closed(kind, today)
        targets.append((period.label, period))
    return [(label, report_url(user.wilayah_id, period)) for label, period in targets]


# -- the report page ----------------------------------------------------------------------------------------------


@login_required
def report_detail(request: HttpRequest, kecamatan: str, period: periods.Period) -> HttpResponse:
    kec = kecamatan_for(request, kecamatan, write=request.method == "POST")
    per = started(period)
    report = existing(kec, per)
    if report is None and (_opens_draft(request.user, kec) or request.POST.get("buka")):
        report = services.report_open(kecamatan=kec, period=per)
        if request.method == "POST":
            messages.success(request, _("Draf laporan dibuat."))
            return redirect(report_url(kec.code, per))
    if request.method != "POST":
        return render_page(request, kec, per, report or _unsaved(kec, per))
    if report is None:
        raise Http404
    if refused := refuse_locked(request, report):
        return refused
    form_class = MonthlyReportForm if report.is_monthly else PeriodReportForm
    form = form_class(request.POST, instance=report)
    if form.is_valid():
        try:
            services.report_update(
                report=report, version=form.cleaned_data["version"], values=form.values(), by=request.user
            )
        except services.ReportLocked as exc:
            messages.error(request, str(exc))
            return redirect(report_url(kec.code, per))
        except services.EditConflict as exc:
            return _conflict(request, kec, per, form, str(exc))
        messages.success(request, _("Isian laporan disimpan."))
        return redirect(report_url(kec.code, per) + "#narasi")
    return render_page(request, kec, per, report, form=form)


def _conflict(request, kec: Wilayah, per: periods.Period, form, message: str) -> HttpResponse:
    """Keep the user's input, say what is stored now, and let the next save apply on top of the newest version."""
    current = Report.objects.get(pk=form.instance.pk)
    form.add_error(None, message)
    form.data = form.data.copy()
    form.data["version"] = str(current.version)
    stored = [
        (form[name].label, getattr(current, name))
        for name in form._meta.fields
        if str(getattr(current, name) or "") != str(form.cleaned_data.get(name) or "")
    ]
    response = render_page(request, kec, per, current, form=form, stored=stored)
    response.status_code = 409
    return response


@login_required
@require_POST
def report_evaluation(request: HttpRequest, kecamatan: str, period: periods.Period) -> HttpResponse:
    """The kabupaten/kota operator fills the year-end evaluation of a submitted annual report."""
    kec = kecamatan_for(request, kecamatan, write=True)
    per = started(period)
    if not roles.is_operator(request.user):
        raise PermissionDenied
    report = existing(kec, per)
    if report is None or not report.is_annual:
        raise Http404
    if report.state != State.SUBMITTED:
        messages.error(request, _("Evaluasi diisi pada laporan tahunan yang berstatus “Dikirim”."))
        return redirect(report_url(kec.code, per))
    form = EvaluationForm(request.POST, instance=report)
    if form.is_valid():
        try:
            services.report_update(
                report=report, version=form.cleaned_data["version"], values=form.values(), by=request.user
            )
        except (services.EditConflict, services.ReportLocked) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Evaluasi akhir tahun disimpan."))
            return redirect(report_url(kec.code, per) + "#evaluasi")
    return render_page(request, kec, per, report, evaluation_form=form)


@login_required
@require_POST
def report_transition(request: HttpRequest, kecamatan: str, period: periods.Period) -> HttpResponse:
    """Submit, return, verify, reopen or mark as not reporting (per ``workflow``); refusals become messages."""
    kec = kecamatan_for(request, kecamatan, write=True)
    per = started(period)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    if not workflow.role_ever_may(request.user, action):
        raise PermissionDenied
    if action == Action.ACCEPT:
        messages.error(request, _("Laporan diterima per kabupaten/kota sekaligus, dari layar Kelengkapan laporan."))
        return redirect(report_url(kec.code, per))
    report = existing(kec, per)
    if report is None and action != Action.NOT_REPORTING:
        raise Http404
    try:
        with transaction.atomic():
            if report is None:
                services.mark_not_reporting(kecamatan=kec, period=per, by=request.user, reason=comment)
            else:
                services.transition(report=report, action=action, by=request.user, comment=comment)
    except TransitionRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, ACTION_DONE[action])
    return redirect(report_url(kec.code, per))


# -- activities ---------------------------------------------------------------------------------------------------


# -- page context -------------------------------------------------------------------------------------------------


def render_page(request: HttpRequest, kec: Wilayah, per: periods.Period, report: Report, **forms) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    writer = can_change(user, kec)
    saved = report.pk is not None
    editable = saved and writer and report.is_editable
    suppress = roles.suppresses_small_cells(user)
    context = {
        "report": report,
        "kecamatan": kec,
        "period": per,
        "saved": saved,
        "editable": editable,
        "writer": writer,
        "today": today,
        "timeliness": timeliness(report, today),
        "badge": STATE_BADGE.get(report.state),
        "tksk_name": report.tksk_name or active_tksk_names([kec.code]).get(kec.code, ""),
        "actions": _actions(user, report, kec),
        "accept_hint": writer and report.state == State.VERIFIED and roles.is_admin_provinsi(user),
        "history": report.transitions.select_related("by") if saved else [],
        "can_open": not saved and writer,
        "stored": forms.get("stored"),
        "suppressed": suppress,
        "active_nav": "report_list",
    }
    if editable:
        form_class = MonthlyReportForm if report.is_monthly else PeriodReportForm
        context["form"] = forms.get("form") or form_class(instance=report)
    if report.is_monthly:
        context.update(_monthly_sections(report, kec, per, user=user))
        if editable:
            context["activity_form"] = forms.get("activity_form") or ActivityForm(report=report)
    else:
        context.update(_period_sections(report, kec, per, user=user))
    if report.is_annual and saved and report.state == State.SUBMITTED and writer and roles.is_operator(user):
        context["evaluation_form"] = forms.get("evaluation_form") or EvaluationForm(instance=report)
    return render(request, "reporting/report_detail.html", context)


def _actions(user, report: Report, kec: Wilayah) -> list[dict]:
    """The workflow buttons this user may press here (acceptance happens per kabupaten, on the completeness page)."""
    if not can_change(user, kec):
        return []
    return [
        {
            "action": action,
            "label": workflow.ACTION_LABELS[action],
            "needs_comment": workflow.TRANSITIONS[(report.state, action)].needs_comment,
            "style": ACTION_STYLE.get(action, "btn-outline-secondary"),
        }
        for action in workflow.actions_for(report.state, user)
        if action != Action.ACCEPT and (report.pk is not None or action == Action.NOT_REPORTING)
    ]


@dataclass
class FigureTable:
    """Desa rows × column keys with totals, as the report page shows PMKS and PSKS figures."""

    columns: list
    rows: list
    column_totals: list
    grand_total: str
    empty: bool


def _figure_table(desa: list[Wilayah], columns: list, cells: dict, suppress: bool, marked=None) -> FigureTable:
    """``cells`` maps (desa code, column pk) to a count. The table is published (and, with ``suppress``, protected)
    whole — every desa and every column — as the PMKS table page publishes it; only the columns holding some figure
    are printed (compact). ``marked(desa, pk)`` puts a "B" (derived from the register) beside a shown figure."""
    table = selectors.publish(
        rows=[d.code for d in desa], columns=[c.pk for c in columns], cells=cells, suppress=suppress
    )
    used = [c for c in columns if c.pk in table.column_totals]
    rows = [
        (
            d,
            [
                (
                    table.shown(d.code, c.pk),
                    bool(marked and not table.is_hidden(d.code, c.pk) and marked(d.code, c.pk)),
                )
                for c in used
            ],
            table.shown(d.code, None),
        )
        for d in desa
    ]
    return FigureTable(used, rows, [table.shown(None, c.pk) for c in used], table.shown(None, None), not used)


def _categories() -> list:
    catalogue = active_catalogue()
    return list(catalogue.categories.order_by("number")) if catalogue else []


def _monthly_sections(report: Report, kec: Wilayah, per: periods.Period, *, user) -> dict:
    suppress = roles.suppresses_small_cells(user)
    grid = pmks_selectors.grid_load(kecamatan=kec, period=per, categories=_categories())
    # Readers see the figures a report publishes (an accepted report, for a read-only viewer): the same figures, and
    # the same hidden ones, as the PMKS table of the kecamatan for this month.
    basis = selectors.handed_in_states(selectors.published_basis(user, accepted_only=False))
    published = not suppress or report.state in basis
    cells = {key: cell.total for key, cell in grid.cells.items() if cell.total is not None} if published else {}
    pmks = _figure_table(
        grid.desa,
        grid.categories,
        cells,
        suppress,
        lambda d, c: grid.cell(d, c).source == FigureSource.REGISTER,
    )
    frozen = report.pk is not None and report.state in SUBMITTED_STATES
    if frozen:
        counts = PsksCount.objects.filter(report=report).values_list("desa_id", "kind_id", "count")
    else:
        counts = psks_present(kec.code, per.end)
    psks_values = {(d, k): n for d, k, n in counts}
    kinds = list(Kind.objects.filter(pk__in={k for _d, k in psks_values}).order_by("sort_order", "name"))
    activities = list(report.activities.select_related("desa")) if report.pk else []
    return {
        "grid": grid,
        "pmks": pmks,
        "pmks_unpublished": not published,
        "has_bnba": any(marked for _d, cells, _t in pmks.rows for _v, marked in cells),
        "psks": _figure_table(grid.desa, kinds, psks_values, suppress=False),
        "psks_frozen": frozen,
        "activities": activities,
        "participants": (
            sum(a.participants_male for a in activities),
            sum(a.participants_female for a in activities),
        ),
    }


def _period_sections(report: Report, kec: Wilayah, per: periods.Period, *, user) -> dict:
    """A triwulan, semester or year: figures compiled from the handed-in monthly reports of the period."""
    suppress = roles.suppresses_small_cells(user)
    accepted_only = selectors.published_basis(user, accepted_only=False)
    desa = list(Wilayah.objects.filter(parent=kec).order_by("code"))
    pmks = selectors.pmks_rollup(wilayah=kec, period=per, categories=_categories(), accepted_only=accepted_only)
    psks = selectors.psks_rollup(wilayah=kec, period=per, accepted_only=accepted_only)
    activities = selectors.activity_rollup(wilayah=kec, period=per, accepted_only=accepted_only)
    source = list(
        selectors.last_handed_in_months(per, accepted_only=accepted_only)
        .filter(kecamatan=kec)
        .values_list("period", flat=True)
    )
    monthly = {r.period: r for r in Report.objects.filter(kecamatan=kec).monthly_in(per)}
    labels = dict(ActivityKind.choices)
    activity_rows = [
        (labels[kind], figure.total, figure.male or 0, figure.female or 0)
        for kind in activities.keys
        if (figure := activities.cell(kec.code, kind)) is not None
    ]
    return {
        "pmks": _figure_table(desa, pmks.keys, _totals(pmks), suppress),
        "psks": _figure_table(desa, psks.keys, _totals(psks), suppress=False),
        "stock_month": periods.parse(source[0]).label if source else None,
        "activity_rows": activity_rows,
        "activity_total": activities.grand_total,
        "months": [(m, monthly.get(m.id)) for m in per.months()],
    }


def _totals(rollup: selectors.Rollup) -> dict:
    return {key: figure.total for key, figure in rollup.cells.items()}


urlpatterns = [
    path("", report_list, name="report_list"),
    path("<kecamatan_code:kecamatan>/<period:period>/", report_detail, name="report_detail"),
    path("<kecamatan_code:kecamatan>/<period:period>/status/", report_transition, name="report_transition"),
    path("<kecamatan_code:kecamatan>/<period:period>/evaluasi/", report_evaluation, name="report_evaluation"),
]
