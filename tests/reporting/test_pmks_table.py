"""The PMKS table per wilayah and month (``/laporan/pmks/``): the published figures — months whose report is handed in
(accepted only for a read-only viewer) — with totals equal to their parts, stocks never summed over months, small
cells hidden from read-only viewers together with whatever would give them back, and nobody sees outside their
wilayah."""

import re
from datetime import date

import pytest
from django.urls import reverse

from pmks.models import Category, PmksFigure
from reporting.models import State
from tests.core.test_disclosure import determined, lines, narrowed, with_totals
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def figures(people, catalogue):
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    fm = Category.objects.get(catalogue__code="permensos-08-2012", code="FM")
    rows = [
        ("32.74.01.1001", lut, OCT, 10),
        ("32.74.01.1001", lut, NOV, 12),
        ("32.74.01.1002", lut, NOV, 3),
        ("32.74.02.1001", fm, NOV, 40),
        ("32.74.02.1001", fm, OCT, 38),
        ("32.07.01.1001", fm, NOV, 7),
    ]
    for desa, category, month, total in rows:
        PmksFigure.objects.create(desa_id=desa, category=category, month=month, total=total)
    accept("32.74.01", "32.74.02", "32.74.03", "32.07.01")
    return {"lut": lut, "fm": fm}


def accept(*kecamatan: str, months=("2026M10", "2026M11")) -> None:
    """The monthly reports of these kecamatan, accepted (their figures are published)."""
    for code in kecamatan:
        for month in months:
            make_report(code, month, State.ACCEPTED)


def _get(client, **params):
    response = client.get(reverse("reporting:pmks_table"), {"periode": "2026M11", **params})
    return response


def test_the_kota_table_sums_desa_into_kecamatan_for_one_month(figures, people, login):
    response = _get(login(people["dedi"]))
    table = response.context["table"]
    lut, fm = figures["lut"].pk, figures["fm"].pk
    # Hand-computed: Kejaksan LUT 12 + 3 (November only; October's 10 is not added), Lemahwungkuk FM 40.
    assert table.cells == {("32.74.01", lut): 15, ("32.74.02", fm): 40}
    assert table.row_totals == {"32.74.01": 15, "32.74.02": 40}
    assert table.column_totals == {lut: 15, fm: 40}
    assert table.grand_total == 55 == sum(table.row_totals.values())
    trend_months = [m.start for m in response.context["published"].months]
    assert trend_months[-2:] == [OCT, NOV] and len(trend_months) == 12
    html = response.content.decode()
    assert "Ciamis" not in html.split('data-testid="pmks-table"')[1]


def test_a_desa_table_is_the_desa_itself(figures, people, login):
    """A desa has no child areas: its table is its own row (it once answered 500)."""
    response = _get(login(people["ani"]), wilayah="32.74.01.1001")
    assert response.status_code == 200
    table = response.context["table"]
    assert table.rows == ["32.74.01.1001"]
    assert table.cells == {("32.74.01.1001", figures["lut"].pk): 12} and table.grand_total == 12
    assert _get(login(people["budi"]), wilayah="32.74.01.1001").status_code == 404


def test_the_provinsi_table_and_a_quarter_of_stocks(figures, people, login):
    table = _get(login(people["fajar"])).context["table"]
    assert table.row_totals == {"32.74": 55, "32.07": 7}
    assert table.grand_total == 62
    october = _get(login(people["fajar"]), periode="2026M10").context["table"]
    assert october.grand_total == 48  # 10 + 38: October's own stock, not a running sum


def test_small_cells_are_hidden_from_a_pimpinan(figures, people, login):
    response = _get(login(people["hadi"]), wilayah="32.74.01")
    html = response.content.decode()
    assert "×" in html and ">3<" not in html.split('data-testid="pmks-table"')[1]
    operator = _get(login(people["dedi"]), wilayah="32.74.01").content.decode()
    assert ">3<" in operator.split('data-testid="pmks-table"')[1]


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("ani", "", 200),
        ("ani", "32.74.02", 404),
        ("ani", "32.74", 404),
        ("euis", "32.74", 404),
        ("gita", "32", 404),
        ("hadi", "32.74", 200),
        ("intan", "", 200),
        ("root", "33", 200),
    ],
)
def test_the_table_is_scoped(figures, people, login, persona, code, status):
    params = {"wilayah": code} if code else {}
    assert _get(login(people[persona]), **params).status_code == status


def test_the_table_query_count_is_bounded(figures, people, login, django_assert_max_num_queries):
    client = login(people["fajar"])
    with django_assert_max_num_queries(14):
        _get(client)
    client = login(people["euis"])
    with django_assert_max_num_queries(14):
        _get(client)  # 27 kecamatan rows, same query count


# --- the basis: what is published -------------------------------------------------------------------------------


def test_only_handed_in_months_are_published_and_a_pimpinan_gets_accepted_ones_only(people, catalogue, login):
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    # Kejaksan accepted (12), Lemahwungkuk submitted (20), Harjamukti still a draft (30), Pekalipan no report (40).
    for desa, total in (("32.74.01.1001", 12), ("32.74.02.1001", 20), ("32.74.03.1001", 30), ("32.74.05.1001", 40)):
        PmksFigure.objects.create(desa_id=desa, category=lut, month=NOV, total=total)
    make_report("32.74.01", "2026M11", State.ACCEPTED)
    make_report("32.74.02", "2026M11", State.SUBMITTED)
    make_report("32.74.03", "2026M11", State.DRAFT)
    operator = _get(login(people["dedi"]), wilayah="32.74").context
    assert operator["table"].grand_total == 12 and operator["accepted_only"]
    submitted = _get(login(people["dedi"]), wilayah="32.74", dasar="dikirim").context
    assert submitted["table"].grand_total == 32 and not submitted["accepted_only"]  # 12 + 20: drafts never count
    # A read-only viewer gets the published basis whatever the address asks for.
    for params in ({}, {"dasar": "dikirim"}):
        reader = _get(login(people["hadi"]), wilayah="32.74", **params)
        assert reader.context["table"].grand_total == 12 and reader.context["accepted_only"]
        assert 'name="dasar"' not in reader.content.decode()


def test_the_old_address_moves_to_the_new_one(people, login):
    response = login(people["dedi"]).get("/pmks/tabel/", {"wilayah": "32.74", "bulan": "2026-03"})
    assert response.status_code == 301
    assert response.url == reverse("reporting:pmks_table") + "?wilayah=32.74&periode=2026M03"
    assert login(people["dedi"]).get("/pmks/tabel/", {"bulan": "2026-13"}).status_code == 404


# --- complementary suppression ---------------------------------------------------------------------------------

HIDDEN = ("×",)


def _shown_grid(html: str) -> list[list[str]]:
    """The PMKS table as shown: one list per body row and the totals row, cells then the row total."""
    table = html.split('data-testid="pmks-table"')[1].split("</table>")[0]
    body = table.split("<tbody>")[1]
    return [re.findall(r"<td[^>]*>(.*?)</td>", row) for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)]


def test_a_pimpinan_cannot_recompute_a_hidden_cell_from_the_totals(figures, people, login):
    # Kejaksan, November: desa 1001 LUT 12, desa 1002 LUT 3 (the other desa and categories are empty).
    # The 3 (and its row total 3) are small; its column would give it back (15 − 12), so 12 and its row total are
    # hidden too. Hand-worked shown table (LUT column, row totals): × ×, × ×, totals 15 15.
    response = _get(login(people["hadi"]), wilayah="32.74.01")
    table = response.context["table"]
    lut = figures["lut"].pk
    assert table.shown("32.74.01.1001", lut) == "×" and table.shown("32.74.01.1001", None) == "×"
    assert table.shown("32.74.01.1002", lut) == "×" and table.shown("32.74.01.1002", None) == "×"
    assert (table.shown(None, lut), table.shown(None, None)) == ("15", "15")
    html = response.content.decode()
    assert 'data-testid="suppression-legend"' in html and "angka disembunyikan" in html
    operator = _get(login(people["dedi"]), wilayah="32.74.01")
    assert operator.context["table"].shown("32.74.01.1001", lut) == "12"
    assert 'data-testid="suppression-legend"' not in operator.content.decode()


@pytest.fixture
def dense(figures):
    """Kejaksan's four desa × six categories in November, with many small cells (values chosen by a fixed rule)."""
    codes = ["LUT", "FM", "PD", "ADK", "PRSE", "KBA"]
    categories = [Category.objects.get(catalogue__code="permensos-08-2012", code=c) for c in codes]
    desa = ["32.74.01.1001", "32.74.01.1002", "32.74.01.1003", "32.74.01.1004"]
    pattern = [0, 1, 3, 7, 12, 2, 0, 25, 4, 9, 6, 0, 5]
    values = {}
    PmksFigure.objects.filter(desa_id__in=desa, month=NOV).delete()
    for i, code in enumerate(desa):
        for j, category in enumerate(categories):
            total = pattern[(i * 5 + j * 3) % len(pattern)]
            if total:
                PmksFigure.objects.create(desa_id=code, category=category, month=NOV, total=total)
            values[(i, j)] = total
    return desa, categories, values


def test_the_pimpinan_html_table_reveals_no_hidden_value(dense, people, login):
    desa, categories, values = dense
    response = _get(login(people["hadi"]), wilayah="32.74.01")
    all_categories = response.context["categories"]
    column = {c.pk: k for k, c in enumerate(all_categories)}
    shown = _shown_grid(response.content.decode())
    assert len(shown) == len(desa) + 1 and all(len(row) == len(all_categories) + 1 for row in shown)
    # The real values, recomputed here: the four desa rows, their totals, the totals row.
    grid = [[0] * len(all_categories) for _ in desa]
    for (i, j), total in values.items():
        grid[i][column[categories[j].pk]] = total
    full = with_totals(grid)
    hidden = {(i, j) for i, row in enumerate(shown) for j, text in enumerate(row) if text in HIDDEN}
    assert hidden, "the data has small cells"
    assert all(full[i][j] > 0 for i, j in hidden)
    for i, row in enumerate(shown):
        for j, text in enumerate(row):
            if (i, j) not in hidden:
                assert text == ("—" if full[i][j] == 0 else str(full[i][j]))  # no data shows as “—”
                assert not 1 <= full[i][j] <= 4
    for line in lines(full):
        assert sum(p in hidden for p in line) != 1, line
    assert determined(full, hidden) == set()
    assert narrowed(full, hidden) == {}  # no small figure's interval narrower than five values
    # The trend shows November's totals row: exactly as the table shows it.
    trend = dict(response.context["trend_rows"])
    assert [trend[c][-1] for c in all_categories] == shown[-1][:-1]


def test_the_trend_hides_the_totals_that_each_month_hides(people, catalogue, login):
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    fm = Category.objects.get(catalogue__code="permensos-08-2012", code="FM")
    # Harjamukti, October: one desa with LUT 3 and FM 7. The 3 is small; FM 7 and both column totals are hidden to
    # protect it (row: × × | 10; totals: × × | 10). In November nothing is small, so nothing is hidden.
    PmksFigure.objects.create(desa_id="32.74.03.1001", category=lut, month=OCT, total=3)
    PmksFigure.objects.create(desa_id="32.74.03.1001", category=fm, month=OCT, total=7)
    PmksFigure.objects.create(desa_id="32.74.03.1001", category=fm, month=NOV, total=9)
    accept("32.74.03")
    october = _get(login(people["hadi"]), wilayah="32.74.03", periode="2026M10").context
    assert (october["table"].shown(None, lut.pk), october["table"].shown(None, fm.pk)) == ("×", "×")
    assert october["table"].shown(None, None) == "10"
    november = _get(login(people["hadi"]), wilayah="32.74.03").context
    trend = {c.code: values for c, values in november["trend_rows"]}
    assert trend["LUT"][-2:] == ["×", "—"] and trend["FM"][-2:] == ["×", "9"]
    dedi = {c.code: v for c, v in _get(login(people["dedi"]), wilayah="32.74.03").context["trend_rows"]}
    assert dedi["LUT"][-2:] == ["3", "—"] and dedi["FM"][-2:] == ["7", "9"]


@pytest.mark.parametrize("desa_count", [1, 4])
def test_the_suppressed_table_query_count_is_bounded(desa_count, figures, people, login, django_assert_max_num_queries):
    desa = ["32.74.01.1001", "32.74.01.1002", "32.74.01.1003", "32.74.01.1004"][:desa_count]
    for code in desa:
        for month in (OCT, NOV):
            PmksFigure.objects.update_or_create(
                desa_id=code, category=figures["fm"], month=month, defaults={"total": 2}
            )
    client = login(people["hadi"])
    with django_assert_max_num_queries(15):
        response = _get(client, wilayah="32.74.01")
    assert response.status_code == 200 and response.context["table"].hidden
