"""The dashboard: completeness per child area, PMKS by category with its 12-month trend (stocks, never summed over
months), TKSK coverage, drill-down, the small-cell rule, scope, and a query count that does not grow with the data.

Kejaksan (32.74.01) and Lemahwungkuk (32.74.02) are in Kota Cirebon (32.74), Ciamis (32.07.01) in Kabupaten Ciamis
(32.07); all in Jawa Barat (32). Kota Cirebon has 5 kecamatan.
"""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from psks_portal import periods
from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import State
from tests.core.test_disclosure import interval_lp
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

KEJAKSAN, LEMAHWUNGKUK, CIAMIS = "32.74.01", "32.74.02", "32.07.01"
URL = "/laporan/dasbor/"


def board(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return response.context["board"]


def child(board_, code):
    return next(c for c in board_.children if c.wilayah.code == code)


def line(board_, code):
    return next(x for x in board_.categories if x.category.code == code)


def test_it_counts_submitted_on_time_and_verified_reports_per_child_area(people, catalogue, login):
    make_report(KEJAKSAN, "2026M03", State.SUBMITTED, days_late=0)
    make_report(LEMAHWUNGKUK, "2026M03", State.VERIFIED, days_late=3)
    make_report("32.74.03", "2026M03", State.REVISION)  # sent back: not handed in
    make_report(CIAMIS, "2026M03", State.ACCEPTED, days_late=0)
    make_report(CIAMIS, "2026M02", State.ACCEPTED, days_late=0)  # another month: not counted
    b = board(login(people["fajar"]), periode="2026M03")
    cirebon, ciamis = child(b, "32.74").completeness, child(b, "32.07").completeness
    assert (cirebon.kecamatan, cirebon.submitted, cirebon.on_time, cirebon.verified) == (5, 2, 1, 1)
    assert (ciamis.submitted, ciamis.on_time, ciamis.verified, ciamis.accepted) == (1, 1, 1, 1)
    assert (b.completeness.submitted, b.completeness.on_time, b.completeness.verified) == (3, 2, 2)
    assert child(b, "32.74").shares["submitted"] == 40.0


def test_the_trend_shows_each_months_own_total_never_a_sum_of_months(people, catalogue, login):
    k1, k2 = desa_of(KEJAKSAN)
    for month, state in (("2026M01", State.ACCEPTED), ("2026M02", State.ACCEPTED), ("2026M03", State.SUBMITTED)):
        make_report(KEJAKSAN, month, state)
    for month, a, b in (("2026M01", 7, 3), ("2026M02", 9, 3), ("2026M03", 11, 4)):
        put(k1, "LUT", month, a)
        put(k2, "LUT", month, b)
    put(k1, "LUT", "2026M04", 50)  # no report for April: not counted
    put(desa_of(LEMAHWUNGKUK)[0], "LUT", "2026M03", 6)  # Lemahwungkuk's March is not reported: not counted
    b = board(login(people["dedi"]), periode="2026M03")
    lut = line(b, "LUT")
    assert [m.id for m in b.trend_months][-3:] == ["2026M01", "2026M02", "2026M03"]
    assert len(b.trend_months) == 12 and b.trend_months[0].id == "2025M04"
    assert [c.value for c in lut.trend][-3:] == [10, 12, 15]  # a cumulative line would read 10, 22, 37
    assert [c.value for c in lut.trend][:-3] == [None] * 9
    assert lut.month.value == 15
    assert child(b, KEJAKSAN).pmks.value == 15 and child(b, LEMAHWUNGKUK).pmks.value is None
    assert b.pmks_total.value == 15
    # Each point is the roll-up of its own month.
    for m, point in zip(b.trend_months[-3:], lut.trend[-3:], strict=True):
        rollup = selectors.pmks_rollup(
            wilayah=Wilayah.objects.get(code="32.74"), period=m, categories=[category("LUT")], accepted_only=False
        )
        assert rollup.grand_total.total == point.value
    # "Accepted only" drops the submitted March.
    accepted = board(login(people["dedi"]), periode="2026M03", status="diterima")
    assert [c.value for c in line(accepted, "LUT").trend][-3:] == [10, 12, None]


def test_the_chart_data_equals_the_tables(people, catalogue, login):
    make_report(KEJAKSAN, "2026M03", State.SUBMITTED)
    put(desa_of(KEJAKSAN)[0], "FM", "2026M03", 21)
    response = login(people["fajar"]).get(URL, {"periode": "2026M03", "wilayah": "32.74"})
    data = response.context["chart_data"]
    fm = category("FM")
    assert data["categories"]["values"][data["categories"]["labels"].index(f"{fm.number:02d} {fm.name}")] == 21
    assert data["trend"]["series"][0]["values"][-1] == 21
    assert data["completeness"]["labels"][0] == "Kejaksan" and data["completeness"]["submitted"][0] == 100.0
    embedded = response.content.decode().split('id="dashboard-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(embedded)["categories"]["values"] == data["categories"]["values"]
    html = response.content.decode()
    assert "vendor/chartjs/chart.umd.min.js" in html and "cdn" not in html.lower()
    assert 'data-testid="pmks-trend-table"' in html and 'data-testid="completeness-table"' in html


def test_it_shows_tksk_coverage_per_child_area(people, catalogue, login):
    assign(make_person(name="TKSK Kejaksan", desa=f"{KEJAKSAN}.1001"), "tksk")
    assign(make_person(name="TKSK Ciamis", desa=desa_of(CIAMIS)[0]), "tksk")
    b = board(login(people["fajar"]), periode="2026M03")
    assert (child(b, "32.74").completeness.with_tksk, child(b, "32.74").without_tksk) == (1, 4)
    assert child(b, "32.07").completeness.with_tksk == 1
    assert b.completeness.with_tksk == 2 and b.without_tksk == b.completeness.kecamatan - 2
    coverage = b.chart_data()["coverage"]
    assert coverage["with"][coverage["labels"].index("Kota Cirebon")] == 1


def test_it_drills_down_from_provinsi_to_desa(people, catalogue, login):
    client = login(people["fajar"])
    response = client.get(URL, {"periode": "2026M03"})
    assert response.context["board"].wilayah.code == "32"  # the user's own wilayah by default
    assert 'href="?wilayah=32.74&amp;periode=2026M03"' in response.content.decode()
    kota = board(client, wilayah="32.74", periode="2026M03")
    assert [c.wilayah.level for c in kota.children] == [3] * 5 and kota.per_child_completeness
    kecamatan = board(client, wilayah=KEJAKSAN, periode="2026M03")
    assert {c.wilayah.level for c in kecamatan.children} == {4} and not kecamatan.per_child_completeness
    desa = desa_of(KEJAKSAN)[0]
    leaf = client.get(URL, {"wilayah": desa, "periode": "2026M03"})
    assert [c.wilayah.code for c in leaf.context["board"].children] == [desa]
    assert [code for _label, code in leaf.context["path"]] == ["32", "32.74", KEJAKSAN, desa]
    assert 'data-testid="export-form"' not in leaf.content.decode()  # recaps start at a kecamatan
    assert 'data-testid="export-form"' in client.get(URL, {"wilayah": KEJAKSAN}).content.decode()


def test_a_pimpinan_never_sees_figures_of_one_to_four(people, catalogue, login):
    make_report(KEJAKSAN, "2026M03", State.ACCEPTED)
    make_report(KEJAKSAN, "2026M02", State.ACCEPTED)
    desa = desa_of(KEJAKSAN)[0]
    put(desa, "LUT", "2026M03", 3)
    put(desa, "FM", "2026M03", 40)
    put(desa, "AT", "2026M03", 10)
    put(desa, "AT", "2026M02", 2)
    response = login(people["hadi"]).get(URL, {"periode": "2026M03"})
    b = response.context["board"]
    assert line(b, "LUT").month.shown == "×" and line(b, "LUT").trend[-1].shown == "×"
    # The total 53 is shown, so one more category is withheld, or LUT would be 53 − 40 − 10: the smallest, AT.
    assert b.pmks_total.shown == "53" and line(b, "AT").month.shown == "×" and line(b, "AT").trend[-1].shown == "×"
    assert line(b, "FM").month.shown == "40"
    assert line(b, "AT").trend[-2].shown == "×"  # February's 2
    assert child(b, KEJAKSAN).pmks.shown == "53" and b.masked
    data = response.context["chart_data"]
    assert data["categories"]["values"].count(None) == len(b.categories) - 1 and 40 in data["categories"]["values"]
    assert all(v in (None, 40) for s in data["trend"]["series"] for v in s["values"])
    assert 'data-testid="small-cell-note"' in response.content.decode()
    # The operator of the same area sees the figures themselves.
    admin = board(login(people["dedi"]), periode="2026M03")
    assert [line(admin, c).month.shown for c in ("LUT", "AT", "FM")] == ["3", "10", "40"] and not admin.masked


def test_a_pimpinan_gets_accepted_reports_only_whatever_is_asked(people, catalogue, login):
    """The dashboard's "all submitted" choice is not offered to a read-only viewer, nor honoured in the address:
    otherwise the difference between two bases would give a hidden figure back."""
    make_report(KEJAKSAN, "2026M03", State.ACCEPTED)
    make_report("32.74.02", "2026M03", State.SUBMITTED)
    put(desa_of(KEJAKSAN)[0], "FM", "2026M03", 40)
    put(desa_of("32.74.02")[0], "FM", "2026M03", 20)
    for params in ({}, {"status": ""}, {"status": "dikirim"}):
        response = login(people["hadi"]).get(URL, {"periode": "2026M03", **params})
        assert response.context["board"].accepted_only and response.context["board"].pmks_total.shown == "40"
        assert 'name="status"' not in response.content.decode()
    assert board(login(people["dedi"]), periode="2026M03").pmks_total.shown == "60"


def _nothing_narrowed(b) -> None:
    """The dashboard's two sums (categories → total, child areas → total), with everything it shows and hidden
    figures at least 1, leave every hidden small figure at least five possible values (independent LP)."""
    values, hidden = {"total": b.pmks_total.value or 0}, set()
    for name, counts in (("kategori", [c.month for c in b.categories]), ("wilayah", [c.pmks for c in b.children])):
        for n, count in enumerate(counts):
            values[(name, n)] = count.value or 0
            if count.hidden:
                hidden.add((name, n))
    if b.pmks_total.hidden:
        hidden.add("total")
    relations = [("total", [k for k in values if k != "total" and k[0] == name]) for name in ("kategori", "wilayah")]
    for key in hidden:
        if 1 <= values[key] <= 4:
            low, high = interval_lp(values, relations, hidden, key)
            assert high - low >= 4, (key, low, high)


def test_two_small_categories_are_not_given_back_by_the_total(people, catalogue, login):
    """KAT 1, FM 1, LUT 10, total 12: showing LUT would let a reader solve KAT + FM = 2 with both at least 1."""
    make_report(KEJAKSAN, "2026M03", State.ACCEPTED)
    desa = desa_of(KEJAKSAN)[0]
    put(desa, "KAT", "2026M03", 1)
    put(desa, "FM", "2026M03", 1)
    put(desa, "LUT", "2026M03", 10)
    b = board(login(people["hadi"]), periode="2026M03")
    assert [line(b, c).month.shown for c in ("KAT", "FM")] == ["×", "×"]
    assert line(b, "LUT").month.shown != "10" or b.pmks_total.shown != "12"
    _nothing_narrowed(b)


def test_a_later_trend_masks_an_earlier_month_as_that_month_did(people, catalogue, login):
    """February: KAT 3, FM 10, LUT 20, total 33 — February's own dashboard hides FM (“×”) to protect KAT. March's trend
    must not show February's FM as 10 (KAT would be 33 − 10 − 20 = 3)."""
    make_report(KEJAKSAN, "2026M02", State.ACCEPTED)
    make_report(KEJAKSAN, "2026M03", State.ACCEPTED)
    desa = desa_of(KEJAKSAN)[0]
    for code, value in (("KAT", 3), ("FM", 10), ("LUT", 20)):
        put(desa, code, "2026M02", value)
    put(desa, "LUT", "2026M03", 25)
    client = login(people["hadi"])
    february = board(client, periode="2026M02")
    march = board(client, periode="2026M03")
    _nothing_narrowed(february)
    for code in ("KAT", "FM", "LUT", "AT"):
        assert line(march, code).trend[-2].shown == line(february, code).month.shown, code
    assert line(march, "FM").trend[-2].shown == "×" and line(march, "FM").trend[-2].chart is None


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("gita", "32"),  # another provinsi
        ("gita", "32.74"),
        ("dedi", "32.07"),  # another kabupaten of the same provinsi
        ("euis", KEJAKSAN),
        ("ani", "32.74.02"),  # the neighbouring kecamatan
        ("ani", "32.74"),  # a TKSK cannot look upwards
        ("hadi", "32.07.01"),
        ("fajar", "33.01"),
    ],
)
def test_it_answers_404_for_a_wilayah_outside_the_scope(people, catalogue, login, persona, code):
    assert login(people[persona]).get(URL, {"wilayah": code}).status_code == 404


def test_each_role_lands_on_its_own_wilayah(people, catalogue, login):
    assert board(login(people["ani"])).wilayah.code == KEJAKSAN
    assert board(login(people["dedi"])).wilayah.code == "32.74"
    assert board(login(people["gita"])).wilayah.code == "33"
    national = board(login(people["intan"]))
    assert national.wilayah is None and {c.wilayah.code for c in national.children} >= {"32", "33"}


def test_it_refuses_anonymous_users_and_unknown_months(people, catalogue, client, login):
    assert client.get(URL).status_code == 302
    c = login(people["fajar"])
    assert c.get(URL, {"periode": "2026Q1"}).status_code == 404
    assert c.get(URL, {"periode": "bulan lalu"}).status_code == 404
    assert c.get(URL, {"wilayah": "99.99"}).status_code == 404


def test_the_default_month_is_the_last_one_that_has_ended(people, catalogue, login):
    from django.utils import timezone

    expected = periods.last_closed(periods.MONTH, timezone.localdate())
    assert board(login(people["dedi"])).month == expected


def _grow(months: list[str]) -> None:
    """Reports and figures in every kecamatan of both kabupaten, several desa each, for the given months."""
    kecamatan = list(Wilayah.objects.filter(parent_id__in=["32.07", "32.74"]).values_list("code", flat=True))
    states = [State.SUBMITTED, State.VERIFIED, State.ACCEPTED, State.DRAFT]
    for i, kec in enumerate(kecamatan):
        desa = desa_of(kec, 3)
        for m in months:
            make_report(kec, m, states[i % len(states)], days_late=i % 3)
            for d in desa:
                for code in ("LUT", "FM", "AT"):
                    put(d, code, m, 5 + i)


def test_the_number_of_queries_does_not_grow_with_the_data(people, catalogue, login, django_assert_max_num_queries):
    client = login(people["fajar"])
    params = {"periode": "2026M03"}
    client.get(URL, params)  # warm caches (content types, session)
    make_report(KEJAKSAN, "2025M12", State.SUBMITTED)
    put(desa_of(KEJAKSAN)[0], "LUT", "2025M12", 8)
    with CaptureQueriesContext(connection) as small:
        client.get(URL, params)
    _grow(["2026M01", "2026M02", "2026M03"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        big = client.get(URL, params)
    assert big.status_code == 200
    for code in ("32.74", KEJAKSAN):
        with CaptureQueriesContext(connection) as lower:
            client.get(URL, {**params, "wilayah": code})
        assert len(lower.captured_queries) <= 25
    assert len(small.captured_queries) <= 25
