"""Shared personas. Every scope test uses these people; their wilayah come from the real Kemendagri codes.

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
"""

from __future__ import annotations

import pytest

from psks_portal.models import Role, User
from tests.factories import DEFAULT_PASSWORD, load_test_tree, make_user


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 at production strength costs ~0.3 s per account; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    load_test_tree()


@pytest.fixture
def people(tree) -> dict[str, User]:
    return {
        "ani": make_user("ani", Role.TKSK, "32.74.01"),
        "budi": make_user("budi", Role.TKSK, "32.74.02"),
        "citra": make_user("citra", Role.TKSK, "32.07.01"),
        "dedi": make_user("dedi", Role.OPERATOR_KABKOTA, "32.74"),
        "euis": make_user("euis", Role.OPERATOR_KABKOTA, "32.07"),
        "fajar": make_user("fajar", Role.ADMIN_PROVINSI, "32"),
        "gita": make_user("gita", Role.ADMIN_PROVINSI, "33"),
        "hadi": make_user("hadi", Role.PIMPINAN, "32.74"),
        "intan": make_user("intan", Role.PIMPINAN, None),
        "root": make_user("root", "", None, is_superuser=True, is_staff=True),
    }


@pytest.fixture
def login(client):
    def _login(user: User):
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def password() -> str:
    return DEFAULT_PASSWORD
