"""Test data: the reference data every test shares, and accounts built with factory_boy.

Reference data (``load_reference_data``) is written once per test database — once per session, or per pytest-xdist
worker — by ``django_db_setup`` in ``tests/conftest.py``, and each test runs in a transaction rolled back afterwards:

- the wilayah tree: Provinsi Jawa Barat (32) with Kabupaten Ciamis (32.07) and Kota Cirebon (32.74), and Provinsi Jawa
  Tengah (33) with Kabupaten Cilacap (33.01), each with all their kecamatan and desa, from the shipped fixtures;
- the registry catalogue (kinds and criteria) and the three PMKS catalogues with their mappings, as shipped;
- the personas of ``tests/conftest.py`` (``PERSONAS``). People in tests are synthetic.
"""

from __future__ import annotations

from functools import cache

import factory
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model
from django.test import override_settings

from pmks.models import Catalogue, Category, CategoryMapping
from pmks.services import catalogue_load as pmks_catalogue_load
from psks_portal.models import Role, User, Wilayah
from psks_portal.services import _build, read_wilayah_source
from registry.models import Criterion, Kind
from registry.services import catalogue_load as registry_catalogue_load

TEST_TREE = ("32.07", "32.74", "33.01")
DEFAULT_PASSWORD = "Sandi-Uji-2026!"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The personas (described in tests/conftest.py): username → (role, wilayah code, extra fields).
PERSONAS: dict[str, tuple[str, str | None, dict]] = {
    "ani": (Role.TKSK, "32.74.01", {}),
    "budi": (Role.TKSK, "32.74.02", {}),
    "citra": (Role.TKSK, "32.07.01", {}),
    "dedi": (Role.OPERATOR_KABKOTA, "32.74", {}),
    "euis": (Role.OPERATOR_KABKOTA, "32.07", {}),
    "fajar": (Role.ADMIN_PROVINSI, "32", {}),
    "gita": (Role.ADMIN_PROVINSI, "33", {}),
    "hadi": (Role.PIMPINAN, "32.74", {}),
    "intan": (Role.PIMPINAN, None, {}),
    "root": ("", None, {"is_superuser": True, "is_staff": True}),
}


@cache
def _tree_rows(only: tuple[str, ...]):
    return tuple(read_wilayah_source(settings.WILAYAH_FIXTURE_DIR, list(only)))


def load_test_tree(only: tuple[str, ...] = TEST_TREE) -> None:
    """Insert the subtrees (with their ancestors) not already there, in a few bulk statements; the CSV is parsed once
    per session."""
    rows = sorted(_tree_rows(only), key=lambda r: r.level)
    present = set(Wilayah.objects.filter(code__in=[r.code for r in rows]).values_list("code", flat=True))
    Wilayah.objects.bulk_create(
        [_build(r, "Kepmendagri 300.2.2-2138/2025") for r in rows if r.code not in present], batch_size=2000
    )


def load_reference_data() -> None:
    """The tree, both catalogues and the personas; what is already there is kept (safe to repeat)."""
    load_test_tree()
    registry_catalogue_load()
    pmks_catalogue_load()
    existing = set(User.objects.filter(username__in=PERSONAS).values_list("username", flat=True))
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        for name, (role, code, extra) in PERSONAS.items():
            if name not in existing:
                make_user(name, role, code, **extra)


Snapshot = list[tuple[type[Model], list[Model]]]


def snapshot_reference_data() -> Snapshot:
    """Every row in the database right after ``load_reference_data``, by model, to be put back after a flush."""
    rows = [(model, list(model._base_manager.all())) for model in apps.get_models(include_auto_created=True)]
    return [(model, objects) for model, objects in rows if objects]


def restore_reference_data(snapshot: Snapshot) -> None:
    """Put the snapshot back into the tables a flush emptied: the same rows with the same ids, one bulk insert per
    table (foreign keys are checked at commit, so the order does not matter). Tables that are not empty (content types
    and permissions, which the flush's post-migrate step writes again) are left as they are."""
    with transaction.atomic():
        restored = []
        for model, objects in snapshot:
            if not model._base_manager.exists():
                model._base_manager.bulk_create(objects, batch_size=1000)
                restored.append(model)
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), restored):  # PostgreSQL: ids continue after them
                cursor.execute(sql)


def clear_reference_data() -> None:
    """Delete the reference data and its history rows, for a test of the loaders themselves (inside the test's
    transaction: the rows are back after it). Nothing else refers to them when a test starts."""
    models = [User, CategoryMapping, Category, Catalogue, Criterion, Kind, Wilayah]
    for model in models + [m.history.model for m in models if hasattr(m, "history")]:
        queryset = model._base_manager.all()
        queryset._raw_delete(queryset.db)  # no collector, no signals: foreign keys are checked at commit


def personas() -> dict[str, User]:
    """The personas, read afresh (a test may change its copies; the database is rolled back after each test)."""
    users = User.objects.select_related("wilayah").in_bulk(list(PERSONAS), field_name="username")
    return {name: users[name] for name in PERSONAS}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"pengguna{n}")
    full_name = factory.Sequence(lambda n: f"Pengguna Uji {n}")
    role = Role.TKSK
    wilayah = None
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.full_clean(exclude=["password"])
            obj.save()


def make_user(username: str, role: str, wilayah_code: str | None, **extra) -> User:
    wilayah = Wilayah.objects.get(code=wilayah_code) if wilayah_code else None
    return UserFactory(username=username, role=role, wilayah=wilayah, **extra)


def download(response) -> bytes:
    """The body of a response, streamed (a file download) or not; read once and kept on the response."""
    if not response.streaming:
        return response.content
    if not hasattr(response, "_test_body"):
        response._test_body = b"".join(response.streaming_content)
    return response._test_body
