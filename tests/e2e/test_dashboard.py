"""The Admin Provinsi of Jawa Barat opens the dashboard in Chromium, drills down to Kabupaten Ciamis, asks for the
annual PMKS recap as PDF and as XLSX, and downloads both from the "Unduhan" page; then a queued job's row
updates itself.

Screenshots go to ``/tmp/shots/`` (or ``SCREENSHOT_DIR``) for a person to look at.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from psks_portal import periods
from reporting import tasks
from reporting.models import Export, ExportStatus, State
from tests.registry.conftest import assign, make_person
from tests.reporting.conftest import desa_of, make_report, put

SHOTS = Path(os.environ.get("SCREENSHOT_DIR") or Path(tempfile.gettempdir()) / "shots")
CIAMIS_KECAMATAN = ["32.07.01", "32.07.02", "32.07.03"]
CIREBON_KECAMATAN = ["32.74.01", "32.74.02"]


@pytest.fixture
def dashboard_portal(portal, settings, tmp_path):
    """Three months of reports and PMKS figures in a few kecamatan of both kabupaten, and two active TKSK."""
    settings.MEDIA_ROOT = tmp_path / "media"
    month = periods.last_closed(periods.MONTH, timezone.localdate())
    states = [State.ACCEPTED, State.VERIFIED, State.SUBMITTED]
    for back, m in enumerate([month.shift(-2), month.shift(-1), month]):
        for i, kec in enumerate(CIAMIS_KECAMATAN + CIREBON_KECAMATAN):
            make_report(kec, m.id, states[(i + back) % 3], days_late=i % 2)
            for j, desa in enumerate(desa_of(kec, 2)):
                put(desa, "LUT", m.id, 20 + 3 * i + j + back, male=10 + i)
                put(desa, "FM", m.id, 12 + i + 2 * back)
                put(desa, "AT", m.id, 5 + j + back)
    assign(make_person(name="TKSK Ciamis", desa=desa_of("32.07.01")[0]), "tksk", "32.07.01")
    assign(make_person(name="TKSK Kejaksan", desa="32.74.01.1001"), "tksk", "32.74.01")
    SHOTS.mkdir(parents=True, exist_ok=True)
    return portal


def _download(page: Page, row, target: Path) -> Path:
    with page.expect_download() as info:
        row.get_by_test_id("download-link").click()
    info.value.save_as(target)
    return target


def test_an_admin_provinsi_drills_down_and_downloads_the_annual_recaps(page: Page, login, dashboard_portal, tmp_path):
    portal = dashboard_portal
    page.set_viewport_size({"width": 1366, "height": 900})
    login(page, "admin.jabar")
    page.goto(f"{portal}/laporan/dasbor/")
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("Provinsi Jawa Barat")
    expect(page.get_by_test_id("stat-submitted")).to_contain_text("5")
    expect(page.locator("#grafik-kelengkapan")).to_be_visible()
    page.wait_for_function("() => Object.keys(Chart.instances).length === 4")  # completeness, coverage, PMKS, trend
    page.screenshot(path=str(SHOTS / "dashboard-provinsi.png"), full_page=True)
    # Printing (Chromium fires beforeprint/afterprint around it) adds the number tables under the charts.
    printed = SHOTS / "dashboard-provinsi-print.pdf"
    page.pdf(path=str(printed), format="A4", landscape=True, print_background=True)
    printed_text = "\n".join(p.extract_text() for p in PdfReader(printed).pages)
    assert "Tabel tren 12 bulan" not in printed_text and "Lanjut Usia Telantar" in printed_text
    assert "Unduh rekap" not in printed_text  # forms stay off paper
    expect(page.get_by_test_id("pmks-trend-table")).to_be_hidden()  # closed again after printing

    # The numbers are there for a screen reader too.
    page.get_by_text("Tabel angka kelengkapan").click()
    expect(page.get_by_test_id("completeness-table").locator("tbody tr")).to_have_count(2)

    page.get_by_test_id("children-table").get_by_role("link", name="Kabupaten Ciamis").click()
    expect(page.get_by_test_id("dashboard-title")).to_contain_text("Kabupaten Ciamis")
    expect(page.get_by_test_id("drill-path")).to_contain_text("Provinsi Jawa Barat")
    expect(page.get_by_test_id("children-table").get_by_role("link", name="Kecamatan Ciamis")).to_be_visible()
    page.wait_for_function("() => Object.keys(Chart.instances).length === 4")
    page.screenshot(path=str(SHOTS / "dashboard-kabupaten.png"), full_page=True)
    kabupaten_url = page.url

    year = periods.last_closed(periods.MONTH, timezone.localdate()).parent(periods.YEAR)
    for fmt in ("PDF", "Excel (XLSX)"):
        form = page.get_by_test_id("export-form")
        form.get_by_label("Rekap", exact=True).select_option("pmks")
        form.get_by_label("Periode").select_option(year.id)
        # The immediate backend makes the file within the request: a PDF takes seconds on a busy machine.
        form.get_by_role("button", name=fmt, exact=True).click(timeout=90_000)
        expect(page).to_have_url(f"{portal}/laporan/unduhan/")
        expect(page.locator(".alert-success")).to_contain_text("siap diunduh")
        if fmt == "PDF":
            page.goto(kabupaten_url)
    rows = page.get_by_test_id("export-row")
    expect(rows).to_have_count(2)
    page.screenshot(path=str(SHOTS / "downloads.png"), full_page=True)

    xlsx = _download(page, rows.nth(0), tmp_path / "rekap.xlsx")
    pdf = _download(page, rows.nth(1), tmp_path / "rekap.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert "Kabupaten Ciamis".upper() in text.upper() and year.label.upper() in text.upper()
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx.read_bytes()), read_only=True)
    assert workbook.sheetnames
    cells = [str(v) for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert any("Ciamis" in v for v in cells)
    assert Export.objects.filter(user__username="admin.jabar", status=ExportStatus.DONE).count() == 2
    assert {e.wilayah_id for e in Export.objects.all()} == {"32.07"}


def test_a_queued_export_updates_its_row_while_the_page_is_open(page: Page, login, dashboard_portal, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    portal = dashboard_portal
    login(page, "operator.cirebon")
    page.goto(f"{portal}/laporan/dasbor/")
    form = page.get_by_test_id("export-form")
    form.get_by_label("Rekap", exact=True).select_option("kelengkapan")
    form.get_by_role("button", name="CSV", exact=True).click()
    row = page.get_by_test_id("export-row").first
    expect(row).to_have_attribute("data-status", "queued")
    expect(row).to_contain_text("Dalam antrean")
    page.screenshot(path=str(SHOTS / "downloads-queued.png"), full_page=True)
    export = Export.objects.get()
    tasks.export_build.call(export.pk)  # what `manage.py db_worker` does
    expect(page.get_by_test_id("export-row").first).to_have_attribute("data-status", "done", timeout=30_000)
    expect(page.get_by_test_id("download-link")).to_be_visible()
