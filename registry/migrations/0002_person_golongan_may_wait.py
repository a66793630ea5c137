from django.db import migrations


class Migration(migrations.Migration):
    """A PNS without golongan is stored (imports flag it “data belum lengkap”; eligibility says it is missing)."""

    dependencies = [("registry", "0001_registry_catalogue_and_records")]

    operations = [migrations.RemoveConstraint(model_name="person", name="person_pns_has_golongan")]
