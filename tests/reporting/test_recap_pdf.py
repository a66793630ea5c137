"""The recap PDF, read back with pypdf: kop surat, title, wilayah, period, legal basis, every total, the signature
block, "Halaman X dari Y" on every page, orientation, bundled fonts only, and the small-cell rule for a Pimpinan.
One document is rendered to PNG with pdftoppm (as a reviewer looks at it)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.utils import timezone
from pypdf import PdfReader

from pmks.models import Category
from reporting.recaps import service
from reporting.recaps.letterhead import long_date
from reporting.recaps.pdf import css_string
from tests.reporting import recap_data
from tests.reporting.recap_data import (
    KEJAKSAN,
    LETTERHEAD,
    PMKS_KOTA,
    PMKS_KOTA_TOTAL,
    QUARTER,
)
from tests.reporting.test_recaps import w

pytestmark = pytest.mark.django_db

# The module-scoped quarter of reports and the personas (see ``recap_data.recap_world``).
people, recap_world, world = recap_data.people, recap_data.recap_world, recap_data.world


def render(user, recap="pmks", code="32.74", **options):
    made = service.render_recap(user=user, recap=recap, wilayah=w(code), period=QUARTER, fmt="pdf", options=options)
    assert made.content.startswith(b"%PDF-") and made.content_type == "application/pdf"
    return PdfReader(io.BytesIO(made.content)), made


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def squeeze(text: str) -> str:
    """pypdf splits some kerned pairs ("T ahun"): compare without whitespace."""
    return re.sub(r"\s+", "", text)


def lines_starting(text: str, start: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith(start)]


@pytest.fixture(scope="module")
def pmks_pdf(recap_world, django_db_blocker):
    """Dedi's PMKS recap, rendered once for the module: the tests below only read it."""
    with django_db_blocker.unblock():
        return render(recap_world["people"]["dedi"])


def test_it_prints_the_kop_title_wilayah_period_and_legal_basis(pmks_pdf):
    reader, _made = pmks_pdf
    first = reader.pages[0].extract_text()
    flat = squeeze(first)
    for line in ("PEMERINTAH KOTA CIREBON", "DINAS SOSIAL", LETTERHEAD["address"], LETTERHEAD["contact"]):
        assert squeeze(line) in flat
    assert (
        flat.index("DINASSOSIAL") < flat.index("REKAPITULASIDATAPMKS") < flat.index("KOTACIREBON", flat.index("REKAP"))
    )
    assert "TRIWULANI2026" in flat
    assert (
        squeeze(
            "Peraturan Menteri Sosial Nomor 08 Tahun 2012 tentang Pedoman Pendataan dan Pengelolaan Data "
            "Penyandang Masalah Kesejahteraan Sosial dan Potensi dan Sumber Kesejahteraan Sosial"
        )
        in flat
    )
    assert squeeze("Peraturan Menteri Sosial Nomor 28 Tahun 2018 tentang Tenaga Kesejahteraan Sosial Kecamatan") in flat
    assert squeeze("Laporan bulanan TKSK yang diterima provinsi") in flat
    assert reader.metadata.title == "Rekapitulasi Data PMKS Kota Cirebon — Triwulan I 2026"


def test_every_total_is_printed(pmks_pdf):
    reader, _made = pmks_pdf
    text = text_of(reader)
    # The total row is printed once per column part; its figures in order make the whole row.
    printed = []
    for line in lines_starting(text, "32.74 Jumlah Kota Cirebon"):
        printed += line.removeprefix("32.74 Jumlah Kota Cirebon").split()
    expected = ["2/5"]
    for c in Category.objects.filter(catalogue__is_active=True).order_by("number"):
        total, male, female = PMKS_KOTA.get(c.code, (None, None, None))
        shown = [male, female, total] if c.unit == "person" and not c.sex else [total]
        expected += ["–" if v is None else str(v) for v in shown]
    expected.append(str(PMKS_KOTA_TOTAL))
    assert printed == expected
    kejaksan = " ".join(lines_starting(text, f"{KEJAKSAN} Kecamatan Kejaksan"))
    assert kejaksan.endswith("61")
    parts = int(re.search(r"Bagian 1 dari (\d+)", text)[1])  # 66 columns by sex: too wide for one page
    assert parts >= 2 and f"Bagian {parts} dari {parts}" in text


def test_pages_are_numbered_and_headers_repeat(people):
    reader, _made = render(people["fajar"], recap="psks", code="32", detail=4)  # Ciamis's 258 desa: many pages
    pages = len(reader.pages)
    assert pages >= 4
    desa_pages = 0
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Halaman {number} dari {pages}" in text
        if re.search(r"^\d\d\.\d\d\.\d\d\.\d{4} ", text, re.MULTILINE):  # desa rows on this page
            desa_pages += 1
            assert "Kode Desa/Kelurahan Kec." in text and "Relawan Sosial" in text, number  # the header again
    assert desa_pages >= 3


def test_a_wide_table_is_landscape_and_a_narrow_one_portrait(pmks_pdf, people):
    reader, _made = pmks_pdf
    box = reader.pages[0].mediabox
    assert round(float(box.width)) == 842 and round(float(box.height)) == 595  # A4 landscape, points
    narrow, _made = render(people["fajar"], recap="psks", code="32")
    box = narrow.pages[0].mediabox
    assert round(float(box.width)) == 595 and round(float(box.height)) == 842


def test_the_signature_block_names_the_kepala_dinas(pmks_pdf):
    reader, _made = pmks_pdf
    last = squeeze(reader.pages[-1].extract_text())
    assert squeeze(f"Cirebon, {long_date(timezone.localdate())}") in last
    assert "KEPALADINASSOSIALKOTACIREBON" in last
    assert squeeze(LETTERHEAD["head_name"]) in last and squeeze(LETTERHEAD["head_rank"]) in last
    assert "NIP.197001011995032001" in last
    assert last.index("KEPALADINAS") < last.index(squeeze(LETTERHEAD["head_name"])) < last.index("NIP.")


def test_without_a_letterhead_the_kop_and_signature_fall_back_to_a_default(people):
    reader, _made = render(people["fajar"], recap="kegiatan", code="32")
    text = squeeze(text_of(reader))
    assert "PEMERINTAHPROVINSIJAWABARAT" in text and "DINASSOSIAL" in text
    assert "KEPALADINASSOSIALPROVINSIJAWABARAT" in text
    assert "NIP.……" in text  # to be filled in by hand


def test_notes_state_stocks_and_the_legend(pmks_pdf):
    text = squeeze(text_of(pmks_pdf[0]))
    assert squeeze("tidak pernah dijumlahkan antarbulan") in text
    assert squeeze("16 ODHA = Orang dengan HIV/AIDS") in text


def test_only_the_bundled_fonts_are_embedded(pmks_pdf):
    reader, _made = pmks_pdf
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+", 1)[1])
    assert fonts and all(name.startswith("Rekap-Sans") for name in fonts), fonts


def test_a_province_in_detail_has_a_section_per_kabupaten_and_every_page_numbered(people):
    reader, _made = render(people["fajar"], recap="psks", code="32", detail=3)
    text = text_of(reader)
    assert "2. Kabupaten Ciamis — per Kecamatan" in text and "3. Kota Cirebon — per Kecamatan" in text
    pages = len(reader.pages)
    assert pages >= 2 and f"Halaman {pages} dari {pages}" in reader.pages[-1].extract_text()
    assert lines_starting(text, "32 Jumlah Provinsi Jawa Barat 3/32 19 2 1 5 27 32 1 31 3,1")


def test_small_figures_are_withheld_from_a_pimpinan(people):
    reader, _made = render(people["hadi"])
    text = text_of(reader)
    assert "×" in text and "UU27/2022" in squeeze(text)
    kejaksan = lines_starting(text, f"{KEJAKSAN} Kecamatan Kejaksan")
    # No split by sex for a read-only viewer; Kejaksan's ODHA (2) is printed as "×", never as a number.
    assert any("×" in line for line in kejaksan)
    assert not any(" 1 1 2 " in line for line in kejaksan) and " L P " not in text


def test_css_strings_cannot_escape_the_style_element():
    assert css_string('Kota "X" </style><img src=x>') == "Kota \\22 X\\22  \\3c /style\\3e \\3c img src=x\\3e "


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_it_renders_to_png(pmks_pdf, tmp_path):
    _reader, made = pmks_pdf
    source = tmp_path / made.filename
    source.write_bytes(made.content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "halaman")], check=True)
    pngs = sorted(tmp_path.glob("halaman-*.png"))
    assert len(pngs) == len(_reader.pages)
    header = pngs[0].read_bytes()[:24]
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert header.startswith(b"\x89PNG") and width > height  # landscape at 60 dpi: about 702 × 496
