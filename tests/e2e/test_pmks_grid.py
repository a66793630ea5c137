"""A TKSK fills the PMKS grid of their kecamatan in Chromium with the keyboard and saves it in one post."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pmks.models import Category, PmksFigure


@pytest.fixture
def pmks_portal(portal):
    return portal


def test_a_tksk_fills_the_grid_with_the_keyboard(page: Page, login, pmks_portal):
    login(page, "tksk.kejaksan")
    page.get_by_role("button", name="PMKS").click()
    page.get_by_role("link", name="Isian angka per desa").click()
    expect(page.locator("h1")).to_contain_text("Kecamatan Kejaksan")
    grid = page.get_by_test_id("pmks-grid")
    expect(grid.locator("tbody tr")).to_have_count(4)  # the four kelurahan of Kejaksan
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    fm = Category.objects.get(catalogue__code="permensos-08-2012", code="FM")

    male = grid.locator(f'input[name="f-32.74.01.1001-{lut.pk}-l"]')
    male.click()
    page.keyboard.type("3")
    page.keyboard.press("Enter")  # Enter moves to the next cell (P) like Tab
    page.keyboard.type("4x")  # letters are dropped as they are typed
    expect(grid.locator(f'input[name="f-32.74.01.1001-{lut.pk}-p"]')).to_have_value("4")
    expect(grid.locator(f'input[name="f-32.74.01.1001-{lut.pk}-t"]')).to_have_value("7")  # L + P
    grid.locator(f'input[name="f-32.74.01.1002-{fm.pk}-t"]').fill("15")
    # Row and column totals follow the typing (before anything is sent).
    expect(grid.get_by_test_id("row-total").first).to_have_text("7")
    expect(grid.get_by_test_id(f"col-total-{lut.pk}")).to_have_text("7")
    expect(grid.get_by_test_id("grid-total")).to_have_text("22")
    page.get_by_role("button", name="Simpan semua angka").click()
    expect(page.locator(".alert-success")).to_contain_text("disimpan")

    month = timezone.localdate().replace(day=1)
    saved = {(f.desa_id, f.category_id): (f.male, f.female, f.total) for f in PmksFigure.objects.filter(month=month)}
    assert saved == {("32.74.01.1001", lut.pk): (3, 4, 7), ("32.74.01.1002", fm.pk): (None, None, 15)}
    assert month >= date(2026, 1, 1)

    # A TKSK cannot open the grid of another kecamatan.
    response = page.goto(f"{pmks_portal}/pmks/isian/32.74.02/{month:%Y}M{month:%m}/")
    assert response is not None and response.status == 404
