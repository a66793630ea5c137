"""Writes of the reporting app: open a report, save its content with a version check, move it through the
workflow (one function, ``transition``), accept a kabupaten's period, and freeze the PSKS counts at submission."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import can_change, user_scope
from registry.selectors import active_tksk_names, psks_present
from reporting import workflow
from reporting.models import EDITABLE_STATES, Activity, Deadline, PsksCount, Report, State, Transition
from reporting.workflow import Action, TransitionRefused


def locked_message() -> str:
    return _("Laporan sudah dikirim dan hanya dapat dibaca. Minta pembukaan kembali bila perlu diubah.")


class EditConflict(Exception):
    """Someone else saved the report since this user opened it."""


class ReportLocked(Exception):
    """The report is handed in (or accepted) and its content is read-only until it is reopened."""


def deadline_days(provinsi_code: str | None, kind: str) -> int:
    """Days after the period's end the report is due: the provinsi's own setting, else the national one."""
    rows = dict(
        Deadline.objects.filter(period_kind=kind)
        .filter(Q(provinsi__isnull=True) | Q(provinsi_id=provinsi_code))
        .values_list("provinsi_id", "days_after_end")
    )
    if provinsi_code in rows:
        return rows[provinsi_code]
    if None in rows:
        return rows[None]
    return settings.REPORTING_DEADLINE_DAYS[kind]


def due_date(kecamatan: Wilayah, period: periods.Period) -> date:
    return period.due_date(deadline_days(kecamatan.provinsi_id, period.kind))


@transaction.atomic
def deadlines_apply(*, kind: str) -> int:
    """After a deadline of ``kind`` changed: move the due date of every report not yet submitted to what the deadlines
    say now (a provinsi's own, else the national one). Drafts only: a report once sent keeps the deadline it was judged
    by.
    Returns how many reports changed."""
    waiting = Report.objects.filter(period_kind=kind, state=State.DRAFT, first_submitted_at__isnull=True)
    changed = 0
    for provinsi, period_id in (
        waiting.values_list("kecamatan__provinsi", "period").distinct().order_by("kecamatan__provinsi", "period")
    ):
        due = periods.Period.parse(period_id).due_date(deadline_days(provinsi, kind))
        changed += (
            waiting.filter(kecamatan__provinsi=provinsi, period=period_id).exclude(due_date=due).update(due_date=due)
        )
    return changed


def report_open(*, kecamatan: Wilayah, period: periods.Period) -> Report:
    """The report of a kecamatan for a period, created as a draft the first time anyone opens it."""
    if kecamatan.level != Wilayah.KECAMATAN:
        raise ValueError("Laporan TKSK dibuat per kecamatan.")
    report, _created = Report.objects.get_or_create(
        kecamatan=kecamatan,
        period=period.id,
        defaults={
            "period_kind": period.kind,
            "start": period.start,
            "end": period.end,
            "due_date": due_date(kecamatan, period),
        },
    )
    return report


@transaction.atomic
def report_update(*, report: Report, version: int, values: dict, by) -> Report:
    """Save the report's narrative fields if nobody saved since ``version`` was read, else ``EditConflict``."""
    if not can_change(by, report.kecamatan):
        raise PermissionDenied
    current = Report.objects.select_for_update().get(pk=report.pk)
    if not current.is_editable and not _is_evaluation_only(current, values, by):
        raise ReportLocked(locked_message())
    if current.version != version:
        raise EditConflict(
            _(
                "Laporan ini sudah diubah oleh %(user)s sejak Anda membukanya. Isian Anda belum disimpan: "
                "periksa versi terbaru, lalu terapkan lagi perubahan Anda."
            )
            % {"user": current.updated_by or "-"}
        )
    for field, value in values.items():
        setattr(current, field, value)
    current.version = F("version") + 1
    current.updated_by = by
    current.save()
    current.refresh_from_db()
    return current


EVALUATION_FIELDS = {"evaluation_performance", "evaluation_activeness", "evaluation_note"}


def _is_evaluation_only(report: Report, values: dict, by) -> bool:
    """The kabupaten fills the year-end evaluation on a submitted annual report (before it verifies it)."""
    return (
        report.is_annual
        and report.state == State.SUBMITTED
        and set(values) <= EVALUATION_FIELDS
        and (by.is_superuser or by.role == workflow.OPERATOR)
    )


def _check_scope(report: Report, by) -> None:
    scope = user_scope(by)
    if scope.read_only or not scope.contains(report.kecamatan):
        raise PermissionDenied


def _guard(report: Report, action: str, move: workflow.Move, comment: str, today: date) -> None:
    """Rules beyond the table: reasons for moves backwards, periods that have ended, complete inputs."""
    if move.needs_comment and not comment.strip():
        raise TransitionRefused(_("Tuliskan alasan atau catatan untuk tindakan ini."))
    period = report.period_obj
    if action == Action.SUBMIT:
        if today < period.end:
            raise TransitionRefused(
                _("Laporan %(period)s baru dapat dikirim mulai hari terakhir periodenya (%(end)s).")
                % {"period": period.label, "end": period.end.strftime("%d-%m-%Y")}
            )
        if not report.is_monthly:
            missing = _months_not_submitted(report)
            if missing:
                raise TransitionRefused(
                    _("Laporan bulanan berikut belum dikirim: %(months)s.") % {"months": ", ".join(missing)}
                )
            if not report.summary.strip():
                raise TransitionRefused(_("Isi narasi laporan periode ini sebelum mengirim."))
    if (
        action == Action.VERIFY
        and report.is_annual
        and not (report.evaluation_performance and report.evaluation_activeness)
    ):
        raise TransitionRefused(
            _("Isi evaluasi akhir tahun (kinerja dan keaktifan TKSK) sebelum memverifikasi laporan tahunan.")
        )


def _months_not_submitted(report: Report) -> list[str]:
    period = report.period_obj
    handed_in = set(
        Report.objects.filter(kecamatan_id=report.kecamatan_id)
        .monthly_in(period)
        .filter(state__in=[State.SUBMITTED, State.VERIFIED, State.ACCEPTED, State.NOT_REPORTING])
        .values_list("period", flat=True)
    )
    return [m.label for m in period.months() if m.id not in handed_in]


@transaction.atomic
def transition(*, report: Report, action: str, by, comment: str = "", today: date | None = None) -> Report:
    """Move ``report`` by ``action`` if the transition table, the user's role and scope, and the guards allow it.

    Writes a ``Transition`` row for every move. On submission it records timeliness (from the first submission)
    and freezes the PSKS counts of a monthly report.
    """
    _check_scope(report, by)
    report = Report.objects.select_for_update().select_related("kecamatan").get(pk=report.pk)
    move = workflow.move_for(report.state, action, by)
    now = timezone.now()
    today = today or timezone.localdate()
    _guard(report, action, move, comment, today)
    from_state = report.state
    report.state = move.target
    report.last_comment = comment.strip()
    if action == Action.SUBMIT:
        report.submitted_at = now
        if report.first_submitted_at is None:
            # Judged by the deadline in force now (it may have changed since the draft was opened).
            allowed = deadline_days(report.kecamatan.provinsi_id, report.period_obj.kind)
            report.due_date = report.period_obj.due_date(allowed)
            report.first_submitted_at = now
            report.days_late = report.period_obj.days_late(today, allowed)
        report.tksk_name = active_tksk_names([report.kecamatan_id]).get(report.kecamatan_id, by.get_full_name())
        if report.is_monthly:
            _freeze_psks(report)
    report.version = F("version") + 1
    report.updated_by = by
    report.save()
    Transition.objects.create(
        report=report, action=action, from_state=from_state, to_state=move.target, by=by, comment=comment.strip()
    )
    report.refresh_from_db()
    return report


def _freeze_psks(report: Report) -> None:
    """Count the PSKS present per desa and type on the last day of the month and keep the counts with the report."""
    PsksCount.objects.filter(report=report).delete()
    PsksCount.objects.bulk_create(
        PsksCount(report=report, desa_id=desa, kind_id=kind, count=n)
        for desa, kind, n in psks_present(report.kecamatan_id, report.end)
    )


def mark_not_reporting(*, kecamatan: Wilayah, period: periods.Period, by, reason: str) -> Report:
    """The kabupaten records that a kecamatan will not report for a period (no TKSK, vacancy, …), with a reason."""
    report = report_open(kecamatan=kecamatan, period=period)
    return transition(report=report, action=Action.NOT_REPORTING, by=by, comment=reason)


class AcceptRefused(TransitionRefused):
    pass


@transaction.atomic
def accept_kabupaten(*, kabupaten: Wilayah, period: periods.Period, by) -> int:
    """Accept every verified report of a kabupaten for a period — only when all its kecamatan are verified (or
    accepted, or marked as not reporting). Returns how many reports were accepted."""
    if kabupaten.level != Wilayah.KABUPATEN:
        raise ValueError("Penerimaan dilakukan per kabupaten/kota.")
    if not can_change(by, kabupaten):
        raise PermissionDenied
    workflow.move_for(State.VERIFIED, Action.ACCEPT, by)
    kecamatan = list(Wilayah.objects.filter(parent=kabupaten, level=Wilayah.KECAMATAN).values_list("code", "name"))
    # Lock the kabupaten's reports of the period before looking at them: a reopen (or a move back from "not
    # reporting") made meanwhile must not leave the month partly accepted.
    reports = Report.objects.select_for_update().filter(kecamatan_id__in=[code for code, _n in kecamatan],
                                                       period=period.id)  # fmt: skip
    states = dict(reports.values_list("kecamatan_id", "state"))
    done = {State.VERIFIED, State.ACCEPTED, State.NOT_REPORTING}
    pending = [name for code, name in kecamatan if states.get(code) not in done]
    if pending:
        shown = ", ".join(pending[:10])
        if len(pending) > 10:
            shown += _(" dan %(n)s lainnya") % {"n": len(pending) - 10}
        raise AcceptRefused(
            _(
                "%(kab)s belum dapat diterima untuk %(period)s: %(n)s kecamatan belum diverifikasi atau ditandai "
                "tidak melapor (%(names)s)."
            )
            % {"kab": kabupaten.label, "period": period.label, "n": len(pending), "names": shown}
        )
    accepted = 0
    for report in reports.filter(state=State.VERIFIED):
        transition(report=report, action=Action.ACCEPT, by=by)
        accepted += 1
    return accepted


@transaction.atomic
def activity_save(*, report: Report, activity: Activity, by) -> Activity:
    """Add or change an activity of an editable monthly report (dated inside the report's month).

    The report row is locked first, so an activity cannot slip into a report being submitted at the same moment: the
    state is checked on the locked row, not on the copy the caller read earlier."""
    current = _lock_editable(report, by)
    if not (current.start <= activity.date <= current.end):
        raise ValueError(_("Tanggal kegiatan harus di dalam bulan laporan."))
    activity.report = current
    activity.save()
    _touch(current, by)
    return activity


@transaction.atomic
def activity_delete(*, report: Report, activity: Activity, by) -> None:
    """Remove an activity (and its attachment) of an editable report, under the same lock as ``activity_save``."""
    current = _lock_editable(report, by)
    if activity.report_id != current.pk:
        raise PermissionDenied
    attachment = activity.attachment.name
    activity.delete()
    _touch(current, by)
    if attachment:
        # Only once the deletion is committed: a rolled-back delete keeps its file.
        transaction.on_commit(lambda: Activity._meta.get_field("attachment").storage.delete(attachment))


def _lock_editable(report: Report, by) -> Report:
    """The report row, locked for this transaction, if ``by`` may change it and it is editable."""
    if not can_change(by, report.kecamatan):
        raise PermissionDenied
    current = Report.objects.select_for_update().get(pk=report.pk)
    if not current.is_editable:
        raise ReportLocked(locked_message())
    return current


def _touch(report: Report, by) -> None:
    """A change to the report's parts moves its version on, so an open edit form elsewhere notices."""
    Report.objects.filter(pk=report.pk).update(version=F("version") + 1, updated_by=by, updated_at=timezone.now())


def figures_locked_reason(kecamatan_code: str, month: date) -> str | None:
    """For ``psks_portal.locks``: the PMKS figures of a kecamatan-month are locked once its report is handed in."""
    period = periods.Period.month_of(month)
    reports = Report.objects.filter(kecamatan_id=kecamatan_code, period=period.id)
    if transaction.get_connection().in_atomic_block:
        # Inside a save: hold the report row so a submission waits for the save (and the save for a submission).
        reports = reports.select_for_update()
    state = reports.values_list("state", flat=True).first()
    if state is None or state in EDITABLE_STATES:
        return None
    return _("Laporan bulanan %(period)s berstatus “%(state)s”: angka PMKS-nya terkunci.") % {
        "period": period.label,
        "state": State(state).label,
    }
