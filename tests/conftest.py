"""Shared personas and the reference data. Every scope test uses these people; their wilayah come from the real
Kemendagri codes.

- Ani is the TKSK of Kecamatan Kejaksan (32.74.01), Kota Cirebon.
- Budi is the TKSK of Kecamatan Lemahwungkuk (32.74.02): same kota as Ani, another kecamatan.
- Citra is the TKSK of Kecamatan Ciamis (32.07.01): another kabupaten of the same provinsi.
- Dedi is the Operator Dinsos of Kota Cirebon (32.74).
- Euis is the Operator Dinsos of Kabupaten Ciamis (32.07).
- Fajar is the Admin Provinsi of Jawa Barat (32).
- Gita is the Admin Provinsi of Jawa Tengah (33): another provinsi.
- Hadi is a Pimpinan of Kota Cirebon (32.74): read-only.
- Intan is a national Pimpinan (no wilayah): sees everything, changes nothing.
- Root is a superuser.

The reference data (the test wilayah tree, the registry and PMKS catalogues and these personas: see
``tests.factories.load_reference_data``) is written once into each test database, right after it is created; every
test sees it and changes to it are rolled back with the test. ``tree``, ``catalogue`` and ``people`` stay as fixtures so
that a test names what it relies on: the first two cost nothing, ``people`` reads the personas afresh. A transactional
test (``transactional_db``, ``live_server``, ``django_db(transaction=True)``) ends with Django emptying every table, so
the rows written at the start are put back after it (the same rows and ids, one bulk insert per table).
"""

from __future__ import annotations

import pytest
from django.db import connections
from django.test import override_settings

from psks_portal.models import User
from tests.factories import (
    DEFAULT_PASSWORD,
    clear_reference_data,
    load_reference_data,
    personas,
    restore_reference_data,
    snapshot_reference_data,
)

# Kept by django_db_setup for the teardown hook below: pytest-django's database blocker and the reference data's rows.
_blocker = None
_snapshot = None


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database (one per xdist worker), with the reference data written once."""
    global _blocker, _snapshot
    _blocker = django_db_blocker
    with django_db_blocker.unblock():
        load_reference_data()
        _snapshot = snapshot_reference_data()


def _flushes_database(item: pytest.Item) -> bool:
    """Whether pytest-django ran ``item`` as a TransactionTestCase (the same test it applies)."""
    names = getattr(item, "fixturenames", ())
    if "transactional_db" in names or "live_server" in names or "django_db_reset_sequences" in names:
        return True
    marker = item.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    # After the last test the session's fixtures are gone already, the test database with them.
    if _blocker is not None and nextitem is not None and _flushes_database(item):
        with _blocker.unblock():
            restore_reference_data(_snapshot)
            # Leave no connection open, as Django does after a transactional test: once Playwright has started, the
            # next test may run in another context (asgiref Local) and would never close this one.
            connections.close_all()
    return result


@pytest.fixture(scope="session", autouse=True)
def media_root(tmp_path_factory):
    """Uploads and exports of the whole run go to a temporary folder of this process (each xdist worker has its own),
    never to the worktree's ``media/``; a test that needs an empty folder sets its own ``MEDIA_ROOT``."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s per account; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    """The test wilayah tree (written with the test database)."""


@pytest.fixture
def catalogue(db):
    """The registry and PMKS catalogues as shipped (written with the test database)."""


@pytest.fixture
def empty_db(db):
    """The database as ``migrate`` leaves it: no wilayah, catalogues or users (for tests of the loaders)."""
    clear_reference_data()


@pytest.fixture
def people(tree) -> dict[str, User]:
    return personas()


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD
