"""Each demo account logs in through the real form and lands on a page about its own wilayah, and nothing else."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from psks_portal.models import User, Wilayah

SHOTS_DIR = Path("/tmp/e2e-shots")  # noqa: S108 - a fixed place for a human to look, only with E2E_SCREENSHOTS


@dataclass(frozen=True)
class Landing:
    username: str
    scope: str  # the text of [data-testid=landing-scope]
    breadcrumb: tuple[str, ...]  # the items of [data-testid=scope-breadcrumb] after "Wilayah kerja:"
    rows: int  # rows of the children table
    sees: tuple[str, ...]  # some child areas that must be listed
    never: tuple[str, ...]  # text from outside the user's wilayah that must not appear anywhere on the page


LANDINGS = [
    Landing(
        "superadmin",
        "Superuser · Nasional",
        ("Nasional (seluruh Indonesia)",),
        2,
        ("Provinsi Jawa Barat", "Provinsi Jawa Tengah"),
        (),
    ),
    Landing(
        "admin.jabar",
        "Admin Provinsi · Provinsi Jawa Barat (32)",
        ("Provinsi Jawa Barat",),
        2,
        ("Kabupaten Ciamis", "Kota Cirebon"),
        ("Jawa Tengah", "Cilacap"),
    ),
    Landing(
        "pimpinan.jabar",
        "Pimpinan · Provinsi Jawa Barat (32)",
        ("Provinsi Jawa Barat",),
        2,
        ("Kabupaten Ciamis", "Kota Cirebon"),
        ("Jawa Tengah", "Cilacap"),
    ),
    Landing(
        "operator.ciamis",
        "Operator Dinsos Kabupaten/Kota · Kabupaten Ciamis (32.07)",
        ("Provinsi Jawa Barat", "Kabupaten Ciamis"),
        27,
        ("Kecamatan Ciamis", "Kecamatan Lakbok", "Kecamatan Banjaranyar"),
        ("Kota Cirebon", "Kecamatan Kejaksan", "Jawa Tengah", "Cilacap"),
    ),
    Landing(
        "operator.cirebon",
        "Operator Dinsos Kabupaten/Kota · Kota Cirebon (32.74)",
        ("Provinsi Jawa Barat", "Kota Cirebon"),
        5,
        ("Kecamatan Kejaksan", "Kecamatan Lemahwungkuk", "Kecamatan Kesambi"),
        ("Ciamis", "Lakbok", "Jawa Tengah", "Cilacap"),
    ),
    Landing(
        "tksk.ciamis",
        "TKSK · Kecamatan Ciamis (32.07.01)",
        ("Provinsi Jawa Barat", "Kabupaten Ciamis", "Kecamatan Ciamis"),
        12,
        ("Kelurahan Ciamis", "Kelurahan Maleber", "Desa Imbanagara Raya"),
        ("Kecamatan Cikoneng", "Kecamatan Lakbok", "Kota Cirebon", "Kejaksan", "Jawa Tengah", "Cilacap"),
    ),
    Landing(
        "tksk.kejaksan",
        "TKSK · Kecamatan Kejaksan (32.74.01)",
        ("Provinsi Jawa Barat", "Kota Cirebon", "Kecamatan Kejaksan"),
        4,
        ("Kelurahan Kejaksan", "Kelurahan Sukapura", "Kelurahan Kesenden", "Kelurahan Kebonbaru"),
        ("Kecamatan Lemahwungkuk", "Kecamatan Kesambi", "Ciamis", "Jawa Tengah", "Cilacap"),
    ),
]


def test_every_demo_account_is_covered():
    from psks_portal.demo import DEMO_ACCOUNTS

    assert sorted(a.username for a in DEMO_ACCOUNTS) == sorted(landing.username for landing in LANDINGS)


def _expected_children(user: User) -> list[Wilayah]:
    if user.wilayah is None:
        return list(Wilayah.objects.filter(level=Wilayah.PROVINSI).order_by("code"))
    return list(Wilayah.objects.filter(parent=user.wilayah).order_by("code"))


def _outside_labels(user: User) -> list[str]:
    """Provinsi, kabupaten/kota and kecamatan that are neither the user's wilayah, above it, nor below it."""
    if user.wilayah is None:
        return []
    mine = user.wilayah
    outside = Wilayah.objects.filter(level__lte=Wilayah.KECAMATAN).exclude(code__in=mine.ancestor_codes())
    return [w.label for w in outside if not mine.contains(w)]


@pytest.mark.parametrize("landing", LANDINGS, ids=lambda landing: landing.username)
def test_landing_page_shows_only_the_users_wilayah(page: Page, login, landing: Landing):
    login(page, landing.username)
    expect(page.get_by_test_id("landing-scope")).to_have_text(landing.scope)
    if os.environ.get("E2E_SCREENSHOTS"):
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS_DIR / f"{landing.username}.png", full_page=True)

    breadcrumb = page.get_by_test_id("scope-breadcrumb").locator("li.breadcrumb-item")
    expect(breadcrumb).to_have_text(["Wilayah kerja:", *landing.breadcrumb])

    table = page.get_by_test_id("children-table")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(landing.rows)
    names = rows.locator("td:nth-child(2)")
    for label in landing.sees:
        expect(names.filter(has_text=re.compile(rf"^{re.escape(label)}$"))).to_have_count(1)

    # Exactly the children of the user's wilayah, in code order, each with its label and link.
    user = User.objects.select_related("wilayah").get(username=landing.username)
    children = _expected_children(user)
    assert len(children) == landing.rows
    expect(rows.locator("td:nth-child(1)")).to_have_text([w.code for w in children])
    expect(names).to_have_text([w.label for w in children])
    for row, w in zip(rows.all(), children, strict=True):
        expect(row.get_by_role("link")).to_have_attribute("href", f"/wilayah/{w.code}/")

    body = page.locator("body")
    for text in landing.never:
        expect(body).not_to_contain_text(text)
    page_text = body.inner_text()
    leaked = [label for label in _outside_labels(user) if re.search(rf"\b{re.escape(label)}\b", page_text)]
    assert leaked == [], f"{landing.username} sees wilayah outside {user.wilayah}: {leaked}"


def test_tksk_gets_404_for_wilayah_outside_their_kecamatan(page: Page, login, portal):
    login(page, "tksk.ciamis")
    own = page.goto(f"{portal}/wilayah/32.07.01/")
    assert own is not None and own.status == 200
    expect(page.locator("main")).to_contain_text("Kelurahan Maleber")

    for code, label in [
        ("32.74", "Kota Cirebon"),  # another kabupaten/kota
        ("32.74.01", "Kejaksan"),  # a kecamatan there
        ("32.07.02", "Cikoneng"),  # the neighbouring kecamatan in the same kabupaten
        ("32.07", "Kabupaten Ciamis"),  # the kabupaten above: the scope is the kecamatan and below
        ("33.01", "Cilacap"),  # another provinsi
    ]:
        response = page.goto(f"{portal}/wilayah/{code}/")
        assert response is not None and response.status == 404, f"/wilayah/{code}/ answered {response.status}"
        # The portal's own 404 page, which reveals nothing of the wilayah asked for (the breadcrumb above it
        # shows the TKSK's own lineage, which includes Kabupaten Ciamis).
        expect(page.get_by_test_id("error-404")).to_contain_text("di luar wilayah kerja Anda")
        expect(page.locator("main")).not_to_contain_text(label)


def test_wilayah_picker_on_new_account_form_is_fixed_to_the_operators_kabupaten(page: Page, login, portal):
    login(page, "operator.ciamis")
    page.goto(f"{portal}/pengguna/tambah/")
    picker = page.get_by_test_id("wilayah-picker")
    provinsi, kabupaten, kecamatan, desa = (picker.locator(f'select[data-level="{n}"]') for n in (1, 2, 3, 4))
    hidden = picker.locator('input[type="hidden"][name="wilayah"]')

    # Above the operator's scope: one fixed choice each.
    expect(provinsi).to_be_disabled()
    expect(provinsi.locator("option")).to_have_text(["Provinsi Jawa Barat (32)"])
    expect(provinsi).to_have_value("32")
    expect(kabupaten).to_be_disabled()
    expect(kabupaten.locator("option")).to_have_text(["Kabupaten Ciamis (32.07)"])
    expect(kabupaten).to_have_value("32.07")

    # The kecamatan of Kabupaten Ciamis only, after the placeholder; the desa wait for a kecamatan.
    ciamis_kecamatan = list(Wilayah.objects.filter(parent_id="32.07").order_by("code"))
    assert len(ciamis_kecamatan) == 27
    expect(kecamatan).to_be_enabled()
    expect(kecamatan.locator("option")).to_have_text(
        ["— pilih kecamatan —", *(f"{w.label} ({w.code})" for w in ciamis_kecamatan)]
    )
    expect(desa.locator("option")).to_have_text(["— pilih desa/kelurahan —"])
    expect(hidden).to_have_value("")

    def choose_kecamatan(code: str) -> None:
        with page.expect_response(lambda r: "/wilayah/pilihan/" in r.url and f"induk={code}" in r.url) as info:
            kecamatan.select_option(code)
        assert info.value.status == 200
        desa_rows = Wilayah.objects.filter(parent_id=code).order_by("code")
        expect(desa.locator("option")).to_have_text(
            ["— pilih desa/kelurahan —", *(f"{w.label} ({w.code})" for w in desa_rows)]
        )
        expect(hidden).to_have_value(code)

    choose_kecamatan("32.07.17")  # Lakbok
    expect(desa).to_contain_text("Desa Sidaharja (32.07.17.2006)")
    desa.select_option("32.07.17.2006")
    expect(hidden).to_have_value("32.07.17.2006")

    # Another kecamatan replaces the desa list (nothing of Lakbok left) and the chosen code.
    choose_kecamatan("32.07.01")  # Ciamis
    expect(desa).not_to_contain_text("Sidaharja")
    expect(hidden).to_have_value("32.07.01")

    # Back to the placeholder: the deepest choice left is the fixed kabupaten.
    kecamatan.select_option("")
    expect(desa.locator("option")).to_have_text(["— pilih desa/kelurahan —"])
    expect(hidden).to_have_value("32.07")

    # The options endpoint behind the picker answers nothing outside the operator's kabupaten.
    for parent in ("32.74", "32.74.01", "33", "33.01"):
        answer = page.request.get(f"{portal}/wilayah/pilihan/?induk={parent}")
        assert answer.ok and answer.json() == {"options": []}, (parent, answer.status, answer.text())
    mine = page.request.get(f"{portal}/wilayah/pilihan/?induk=32.07.17").json()["options"]
    assert {"code": "32.07.17.2006", "label": "Desa Sidaharja"} in mine


def test_wilayah_picker_ignores_the_answer_for_a_kecamatan_no_longer_chosen(page: Page, login, portal):
    login(page, "operator.ciamis")
    page.goto(f"{portal}/pengguna/tambah/")
    picker = page.get_by_test_id("wilayah-picker")
    kecamatan, desa = picker.locator('select[data-level="3"]'), picker.locator('select[data-level="4"]')

    held = []  # the answer for Lakbok is held back until the one for Ciamis has arrived (a slow network)
    page.route(
        "**/wilayah/pilihan/?induk=*",
        lambda route: held.append(route) if "induk=32.07.17" in route.request.url else route.continue_(),
    )
    kecamatan.select_option("32.07.17")  # Lakbok
    with page.expect_response(lambda r: "induk=32.07.01" in r.url):
        kecamatan.select_option("32.07.01")  # Ciamis, chosen before Lakbok's desa came back
    assert len(held) == 1
    with page.expect_response(lambda r: "induk=32.07.17" in r.url):
        held[0].continue_()

    ciamis_desa = Wilayah.objects.filter(parent_id="32.07.01").order_by("code")
    expect(desa.locator("option")).to_have_text(
        ["— pilih desa/kelurahan —", *(f"{w.label} ({w.code})" for w in ciamis_desa)], timeout=1_000
    )
