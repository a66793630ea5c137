"""Test data shared by the recap tests: one quarter (2026Q1) of reports in Kota Cirebon and Kabupaten Ciamis.

Kejaksan (32.74.01): January and February accepted, March still a draft — its stock is February's. Lemahwungkuk
(32.74.02): March accepted. Ciamis (32.07.01): March accepted. Expected figures below are worked out by hand from
what is written here, not from the selectors.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.db import transaction

from psks_portal import periods
from psks_portal.models import Wilayah
from registry.models import Kind
from reporting.models import Letterhead, PsksCount, State
from tests.factories import personas
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import activity, desa_of, make_report, put

KEJAKSAN, LEMAHWUNGKUK, CIAMIS = "32.74.01", "32.74.02", "32.07.01"
QUARTER = periods.parse("2026Q1")
TKSK_NAME = "@SUM(1+1) Tksk Kejaksan"  # formula-like on purpose: every export must neutralise it
EVIL_KIND = "=1+1"  # a local kind's abbreviation, printed as a column header

# PMKS, Kota Cirebon, 2026Q1, accepted only (Kejaksan: February; Lemahwungkuk: March).
PMKS = {
    KEJAKSAN: {"LUT": (29, 11, 18), "FM": (30, None, None), "ODHA": (2, 1, 1)},
    LEMAHWUNGKUK: {"LUT": (11, 5, 6), "FM": (12, None, None), "KAT": (3, None, None)},
}
PMKS_ROW_TOTALS = {KEJAKSAN: 61, LEMAHWUNGKUK: 26}
PMKS_KOTA = {"LUT": (40, 16, 24), "FM": (42, None, None), "ODHA": (2, 1, 1), "KAT": (3, None, None)}
PMKS_KOTA_TOTAL = 87
PMKS_PROVINSI_TOTAL = 137  # + Ciamis FM 50

PSKS_KOTA = {"psm": 10, "tagana": 2, "lks": 1, "lokal-x": 5}
PSKS_KOTA_TOTAL = 18

# Activities, Kota Cirebon, 2026Q1, accepted only: (activities, L, P).
ACTIVITIES = {
    KEJAKSAN: {"pendataan": (2, 4, 5), "rujukan": (1, 0, 2)},
    LEMAHWUNGKUK: {"bimbingan": (1, 10, 5)},
}
ACTIVITY_KOTA = (4, 14, 12, 26)  # activities, L, P, participants

LETTERHEAD = {
    "government": "Pemerintah Kota Cirebon",
    "office": "Dinas Sosial",
    "address": "Jl. Contoh Uji No. 1, Kota Cirebon 45111",
    "contact": "Telepon (0231) 000000 · surel dinsos@contoh.test",
    "city": "Cirebon",
    "head_position": "Kepala Dinas Sosial",
    "head_name": "Dra. Kepala Uji Sosial, M.Si.",
    "head_rank": "Pembina Utama Muda (IV/c)",
    "head_nip": "197001011995032001",
}


@pytest.fixture(scope="module")
def recap_world(django_db_setup, django_db_blocker):
    """The quarter's reports over the reference data (tree, catalogues, personas), built once per module inside a
    transaction rolled back afterwards (each test still runs in its own savepoint)."""
    with django_db_blocker.unblock(), transaction.atomic():
        users = personas()
        desa = build_quarter()
        yield {"people": users, "desa": desa}
        transaction.set_rollback(True)


@pytest.fixture
def world(recap_world, db):
    return recap_world


@pytest.fixture
def people(world):
    """Overrides the conftest fixture: the personas already exist."""
    return world["people"]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def build_quarter() -> dict[str, str]:
    Kind.objects.create(
        code="lokal-x", name="Kader Lokal Uji", abbreviation=EVIL_KIND, subject="person", is_local=True, sort_order=999
    )
    k1, k2 = desa_of(KEJAKSAN)
    l1, l2 = desa_of(LEMAHWUNGKUK)
    (c1,) = desa_of(CIAMIS, 1)

    jan = make_report(KEJAKSAN, "2026M01", State.ACCEPTED)
    feb = make_report(KEJAKSAN, "2026M02", State.ACCEPTED)
    mar = make_report(KEJAKSAN, "2026M03", State.DRAFT)
    lmar = make_report(LEMAHWUNGKUK, "2026M03", State.ACCEPTED)
    cmar = make_report(CIAMIS, "2026M03", State.ACCEPTED)

    put(k1, "LUT", "2026M01", 7, male=2)
    put(k1, "LUT", "2026M02", 9, male=3)
    put(k2, "LUT", "2026M02", 20, male=8)
    put(k1, "FM", "2026M02", 30)
    put(k2, "ODHA", "2026M02", 2, male=1)
    put(k1, "LUT", "2026M03", 100, male=50)  # a draft month: never counted
    put(l1, "LUT", "2026M03", 11, male=5)
    put(l1, "FM", "2026M03", 12)
    put(l2, "KAT", "2026M03", 3)
    put(c1, "FM", "2026M03", 50)

    kinds = {k.code: k for k in Kind.objects.filter(code__in=["psm", "tagana", "lks", "lokal-x"])}
    PsksCount.objects.create(report=jan, desa_id=k1, kind=kinds["psm"], count=100)  # January: superseded
    PsksCount.objects.create(report=feb, desa_id=k1, kind=kinds["psm"], count=4)
    PsksCount.objects.create(report=feb, desa_id=k2, kind=kinds["tagana"], count=2)
    PsksCount.objects.create(report=feb, desa_id=k1, kind=kinds["lks"], count=1)
    PsksCount.objects.create(report=lmar, desa_id=l1, kind=kinds["psm"], count=6)
    PsksCount.objects.create(report=lmar, desa_id=l2, kind=kinds["lokal-x"], count=5)
    PsksCount.objects.create(report=cmar, desa_id=c1, kind=kinds["psm"], count=9)

    activity(jan, 5, male=3, female=4)
    activity(feb, 6, male=1, female=1)
    activity(feb, 7, kind="rujukan", female=2)
    activity(mar, 8, male=50, female=50)  # a draft month: not counted with accepted only
    activity(lmar, 9, kind="bimbingan", male=10, female=5)

    tksk = make_person(name=TKSK_NAME, desa=k1, birth=date(1988, 3, 4))
    assign(tksk, "tksk", KEJAKSAN)

    Letterhead.objects.create(wilayah=Wilayah.objects.get(code="32.74"), **LETTERHEAD)
    return {"k1": k1, "k2": k2, "l1": l1, "l2": l2, "c1": c1}


def kota_kecamatan() -> list[str]:
    return list(Wilayah.objects.filter(parent_id="32.74").order_by("code").values_list("code", flat=True))
