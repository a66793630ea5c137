"""The PMKS table per wilayah and month: totals equal their parts, stocks are never summed over months, small cells
are hidden from read-only viewers, and nobody sees outside their wilayah."""

from datetime import date

import pytest
from django.urls import reverse

from pmks.models import Category, PmksFigure
from pmks.services import catalogue_load

pytestmark = pytest.mark.django_db

OCT, NOV = date(2026, 10, 1), date(2026, 11, 1)


@pytest.fixture
def figures(people):
    catalogue_load()
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
    return {"lut": lut, "fm": fm}


def _get(client, **params):
    response = client.get(reverse("pmks:table"), {"bulan": "2026-11", **params})
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
    trend_months = response.context["trend_months"]
    assert trend_months[-2:] == [OCT, NOV] and len(trend_months) == 12
    html = response.content.decode()
    assert "Ciamis" not in html.split('data-testid="pmks-table"')[1]


def test_the_provinsi_table_and_a_quarter_of_stocks(figures, people, login):
    table = _get(login(people["fajar"])).context["table"]
    assert table.row_totals == {"32.74": 55, "32.07": 7}
    assert table.grand_total == 62
    october = _get(login(people["fajar"]), bulan="2026-10").context["table"]
    assert october.grand_total == 48  # 10 + 38: October's own stock, not a running sum


def test_small_cells_are_hidden_from_a_pimpinan(figures, people, login):
    response = _get(login(people["hadi"]), wilayah="32.74.01")
    html = response.content.decode()
    assert "1–4" in html and ">3<" not in html.split('data-testid="pmks-table"')[1]
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
