import pytest
from django.core.management import call_command

from registry.models import Assignment, Organisation, Person

pytestmark = pytest.mark.django_db


def test_the_registry_demo_is_synthetic_consistent_and_repeatable(tree, catalogue, settings):
    from psks_portal import nik

    settings.PORTAL_DEMO_ENABLED = True
    call_command("load_registry_demo", verbosity=0)
    counts = (Person.objects.count(), Assignment.objects.count(), Organisation.objects.count())
    call_command("load_registry_demo", verbosity=0)
    assert (Person.objects.count(), Assignment.objects.count(), Organisation.objects.count()) == counts
    for person in Person.objects.all():
        parsed = nik.parse(person.nik)
        assert nik.consistency_problems(parsed, sex=person.sex, birth_date=person.birth_date) == []
        assert parsed.kecamatan_code == person.desa.kecamatan_id
    assert Assignment.objects.filter(holds_tksk_seat=True).count() == 3
