"""The report list and the report page: scope for every URL and role, the workflow through the views, concurrent edits,
activities and their attachments, and the PMKS grid locked once the month's report is handed in.

Kejaksan (32.74.01) is Ani's kecamatan in Kota Cirebon (32.74, operator Dedi, five kecamatan); the report is for
March 2026, due on 10 April 2026 (the national default of 10 days).
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pmks.models import FigureSource, PmksFigure
from psks_portal.models import Wilayah
from reporting import services
from reporting.models import Activity, PsksCount, Report, State, Transition
from reporting.workflow import Action
from tests.reporting.conftest import activity, category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

KEJAKSAN, MARCH = "32.74.01", "2026M03"
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
# Who sees Kejaksan's report: the kecamatan itself and everyone above it (national users: all).
SEES_KEJAKSAN = {"ani", "dedi", "fajar", "hadi", "intan", "root"}
READERS = {"hadi", "intan"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def page_url(kecamatan=KEJAKSAN, period=MARCH, name="report_detail", *extra):
    return reverse(f"reporting:{name}", args=[kecamatan, period, *extra])


def message(response) -> str:
    """The newest message of the response (earlier unread ones travel along until a page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


def status_for_write(persona: str) -> int:
    """What a write to Kejaksan's report answers: 404 outside the scope, 403 for read-only users."""
    if persona not in SEES_KEJAKSAN:
        return 404
    return 403 if persona in READERS else 0


@pytest.fixture
def draft(people, catalogue):
    return make_report(KEJAKSAN, MARCH)


# -- scope for every URL ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_the_report_only_inside_the_scope(draft, people, login, persona):
    response = login(people[persona]).get(page_url())
    assert response.status_code == (200 if persona in SEES_KEJAKSAN else 404)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_refuses_writes_outside_the_scope_and_by_readers(draft, people, login, persona):
    expected = status_for_write(persona)
    if not expected:
        return
    client = login(people[persona])
    item = activity(draft, 5)
    posts = [
        (page_url(), {"version": 1, "cases": "Diubah orang luar"}),
        (page_url(KEJAKSAN, MARCH, "report_transition"), {"action": "submit"}),
        (page_url(KEJAKSAN, MARCH, "report_transition"), {"action": "not_reporting", "comment": "x"}),
        (page_url(KEJAKSAN, MARCH, "activity_add"), {"date": "2026-03-02", "kind": "pendataan", "place": "X"}),
        (page_url(KEJAKSAN, MARCH, "activity_edit", item.pk), {"date": "2026-03-02", "kind": "rujukan"}),
        (page_url(KEJAKSAN, MARCH, "activity_delete", item.pk), {}),
        (page_url(KEJAKSAN, MARCH, "report_evaluation"), {"version": 1}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == expected, url
    assert client.get(page_url(KEJAKSAN, MARCH, "activity_edit", item.pk)).status_code == expected
    draft.refresh_from_db()
    assert (draft.state, draft.cases, draft.version) == (State.DRAFT, "", 1)
    assert list(Activity.objects.values_list("kind", flat=True)) == ["pendataan"]
    assert not Transition.objects.exists()


@pytest.mark.parametrize(
    ("persona", "action"),
    [("ani", "verify"), ("ani", "return"), ("ani", "not_reporting"), ("dedi", "submit"), ("fajar", "submit")],
)
def test_it_answers_403_for_an_action_the_role_never_takes(draft, people, login, persona, action):
    response = login(people[persona]).post(
        page_url(KEJAKSAN, MARCH, "report_transition"), {"action": action, "comment": "alasan"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.state == State.DRAFT and not Transition.objects.exists()


def test_it_refuses_unknown_periods_and_future_months(draft, people, login):
    client = login(people["ani"])
    assert client.get(f"/laporan/{KEJAKSAN}/2026M13/").status_code == 404
    assert client.get(f"/laporan/{KEJAKSAN}/9999M12/").status_code == 404
    future = timezone.localdate().year + 1
    assert client.get(page_url(KEJAKSAN, f"{future}M01")).status_code == 404
    assert client.get(f"/laporan/{KEJAKSAN}/2026-03/").status_code == 404
    assert Report.objects.count() == 1


# -- opening ------------------------------------------------------------------------------------------------------


def test_the_tksk_opens_the_draft_just_by_visiting_and_others_only_look(people, login, catalogue):
    for persona in ("dedi", "fajar", "hadi", "intan"):
        response = login(people[persona]).get(page_url())
        assert response.status_code == 200
        assert "belum dibuka oleh TKSK" in response.content.decode()
    assert not Report.objects.exists()
    response = login(people["ani"]).get(page_url())
    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.kecamatan_id, report.period, report.state) == (KEJAKSAN, MARCH, State.DRAFT)
    assert report.due_date == date(2026, 4, 10)
    assert response.context["form"] is not None  # the TKSK can write straight away


def test_an_operator_can_start_the_draft_explicitly(people, login, catalogue):
    response = login(people["dedi"]).post(page_url(), {"buka": "1"})
    assert response.status_code == 302
    assert Report.objects.get().state == State.DRAFT


# -- the list -----------------------------------------------------------------------------------------------------


def test_a_tksk_lists_only_their_kecamatan_with_shortcuts(people, login, catalogue):
    make_report(KEJAKSAN, MARCH, State.SUBMITTED, days_late=0)
    make_report(KEJAKSAN, "2026Q1")
    make_report("32.74.02", MARCH)
    response = login(people["ani"]).get(reverse("reporting:report_list"))
    assert response.status_code == 200
    listed = {(r.kecamatan_id, r.period) for r, _t, _c in response.context["rows"]}
    assert listed == {(KEJAKSAN, MARCH), (KEJAKSAN, "2026Q1")}
    shortcuts = dict(response.context["shortcuts"])
    this_month = timezone.localdate()
    last = date(this_month.year - (this_month.month == 1), (this_month.month - 2) % 12 + 1, 1)
    assert any(url.endswith(f"/{last.year}M{last.month:02d}/") for url in shortcuts.values())
    assert "Tepat waktu" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("dedi", {"32.74.01", "32.74.02"}),
        ("euis", {"32.07.01"}),
        ("fajar", {"32.74.01", "32.74.02", "32.07.01"}),
        ("gita", set()),
        ("hadi", {"32.74.01", "32.74.02"}),
        ("intan", {"32.74.01", "32.74.02", "32.07.01"}),
    ],
)
def test_the_list_is_scoped(people, login, catalogue, persona, expected):
    for code in ("32.74.01", "32.74.02", "32.07.01"):
        make_report(code, MARCH)
    response = login(people[persona]).get(reverse("reporting:report_list"))
    assert {r.kecamatan_id for r, _t, _c in response.context["rows"]} == expected


def test_the_list_filters_by_period_kind_state_and_wilayah(people, login, catalogue):
    make_report("32.74.01", MARCH, State.SUBMITTED)
    make_report("32.74.02", MARCH, State.VERIFIED)
    make_report("32.74.01", "2026M02", State.ACCEPTED)
    make_report("32.74.01", "2026Q1")
    make_report("32.07.01", MARCH, State.SUBMITTED)
    client = login(people["fajar"])

    def listed(**params):
        response = client.get(reverse("reporting:report_list"), params)
        return {(r.kecamatan_id, r.period) for r, _t, _c in response.context["rows"]}

    assert listed(periode=MARCH) == {("32.74.01", MARCH), ("32.74.02", MARCH), ("32.07.01", MARCH)}
    assert listed(periode=MARCH, wilayah="32.74") == {("32.74.01", MARCH), ("32.74.02", MARCH)}
    assert listed(status="submitted") == {("32.74.01", MARCH), ("32.07.01", MARCH)}
    assert listed(jenis="Q") == {("32.74.01", "2026Q1")}
    assert client.get(reverse("reporting:report_list"), {"wilayah": "33.01"}).status_code == 404


def test_the_list_takes_the_same_number_of_queries_for_one_or_many_reports(
    people, login, catalogue, django_assert_max_num_queries
):
    client = login(people["fajar"])
    make_report("32.74.01", MARCH)
    with django_assert_max_num_queries(12) as one:
        client.get(reverse("reporting:report_list"))
    kecamatan = list(Wilayah.objects.filter(level=3, provinsi_id="32").values_list("code", flat=True))
    for code in kecamatan:
        make_report(code, "2026M02", State.ACCEPTED)
        if code != "32.74.01":
            make_report(code, MARCH, State.SUBMITTED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(reverse("reporting:report_list"))
    assert len(response.context["rows"]) == 50 and response.context["page"].paginator.count == 2 * len(kecamatan)


# -- the page -----------------------------------------------------------------------------------------------------


def test_the_monthly_page_shows_figures_with_totals_and_bnba_marks(draft, people, login):
    d1, d2 = desa_of(KEJAKSAN)
    put(d1, "LUT", MARCH, 7, male=3)
    put(d2, "LUT", MARCH, 5)
    fm = put(d1, "FM", MARCH, 12)
    fm.source = FigureSource.REGISTER
    fm.save()
    put(d1, "FM", "2026M02", 99)  # another month: not on this report
    response = login(people["ani"]).get(page_url())
    table = response.context["pmks"]
    assert [c.code for c in table.columns] == ["LUT", "FM"]  # only categories with figures, in catalogue order
    assert table.column_totals == ["12", "12"] and table.grand_total == "24"
    rows = {d.code: (cells, total) for d, cells, total in table.rows}
    assert rows[d1] == ([("7", False), ("12", True)], "19")
    assert rows[d2] == ([("5", False), ("—", False)], "5")
    body = response.content.decode()
    assert "Isi/ubah angka PMKS" in body and reverse("pmks:grid", args=[KEJAKSAN, "2026M03"]) in body


def test_a_read_only_viewer_sees_small_figures_hidden(draft, people, login):
    d1, _d2 = desa_of(KEJAKSAN)
    put(d1, "LUT", MARCH, 3)
    put(d1, "FM", MARCH, 12)
    # Not accepted yet: a read-only viewer sees no figure of the report (only accepted figures are published).
    unpublished = login(people["hadi"]).get(page_url())
    assert unpublished.context["pmks"].empty and 'data-testid="pmks-unpublished"' in unpublished.content.decode()
    Report.objects.filter(pk=draft.pk).update(state=State.ACCEPTED)
    response = login(people["hadi"]).get(page_url())
    table = response.context["pmks"]
    # 3 is hidden; so is FM's 12 beside it, else 15 − 12 would give the 3 back (and likewise in the totals row).
    assert table.rows[0][1] == [("×", False), ("×", False)] and table.rows[0][2] == "15"
    assert table.column_totals == ["×", "×"] and table.grand_total == "15"
    # The same figures, hidden alike, as the PMKS table of the kecamatan for the month.
    page = login(people["hadi"]).get(reverse("reporting:pmks_table"), {"wilayah": KEJAKSAN, "periode": MARCH})
    published = page.context["table"]
    lut, fm = category("LUT").pk, category("FM").pk
    assert [published.shown(d1, lut), published.shown(d1, fm), published.shown(d1, None)] == ["×", "×", "15"]
    mine = login(people["dedi"]).get(page_url()).context["pmks"]
    assert mine.rows[0][1] == [("3", False), ("12", False)] and mine.column_totals == ["3", "12"]


def test_psks_are_live_while_draft_and_frozen_once_submitted(people, login, catalogue):
    from registry.services import catalogue_load as registry_catalogue
    from tests.registry.conftest import assign, make_person

    registry_catalogue()
    d1, _d2 = desa_of(KEJAKSAN)
    person = make_person(name="Relawan Uji", desa=d1)
    assign(person, "tagana")
    client = login(people["ani"])
    response = client.get(page_url())
    report = Report.objects.get()
    assert response.context["psks_frozen"] is False
    assert response.context["psks"].grand_total == "1"
    body = response.content.decode()
    assert "Dihitung langsung dari registri" in body
    assert person.nik not in body  # no NIK on report pages
    client.post(page_url(KEJAKSAN, MARCH, "report_transition"), {"action": "submit"})
    assert PsksCount.objects.get(report=report).count == 1
    assign(make_person(name="Relawan Kedua", desa=d1), "tagana")  # a roster change after submission
    response = client.get(page_url())
    assert response.context["psks_frozen"] is True
    assert response.context["psks"].grand_total == "1"
    assert "Dibekukan saat laporan dikirim" in response.content.decode()


def test_the_page_takes_the_same_number_of_queries_for_one_or_many_activities(
    draft, people, login, django_assert_max_num_queries
):
    client = login(people["ani"])
    activity(draft, 2)
    with django_assert_max_num_queries(40) as one:
        client.get(page_url())
    for day in range(3, 28):
        activity(draft, day, male=1)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(page_url())
    assert len(response.context["activities"]) == 26


# -- narrative, conflicts, locks ------------------------------------------------------------------------------------


def test_the_narrative_is_saved_with_a_version_check(draft, people, login):
    client = login(people["ani"])
    response = client.post(
        page_url(),
        {"version": 1, "cases": "Banjir di Kesenden", "camat_name": "Drs. Camat", "camat_nip": "19700101 199001 1 001"},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.cases, draft.camat_nip, draft.version) == ("Banjir di Kesenden", "197001011990011001", 2)
    response = client.post(page_url(), {"version": 2, "camat_nip": "123"})
    assert response.status_code == 200
    assert "NIP terdiri dari 18 digit angka." in response.content.decode()


def test_a_second_editor_gets_the_conflict_and_keeps_their_input(draft, people):
    first, second = Client(), Client()
    first.force_login(people["ani"])
    second.force_login(people["dedi"])
    version = second.get(page_url()).context["form"]["version"].value()
    assert first.get(page_url()).context["form"]["version"].value() == version == 1
    assert first.post(page_url(), {"version": 1, "cases": "Isian Ani"}).status_code == 302
    response = second.post(page_url(), {"version": 1, "cases": "Isian Dedi", "obstacles": "Jalan rusak"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "sudah diubah oleh" in body and "Isian Anda belum disimpan" in body
    form = response.context["form"]
    assert form["cases"].value() == "Isian Dedi" and form["obstacles"].value() == "Jalan rusak"
    assert "Isian Ani" in body  # what is stored now, to compare
    draft.refresh_from_db()
    assert draft.cases == "Isian Ani" and draft.version == 2
    # Having seen the newer version, the second editor saves on top of it.
    assert form["version"].value() == "2"
    assert second.post(page_url(), {"version": 2, "cases": "Isian Dedi"}).status_code == 302
    draft.refresh_from_db()
    assert draft.cases == "Isian Dedi"


def test_a_handed_in_report_is_read_only(people, login, catalogue):
    report = make_report(KEJAKSAN, MARCH, State.SUBMITTED)
    item = activity(report, 4)
    client = login(people["ani"])
    response = client.get(page_url())
    assert "form" not in response.context and "activity_form" not in response.context
    assert "hanya dapat dibaca" in response.content.decode()
    response = client.post(page_url(), {"version": 1, "cases": "Diubah setelah dikirim"})
    assert response.status_code == 302 and "hanya dapat dibaca" in message(response)
    for url, data in [
        (page_url(KEJAKSAN, MARCH, "activity_add"), {"date": "2026-03-02", "kind": "pendataan", "place": "X"}),
        (page_url(KEJAKSAN, MARCH, "activity_edit", item.pk), {"date": "2026-03-02", "kind": "rujukan"}),
        (page_url(KEJAKSAN, MARCH, "activity_delete", item.pk), {}),
    ]:
        refused = client.post(url, data)
        assert refused.status_code == 302 and "hanya dapat dibaca" in message(refused)
    report.refresh_from_db()
    assert report.cases == "" and report.version == 1
    assert list(Activity.objects.values_list("kind", flat=True)) == ["pendataan"]


# -- the workflow -------------------------------------------------------------------------------------------------


def _act(client, action, comment="", kecamatan=KEJAKSAN, period=MARCH):
    return client.post(page_url(kecamatan, period, "report_transition"), {"action": action, "comment": comment})


def test_the_whole_monthly_workflow_through_the_views(draft, people, login):
    ani, dedi, fajar = Client(), Client(), Client()
    ani.force_login(people["ani"])
    dedi.force_login(people["dedi"])
    fajar.force_login(people["fajar"])
    assert [a["action"] for a in ani.get(page_url()).context["actions"]] == ["submit"]
    assert "Laporan dikirim" in message(_act(ani, "submit"))
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    # Days late counted from the first submission: due 10 April 2026.
    assert draft.days_late == max(0, (timezone.localdate() - date(2026, 4, 10)).days)
    assert {a["action"] for a in dedi.get(page_url()).context["actions"]} == {"verify", "return"}

    refused = _act(dedi, "return")
    assert message(refused) == "Tuliskan alasan atau catatan untuk tindakan ini."
    draft.refresh_from_db()
    assert draft.state == State.SUBMITTED
    _act(dedi, "return", "Angka LUT Kesenden belum diisi.")
    page = ani.get(page_url()).content.decode()
    assert "Dikembalikan untuk revisi." in page and "Angka LUT Kesenden belum diisi." in page

    _act(ani, "submit")
    refused = _act(ani, "submit")  # twice: the state has moved on
    assert "tidak dapat di-kirim laporan" in message(refused)
    _act(dedi, "verify")
    draft.refresh_from_db()
    assert draft.state == State.VERIFIED
    # The Admin Provinsi has no single-report "accept": acceptance is per kabupaten.
    assert "accept" not in {a["action"] for a in fajar.get(page_url()).context["actions"]}
    single = _act(fajar, "accept")
    assert "per kabupaten/kota" in message(single)

    accept = reverse("reporting:accept_kabupaten")
    refused = fajar.post(accept, {"kabupaten": "32.74", "periode": MARCH})
    text = message(refused)
    assert "4 kecamatan belum diverifikasi" in text and "Lemahwungkuk" in text
    for code in ("32.74.02", "32.74.03", "32.74.04", "32.74.05"):
        dedi.post(reverse("reporting:not_reporting"), {"kecamatan": code, "periode": MARCH, "reason": "TKSK kosong"})
    done = fajar.post(accept, {"kabupaten": "32.74", "periode": MARCH})
    assert message(done) == "1 laporan Kota Cirebon untuk Maret 2026 diterima."
    draft.refresh_from_db()
    assert draft.state == State.ACCEPTED

    refused = _act(fajar, "reopen")
    assert message(refused) == "Tuliskan alasan atau catatan untuk tindakan ini."
    _act(fajar, "reopen", "Koreksi angka FM dari BPS.")
    draft.refresh_from_db()
    assert draft.state == State.REVISION
    history = list(
        Transition.objects.filter(report=draft).values_list("by__username", "from_state", "to_state", "comment")
    )
    assert history == [
        ("ani", "draft", "submitted", ""),
        ("dedi", "submitted", "revision", "Angka LUT Kesenden belum diisi."),
        ("ani", "revision", "submitted", ""),
        ("dedi", "submitted", "verified", ""),
        ("fajar", "verified", "accepted", ""),
        ("fajar", "accepted", "revision", "Koreksi angka FM dari BPS."),
    ]
    rows = ani.get(page_url()).context["history"]
    assert [t.by.username for t in rows] == ["ani", "dedi", "ani", "dedi", "fajar", "fajar"]


def test_an_operator_marks_a_draft_as_not_reporting_from_the_page(people, login, catalogue):
    client = login(people["dedi"])
    assert "not_reporting" in {a["action"] for a in client.get(page_url()).context["actions"]}
    assert not Report.objects.exists()  # looking created nothing
    response = _act(client, "not_reporting")
    assert "Tuliskan alasan" in message(response)
    assert not Report.objects.exists()  # the refused attempt left no draft behind
    _act(client, "not_reporting", "TKSK mengundurkan diri.")
    report = Report.objects.get()
    assert report.state == State.NOT_REPORTING and report.last_comment == "TKSK mengundurkan diri."


def test_an_early_submission_is_refused_with_a_message(people, login, catalogue):
    today = timezone.localdate()
    period = f"{today.year}M{today.month:02d}"
    client = login(people["ani"])
    client.get(page_url(KEJAKSAN, period))
    response = _act(client, "submit", period=period)
    assert "baru dapat dikirim mulai hari terakhir periodenya" in message(response)
    assert Report.objects.get().state == State.DRAFT


# -- activities and attachments -------------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _activity_post(**extra):
    data = {
        "date": "2026-03-12",
        "kind": "bimbingan",
        "place": "Balai Kelurahan Kesenden",
        "desa": desa_of(KEJAKSAN)[0],
        "participants_male": "12",
        "participants_female": "15",
        "result": "Penyuluhan tentang PKH.",
        "attachment_kind": "",
    }
    data.update(extra)
    return data


def test_an_activity_is_added_changed_and_deleted(draft, people, login, media):
    client = login(people["ani"])
    response = client.post(page_url(KEJAKSAN, MARCH, "activity_add"), _activity_post())
    assert response.status_code == 302
    item = Activity.objects.get()
    assert (item.date, item.participants, item.desa_id) == (date(2026, 3, 12), 27, desa_of(KEJAKSAN)[0])
    draft.refresh_from_db()
    assert draft.version == 2  # an open narrative form elsewhere notices the change
    edit = page_url(KEJAKSAN, MARCH, "activity_edit", item.pk)
    opened = client.get(edit)
    assert opened.status_code == 200
    fingerprint = opened.context["form"].initial["fingerprint"]
    client.post(edit, _activity_post(kind="rujukan", participants_male="2", fingerprint=fingerprint))
    item.refresh_from_db()
    assert (item.kind, item.participants) == ("rujukan", 17)
    client.post(page_url(KEJAKSAN, MARCH, "activity_delete", item.pk))
    assert not Activity.objects.exists()


def test_the_second_of_two_edits_of_an_activity_is_refused_and_keeps_its_input(draft, people, login, media):
    """Ani and Dedi open the same activity; Dedi saves first. Ani's save is refused with a message, her typing kept."""
    item = Activity.objects.create(report=draft, date=date(2026, 3, 12), kind="bimbingan", place="Balai",
                                   participants_male=5, participants_female=5, result="Awal.")  # fmt: skip
    edit = page_url(KEJAKSAN, MARCH, "activity_edit", item.pk)
    ani, dedi = login(people["ani"]), Client()
    dedi.force_login(people["dedi"])
    ani_print = ani.get(edit).context["form"].initial["fingerprint"]
    dedi_print = dedi.get(edit).context["form"].initial["fingerprint"]
    assert dedi.post(edit, _activity_post(result="Versi Dedi.", fingerprint=dedi_print)).status_code == 302
    response = ani.post(edit, _activity_post(result="Versi Ani.", fingerprint=ani_print))
    assert response.status_code == 200
    assert "sudah diubah orang lain" in response.content.decode() and "Versi Ani." in response.content.decode()
    item.refresh_from_db()
    assert item.result == "Versi Dedi."


def test_an_activity_cannot_slip_into_a_report_submitted_meanwhile(draft, people):
    """The view read the draft; the report is submitted before the activity is saved: the save is refused."""
    services.transition(report=draft, action=Action.SUBMIT, by=people["ani"], today=date(2026, 4, 2))
    stale = Report.objects.get(pk=draft.pk)
    stale.state = State.DRAFT  # what the view had read
    new = Activity(date=date(2026, 3, 12), kind="bimbingan", place="Balai", result="Terlambat masuk.")
    with pytest.raises(services.ReportLocked):
        services.activity_save(report=stale, activity=new, by=people["ani"])
    existing = Activity.objects.create(report=draft, date=date(2026, 3, 13), kind="rujukan", place="X", result="Y")
    with pytest.raises(services.ReportLocked):
        services.activity_delete(report=stale, activity=existing, by=people["ani"])
    assert list(Activity.objects.values_list("pk", flat=True)) == [existing.pk]


@pytest.mark.parametrize(("day", "desa"), [("2026-04-01", None), ("2026-02-28", None), ("2026-03-05", "32.74.02.1001")])
def test_an_activity_outside_the_month_or_kecamatan_is_refused(draft, people, login, day, desa):
    data = _activity_post(date=day)
    if desa:
        data["desa"] = desa
    response = login(people["ani"]).post(page_url(KEJAKSAN, MARCH, "activity_add"), data)
    assert response.status_code == 200 and response.context["activity_form"].errors
    if not desa:
        assert "harus di dalam bulan laporan" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("program.exe", b"MZ\x90\x00", "Lampiran harus berupa berkas JPG, PNG, atau PDF."),
        ("foto.png", b"MZ\x90\x00 not a png", "Isi berkas tidak sesuai dengan jenisnya"),
        ("notulen.pdf", b"%PDF-1.4\n" + b"x" * (1024 * 1024 + 10), "melebihi batas 1 MB"),
    ],
)
def test_attachments_of_the_wrong_type_or_size_are_refused(
    draft, people, login, media, settings, name, content, message
):
    settings.REPORTING_ATTACHMENT_MAX_MB = 1
    upload = SimpleUploadedFile(name, content)
    response = login(people["ani"]).post(
        page_url(KEJAKSAN, MARCH, "activity_add"), _activity_post(attachment=upload, attachment_kind="foto")
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Activity.objects.exists()
    assert not any(media.rglob("*.*"))


def test_an_attachment_needs_its_kind(draft, people, login, media):
    upload = SimpleUploadedFile("foto.png", PNG)
    response = login(people["ani"]).post(page_url(KEJAKSAN, MARCH, "activity_add"), _activity_post(attachment=upload))
    assert "Pilih jenis lampiran." in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_attachments_are_served_only_inside_the_scope(draft, people, login, media, persona):
    login(people["ani"]).post(
        page_url(KEJAKSAN, MARCH, "activity_add"),
        _activity_post(attachment=SimpleUploadedFile("daftar.pdf", PDF), attachment_kind="daftar_hadir"),
    )
    item = Activity.objects.get()
    assert item.attachment.name.startswith(f"laporan/{KEJAKSAN}/{MARCH}/")
    response = login(people[persona]).get(page_url(KEJAKSAN, MARCH, "activity_attachment", item.pk))
    if persona in SEES_KEJAKSAN:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == PDF
    else:
        assert response.status_code == 404
    page = login(people["ani"]).get(page_url()).content.decode()
    assert item.attachment.url not in page  # never a public media URL


# -- the PMKS grid follows the report's state ------------------------------------------------------------------------


def test_the_grid_is_locked_once_the_report_is_submitted(draft, people, login):
    client = login(people["ani"])
    grid = reverse("pmks:grid", args=[KEJAKSAN, "2026M03"])
    lut = category("LUT").pk
    d1 = desa_of(KEJAKSAN)[0]
    response = client.get(grid)
    assert response.context["locked"] is None
    body = response.content.decode()
    assert "Simpan semua angka" in body and page_url() in body  # the grid links to the monthly report
    assert client.post(grid, {"versi": response.context["grid"].version, f"f-{d1}-{lut}-t": "4"}).status_code == 302
    _act(client, "submit")

    response = client.get(grid)
    assert "terkunci" in response.context["locked"]
    body = response.content.decode()
    assert 'data-testid="grid-locked"' in body and "<fieldset disabled>" in body
    assert "Simpan semua angka" not in body and "Salin angka bulan lalu" not in body
    refused = client.post(grid, {"versi": response.context["grid"].version, f"f-{d1}-{lut}-t": "9"})
    assert refused.status_code == 302
    assert "Tidak ada angka yang disimpan." in message(refused)
    assert list(PmksFigure.objects.values_list("total", flat=True)) == [4]
    # The operator cannot write into it either; returned for revision, it opens again.
    dedi = login(people["dedi"])
    dedi.post(grid, {"versi": "x", f"f-{d1}-{lut}-t": "9"})
    assert list(PmksFigure.objects.values_list("total", flat=True)) == [4]
    _act(dedi, "return", "Periksa lagi.")
    assert login(people["ani"]).get(grid).context["locked"] is None


def test_the_grid_of_another_month_stays_open(people, login, catalogue):
    make_report(KEJAKSAN, MARCH, State.ACCEPTED)
    response = login(people["ani"]).get(reverse("pmks:grid", args=[KEJAKSAN, "2026M04"]))
    assert response.context["locked"] is None


# -- triwulan, semester and year ----------------------------------------------------------------------------------


def test_a_quarterly_page_compiles_stocks_from_the_last_month_and_sums_flows(people, login, catalogue):
    d1, _d2 = desa_of(KEJAKSAN)
    jan = make_report(KEJAKSAN, "2026M01", State.ACCEPTED)
    feb = make_report(KEJAKSAN, "2026M02", State.SUBMITTED)
    make_report(KEJAKSAN, "2026M03", State.DRAFT)
    put(d1, "LUT", "2026M01", 10)
    put(d1, "LUT", "2026M02", 12)
    put(d1, "LUT", "2026M03", 15)  # a draft month does not count
    activity(jan, 5, male=3, female=4)
    activity(feb, 6, male=1, female=1)
    activity(feb, 7, kind="rujukan", female=2)
    response = login(people["ani"]).get(page_url(KEJAKSAN, "2026Q1"))
    assert response.status_code == 200
    context = response.context
    assert context["pmks"].grand_total == "12"  # February's stock, not 10 + 12 (+ 15)
    assert context["stock_month"] == "Februari 2026"
    assert context["activity_rows"] == [("Pendataan", 2, 4, 5), ("Rujukan", 1, 0, 2)]
    body = response.content.decode()
    assert "bukan jumlah bulan-bulannya" in body and "dijumlahkan dari semua laporan bulanan" in body
    assert response.context["form"].fields.keys() >= {"summary", "version"}
    response = _act(login(people["ani"]), "submit", period="2026Q1")
    assert "Maret 2026" in message(response)  # March is not handed in yet


def test_the_annual_evaluation_is_filled_by_the_operator_before_verifying(people, login, catalogue):
    report = make_report(KEJAKSAN, "2025", State.SUBMITTED)
    url = page_url(KEJAKSAN, "2025", "report_evaluation")
    assert login(people["ani"]).post(url, {"version": 1}).status_code == 403
    dedi = login(people["dedi"])
    assert "evaluation_form" in dedi.get(page_url(KEJAKSAN, "2025")).context
    refused = _act(dedi, "verify", period="2025")
    assert "Isi evaluasi akhir tahun" in message(refused)
    response = dedi.post(url, {"version": 1, "evaluation_performance": "baik", "evaluation_activeness": "aktif"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.evaluation_performance, report.evaluation_activeness, report.state) == ("baik", "aktif", "submitted")
    _act(dedi, "verify", period="2025")
    report.refresh_from_db()
    assert report.state == State.VERIFIED
    again = dedi.post(
        url, {"version": report.version, "evaluation_performance": "buruk", "evaluation_activeness": "aktif"}
    )
    assert "berstatus “Dikirim”" in message(again)
    report.refresh_from_db()
    assert report.evaluation_performance == "baik"
    assert "Baik" in login(people["hadi"]).get(page_url(KEJAKSAN, "2025")).content.decode()


# -- the admin and the menu -----------------------------------------------------------------------------------------


def _staff(user, *codenames):
    from django.contrib.auth.models import Permission

    user.is_staff = True
    user.save()
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="reporting", codename__in=codenames))


def test_the_admin_is_scoped_and_reports_are_read_only(people, login, catalogue):
    from reporting.models import Deadline, Letterhead

    fajar = people["fajar"]
    _staff(fajar, "view_report", "change_report", "view_deadline", "add_deadline", "change_deadline",
           "view_letterhead", "change_letterhead")  # fmt: skip
    inside = make_report(KEJAKSAN, MARCH, State.SUBMITTED)
    outside = make_report("33.01.01", MARCH, State.SUBMITTED)
    client = login(fajar)
    listing = client.get("/admin/reporting/report/")
    assert listing.status_code == 200
    assert [r.pk for r in listing.context["cl"].result_list] == [inside.pk]
    assert client.get(f"/admin/reporting/report/{outside.pk}/change/").status_code in (302, 404)
    client.post(f"/admin/reporting/report/{inside.pk}/change/", {"state": "accepted"})
    inside.refresh_from_db()
    assert inside.state == State.SUBMITTED  # state moves only through the workflow
    assert client.get("/admin/reporting/report/add/").status_code == 403

    national = Deadline.objects.create(provinsi=None, period_kind="M", days_after_end=10)
    other = Deadline.objects.create(provinsi_id="33", period_kind="M", days_after_end=5)
    listed = client.get("/admin/reporting/deadline/").context["cl"].result_list
    assert {d.pk for d in listed} == {national.pk}
    client.post(f"/admin/reporting/deadline/{national.pk}/change/", {"period_kind": "M", "days_after_end": "3"})
    national.refresh_from_db()
    assert national.days_after_end == 10  # the national default is the superuser's
    refused = client.post(
        "/admin/reporting/deadline/add/", {"provinsi": "33", "period_kind": "Q", "days_after_end": "1"}
    )
    assert refused.status_code == 200 and not Deadline.objects.filter(period_kind="Q").exists()
    draft = make_report("32.74.02", MARCH)  # not sent yet: its due date follows the new deadline
    client.post("/admin/reporting/deadline/add/", {"provinsi": "32", "period_kind": "M", "days_after_end": "5"})
    assert Deadline.objects.get(provinsi_id="32").days_after_end == 5
    other.refresh_from_db()
    assert other.days_after_end == 5
    draft.refresh_from_db()
    inside.refresh_from_db()
    assert draft.due_date == date(2026, 4, 5) and inside.due_date == date(2026, 4, 10)

    mine = Letterhead.objects.create(wilayah_id="32.74", government="PEMERINTAH KOTA CIREBON", office="DINAS SOSIAL",
                                     address="Jl. Uji 1", city="Cirebon")  # fmt: skip
    Letterhead.objects.create(wilayah_id="33.01", government="PEMERINTAH KABUPATEN CILACAP", office="DINAS SOSIAL",
                              address="Jl. Uji 2", city="Cilacap")  # fmt: skip
    assert [h.pk for h in client.get("/admin/reporting/letterhead/").context["cl"].result_list] == [mine.pk]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ani", {"report_list", "rollup"}),
        ("dedi", {"report_list", "completeness", "rollup"}),
        ("hadi", {"report_list", "completeness", "rollup"}),
        ("intan", {"report_list", "completeness", "rollup"}),
    ],
)
def test_the_menu_offers_the_reporting_screens(people, login, persona, expected):
    response = login(people[persona]).get(reverse("home"))
    group = next(item for item in response.context["nav_items"] if str(item["label"]) == "Laporan")
    keys = {child["key"] for child in group["children"]}
    assert expected <= keys and ("completeness" in keys) == ("completeness" in expected)
    for child in group["children"]:
        if child["key"] in expected:
            assert login(people[persona]).get(child["url"]).status_code == 200
