"""The shipped catalogue: SDM Kesos of Permensos 16/2017 and the 12 PSKS of Permensos 08/2012, loaded idempotently."""

from io import StringIO

import pytest
from django.core.management import call_command

from registry.models import Criterion, Kind

pytestmark = pytest.mark.django_db


def test_it_loads_the_catalogue_and_a_second_run_changes_nothing(empty_db):
    call_command("load_registry_catalogue", stdout=StringIO())
    counts = (Kind.objects.count(), Criterion.objects.count())
    out = StringIO()
    call_command("load_registry_catalogue", stdout=out)
    assert "Tidak ada perubahan" in out.getvalue()
    assert (Kind.objects.count(), Criterion.objects.count()) == counts


def test_the_sdm_kesos_and_psks_lists_are_complete(catalogue):
    psks = dict(Kind.objects.filter(psks_number__isnull=False, parent__isnull=True).values_list("psks_number", "code"))
    assert psks == {
        1: "peksos",
        2: "psm",
        3: "tagana",
        4: "lks",
        5: "karang-taruna",
        6: "lk3",
        7: "keluarga-pioner",
        8: "wksbm",
        9: "wpks",
        10: "penyuluh",
        11: "tksk",
        12: "dunia-usaha",
    }
    assert Kind.objects.get(code="keluarga-pioner").subject == "family"
    assert Kind.objects.filter(parent__code="pendamping-sosial").count() == 13
    assert Kind.objects.filter(parent__code="peksos-spesialis").count() == 10
    assert set(Kind.objects.filter(parent__code="peksos").values_list("code", flat=True)) == {
        "peksos-asisten",
        "peksos-generalis",
        "peksos-spesialis",
    }
    relawan = Kind.objects.filter(sdm_group="relawan")
    assert relawan.count() == 13, sorted(relawan.values_list("code", flat=True))
    assert set(Kind.objects.filter(parent__code="penyuluh").values_list("code", flat=True)) == {
        "penyuluh-fungsional",
        "penyuluh-masyarakat",
    }
    assert Kind.objects.filter(code="korteks", parent__code="tks").exists()


def test_every_criterion_names_its_source_and_has_valid_parameters(catalogue):
    for criterion in Criterion.objects.select_related("kind"):
        assert criterion.source, criterion
        if criterion.type == "age_range":
            low, high = criterion.params.get("min"), criterion.params.get("max")
            assert low is not None or high is not None
            assert low is None or high is None or low <= high
    tagana = Criterion.objects.get(kind__code="tagana", code="usia")
    assert tagana.params == {"min": 18, "max": 40} and "45" in tagana.note


def test_an_admin_edit_of_a_criterion_survives_a_reload(catalogue):
    criterion = Criterion.objects.get(kind__code="tagana", code="usia")
    criterion.params = {"min": 18, "max": 45}
    criterion.save()
    call_command("load_registry_catalogue", stdout=StringIO())
    criterion.refresh_from_db()
    assert criterion.params == {"min": 18, "max": 45}
    call_command("load_registry_catalogue", "--perbarui", stdout=StringIO())
    criterion.refresh_from_db()
    assert criterion.params == {"min": 18, "max": 40}


def test_catalogue_values_fit_their_columns():
    """SQLite does not enforce varchar lengths; PostgreSQL does. Check the shipped file against the model."""
    import json

    from django.conf import settings

    data = json.loads((settings.BASE_DIR / "fixtures/registry/kinds.json").read_text(encoding="utf-8"))
    for entry in data["kinds"]:
        for field in Kind._meta.get_fields():
            limit = getattr(field, "max_length", None)
            if limit and isinstance(entry.get(field.name), str):
                assert len(entry[field.name]) <= limit, (entry["code"], field.name)
        for spec in entry["criteria"]:
            for name in ("code", "label", "source"):
                assert len(spec[name]) <= Criterion._meta.get_field(name).max_length, (entry["code"], name)
