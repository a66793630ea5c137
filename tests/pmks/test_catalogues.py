"""The three PMKS catalogues, their mapping onto Permensos 08/2012, and the catalogue page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.selectors import NO_SUCCESSOR, active_catalogue, map_counts, map_person
from pmks.services import catalogue_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogues(catalogue):
    return {c.code: c for c in Catalogue.objects.all()}


def _cat(catalogue_code: str, code: str) -> Category:
    return Category.objects.get(catalogue__code=catalogue_code, code=code)


def test_the_catalogues_have_22_26_and_26_entries_numbered_without_gaps(catalogues):
    for code, size in [("pmks-22-2009", 22), ("pmks-26-lama", 26), ("permensos-08-2012", 26)]:
        numbers = list(Category.objects.filter(catalogue__code=code).values_list("number", flat=True))
        assert numbers == list(range(1, size + 1)), code
    assert active_catalogue().code == "permensos-08-2012"


def test_every_mapping_points_into_permensos_08_2012_and_gaps_are_explicit(catalogues):
    assert CategoryMapping.objects.exclude(target__catalogue__code="permensos-08-2012").count() == 0
    assert CategoryMapping.objects.filter(source__catalogue__code="permensos-08-2012").count() == 0
    unmapped_a = set(
        Category.objects.filter(catalogue__code="pmks-22-2009", mappings__isnull=True).values_list("code", flat=True)
    )
    assert unmapped_a == {"KBTLH", "KR"}  # rumah tidak layak huni and keluarga rentan: no 2012 category
    new_in_2012 = set(
        Category.objects.filter(catalogue__code="permensos-08-2012")
        .exclude(mapped_from__source__catalogue__code="pmks-22-2009")
        .values_list("number", flat=True)
    )
    assert new_in_2012 == {7, 13, 14, 18}  # AMPK, Pemulung, Kelompok Minoritas, Korban Trafficking


def test_the_age_and_sex_rules_of_permensos_08_2012(catalogues):
    rules = {
        c.code: (c.min_age, c.max_age, c.sex) for c in Category.objects.filter(catalogue__code="permensos-08-2012")
    }
    assert rules["LUT"] == (60, None, "")
    assert rules["PRSE"] == (18, 59, "P")
    assert rules["ABT"] == (0, 5, "")
    assert rules["AT"] == (6, 18, "")
    assert rules["ADK"] == (None, 17, "")
    assert rules["ABH"] == (12, 17, "")
    assert _cat("permensos-08-2012", "KM").sensitivity == ["sexual_orientation"]
    assert _cat("permensos-08-2012", "ODHA").sensitivity == ["health"]


def test_a_known_old_series_is_shown_on_the_new_list_with_the_remainder(catalogues):
    counts = {
        _cat("pmks-22-2009", code): n
        for code, n in [
            ("ABT", 5),
            ("AT", 10),
            ("AN", 2),
            ("LUT", 7),
            ("KFM", 40),
            ("PENCA", 9),
            ("KBTLH", 4),
            ("KR", 3),
        ]
    }
    series = map_counts(counts)
    assert {(c.number, n) for c, n in series.mapped.items()} == {(1, 5), (2, 10), (3, 2), (8, 7), (24, 40)}
    remainder = {(r.source.code, r.count): r.reason for r in series.remainder}
    assert remainder[("KBTLH", 4)] == NO_SUCCESSOR and remainder[("KR", 3)] == NO_SUCCESSOR
    assert "usia" in remainder[("PENCA", 9)] and "05 ADK" in remainder[("PENCA", 9)]
    # Nothing is lost: what is mapped plus what remains is the series' total.
    assert series.total_mapped + series.total_remainder == 5 + 10 + 2 + 7 + 40 + 9 + 4 + 3


def test_the_coded_26_list_merges_into_one_2012_category(catalogues):
    counts = {_cat("pmks-26-lama", "PENCA"): 3, _cat("pmks-26-lama", "PCBK"): 2, _cat("pmks-26-lama", "AC"): 4}
    series = map_counts(counts)
    assert {(c.code, n) for c, n in series.mapped.items()} == {("PD", 2), ("ADK", 4)}
    assert [(r.source.code, r.count) for r in series.remainder] == [("PENCA", 3)]


@pytest.mark.parametrize(
    ("code", "age", "expected"),
    [
        ("PENCA", 10, "ADK"),
        ("PENCA", 17, "ADK"),
        ("PENCA", 18, "PD"),
        ("PENCA", None, None),
        ("KTK", 12, "AKTK"),
        ("KTK", 30, "KTK"),
        ("ABT", 3, "ABT"),
        ("KBTLH", 40, None),
    ],
)
def test_one_person_is_mapped_by_age(catalogues, code, age, expected):
    target = map_person(_cat("pmks-22-2009", code), age)
    assert (target.code if target else None) == expected


def test_only_one_catalogue_is_active(catalogues):
    with pytest.raises(IntegrityError), transaction.atomic():
        Catalogue.objects.filter(code="pmks-22-2009").update(is_active=True)
    catalogue_activate(code="pmks-26-lama")
    assert list(Catalogue.objects.filter(is_active=True).values_list("code", flat=True)) == ["pmks-26-lama"]


def test_loading_twice_changes_nothing(empty_db):
    call_command("load_pmks_catalogue", stdout=StringIO())
    counts = (Catalogue.objects.count(), Category.objects.count(), CategoryMapping.objects.count())
    out = StringIO()
    call_command("load_pmks_catalogue", stdout=out)
    assert "Tidak ada perubahan" in out.getvalue()
    assert (
        (Catalogue.objects.count(), Category.objects.count(), CategoryMapping.objects.count()) == counts == (3, 74, 47)
    )


def test_the_catalogue_page_is_reference_data_for_every_signed_in_user(catalogues, people, login, client):
    url = reverse("pmks:catalogue_mapping")
    assert client.get(url).status_code == 302
    for persona in ["ani", "gita", "hadi", "root"]:
        html = login(people[persona]).get(url).content.decode()
        assert "Penyandang Cacat" in html and "tidak ada padanan" in html and "Anak dengan Kedisabilitasan" in html
