"""The quick start's demo data: one account per role in Kabupaten Ciamis and Kota Cirebon, safe to repeat."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from psks_portal.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from psks_portal.models import Role, User, Wilayah

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_db")]  # tests of the loader: nothing loaded yet


def test_it_creates_one_account_per_role_and_prints_the_credentials(settings):
    settings.PORTAL_DEMO_ENABLED = True
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {"", Role.ADMIN_PROVINSI, Role.OPERATOR_KABKOTA, Role.TKSK, Role.PIMPINAN}
    assert User.objects.get(username="superadmin").is_superuser
    assert Wilayah.objects.filter(level=3, kabupaten_id="32.07").count() == 27
    assert Wilayah.objects.filter(level=3, kabupaten_id="32.74").count() == 5
    for account in DEMO_ACCOUNTS:
        assert User.objects.get(username=account.username).check_password(DEMO_PASSWORD)
        assert account.username in out.getvalue()


def test_running_it_twice_changes_nothing_but_resets_the_passwords(settings):
    settings.PORTAL_DEMO_ENABLED = True
    call_command("load_demo", stdout=StringIO())
    user = User.objects.get(username="tksk.ciamis")
    user.set_password("sandi-lain-yang-dipakai")
    user.save()
    counts = (User.objects.count(), Wilayah.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (User.objects.count(), Wilayah.objects.count()) == counts
    assert User.objects.get(username="tksk.ciamis").check_password(DEMO_PASSWORD)


def test_it_is_refused_outside_demo_mode(settings):
    settings.PORTAL_DEMO_ENABLED = False
    with pytest.raises(CommandError, match="PORTAL_DEMO_ENABLED"):
        call_command("load_demo", stdout=StringIO())
    assert not User.objects.exists()
