"""The roll-up screen: PMKS, PSKS and activities by child area, "accepted only" vs "all submitted", the report states
beside each row, small cells hidden from read-only viewers, scope, and a constant number of queries.

March 2026 in Kota Cirebon (32.74): Kejaksan (32.74.01) accepted, Lemahwungkuk (32.74.02) submitted, Harjamukti
(32.74.03) verified, the other two without a report. Kabupaten Ciamis (32.07) has nothing.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from psks_portal.models import Wilayah
from reporting.models import PsksCount, Report, State
from tests.reporting.conftest import activity, category, desa_of, make_report, put

pytestmark = pytest.mark.django_db

MARCH = "2026M03"
URL = reverse("reporting:rollup")
PERSONAS = ["ani", "budi", "citra", "dedi", "euis", "fajar", "gita", "hadi", "intan", "root"]
SEES_KOTA_CIREBON = {"dedi", "fajar", "hadi", "intan", "root"}


@pytest.fixture
def march(people, catalogue):
    kejaksan = make_report("32.74.01", MARCH, State.ACCEPTED)
    lemahwungkuk = make_report("32.74.02", MARCH, State.SUBMITTED)
    make_report("32.74.03", MARCH, State.VERIFIED)
    k1, k2 = desa_of("32.74.01")
    put(k1, "LUT", MARCH, 7, male=3)
    put(k2, "FM", MARCH, 10)
    put(desa_of("32.74.02")[0], "LUT", MARCH, 5)
    put(desa_of("32.74.03")[0], "FM", MARCH, 2)
    activity(kejaksan, 3, male=3, female=4)
    activity(kejaksan, 9, male=1, female=1)
    activity(lemahwungkuk, 4, kind="rujukan", female=2)
    return kejaksan


def cells(response, column_code: str) -> dict[str, str]:
    """Shown total per row for one PMKS column (by category code)."""
    index = [c["label"].split(" ", 1)[1] for c in response.context["columns"]].index(column_code)
    return {r["child"].code: r["cells"][index]["total"] for r in response.context["rows"]}


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_answers_404_for_a_wilayah_outside_the_scope(march, people, login, persona):
    client = login(people[persona])
    for tab in ("pmks", "psks", "kegiatan"):
        response = client.get(URL, {"wilayah": "32.74", "periode": MARCH, "tab": tab})
        assert response.status_code == (200 if persona in SEES_KOTA_CIREBON else 404)
    assert client.get(URL).status_code == 200


def test_accepted_only_counts_the_accepted_reports(march, people, login):
    response = login(people["dedi"]).get(URL, {"periode": MARCH})
    assert response.context["accepted_only"] is True
    assert cells(response, "LUT") == {
        "32.74.01": "7",
        "32.74.02": "—",
        "32.74.03": "—",
        "32.74.04": "—",
        "32.74.05": "—",
    }
    assert cells(response, "FM")["32.74.01"] == "10"
    rows = {r["child"].code: r for r in response.context["rows"]}
    assert rows["32.74.01"]["total"] == "17"
    assert response.context["grand_total"] == "17"
    lut = [c["label"] for c in response.context["columns"]].index("08 LUT")
    assert rows["32.74.01"]["cells"][lut]["split"] == ("3", "4")  # L/P for a category counted per person
    assert rows["32.74.01"]["state"]["text"] == "Diterima provinsi"
    assert rows["32.74.02"]["state"]["text"] == "Dikirim"
    assert rows["32.74.05"]["state"] is None or rows["32.74.05"]["state"]["text"] == "Belum ada laporan"
    assert "Angka bersumber dari 1 dari 5 kecamatan" in response.context["basis"]


def test_all_submitted_adds_the_submitted_and_verified_reports(march, people, login):
    response = login(people["dedi"]).get(URL, {"periode": MARCH, "dasar": "dikirim"})
    assert cells(response, "LUT") == {
        "32.74.01": "7",
        "32.74.02": "5",
        "32.74.03": "—",
        "32.74.04": "—",
        "32.74.05": "—",
    }
    assert cells(response, "FM")["32.74.03"] == "2"
    assert response.context["grand_total"] == "24"  # 7 + 10 + 5 + 2
    assert "3 dari 5 kecamatan yang laporannya sudah dikirim" in response.context["basis"]


def test_the_provinsi_sees_kabupaten_rows_with_their_report_states_and_drill_down(march, people, login):
    response = login(people["fajar"]).get(URL, {"periode": MARCH, "dasar": "dikirim"})
    rows = {r["child"].code: r for r in response.context["rows"]}
    assert list(rows) == ["32.07", "32.74"]
    assert rows["32.74"]["total"] == "24" and rows["32.07"]["total"] == "—"
    assert rows["32.74"]["state"]["text"] == "3/5 kecamatan dikirim"
    assert rows["32.07"]["state"]["text"] == "0/27 kecamatan dikirim"
    assert "wilayah=32.74" in rows["32.74"]["link"] and "dasar=dikirim" in rows["32.74"]["link"]
    accepted = login(people["fajar"]).get(URL, {"periode": MARCH})
    assert {r["child"].code: r["state"]["text"] for r in accepted.context["rows"]}["32.74"] == "1/5 kecamatan diterima"


def test_a_quarter_shows_the_last_accepted_month_not_the_sum(march, people, login):
    make_report("32.74.01", "2026M01", State.ACCEPTED)
    put(desa_of("32.74.01")[0], "LUT", "2026M01", 20)
    response = login(people["dedi"]).get(URL, {"periode": "2026Q1"})
    assert cells(response, "LUT")["32.74.01"] == "7"  # March's 7, not 20 + 7
    assert {r["child"].code: r["state"]["text"] for r in response.context["rows"]}["32.74.01"] == "2/3 bulan diterima"


def test_the_psks_tab_takes_the_frozen_counts(march, people, login):
    from registry.models import Kind
    from registry.services import catalogue_load as registry_catalogue

    registry_catalogue()
    tagana = Kind.objects.get(code="tagana")
    PsksCount.objects.create(report=march, desa_id=desa_of("32.74.01")[0], kind=tagana, count=6)
    response = login(people["fajar"]).get(URL, {"periode": MARCH, "tab": "psks"})
    assert [c["key"] for c in response.context["columns"]] == [tagana.pk]
    rows = {r["child"].code: r for r in response.context["rows"]}
    assert rows["32.74"]["cells"][0]["total"] == "6" and response.context["grand_total"] == "6"


def test_the_activity_tab_sums_activities_and_participants(march, people, login):
    response = login(people["dedi"]).get(URL, {"periode": MARCH, "tab": "kegiatan", "dasar": "dikirim"})
    keys = [c["key"] for c in response.context["columns"]]
    assert keys == ["pendataan", "rujukan"]  # kinds without any activity are left out
    rows = {r["child"].code: r for r in response.context["rows"]}
    kejaksan = rows["32.74.01"]
    assert kejaksan["cells"][keys.index("pendataan")]["total"] == "2"
    assert kejaksan["participants"] == ("4", "5")
    assert rows["32.74.02"]["cells"][keys.index("rujukan")]["total"] == "1"
    assert response.context["grand_total"] == "3" and response.context["participants"] == ("4", "7")
    assert "Arus:" in response.content.decode()


def test_a_read_only_viewer_gets_accepted_reports_only_whatever_is_asked(march, people, login):
    hadi = login(people["hadi"]).get(URL, {"periode": MARCH, "dasar": "dikirim"})
    assert hadi.context["accepted_only"] is True
    assert cells(hadi, "LUT") == {"32.74.01": "7", "32.74.02": "—", "32.74.03": "—", "32.74.04": "—", "32.74.05": "—"}
    assert hadi.context["grand_total"] == "17"  # Kejaksan's 7 + 10: the submitted and verified reports do not count


def test_small_cells_are_hidden_from_a_read_only_viewer(march, people, login):
    Report.objects.filter(kecamatan_id__in=["32.74.02", "32.74.03"]).update(state=State.ACCEPTED)
    # LUT and FM by kecamatan: 01 → 7, 10 (17); 02 → 5, – (5); 03 → –, 2 (2); totals 12, 12 (24).
    hadi = login(people["hadi"]).get(URL, {"periode": MARCH})
    assert cells(hadi, "LUT") == {"32.74.01": "7", "32.74.02": "5", "32.74.03": "—", "32.74.04": "—", "32.74.05": "—"}
    # Harjamukti's 2 (and its row total) is hidden; Kejaksan's FM 10 too, else 12 − 10 gives it back; then
    # Kejaksan's row total as well, else 17 − 7 gives the 10 back. Every hidden figure shows the same mark.
    assert cells(hadi, "FM") == {"32.74.01": "×", "32.74.02": "—", "32.74.03": "×", "32.74.04": "—", "32.74.05": "—"}
    totals = {r["child"].code: r["total"] for r in hadi.context["rows"]}
    assert totals == {"32.74.01": "×", "32.74.02": "5", "32.74.03": "×", "32.74.04": "—", "32.74.05": "—"}
    assert [c["total"] for c in hadi.context["totals"]] == ["12", "12"] and hadi.context["grand_total"] == "24"
    assert all(cell["split"] is None for r in hadi.context["rows"] for cell in r["cells"])  # no L/P equations
    assert "“×”" in hadi.content.decode()
    dedi = login(people["dedi"]).get(URL, {"periode": MARCH, "dasar": "dikirim"})
    assert cells(dedi, "FM")["32.74.03"] == "2" and cells(dedi, "FM")["32.74.01"] == "10"
    # Activities and PSKS are not sensitive: shown as they are.
    activities = login(people["hadi"]).get(URL, {"periode": MARCH, "tab": "kegiatan"})
    assert activities.context["grand_total"] == "3"


def test_a_kecamatan_shows_its_desa(march, people, login):
    response = login(people["ani"]).get(URL, {"periode": MARCH})
    assert response.context["wilayah"].code == "32.74.01"
    rows = {r["child"].code: r["total"] for r in response.context["rows"]}
    k1, k2 = desa_of("32.74.01")
    assert rows[k1] == "7" and rows[k2] == "10"
    assert response.context["up"] is None  # Ani cannot go above her kecamatan


def test_the_screen_takes_the_same_number_of_queries_for_few_or_many_rows(
    march, people, login, django_assert_max_num_queries
):
    client = login(people["fajar"])
    params = {"periode": MARCH, "dasar": "dikirim"}
    counts = {}
    for tab in ("pmks", "psks", "kegiatan"):
        with django_assert_max_num_queries(25) as few:
            client.get(URL, {**params, "tab": tab})
        counts[tab] = len(few.captured_queries)
    kecamatan = Wilayah.objects.filter(level=3, kabupaten_id="32.07").values_list("code", flat=True)
    for code in kecamatan:
        report = make_report(code, MARCH, State.SUBMITTED)
        activity(report, 2, male=1)
        for desa in desa_of(code, 3):
            put(desa, "FM", MARCH, 9)
    for tab in ("pmks", "psks", "kegiatan"):
        with django_assert_max_num_queries(counts[tab]):
            response = client.get(URL, {**params, "tab": tab})
    fm = category("FM")
    assert response.status_code == 200 and fm.pk
    pmks = client.get(URL, params)
    assert {r["child"].code: r["state"]["text"] for r in pmks.context["rows"]}["32.07"] == "27/27 kecamatan dikirim"
