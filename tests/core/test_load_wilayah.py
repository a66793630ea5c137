"""The wilayah loader: exact counts, subsets, idempotency, history of changes, and clear errors on bad sources."""

import csv
import shutil
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from psks_portal.models import Wilayah
from psks_portal.services import WilayahSourceError, wilayah_load


def _csv_counts():
    """Counts read straight from the shipped CSV files, independent of the loader."""
    directory = settings.WILAYAH_FIXTURE_DIR
    with (directory / "villages.csv").open(encoding="utf-8") as f:
        villages = [row["code"] for row in csv.DictReader(f)]
    counts = {}
    for level, name in [(1, "provinces.csv"), (2, "regencies.csv"), (3, "districts.csv")]:
        with (directory / name).open(encoding="utf-8") as f:
            counts[level] = sum(1 for _ in csv.DictReader(f))
    counts[4] = len(villages)
    return counts, villages


def test_it_ships_the_complete_kepmendagri_2025_dataset():
    counts, villages = _csv_counts()
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    kinds = {"1": 0, "2": 0, "3": 0}
    for code in villages:
        kinds[code.split(".")[3][0]] += 1
    assert kinds["2"] + kinds["3"] == 75266  # desa (incl. desa adat)
    assert kinds["1"] == 8496  # kelurahan
    assert (settings.WILAYAH_FIXTURE_DIR / "LICENSE.md").read_text().startswith("# Open Database License")
    assert "ODbL" in (settings.WILAYAH_FIXTURE_DIR / "README.md").read_text()


@pytest.mark.slow
def test_it_loads_the_whole_country_exactly_and_a_second_run_changes_nothing(empty_db):
    out = StringIO()
    call_command("load_wilayah", stdout=out)
    counts = {level: Wilayah.objects.filter(level=level).count() for level in (1, 2, 3, 4)}
    assert counts == {1: 38, 2: 514, 3: 7285, 4: 83762}
    assert Wilayah.objects.filter(kind="kabupaten").count() == 416
    assert Wilayah.objects.filter(kind="kota").count() == 98
    assert Wilayah.objects.filter(kind="kelurahan").count() == 8496
    assert Wilayah.objects.filter(kind__in=["desa", "desa_adat"]).count() == 75266
    assert "83762" in out.getvalue()

    again = StringIO()
    call_command("load_wilayah", stdout=again)
    assert "Tidak ada perubahan" in again.getvalue()
    assert Wilayah.objects.count() == 38 + 514 + 7285 + 83762


def test_it_loads_one_kabupaten_with_its_ancestors(empty_db):
    result = wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR, only=["32.74"])
    assert sum(result.created.values()) == Wilayah.objects.count()
    assert list(Wilayah.objects.filter(level__lte=2).values_list("code", flat=True)) == ["32", "32.74"]
    assert Wilayah.objects.filter(level=3).count() == 5
    kejaksan = Wilayah.objects.get(code="32.74.01")
    assert kejaksan.label == "Kecamatan Kejaksan"
    desa = Wilayah.objects.filter(kecamatan=kejaksan, level=4).first()
    assert (desa.provinsi_id, desa.kabupaten_id, desa.kecamatan_id, desa.parent_id) == (
        "32",
        "32.74",
        "32.74.01",
        "32.74.01",
    )
    assert desa.kind == "kelurahan"
    assert Wilayah.objects.get(code="32.74").kind == "kota"


def test_it_loads_one_provinsi(empty_db):
    call_command("load_wilayah", "--only", "32", stdout=StringIO())
    assert Wilayah.objects.filter(level=2).count() == 27
    assert Wilayah.objects.filter(level=3).count() == 627
    assert Wilayah.objects.filter(level=4).count() == 5957


def test_a_second_subset_load_changes_nothing_and_says_so(empty_db):
    call_command("load_wilayah", "--only", "32.74", stdout=StringIO())
    out = StringIO()
    call_command("load_wilayah", "--only", "32.74", stdout=out)
    assert "Tidak ada perubahan" in out.getvalue()


def test_it_updates_a_changed_name_and_keeps_the_change_in_history(empty_db, tmp_path):
    call_command("load_wilayah", "--only", "32.74", stdout=StringIO())
    source = tmp_path / "src"
    shutil.copytree(settings.WILAYAH_FIXTURE_DIR, source)
    districts = source / "districts.csv"
    districts.write_text(
        districts.read_text(encoding="utf-8").replace("32.74.01,32.74,Kejaksan", "32.74.01,32.74,Kejaksan Baru")
    )
    result = wilayah_load(directory=source, only=["32.74"])
    assert result.updated[3] == 1 and sum(result.created.values()) == 0
    kejaksan = Wilayah.objects.get(code="32.74.01")
    assert kejaksan.name == "Kejaksan Baru"
    last = kejaksan.history.order_by("-history_date").first()
    assert last.history_type == "~" and last.name == "Kejaksan Baru"


def test_a_bad_source_is_refused_whole_with_a_clear_message(empty_db, tmp_path):
    source = tmp_path / "src"
    shutil.copytree(settings.WILAYAH_FIXTURE_DIR, source)
    villages = source / "villages.csv"
    villages.write_text(villages.read_text(encoding="utf-8") + "99.99.99.9999,99.99.99,Desa Hantu\n", encoding="utf-8")
    with pytest.raises(WilayahSourceError, match="villages.csv baris"):
        wilayah_load(directory=source, only=["32.74"])
    assert Wilayah.objects.count() == 0
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("load_wilayah", "--source", str(tmp_path / "kosong"), stdout=StringIO())


@pytest.mark.parametrize("only", ["32.07.01", "99", "abc"])
def test_a_bad_subset_is_refused(empty_db, only):
    with pytest.raises(CommandError):
        call_command("load_wilayah", "--only", only, stdout=StringIO())
    assert Wilayah.objects.count() == 0
