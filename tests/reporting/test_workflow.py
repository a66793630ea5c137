"""The report workflow: every (state, action, persona) combination, the guards, timeliness, freezing, acceptance
per kabupaten, the version check and locking.

The report under test belongs to Kecamatan Kejaksan (32.74.01, Kota Cirebon, Jawa Barat): Ani is its TKSK, Dedi
the operator of Kota Cirebon, Fajar the Admin Provinsi of Jawa Barat. Budi, Euis and Gita work elsewhere; Hadi and
Intan only read.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from pmks import selectors as pmks_selectors
from pmks import services as pmks_services
from psks_portal import locks, periods
from psks_portal.models import Wilayah
from reporting import services
from reporting.models import PsksCount, Report, State, Transition
from reporting.services import AcceptRefused, EditConflict, ReportLocked
from reporting.workflow import Action, TransitionRefused
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

KEJAKSAN = "32.74.01"
AFTER_MARCH = date(2026, 4, 20)

# The legal moves, written out by hand from the issue: (from state, action) → (to state, roles that may do it).
LEGAL = {
    ("draft", "submit"): ("submitted", {"ani"}),
    ("revision", "submit"): ("submitted", {"ani"}),
    ("submitted", "verify"): ("verified", {"dedi"}),
    ("submitted", "return"): ("revision", {"dedi"}),
    ("verified", "accept"): ("accepted", {"fajar"}),
    ("verified", "return"): ("revision", {"fajar"}),
    ("verified", "reopen"): ("revision", {"dedi"}),
    ("accepted", "reopen"): ("revision", {"fajar"}),
    ("draft", "not_reporting"): ("not_reporting", {"dedi"}),
    ("not_reporting", "reopen"): ("draft", {"dedi", "fajar"}),
}
STATES = ["draft", "submitted", "revision", "verified", "accepted", "not_reporting"]
ACTIONS = ["submit", "return", "verify", "accept", "reopen", "not_reporting"]
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
OUTSIDE_OR_READ_ONLY = {"budi", "citra", "euis", "gita", "hadi", "intan"}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_move_is_allowed_exactly_as_the_table_says(people, state, action):
    for persona in PERSONAS:
        report = make_report(KEJAKSAN, "2026M03", state)
        legal = LEGAL.get((state, action))
        allowed = legal is not None and (persona in legal[1] or persona == "root")
        before = Transition.objects.count()
        if allowed:
            moved = services.transition(
                report=report, action=action, by=people[persona], comment="Alasan tertulis", today=AFTER_MARCH
            )
            assert moved.state == legal[0], (persona, state, action)
            assert Transition.objects.count() == before + 1
            row = Transition.objects.latest("pk")
            assert (row.from_state, row.to_state, row.by, row.comment) == (
                state, legal[0], people[persona], "Alasan tertulis",
            )  # fmt: skip
        else:
            expected = PermissionDenied if persona in OUTSIDE_OR_READ_ONLY else TransitionRefused
            with pytest.raises(expected):
                services.transition(
                    report=report, action=action, by=people[persona], comment="Alasan", today=AFTER_MARCH
                )
            report.refresh_from_db()
            assert report.state == state and Transition.objects.count() == before
        report.delete()


def test_refusals_explain_themselves_in_indonesian(people):
    report = make_report(KEJAKSAN, "2026M03", State.ACCEPTED)
    with pytest.raises(TransitionRefused, match="tidak dapat"):
        services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH)
    report = make_report(KEJAKSAN, "2026M04", State.SUBMITTED)
    with pytest.raises(TransitionRefused, match="Peran Anda"):
        services.transition(report=report, action=Action.VERIFY, by=people["fajar"], today=AFTER_MARCH)


@pytest.mark.parametrize(("state", "action", "persona"), [
    ("submitted", "return", "dedi"), ("verified", "reopen", "dedi"), ("accepted", "reopen", "fajar"),
    ("draft", "not_reporting", "dedi"), ("verified", "return", "fajar"),
])  # fmt: skip
def test_moves_backwards_need_a_reason(people, state, action, persona):
    report = make_report(KEJAKSAN, "2026M03", state)
    with pytest.raises(TransitionRefused, match="alasan"):
        services.transition(report=report, action=action, by=people[persona], comment="  ", today=AFTER_MARCH)
    report.refresh_from_db()
    assert report.state == state


def test_a_month_cannot_be_submitted_before_it_ends(people):
    report = make_report(KEJAKSAN, "2026M03", State.DRAFT)
    with pytest.raises(TransitionRefused, match="mulai hari terakhir periodenya"):
        services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=date(2026, 3, 30))
    assert services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=date(2026, 3, 31)).state


def test_timeliness_is_measured_from_the_first_submission(people):
    kejaksan = Wilayah.objects.get(code=KEJAKSAN)
    report = services.report_open(kecamatan=kejaksan, period=periods.parse("2026M03"))
    assert report.due_date == date(2026, 4, 10) and report.state == State.DRAFT
    report = services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=date(2026, 4, 13))
    assert report.days_late == 3 and not report.on_time
    report = services.transition(report=report, action=Action.RETURN, by=people["dedi"], comment="Lengkapi kegiatan")
    report = services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=date(2026, 4, 30))
    assert report.days_late == 3  # the resubmission does not make it later (nor on time)


def test_a_provinsi_deadline_overrides_the_national_one(people):
    from reporting.models import Deadline

    Deadline.objects.create(provinsi_id="32", period_kind="M", days_after_end=5)
    Deadline.objects.create(provinsi=None, period_kind="M", days_after_end=7)
    jabar = services.report_open(kecamatan=Wilayah.objects.get(code=KEJAKSAN), period=periods.parse("2026M03"))
    jateng = services.report_open(kecamatan=Wilayah.objects.get(code="33.01.01"), period=periods.parse("2026M03"))
    assert jabar.due_date == date(2026, 4, 5) and jateng.due_date == date(2026, 4, 7)


def test_lateness_is_judged_by_the_deadline_in_force_when_the_report_is_first_sent(people):
    """The draft was opened under the national 10 days; the provinsi then allows 20: sent on 15-04, it is on time."""
    from reporting.models import Deadline

    report = services.report_open(kecamatan=Wilayah.objects.get(code=KEJAKSAN), period=periods.parse("2026M03"))
    assert report.due_date == date(2026, 4, 10)
    Deadline.objects.create(provinsi_id="32", period_kind="M", days_after_end=20)
    report = services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=date(2026, 4, 15))
    assert report.due_date == date(2026, 4, 20) and report.days_late == 0


def test_a_changed_deadline_moves_the_due_date_of_reports_not_yet_sent_only(people):
    from reporting.models import Deadline

    open_ = {code: make_report(code, "2026M03") for code in (KEJAKSAN, "32.07.01", "33.01.01")}
    sent = make_report("32.74.02", "2026M03", State.SUBMITTED)
    Report.objects.filter(pk=sent.pk).update(first_submitted_at="2026-04-09T10:00:00+07:00")
    Deadline.objects.create(provinsi_id="32", period_kind="M", days_after_end=15)
    assert services.deadlines_apply(kind="M") == 2  # the two Jawa Barat drafts; Jawa Tengah keeps the national 10
    due = dict(Report.objects.values_list("kecamatan_id", "due_date"))
    assert due[KEJAKSAN] == due["32.07.01"] == date(2026, 4, 15)
    assert due["33.01.01"] == date(2026, 4, 10) and due["32.74.02"] == date(2026, 4, 10)
    assert services.deadlines_apply(kind="M") == 0 and open_


def test_submission_freezes_the_psks_present_so_later_roster_edits_do_not_rewrite_history(people, catalogue):
    psm_1 = make_person(name="Relawan Satu", desa="32.74.01.1001")
    psm_2 = make_person(name="Relawan Dua", desa="32.74.01.1001", sex="P")
    assign(psm_1, "psm", start_date=date(2020, 1, 1))
    assign(psm_2, "psm", start_date=date(2026, 4, 15))  # starts after March: not present in March
    report = make_report(KEJAKSAN, "2026M03", State.DRAFT)
    services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH)
    counts = list(PsksCount.objects.filter(report=report).values_list("desa_id", "kind__code", "count"))
    assert counts == [("32.74.01.1001", "psm", 1)]
    psm_1.assignments.update(status="nonaktif")
    assert list(PsksCount.objects.filter(report=report).values_list("count", flat=True)) == [1]


def test_a_quarterly_report_needs_its_months_handed_in_and_a_narrative(people):
    quarter = make_report(KEJAKSAN, "2026Q1", State.DRAFT)
    make_report(KEJAKSAN, "2026M01", State.ACCEPTED)
    make_report(KEJAKSAN, "2026M02", State.DRAFT)
    with pytest.raises(TransitionRefused, match="Februari 2026, Maret 2026"):
        services.transition(report=quarter, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH)
    Report.objects.filter(period="2026M02").update(state=State.SUBMITTED)
    make_report(KEJAKSAN, "2026M03", State.NOT_REPORTING)
    with pytest.raises(TransitionRefused, match="narasi"):
        services.transition(report=quarter, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH)
    Report.objects.filter(pk=quarter.pk).update(summary="Triwulan berjalan baik.")
    assert services.transition(report=quarter, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH).state == (
        State.SUBMITTED
    )


def test_the_annual_report_is_verified_only_with_the_year_end_evaluation(people):
    annual = make_report(KEJAKSAN, "2026", State.SUBMITTED)
    with pytest.raises(TransitionRefused, match="evaluasi akhir tahun"):
        services.transition(report=annual, action=Action.VERIFY, by=people["dedi"])
    # The kabupaten fills the evaluation on the submitted (otherwise read-only) report; the TKSK cannot.
    with pytest.raises(ReportLocked):
        services.report_update(
            report=annual, version=annual.version, values={"evaluation_performance": "baik"}, by=people["ani"]
        )
    annual = services.report_update(
        report=annual,
        version=annual.version,
        values={"evaluation_performance": "baik", "evaluation_activeness": "aktif"},
        by=people["dedi"],
    )
    assert services.transition(report=annual, action=Action.VERIFY, by=people["dedi"]).state == State.VERIFIED


def test_a_kabupaten_is_accepted_only_when_every_kecamatan_is_verified_or_marked(people):
    kota = Wilayah.objects.get(code="32.74")
    march = periods.parse("2026M03")
    kecamatan = list(Wilayah.objects.filter(parent=kota).order_by("code"))
    for kec in kecamatan[:-1]:
        make_report(kec.code, march.id, State.VERIFIED)
    with pytest.raises(AcceptRefused, match=kecamatan[-1].name):
        services.accept_kabupaten(kabupaten=kota, period=march, by=people["fajar"])
    assert not Report.objects.filter(state=State.ACCEPTED).exists()
    with pytest.raises(PermissionDenied):
        services.mark_not_reporting(kecamatan=kecamatan[-1], period=march, by=people["euis"], reason="Kosong")
    services.mark_not_reporting(
        kecamatan=kecamatan[-1], period=march, by=people["dedi"], reason="TKSK mengundurkan diri"
    )
    with pytest.raises(PermissionDenied):
        services.accept_kabupaten(kabupaten=kota, period=march, by=people["gita"])
    with pytest.raises(TransitionRefused):
        services.accept_kabupaten(kabupaten=kota, period=march, by=people["dedi"])
    assert services.accept_kabupaten(kabupaten=kota, period=march, by=people["fajar"]) == len(kecamatan) - 1
    assert Report.objects.filter(state=State.ACCEPTED).count() == len(kecamatan) - 1
    assert Transition.objects.filter(action="accept").count() == len(kecamatan) - 1


def test_the_second_of_two_concurrent_edits_is_refused_not_lost(people):
    report = make_report(KEJAKSAN, "2026M03", State.DRAFT)
    opened = report.version
    services.report_update(report=report, version=opened, values={"obstacles": "Jalan rusak"}, by=people["ani"])
    with pytest.raises(EditConflict, match="sudah diubah"):
        services.report_update(report=report, version=opened, values={"obstacles": "Hujan"}, by=people["dedi"])
    report.refresh_from_db()
    assert report.obstacles == "Jalan rusak" and report.version == opened + 1


def test_handed_in_reports_and_their_pmks_figures_are_locked(people, catalogue):
    report = make_report(KEJAKSAN, "2026M03", State.DRAFT)
    month = date(2026, 3, 1)
    assert locks.locked_reason(KEJAKSAN, month) is None
    services.transition(report=report, action=Action.SUBMIT, by=people["ani"], today=AFTER_MARCH)
    assert "terkunci" in locks.locked_reason(KEJAKSAN, month)
    assert locks.locked_reason("32.74.02", month) is None
    with pytest.raises(ReportLocked):
        services.report_update(report=report, version=report.version + 1, values={"cases": "x"}, by=people["ani"])
    kejaksan = Wilayah.objects.get(code=KEJAKSAN)
    grid = pmks_selectors.grid_load(kecamatan=kejaksan, period=periods.parse("2026M03"), categories=[])
    with pytest.raises(pmks_services.FiguresLocked):
        pmks_services.grid_save(grid=grid, cells={}, version=grid.version, comment="", by=people["ani"])
    services.transition(report=report, action=Action.RETURN, by=people["dedi"], comment="Perbaiki angka LUT")
    assert locks.locked_reason(KEJAKSAN, month) is None
