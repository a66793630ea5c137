"""The PMKS entry grid: one post per kecamatan-month, validation, totals, jumps, copy, derive from BNBA, scope."""

from datetime import date

import pytest
from django.urls import reverse

from pmks.models import Category, FigureSource, PmksFigure, PmksRecord
from pmks.selectors import kecamatan_totals
from psks_portal import periods

pytestmark = pytest.mark.django_db

KEJAKSAN, NOV = "32.74.01", "2026M11"
NOVEMBER = periods.parse(NOV)


def _cat(code: str) -> Category:
    return Category.objects.get(catalogue__code="permensos-08-2012", code=code)


def _url(code=KEJAKSAN, period=NOV):
    return reverse("pmks:grid", args=[code, period])


def _blank_post(response) -> dict:
    """Every field of the grid as the browser would send it, with the page's version stamp."""
    data = {"versi": response.context["grid"].version, "keterangan": ""}
    for _desa, entries in response.context["rows"]:
        for e in entries:
            for part in ("l", "p", "t") if e["person"] else ("t",):
                data[f"f-{e['desa']}-{e['category'].pk}-{part}"] = e["values"][part]
    return data


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("ani", 200),
        ("budi", 404),
        ("citra", 404),
        ("dedi", 200),
        ("euis", 404),
        ("fajar", 200),
        ("gita", 404),
        ("hadi", 403),
        ("intan", 403),
        ("root", 200),
    ],
)
def test_the_grid_is_for_writers_inside_the_scope(catalogue, people, login, persona, status):
    client = login(people[persona])
    assert client.get(_url()).status_code == status
    response = client.post(_url(), {"versi": "x", f"f-32.74.01.1001-{_cat('FM').pk}-t": "9"})
    assert response.status_code in ((200,) if status == 200 else (status,))
    assert not PmksFigure.objects.exists()


def test_a_tksk_is_sent_to_this_months_grid_of_their_kecamatan(catalogue, people, login):
    response = login(people["ani"]).get(reverse("pmks:grid_index"))
    assert response.status_code == 302 and response.url.startswith(f"/pmks/isian/{KEJAKSAN}/")


def test_one_post_saves_the_whole_grid_with_totals_equal_to_parts(catalogue, people, login):
    client = login(people["ani"])
    data = _blank_post(client.get(_url()))
    lut, fm = _cat("LUT").pk, _cat("FM").pk
    data.update(
        {
            f"f-32.74.01.1001-{lut}-l": "3",
            f"f-32.74.01.1001-{lut}-p": "4",
            f"f-32.74.01.1002-{lut}-t": "5",
            f"f-32.74.01.1001-{fm}-t": "12",
        }
    )
    response = client.post(_url(), data)
    assert response.status_code == 302
    figures = {(f.desa_id, f.category.code): (f.male, f.female, f.total) for f in PmksFigure.objects.all()}
    assert figures == {
        ("32.74.01.1001", "LUT"): (3, 4, 7),
        ("32.74.01.1002", "LUT"): (None, None, 5),
        ("32.74.01.1001", "FM"): (None, None, 12),
    }
    assert kecamatan_totals(people["ani"].wilayah, NOVEMBER) == {lut: 12, fm: 12}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"l": "3", "p": "", "t": ""}, "keduanya"),
        ({"l": "3", "p": "4", "t": "6"}, "tidak sama dengan jumlah"),
        ({"l": "-1", "p": "4", "t": ""}, "bilangan bulat tidak negatif"),
        ({"l": "tiga", "p": "4", "t": ""}, "bilangan bulat tidak negatif"),
        ({"l": "", "p": "", "t": "1.5"}, "berisi titik atau koma"),
        ({"l": "", "p": "", "t": "2,50"}, "berisi titik atau koma"),
        ({"l": "", "p": "", "t": "１２"}, "angka 0–9"),
        ({"l": "", "p": "", "t": "²"}, "angka 0–9"),
        ({"l": "", "p": "", "t": "١٢"}, "angka 0–9"),
    ],
)
def test_bad_cells_are_refused_and_nothing_is_saved(catalogue, people, login, values, message):
    client = login(people["ani"])
    data = _blank_post(client.get(_url()))
    lut, fm = _cat("LUT").pk, _cat("FM").pk
    data[f"f-32.74.01.1002-{fm}-t"] = "8"  # a valid cell elsewhere: must not be saved either
    for part, value in values.items():
        data[f"f-32.74.01.1001-{lut}-{part}"] = value
    response = client.post(_url(), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[("32.74.01.1001", lut)]
    assert any(message in e for e in errors)
    assert not PmksFigure.objects.exists()
    assert response.context["rows"][1][1][_index_of(response, fm)]["values"]["t"] == "8"  # input kept


def _index_of(response, category_id):
    return [c.pk for c in response.context["grid"].categories].index(category_id)


def test_a_jump_needs_a_comment(catalogue, people, login):
    fm = _cat("FM")
    PmksFigure.objects.create(desa_id="32.74.01.1001", category=fm, month=date(2026, 10, 1), total=10)
    client = login(people["ani"])
    data = _blank_post(client.get(_url()))
    data[f"f-32.74.01.1001-{fm.pk}-t"] = "30"
    response = client.post(_url(), data)
    assert response.status_code == 200 and response.context["form"].jumps
    assert "isi keterangan" in response.content.decode()
    data["keterangan"] = "Pendataan ulang DTKS menemukan 20 keluarga baru."
    assert client.post(_url(), data).status_code == 302
    saved = PmksFigure.objects.get(month=date(2026, 11, 1))
    assert saved.total == 30 and saved.comment.startswith("Pendataan ulang")


def test_a_stale_grid_is_refused_and_keeps_the_input(catalogue, people, login):
    fm = _cat("FM").pk
    client = login(people["ani"])
    stale = _blank_post(client.get(_url()))
    fresh = dict(stale)
    fresh[f"f-32.74.01.1001-{fm}-t"] = "5"
    assert login(people["dedi"]).post(_url(), fresh).status_code == 302  # the operator saves first
    stale[f"f-32.74.01.1001-{fm}-t"] = "6"
    response = login(people["ani"]).post(_url(), stale)
    assert response.status_code == 200 and "sudah disimpan orang lain" in response.content.decode()
    assert PmksFigure.objects.get().total == 5


def test_copy_last_month_is_a_starting_point_saved_as_copied(catalogue, people, login):
    lut = _cat("LUT")
    PmksFigure.objects.create(desa_id="32.74.01.1003", category=lut, month=date(2026, 10, 1), male=1, female=2, total=3)
    client = login(people["ani"])
    page = client.get(_url(), {"salin": "1"})
    assert not PmksFigure.objects.filter(month=date(2026, 11, 1)).exists()  # nothing saved yet
    data = _blank_post(page)
    assert data[f"f-32.74.01.1003-{lut.pk}-t"] == 3
    data["disalin"] = "1"
    assert client.post(_url(), data).status_code == 302
    copied = PmksFigure.objects.get(month=date(2026, 11, 1))
    assert (copied.male, copied.female, copied.total, copied.source) == (1, 2, 3, FigureSource.COPIED)
    # Stocks: October and November both hold 3, and neither month's total includes the other.
    assert kecamatan_totals(people["ani"].wilayah, NOVEMBER) == {lut.pk: 3}


def test_counts_derived_from_the_register(catalogue, people, login):
    lut, prse = _cat("LUT"), _cat("PRSE")
    records = [
        ("Mbah Karto", "L", "32.74.01.1001", [lut], "baru", date(2026, 11, 5), date(1950, 1, 1)),
        ("Mbah Sarinah", "P", "32.74.01.1001", [lut], "ditangani", date(2026, 3, 1), date(1950, 1, 1)),
        ("Ibu Tuti", "P", "32.74.01.1001", [prse], "baru", date(2026, 10, 1), date(1980, 1, 1)),
        ("Selesai", "P", "32.74.01.1001", [lut], "selesai", date(2026, 1, 1), date(1950, 1, 1)),
        ("Desember", "L", "32.74.01.1001", [lut], "baru", date(2026, 12, 1), date(1950, 1, 1)),
        ("Tetangga", "L", "32.74.02.1001", [lut], "baru", date(2026, 1, 1), date(1950, 1, 1)),
    ]
    for name, sex, desa, categories, status, on, born in records:
        record = PmksRecord.objects.create(
            name=name, sex=sex, desa_id=desa, status=status, identified_on=on, birth_date=born
        )
        record.categories.set(categories)
    client = login(people["ani"])
    page = client.get(_url(), {"bnba": "1"})
    data = _blank_post(page)
    assert (data[f"f-32.74.01.1001-{lut.pk}-l"], data[f"f-32.74.01.1001-{lut.pk}-p"]) == (1, 1)
    assert data[f"f-32.74.01.1001-{prse.pk}-t"] == 1
    # The categories the register covers get every desa (0 where nobody is counted); the others stay empty.
    assert data[f"f-32.74.01.1002-{lut.pk}-t"] == 0 and data[f"f-32.74.01.1002-{_cat('FM').pk}-t"] == ""
    data["dari_bnba"] = "1"
    assert client.post(_url(), data).status_code == 302
    assert set(PmksFigure.objects.values_list("source", flat=True)) == {FigureSource.REGISTER}


def test_deriving_keeps_hand_typed_figures_of_categories_the_register_does_not_cover(catalogue, people, login):
    lut, fm = _cat("LUT"), _cat("FM")
    PmksFigure.objects.create(desa_id="32.74.01.1001", category=fm, month=NOVEMBER.start, total=7)
    record = PmksRecord.objects.create(
        name="Mbah Karto",
        sex="L",
        desa_id="32.74.01.1001",
        status="baru",
        identified_on=date(2026, 11, 5),
        birth_date=date(1950, 1, 1),
    )
    record.categories.set([lut])
    data = _blank_post(login(people["ani"]).get(_url(), {"bnba": "1"}))
    assert data[f"f-32.74.01.1001-{fm.pk}-t"] == 7 and data[f"f-32.74.01.1001-{lut.pk}-t"] == 1


def test_a_typed_figure_is_never_marked_as_from_the_register(catalogue, people, login):
    """The source is decided by the server: a posted ``dari_bnba=1`` marks only cells equal to the register's."""
    lut, fm = _cat("LUT"), _cat("FM")
    record = PmksRecord.objects.create(
        name="Mbah Karto",
        sex="L",
        desa_id="32.74.01.1001",
        status="baru",
        identified_on=date(2026, 11, 5),
        birth_date=date(1950, 1, 1),
    )
    record.categories.set([lut])
    client = login(people["ani"])
    data = _blank_post(client.get(_url()))
    data.update(
        {
            f"f-32.74.01.1001-{lut.pk}-l": "1",
            f"f-32.74.01.1001-{lut.pk}-p": "0",
            f"f-32.74.01.1002-{lut.pk}-t": "4",
            f"f-32.74.01.1001-{fm.pk}-t": "9",
            "dari_bnba": "1",
            "disalin": "1",
        }
    )
    assert client.post(_url(), data).status_code == 302
    sources = {(f.desa_id, f.category_id): f.source for f in PmksFigure.objects.all()}
    assert sources == {
        ("32.74.01.1001", lut.pk): FigureSource.REGISTER,
        ("32.74.01.1002", lut.pk): FigureSource.MANUAL,
        ("32.74.01.1001", fm.pk): FigureSource.MANUAL,
    }


@pytest.mark.parametrize("kecamatan", ["32.74.01", "32.07.01"])
def test_the_grid_query_count_does_not_grow_with_desa(
    catalogue, people, login, kecamatan, django_assert_max_num_queries
):
    client = login(people["fajar"])
    with django_assert_max_num_queries(16):
        response = client.get(_url(kecamatan))
    assert response.status_code == 200


def test_an_old_grid_address_moves_to_the_new_one(catalogue, people, login):
    """``…/2026-11/`` (the old month id) answers a permanent redirect to ``…/2026M11/``, inside the scope only."""
    response = login(people["ani"]).get(f"/pmks/isian/{KEJAKSAN}/2026-11/")
    assert response.status_code == 301 and response.url == _url()
    assert login(people["budi"]).get(f"/pmks/isian/{KEJAKSAN}/2026-11/").status_code == 404
    assert login(people["ani"]).get(f"/pmks/isian/{KEJAKSAN}/2026-13/").status_code == 404


@pytest.mark.parametrize("period", ["9999M12", "0001M01", "1900M01", "2026M13", "2026M00", "2026Q1", "2026-03x"])
def test_impossible_months_answer_404_not_500(catalogue, people, login, period):
    assert login(people["ani"]).get(f"/pmks/isian/{KEJAKSAN}/{period}/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_two_saves_of_the_same_version_at_the_same_moment_never_both_win(catalogue, people):
    """Ani and Dedi open Kejaksan's November grid and save it at the same moment, eight times: each time exactly one
    save is written and the other is refused (its input kept by the page), never a silent overwrite or a 500."""
    import threading

    from django.db import connection

    from pmks import selectors, services
    from pmks.selectors import Cell
    from psks_portal.models import Wilayah

    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite lets one connection write at a time and the test database lives in one connection's "
            "memory, so two saves cannot race there; the version check itself is tested on both."
        )
    kejaksan = Wilayah.objects.get(code=KEJAKSAN)
    fm, desa = _cat("FM"), "32.74.01.1001"
    categories = [fm]
    for round_ in range(8):
        grids = [selectors.grid_load(kecamatan=kejaksan, period=NOVEMBER, categories=categories) for _ in range(2)]
        assert grids[0].version == grids[1].version
        start = threading.Barrier(2, timeout=20)
        results: list = []

        def save(grid, value, user, start=start, results=results):
            try:
                start.wait()
                services.grid_save(grid=grid, cells={(desa, fm.pk): Cell(None, None, value)}, version=grid.version,
                                   comment="", by=user)  # fmt: skip
                results.append(("disimpan", value))
            except services.GridChanged:
                results.append(("ditolak", value))
            finally:
                connection.close()

        threads = [
            threading.Thread(target=save, args=(grids[0], 100 + round_, people["ani"])),
            threading.Thread(target=save, args=(grids[1], 200 + round_, people["dedi"])),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcome for outcome, _ in results) == ["disimpan", "ditolak"], results
        winner = next(value for outcome, value in results if outcome == "disimpan")
        assert PmksFigure.objects.get(desa_id=desa, category=fm, month=NOVEMBER.start).total == winner


def test_every_figure_the_grid_writes_has_a_history_row(catalogue, people, login):
    """New figures too (they are written in bulk): who, when, the value; a removal is in the history as well."""
    client = login(people["ani"])
    lut, fm = _cat("LUT").pk, _cat("FM").pk
    data = _blank_post(client.get(_url()))
    data.update({f"f-32.74.01.1001-{lut}-l": "3", f"f-32.74.01.1001-{lut}-p": "4", f"f-32.74.01.1002-{fm}-t": "9"})
    assert client.post(_url(), data).status_code == 302
    history = PmksFigure.history.model.objects.all()
    assert {(h.history_type, h.total, h.history_user_id) for h in history} == {
        ("+", 7, people["ani"].pk),
        ("+", 9, people["ani"].pk),
    }
    data = _blank_post(client.get(_url()))
    data[f"f-32.74.01.1002-{fm}-t"] = ""
    assert client.post(_url(), data).status_code == 302
    removed = PmksFigure.history.model.objects.filter(history_type="-").get()
    assert (removed.total, removed.history_user_id) == (9, people["ani"].pk)
