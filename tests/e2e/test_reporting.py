"""The monthly report in Chromium, from the TKSK's grid to the provinsi's roll-up.

The TKSK of Kejaksan fills the PMKS grid and an activity and submits last month's report; the operator of Kota Cirebon
returns it with a comment; the TKSK corrects a figure and submits again; the operator verifies it and marks the other
four kecamatan of the kota as not reporting; the Admin Provinsi accepts the kota; the figures appear in the kota's and
the provinsi's roll-ups; the accepted report and its grid can no longer be changed. Screenshots of the report page, the
completeness screen and the roll-up go to /tmp/shots/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from pmks.models import Category, PmksFigure
from psks_portal import periods
from reporting.models import Activity, Report, State

SHOTS = Path("/tmp/shots")  # noqa: S108 - a fixed place for a human to look at
KEJAKSAN = "32.74.01"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" + (
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def reporting_portal(portal, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    return portal


@pytest.fixture
def as_user(new_context, login):
    """``as_user("operator.cirebon")``: a page in its own browser context, signed in."""

    def _open(username: str) -> Page:
        context = new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(10_000)
        page = context.new_page()
        return login(page, username)

    return _open


def _act(page: Page, action: str, comment: str = "") -> None:
    actions = page.get_by_test_id("report-actions")
    if comment:
        actions.locator(f"#comment-{action}").fill(comment)
    actions.locator(f'button[data-action="{action}"]').click()


def test_a_monthly_report_goes_from_the_tksk_to_the_provinsi(reporting_portal, as_user):
    base = reporting_portal
    month = periods.last_closed(periods.MONTH, timezone.localdate())
    report_url = f"{base}/laporan/{KEJAKSAN}/{month.id}/"
    lut = Category.objects.get(catalogue__code="permensos-08-2012", code="LUT")
    fm = Category.objects.get(catalogue__code="permensos-08-2012", code="FM")

    # -- the TKSK opens last month's report from the list and fills the grid ----------------------------------------
    tksk = as_user("tksk.kejaksan")
    tksk.get_by_role("button", name="Laporan").click()
    tksk.get_by_role("link", name="Laporan TKSK").click()
    tksk.get_by_role("link", name=f"Laporan bulan lalu ({month.label})").click()
    expect(tksk.get_by_test_id("report-title")).to_contain_text("Kecamatan Kejaksan")
    expect(tksk.get_by_test_id("report-title")).to_contain_text(month.label)
    expect(tksk.get_by_test_id("state-badge")).to_have_text("Draf")
    tksk.get_by_test_id("grid-link").click()
    grid = tksk.get_by_test_id("pmks-grid")
    grid.locator(f'input[name="f-32.74.01.1001-{lut.pk}-l"]').fill("3")
    grid.locator(f'input[name="f-32.74.01.1001-{lut.pk}-p"]').fill("4")
    grid.locator(f'input[name="f-32.74.01.1002-{fm.pk}-t"]').fill("15")
    tksk.get_by_role("button", name="Simpan semua angka").click()
    expect(tksk.locator(".alert-success")).to_contain_text("disimpan")
    tksk.get_by_test_id("report-link").click()
    expect(tksk.get_by_test_id("report-pmks-total")).to_have_text("22")

    # -- an activity with a photo, and the narrative ----------------------------------------------------------------
    add = tksk.get_by_test_id("activity-add")
    add.locator("#id_date").fill((month.start + timedelta(days=14)).isoformat())
    add.locator("#id_kind").select_option("bimbingan")
    add.locator("#id_place").fill("Balai Kelurahan Kesenden")
    add.locator("#id_desa").select_option("32.74.01.1001")
    add.locator("#id_participants_male").fill("12")
    add.locator("#id_participants_female").fill("18")
    add.locator("#id_result").fill("Penyuluhan bansos dan PKH bagi keluarga penerima manfaat.")
    add.locator("#id_attachment").set_input_files({"name": "kegiatan.png", "mimeType": "image/png", "buffer": PNG})
    add.locator("#id_attachment_kind").select_option("foto")
    add.get_by_role("button", name="Simpan kegiatan").click()
    expect(tksk.locator(".alert-success")).to_contain_text("Kegiatan ditambahkan")
    expect(tksk.get_by_test_id("activity-table").locator("tbody tr")).to_have_count(1)
    form = tksk.get_by_test_id("narrative-form")
    form.locator("#id_cases").fill("Satu rumah warga terdampak angin puting beliung di Kesenden.")
    form.locator("#id_obstacles").fill("Data BNBA belum sinkron dengan DTKS.")
    form.locator("#id_follow_up").fill("Koordinasi dengan kelurahan untuk pemutakhiran DTKS.")
    form.locator("#id_camat_name").fill("Drs. H. Camat Kejaksan")
    form.get_by_role("button", name="Simpan isian").click()
    expect(tksk.locator(".alert-success")).to_contain_text("Isian laporan disimpan")
    tksk.screenshot(path=SHOTS / "reporting-report-draft.png", full_page=True)
    _act(tksk, "submit")
    expect(tksk.locator(".alert-success")).to_contain_text("Laporan dikirim")
    expect(tksk.get_by_test_id("state-badge")).to_have_text("Dikirim")
    expect(tksk.get_by_test_id("narrative-form")).to_have_count(0)

    # -- the operator returns it with a comment -----------------------------------------------------------------------
    operator = as_user("operator.cirebon")
    operator.goto(f"{base}/laporan/kelengkapan/")
    operator.locator(f'tr[data-code="{KEJAKSAN}"] a').first.click()
    expect(operator.get_by_test_id("report-title")).to_contain_text("Kecamatan Kejaksan")
    _act(operator, "return", "Angka Fakir Miskin Kelurahan Kebonbaru perlu dicek ulang dengan DTKS.")
    expect(operator.get_by_test_id("state-badge")).to_have_text("Dikembalikan untuk revisi")

    # -- the TKSK corrects the figure and submits again ---------------------------------------------------------------
    tksk.goto(report_url)
    expect(tksk.get_by_test_id("return-comment")).to_contain_text("perlu dicek ulang dengan DTKS")
    tksk.get_by_test_id("grid-link").click()
    tksk.locator(f'input[name="f-32.74.01.1002-{fm.pk}-t"]').fill("16")
    tksk.get_by_role("button", name="Simpan semua angka").click()
    expect(tksk.locator(".alert-success")).to_contain_text("disimpan")
    tksk.get_by_test_id("report-link").click()
    expect(tksk.get_by_test_id("report-pmks-total")).to_have_text("23")
    _act(tksk, "submit")
    expect(tksk.get_by_test_id("state-badge")).to_have_text("Dikirim")

    # -- the operator verifies and marks the other kecamatan as not reporting ------------------------------------------
    operator.goto(report_url)
    _act(operator, "verify")
    expect(operator.get_by_test_id("state-badge")).to_have_text("Diverifikasi kabupaten/kota")
    operator.goto(f"{base}/laporan/kelengkapan/")
    expect(operator.get_by_test_id("missing-table").locator("tbody tr")).to_have_count(4)
    operator.screenshot(path=SHOTS / "reporting-completeness-todo.png", full_page=True)
    for code in ("32.74.02", "32.74.03", "32.74.04", "32.74.05"):
        row = operator.get_by_test_id("missing-table").locator(f'tr[data-code="{code}"]')
        row.locator('input[name="reason"]').fill("Belum ada TKSK aktif (SK baru menunggu Kemensos).")
        row.get_by_role("button", name="Tandai tidak melapor").click()
        expect(operator.locator(".alert-success")).to_contain_text("ditandai tidak melapor")
    expect(operator.get_by_test_id("missing-empty")).to_be_visible()
    total = operator.get_by_test_id("completeness-total")
    expect(total.locator("td").nth(2)).to_have_text("1")  # submitted
    operator.screenshot(path=SHOTS / "reporting-completeness-kota.png", full_page=True)

    # -- the provinsi accepts the kota, and the figures reach the roll-ups ---------------------------------------------
    admin = as_user("admin.jabar")
    admin.get_by_role("button", name="Laporan").click()
    admin.get_by_role("link", name="Kelengkapan laporan").click()
    expect(admin.get_by_test_id("completeness-title")).to_contain_text("Jawa Barat")
    admin.get_by_role("button", name="Terima semua laporan Kota Cirebon").click()
    expect(admin.locator(".alert-success")).to_contain_text(f"1 laporan Kota Cirebon untuk {month.label} diterima")
    expect(admin.get_by_test_id("accept-32.74")).to_contain_text("Sudah diterima")
    admin.screenshot(path=SHOTS / "reporting-completeness-provinsi.png", full_page=True)
    report = Report.objects.get(kecamatan_id=KEJAKSAN, period=month.id)
    assert report.state == State.ACCEPTED
    assert Activity.objects.get(report=report).participants == 30

    admin.get_by_role("button", name="Laporan").click()
    admin.get_by_role("link", name="Rekap per wilayah").click()
    table = admin.get_by_test_id("rollup-table")
    expect(table.locator('tr[data-code="32.74"] td.fw-bold')).to_have_text("23")
    expect(table.locator('tr[data-code="32.74"] [data-testid="row-state"]')).to_have_text("1/5 kecamatan diterima")
    expect(admin.get_by_test_id("rollup-grand-total")).to_have_text("23")
    admin.screenshot(path=SHOTS / "reporting-rollup-provinsi.png", full_page=True)
    table.locator('tr[data-code="32.74"] th a').first.click()
    expect(admin.get_by_test_id("rollup-title")).to_contain_text("Kota Cirebon")
    expect(admin.get_by_test_id("rollup-table").locator(f'tr[data-code="{KEJAKSAN}"] td.fw-bold')).to_have_text("23")
    admin.get_by_test_id("tab-kegiatan").click()
    expect(admin.get_by_test_id("rollup-grand-total")).to_have_text("1")
    operator.goto(f"{base}/laporan/rekap/")
    expect(operator.get_by_test_id("rollup-grand-total")).to_have_text("23")
    operator.screenshot(path=SHOTS / "reporting-rollup-kota.png", full_page=True)

    # -- the accepted report and its grid cannot be edited -------------------------------------------------------------
    tksk.goto(report_url)
    expect(tksk.get_by_test_id("state-badge")).to_have_text("Diterima provinsi")
    expect(tksk.get_by_test_id("report-locked")).to_be_visible()
    expect(tksk.get_by_test_id("narrative-form")).to_have_count(0)
    expect(tksk.get_by_test_id("activity-add")).to_have_count(0)
    expect(tksk.get_by_test_id("grid-link")).to_have_count(0)
    expect(tksk.get_by_test_id("report-actions")).to_contain_text("Tidak ada tindakan")
    tksk.screenshot(path=SHOTS / "reporting-report-accepted.png", full_page=True)
    tksk.goto(f"{base}/pmks/isian/{KEJAKSAN}/{month.id}/")
    expect(tksk.get_by_test_id("grid-locked")).to_contain_text("terkunci")
    cell = tksk.locator(f'input[name="f-32.74.01.1002-{fm.pk}-t"]')
    expect(cell).to_be_disabled()
    expect(tksk.get_by_role("button", name="Simpan semua angka")).to_have_count(0)
    tksk.screenshot(path=SHOTS / "reporting-grid-locked.png")
    # Even a post forced past the disabled form is refused and writes nothing.
    tksk.evaluate("document.querySelector('#grid-form fieldset').disabled = false")
    cell.fill("99")
    tksk.evaluate("document.getElementById('grid-form').submit()")
    expect(tksk.locator(".alert-danger")).to_contain_text("Tidak ada angka yang disimpan")
    saved = PmksFigure.objects.get(desa_id="32.74.01.1002", category=fm, month=month.start)
    assert saved.total == 16
    assert re.search(r"laporan/32\.74\.01/", Activity.objects.get().attachment.name)
