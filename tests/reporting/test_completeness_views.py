"""The completeness screen, the operator's "not reporting" mark and the provinsi's acceptance per kabupaten.

Kota Cirebon (32.74) has five kecamatan, 32.74.01–05; Kabupaten Ciamis (32.07) has 27. For March 2026 (due 10 April
2026) the data below is: 01 submitted on time, 02 verified 3 days late, 03 accepted on time, 04 marked not reporting,
05 nothing yet; in Ciamis only 32.07.01 has a draft.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from psks_portal.models import Wilayah
from reporting.models import Report, State, Transition
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

MARCH = "2026M03"
URL = reverse("reporting:completeness")
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
SEES_KOTA_CIREBON = {"dedi", "fajar", "hadi", "intan", "root"}


def message(response) -> str:
    return [str(m) for m in get_messages(response.wsgi_request)][-1]


@pytest.fixture
def march(people, catalogue):
    from tests.registry.conftest import assign, make_person

    assign(make_person(name="Tini TKSK", desa="32.74.01.1001"), "tksk", "32.74.01")
    make_report("32.74.01", MARCH, State.SUBMITTED, days_late=0)
    make_report("32.74.02", MARCH, State.VERIFIED, days_late=3)
    make_report("32.74.03", MARCH, State.ACCEPTED, days_late=0)
    make_report("32.74.04", MARCH, State.NOT_REPORTING)
    make_report("32.07.01", MARCH, State.DRAFT)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_404_for_a_wilayah_outside_the_scope(march, people, login, persona):
    client = login(people[persona])
    response = client.get(URL, {"wilayah": "32.74", "periode": MARCH})
    assert response.status_code == (200 if persona in SEES_KOTA_CIREBON else 404)
    assert client.get(URL).status_code == 200  # without a choice: the user's own wilayah


def test_it_counts_the_reports_of_each_kecamatan_of_a_kota(march, people, login):
    response = login(people["dedi"]).get(URL, {"periode": MARCH})
    assert response.context["wilayah"].code == "32.74"
    rows = {item["row"].wilayah.code: item["row"] for item in response.context["rows"]}
    assert list(rows) == ["32.74.01", "32.74.02", "32.74.03", "32.74.04", "32.74.05"]
    assert (rows["32.74.01"].submitted, rows["32.74.01"].on_time, rows["32.74.01"].with_tksk) == (1, 1, 1)
    assert (rows["32.74.02"].verified, rows["32.74.02"].late) == (1, 1)
    assert rows["32.74.04"].not_reporting == 1
    total = response.context["total"]
    assert (total.kecamatan, total.with_tksk, total.submitted, total.on_time, total.late) == (5, 1, 3, 2, 1)
    assert (total.verified, total.accepted, total.not_reporting, total.not_submitted) == (2, 1, 1, 1)
    # Shares of all five kecamatan; "on time" is 2 of the 3 submitted.
    assert response.context["total_pct"] == {"submitted": 60.0, "on_time": 66.7, "verified": 40.0, "accepted": 20.0}
    # Kecamatan rows link to the report page.
    assert response.context["rows"][0]["link"] == reverse("reporting:report_detail", args=["32.74.01", MARCH])


def test_the_provinsi_sees_one_row_per_kabupaten_with_drill_down(march, people, login):
    response = login(people["fajar"]).get(URL, {"periode": MARCH})
    rows = {item["row"].wilayah.code: item for item in response.context["rows"]}
    assert list(rows) == ["32.07", "32.74"]
    ciamis_kecamatan = Wilayah.objects.filter(level=3, kabupaten_id="32.07").count()
    assert rows["32.07"]["row"].kecamatan == ciamis_kecamatan == 27
    assert (rows["32.07"]["row"].submitted, rows["32.07"]["row"].draft) == (0, 1)
    assert rows["32.74"]["row"].submitted == 3
    assert rows["32.74"]["link"] == f"?wilayah=32.74&periode={MARCH}"
    assert response.context["total"].kecamatan == 32
    # Acceptance per kabupaten: Kota Cirebon waits for two kecamatan (01 submitted only, 05 nothing).
    assert rows["32.74"]["accept"]["pending"] == 2 and rows["32.74"]["accept"]["button"]
    assert "Terima semua laporan Kota Cirebon" in response.content.decode()


def test_the_missing_list_is_the_operators_to_do_list(march, people, login):
    response = login(people["dedi"]).get(URL, {"periode": MARCH})
    missing = response.context["missing"]
    assert [(m.kecamatan.code, m.state) for m, _css, _label in missing] == [("32.74.05", None)]
    overdue = (timezone.localdate() - date(2026, 4, 10)).days
    assert missing[0][0].days_overdue == max(0, overdue) and missing[0][0].due_date == date(2026, 4, 10)
    body = response.content.decode()
    assert "Tandai tidak melapor" in body
    provinsi = login(people["fajar"]).get(URL, {"periode": MARCH})
    assert len(provinsi.context["missing"]) == 27 + 1  # all of Ciamis (one a draft) and 32.74.05
    assert "Tandai tidak melapor" not in provinsi.content.decode()  # marking is the operator's


def test_the_default_period_is_the_last_closed_month(march, people, login):
    response = login(people["dedi"]).get(URL)
    today = timezone.localdate()
    previous = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    assert (response.context["period"].year, response.context["period"].index) == (previous.year, previous.month)


def test_quarters_count_the_quarterly_reports(march, people, login):
    make_report("32.74.01", "2026Q1", State.SUBMITTED, days_late=2)
    response = login(people["dedi"]).get(URL, {"periode": "2026Q1"})
    total = response.context["total"]
    assert (total.submitted, total.late) == (1, 1)


def test_the_screen_takes_the_same_number_of_queries_for_one_or_many_reports(
    march, people, login, django_assert_max_num_queries
):
    client = login(people["fajar"])
    with django_assert_max_num_queries(20) as few:
        client.get(URL, {"periode": MARCH})
    for code in (
        Wilayah.objects.filter(level=3, kabupaten_id="32.07").exclude(code="32.07.01").values_list("code", flat=True)
    ):
        make_report(code, MARCH, State.VERIFIED, days_late=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(URL, {"periode": MARCH})
    assert response.context["total"].verified == 2 + 26


# -- not reporting ------------------------------------------------------------------------------------------------

NOT_REPORTING = reverse("reporting:not_reporting")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("ani", 404), ("budi", 404), ("citra", 404), ("euis", 404), ("gita", 404), ("hadi", 403), ("intan", 403),
     ("fajar", 403)],
)  # fmt: skip
def test_only_the_operator_in_scope_marks_not_reporting(march, people, login, persona, status):
    response = login(people[persona]).post(NOT_REPORTING, {"kecamatan": "32.74.05", "periode": MARCH, "reason": "x"})
    assert response.status_code == status
    assert not Report.objects.filter(kecamatan_id="32.74.05").exists()


def test_a_tksk_cannot_mark_their_own_kecamatan(people, login, catalogue):
    response = login(people["ani"]).post(NOT_REPORTING, {"kecamatan": "32.74.01", "periode": MARCH, "reason": "x"})
    assert response.status_code == 403 and not Report.objects.exists()


def test_the_operator_marks_not_reporting_with_a_reason(march, people, login):
    client = login(people["dedi"])
    refused = client.post(NOT_REPORTING, {"kecamatan": "32.74.05", "periode": MARCH, "reason": ""})
    assert refused.status_code == 302 and "Tuliskan alasan" in message(refused)
    assert not Report.objects.filter(kecamatan_id="32.74.05").exists()
    done = client.post(NOT_REPORTING, {"kecamatan": "32.74.05", "periode": MARCH, "reason": "TKSK meninggal dunia"})
    assert done.url == f"{URL}?wilayah=32.74&periode={MARCH}"
    report = Report.objects.get(kecamatan_id="32.74.05", period=MARCH)
    assert report.state == State.NOT_REPORTING
    move = Transition.objects.get(report=report)
    assert (move.by.username, move.from_state, move.to_state, move.comment) == (
        "dedi", "draft", "not_reporting", "TKSK meninggal dunia",
    )  # fmt: skip
    # A submitted report cannot be marked: the refusal is a message and nothing changes.
    refused = client.post(NOT_REPORTING, {"kecamatan": "32.74.01", "periode": MARCH, "reason": "salah klik"})
    assert "tidak dapat di-tandai tidak melapor" in message(refused)
    assert Report.objects.get(kecamatan_id="32.74.01", period=MARCH).state == State.SUBMITTED


# -- acceptance ---------------------------------------------------------------------------------------------------

ACCEPT = reverse("reporting:accept_kabupaten")


@pytest.mark.parametrize(
    ("persona", "status"),
    [("ani", 404), ("citra", 404), ("dedi", 403), ("euis", 404), ("gita", 404), ("hadi", 403), ("intan", 403)],
)
def test_only_an_admin_provinsi_in_scope_accepts(march, people, login, persona, status):
    Report.objects.filter(kecamatan_id="32.74.01").update(state=State.VERIFIED)
    make_report("32.74.05", MARCH, State.NOT_REPORTING)
    response = login(people[persona]).post(ACCEPT, {"kabupaten": "32.74", "periode": MARCH})
    assert response.status_code == status
    assert Report.objects.filter(state=State.ACCEPTED).count() == 1  # only 32.74.03, accepted before


def test_acceptance_waits_for_every_kecamatan_and_says_which(march, people, login):
    client = login(people["fajar"])
    refused = client.post(ACCEPT, {"kabupaten": "32.74", "periode": MARCH})
    text = message(refused)
    assert "2 kecamatan belum diverifikasi" in text
    assert "Kejaksan" in text and "Kesambi" in text and "Harjamukti" not in text
    assert Report.objects.filter(state=State.ACCEPTED).count() == 1
    Report.objects.filter(kecamatan_id="32.74.01").update(state=State.VERIFIED)
    make_report("32.74.05", MARCH, State.NOT_REPORTING)
    done = client.post(ACCEPT, {"kabupaten": "32.74", "periode": MARCH})
    assert message(done) == "2 laporan Kota Cirebon untuk Maret 2026 diterima."
    states = dict(Report.objects.filter(kecamatan__kabupaten_id="32.74").values_list("kecamatan_id", "state"))
    assert states == {
        "32.74.01": "accepted", "32.74.02": "accepted", "32.74.03": "accepted",
        "32.74.04": "not_reporting", "32.74.05": "not_reporting",
    }  # fmt: skip
    page = client.get(URL, {"periode": MARCH, "wilayah": "32.74"})
    assert page.context["total_accept"]["done"] and not page.context["total_accept"]["button"]


@pytest.mark.parametrize("periode", ["1900M01", "1999M12", "9999M12", "9999", "2026M13", "2026Q5", "20x6", ""])
@pytest.mark.parametrize(
    "name", ["reporting:completeness", "reporting:dashboard", "reporting:rollup", "reporting:recap_index",
             "reporting:report_list"],
)  # fmt: skip
def test_a_period_outside_the_reporting_years_or_malformed_is_not_a_server_error(people, catalogue, login, name,
                                                                                 periode):  # fmt: skip
    response = login(people["fajar"]).get(reverse(name), {"periode": periode, "rekap": "pmks"})
    assert response.status_code in (200, 302, 404)
