"""The demo data set of the quick start: Kabupaten Ciamis (32.07) and Kota Cirebon (32.74), one account per role."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from psks_portal.models import Role, User, Wilayah
from psks_portal.services import wilayah_load

DEMO_PASSWORD = "Demo#PSKS2026"  # noqa: S105 - printed for the demo accounts; refused when demo mode is off
DEMO_WILAYAH = ["32.07", "32.74"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    wilayah: str | None
    position: str = ""
    superuser: bool = False


DEMO_ACCOUNTS = [
    DemoAccount("superadmin", "Super Admin Portal", "", None, "Administrator sistem", superuser=True),
    DemoAccount(
        "admin.jabar", "Rina Kartika (demo)", Role.ADMIN_PROVINSI, "32", "Admin Dinas Sosial Provinsi Jawa Barat"
    ),
    DemoAccount(
        "pimpinan.jabar", "Dadang Suherman (demo)", Role.PIMPINAN, "32", "Kepala Dinas Sosial Provinsi Jawa Barat"
    ),
    DemoAccount(
        "operator.ciamis",
        "Asep Saepudin (demo)",
        Role.OPERATOR_KABKOTA,
        "32.07",
        "Operator Dinas Sosial Kabupaten Ciamis",
    ),
    DemoAccount(
        "operator.cirebon",
        "Siti Nurhaliza (demo)",
        Role.OPERATOR_KABKOTA,
        "32.74",
        "Operator Dinas Sosial Kota Cirebon",
    ),
    DemoAccount("tksk.ciamis", "Wawan Setiawan (demo)", Role.TKSK, "32.07.01", "TKSK Kecamatan Ciamis"),
    DemoAccount("tksk.kejaksan", "Euis Komariah (demo)", Role.TKSK, "32.74.01", "TKSK Kecamatan Kejaksan"),
]


class DemoDisabled(Exception):
    """Demo accounts are refused outside demo mode, so known passwords never reach a production database."""


@transaction.atomic
def demo_load(*, password: str = DEMO_PASSWORD) -> list[DemoAccount]:
    """Make sure the demo wilayah exist and create or reset one account per role (safe to repeat)."""
    if not settings.PORTAL_DEMO_ENABLED:
        raise DemoDisabled("Mode demo tidak aktif (PORTAL_DEMO_ENABLED=false): akun demo tidak dibuat.")
    if Wilayah.objects.filter(code__in=DEMO_WILAYAH).count() < len(DEMO_WILAYAH):
        wilayah_load(directory=settings.WILAYAH_FIXTURE_DIR, only=DEMO_WILAYAH)
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first() or User(username=account.username)
        user.full_name, user.role, user.wilayah_id = account.full_name, account.role, account.wilayah
        user.position, user.is_superuser, user.is_staff = account.position, account.superuser, account.superuser
        user.is_active, user.must_change_password = True, False
        user.set_password(password)
        user._change_reason = "Akun demo (load_demo)"
        user.full_clean(exclude=["password"])
        user.save()
    return DEMO_ACCOUNTS
