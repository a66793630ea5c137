"""Test data: a small real wilayah tree from the shipped fixtures, and accounts built with factory_boy.

The tree holds Provinsi Jawa Barat (32) with Kabupaten Ciamis (32.07) and Kota Cirebon (32.74), and Provinsi Jawa Tengah
(33) with Kabupaten Cilacap (33.01), each with all their kecamatan and desa. People in tests are synthetic.
"""

from __future__ import annotations

from functools import cache

import factory
from django.conf import settings

from psks_portal.models import Role, User, Wilayah
from psks_portal.services import _build, read_wilayah_source

TEST_TREE = ("32.07", "32.74", "33.01")
DEFAULT_PASSWORD = "Sandi-Uji-2026!"


@cache
def _tree_rows(only: tuple[str, ...]):
    return tuple(read_wilayah_source(settings.WILAYAH_FIXTURE_DIR, list(only)))


def load_test_tree(only: tuple[str, ...] = TEST_TREE) -> None:
    """Insert the subtrees (with their ancestors) in a few bulk statements; the CSV is parsed once per session."""
    rows = sorted(_tree_rows(only), key=lambda r: r.level)
    Wilayah.objects.bulk_create([_build(r, "Kepmendagri 300.2.2-2138/2025") for r in rows], batch_size=2000)


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
