"""Recaps: the generators' figures (checked against hand-computed values and the roll-up selectors), the recap page,
downloads recorded in ``Export``, the scope, the small-cell rule, atomic files and progress, and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from pmks.models import Category
from psks_portal import periods
from psks_portal.models import Wilayah
from reporting import selectors, tasks
from reporting.models import Export, ExportStatus, Report, State
from reporting.recaps import service, smallcells
from reporting.recaps import xlsx as xlsx_writer
from reporting.recaps.columns import DATA, SUBTOTAL, TOTAL, Masked
from tests.core.test_disclosure import interval_lp
from tests.reporting import recap_data
from tests.reporting.conftest import category
from tests.reporting.recap_data import (
    ACTIVITIES,
    ACTIVITY_KOTA,
    CIAMIS,
    EVIL_KIND,
    KEJAKSAN,
    LEMAHWUNGKUK,
    PMKS,
    PMKS_KOTA,
    PMKS_KOTA_TOTAL,
    PMKS_PROVINSI_TOTAL,
    PMKS_ROW_TOTALS,
    QUARTER,
    TKSK_NAME,
    kota_kecamatan,
)

pytestmark = pytest.mark.django_db

# The module-scoped quarter of reports and the personas (see ``recap_data.recap_world``).
media, people, recap_world, world = recap_data.media, recap_data.people, recap_data.recap_world, recap_data.world
INDEX, DOWNLOAD = "reporting:recap_index", "reporting:recap_download"


def w(code: str | None) -> Wilayah | None:
    return Wilayah.objects.get(code=code) if code else None


def build(user, recap: str = "pmks", code: str | None = "32.74", period=QUARTER, accepted_only=True, **options):
    return service.build_document(
        user=user, recap=recap, wilayah=w(code), period=period, accepted_only=accepted_only, options=options
    ).materialise()


def table(section) -> dict[str, dict[str, object]]:
    """{row ident: {one-line header: value}} — how a reader finds a figure."""
    return {
        row.ident: {c.flat_header: v for c, v in zip(section.columns, row.values, strict=True)} for row in section.rows
    }


def label(code: str) -> str:
    c = category(code)
    return f"{c.number:02d} {c.code}"


def csv_rows(content: bytes, delimiter: str = ",") -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=delimiter))


# -- the figures ---------------------------------------------------------------------------------------------------


def test_it_recaps_pmks_by_kecamatan_from_each_kecamatans_last_handed_in_month(people):
    document = build(people["dedi"])
    rows = table(document.sections[0])
    for kecamatan, figures in PMKS.items():
        for code, (total, male, female) in figures.items():
            if male is None:
                assert rows[kecamatan][f"{label(code)} Jml"] == total
            else:
                assert (
                    rows[kecamatan][f"{label(code)} L"],
                    rows[kecamatan][f"{label(code)} P"],
                    rows[kecamatan][f"{label(code)} Jml"],
                ) == (male, female, total)
        assert rows[kecamatan]["Jumlah"] == PMKS_ROW_TOTALS[kecamatan]
    for code, (total, male, female) in PMKS_KOTA.items():
        assert rows["32.74"][f"{label(code)} Jml"] == total
        if male is not None:
            assert (rows["32.74"][f"{label(code)} L"], rows["32.74"][f"{label(code)} P"]) == (male, female)
    assert rows["32.74"]["Jumlah"] == PMKS_KOTA_TOTAL
    # Kejaksan's draft March (LUT 100) is not counted, nor January's: a quarter is not the sum of its months.
    assert rows[KEJAKSAN][f"{label('LUT')} Jml"] == 29
    assert rows[KEJAKSAN]["Kec. lapor"] == "1/1" and rows["32.74"]["Kec. lapor"] == "2/5"
    quiet = kota_kecamatan()[2]
    assert rows[quiet][f"{label('LUT')} Jml"] is None and rows[quiet]["Jumlah"] is None
    assert [r.kind for r in document.sections[0].rows] == [DATA] * 5 + [TOTAL]
    assert any("stok" in note for note in document.notes)


def test_it_shows_exactly_the_roll_up_selectors_figures(people):
    document = build(people["fajar"], code="32")
    categories = [category(c) for c in ("LUT", "FM", "ODHA", "KAT")]
    rollup = selectors.pmks_rollup(wilayah=w("32"), period=QUARTER, categories=categories)
    rows = table(document.sections[0])
    for child in ("32.07", "32.74"):
        for c in categories:
            figure = rollup.cell(child, c.pk)
            assert rows[child][f"{label(c.code)} Jml"] == (figure.total if figure else None)
    assert rows["32"]["Jumlah"] == rollup.grand_total.total == PMKS_PROVINSI_TOTAL


def test_it_counts_all_submitted_reports_when_asked(people):
    Report.objects.filter(kecamatan_id=KEJAKSAN, period="2026M03").update(state=State.SUBMITTED)
    accepted = table(build(people["dedi"]).sections[0])
    submitted_doc = build(people["dedi"], accepted_only=False)
    submitted = table(submitted_doc.sections[0])
    assert accepted[KEJAKSAN][f"{label('LUT')} Jml"] == 29  # February, the last accepted month
    assert submitted[KEJAKSAN][f"{label('LUT')} Jml"] == 100  # March, submitted
    assert "belum diterima" in submitted_doc.source_line


def test_it_recaps_psks_types_and_tksk_coverage(people):
    document = build(people["dedi"], recap="psks")
    rows = table(document.sections[0])
    assert rows[KEJAKSAN]["Relawan Sosial PSM"] == 4  # February's count, not January's 100
    assert rows[KEJAKSAN]["Relawan Sosial Tagana"] == 2 and rows[KEJAKSAN]["Relawan Sosial LKS"] == 1
    assert rows[LEMAHWUNGKUK]["Relawan Sosial PSM"] == 6
    assert rows[LEMAHWUNGKUK][f"PSKS lainnya {EVIL_KIND}"] == 5
    assert rows["32.74"]["Jumlah"] == 18 and rows["32.74"]["Relawan Sosial PSM"] == 10
    # Coverage: Kejaksan has an active TKSK, the other four kecamatan of Kota Cirebon have none.
    assert [rows[KEJAKSAN][f"Cakupan TKSK {h}"] for h in ("Kec.", "Ada TKSK", "Tanpa TKSK", "%")] == [1, 1, 0, 100.0]
    assert rows[LEMAHWUNGKUK]["Cakupan TKSK Ada TKSK"] == 0
    assert [rows["32.74"][f"Cakupan TKSK {h}"] for h in ("Kec.", "Ada TKSK", "Tanpa TKSK", "%")] == [5, 1, 4, 20.0]


def test_it_sums_activities_over_the_months(people):
    rows = table(build(people["dedi"], recap="kegiatan").sections[0])
    for kecamatan, kinds in ACTIVITIES.items():
        for kind, (n, male, female) in kinds.items():
            short = {"pendataan": "Pendataan", "rujukan": "Rujukan", "bimbingan": "Bimbingan"}[kind]
            assert (rows[kecamatan][f"{short} Keg."], rows[kecamatan][f"{short} L"], rows[kecamatan][f"{short} P"]) == (
                n,
                male,
                female,
            )
    kota = rows["32.74"]
    assert (kota["Jumlah Keg."], kota["Jumlah L"], kota["Jumlah P"], kota["Jumlah Peserta"]) == ACTIVITY_KOTA


def test_it_recaps_completeness_and_lists_who_has_not_reported(people):
    document = build(people["dedi"], recap="kelengkapan", period=periods.parse("2026M03"))
    rows = table(document.sections[0])
    assert rows[LEMAHWUNGKUK]["Laporan Diterima"] == 1 and rows[LEMAHWUNGKUK]["Laporan Tepat waktu"] == 1
    assert rows[KEJAKSAN]["Laporan Draf"] == 1 and rows[KEJAKSAN]["Ada TKSK"] == 1
    total = rows["32.74"]
    assert (
        total["Jml kec."],
        total["Laporan Dikirim"],
        total["Laporan Belum dikirim"],
        total["Laporan % dikirim"],
    ) == (5, 1, 4, 20.0)
    missing = table(document.sections[1])
    assert set(missing) == set(kota_kecamatan()) - {LEMAHWUNGKUK}
    assert missing[KEJAKSAN]["TKSK aktif"] == TKSK_NAME and missing[KEJAKSAN]["Status laporan"] == "Draf"
    assert missing[KEJAKSAN]["Batas waktu"] == date(2026, 4, 10)


def test_a_province_in_detail_is_split_by_kabupaten_with_a_subtotal_per_kecamatan(people, world):
    document = build(people["fajar"], code="32", detail=4)
    assert [s.title for s in document.sections] == [
        "Rekapitulasi per Kabupaten/Kota",
        "Kabupaten Ciamis — per Desa/Kelurahan",
        "Kota Cirebon — per Desa/Kelurahan",
    ]
    kota = document.sections[2]
    rows = table(kota)
    desa = world["desa"]
    assert rows[desa["k1"]]["Jumlah"] == 9 + 30 and rows[desa["k2"]]["Jumlah"] == 20 + 2
    assert rows[KEJAKSAN]["Jumlah"] == 61 and rows[LEMAHWUNGKUK]["Jumlah"] == 26
    kinds = {row.ident: row.kind for row in kota.rows}
    assert kinds[KEJAKSAN] == SUBTOTAL and kinds["32.74"] == TOTAL and kinds[desa["k1"]] == DATA
    # The section's total is the kota's row of the summary: the same figures under the same code.
    summary_row = table(document.sections[0])["32.74"]
    assert {k: v for k, v in rows["32.74"].items() if k != "Wilayah"} == {
        k: v for k, v in summary_row.items() if k != "Wilayah"
    }
    assert rows["32.74"]["Jumlah"] == PMKS_KOTA_TOTAL and rows["32.74"]["Wilayah"] == "Jumlah Kota Cirebon"
    assert kota.data_rows == Wilayah.objects.filter(kabupaten_id="32.74", level=Wilayah.DESA).count()


def test_unsupported_detail_is_ignored_not_an_error(people):
    document = build(people["dedi"], detail=2)  # a kota's kabupaten level does not exist below it
    assert document.section_count == 1 and document.options["detail"] == 0


# -- the small-cell rule -------------------------------------------------------------------------------------------


def lone_masks(section) -> list[str]:
    """Every sum of the printed table (the categories = Jumlah, every column over its rows) that has exactly one
    withheld member: that member could be computed, so this must stay empty."""
    protected = [i for i, c in enumerate(section.columns) if c.protected]
    groups = [[row.values[i] for i in protected] for row in section.rows]
    groups += [[row.values[i] for row in section.rows] for i in protected]
    return [str(g) for g in groups if sum(isinstance(v, Masked) for v in g) == 1]


def narrowed_recap(shown, truth) -> dict:
    """Recomputed here from the sections alone (independent of ``smallcells``): every sum a reader can read off the
    document — each row's Jumlah = its categories, each parent row = its child rows, column by column — with what
    ``shown`` prints, hidden figures at least 1. Returns each withheld small figure whose interval (by linear
    programming) spans fewer than five values. ``truth`` is the same recap unmasked."""
    values, hidden, relations, seen, children = {}, set(), [], set(), {}
    for masked_section, true_section in zip(shown.sections, truth.sections, strict=True):
        columns = [c for c in masked_section.columns if c.protected]
        index = {c.key: i for i, c in enumerate(masked_section.columns)}
        for masked_row, true_row in zip(masked_section.rows, true_section.rows, strict=True):
            for column in columns:
                key = (masked_row.ident, column.key)
                true = true_row.values[index[column.key]]
                values[key] = true if isinstance(true, int) else 0
                if isinstance(masked_row.values[index[column.key]], Masked):
                    hidden.add(key)
            if masked_row.parent is not None:
                children.setdefault(masked_row.parent, set()).add(masked_row.ident)
            total = next(c for c in columns if c.sum_of)
            if masked_row.ident not in seen:
                relations.append(((masked_row.ident, total.key), [(masked_row.ident, k) for k in total.sum_of]))
                seen.add(masked_row.ident)
    for parent, kids in children.items():  # a parent row is the sum of its child rows, wherever they are printed
        for column in columns:
            relations.append(((parent, column.key), [(kid, column.key) for kid in sorted(kids)]))
    relations = [(t, ms) for t, ms in relations if t in values]  # a parent not printed is no published sum
    found = {}
    for key in hidden:
        if 1 <= values[key] <= 4:
            low, high = interval_lp(values, relations, hidden, key)
            if high - low < 4 - 1e-6:
                found[key] = (low, high)
    return found


def test_small_figures_are_withheld_from_a_pimpinan_and_totals_do_not_reveal_them(people):
    document = build(people["hadi"], by_sex=True)  # asked for; a read-only viewer gets no split by sex
    section = document.sections[0]
    rows = table(section)
    assert not any(c.flat_header.endswith((" L", " P")) for c in section.columns)
    assert rows[KEJAKSAN][label("ODHA")] == "×" and rows[KEJAKSAN][label("ODHA")].primary
    assert rows[LEMAHWUNGKUK][label("KAT")] == "×"
    assert rows["32.74"][label("ODHA")] == "×"  # the kota total of 2 is small too
    assert lone_masks(section) == []
    assert narrowed_recap(document, build(people["dedi"], by_sex=False)) == {}
    assert rows["32.74"]["Jumlah"] == PMKS_KOTA_TOTAL  # totals stay when enough else is hidden
    assert document.masked and any("UU 27/2022" in note for note in document.notes)
    # Nothing small is left anywhere in the protected columns.
    for row in section.rows:
        for column, value in zip(section.columns, row.values, strict=True):
            if column.protected and isinstance(value, int):
                assert not 0 < value <= 4, (row.ident, column.flat_header, value)


def test_a_pimpinan_gets_accepted_reports_only_whatever_is_asked(people):
    asked = build(people["hadi"], accepted_only=False)
    assert asked.accepted_only and "yang diterima provinsi" in asked.source_line
    assert not build(people["dedi"], accepted_only=False).accepted_only


def test_the_rule_holds_across_linked_sections(people):
    document = build(people["hadi"], detail=4)
    for section in document.sections:
        assert lone_masks(section) == [], section.title
    assert narrowed_recap(document, build(people["dedi"], detail=4, by_sex=False)) == {}
    # A figure is withheld alike wherever it appears: the kecamatan subtotal in its section and its summary row.
    summary = table(document.sections[0])
    kejaksan = table(next(s for s in document.sections if s.title.startswith("Kecamatan Kejaksan")))
    assert {k: v for k, v in kejaksan[KEJAKSAN].items() if k != "Wilayah"} == {
        k: v for k, v in summary[KEJAKSAN].items() if k != "Wilayah"
    }


def test_operators_see_every_figure_and_other_recaps_are_not_masked(people):
    rows = table(build(people["dedi"]).sections[0])
    assert rows[KEJAKSAN][f"{label('ODHA')} Jml"] == 2 and rows[LEMAHWUNGKUK][f"{label('KAT')} Jml"] == 3
    psks = build(people["hadi"], recap="psks")
    assert not psks.masked and table(psks.sections[0])[KEJAKSAN]["Relawan Sosial Tagana"] == 2
    assert build(people["intan"], code="32.74").masked  # a national Pimpinan too


def test_secondary_suppression_hides_the_smallest_other_figure_and_follows_the_chain():
    values = {
        ("a", "x"): 3,
        ("a", "y"): 10,
        ("a", "t"): 13,
        ("b", "x"): 7,
        ("b", "y"): 20,
        ("b", "t"): 27,
        ("T", "x"): 10,
        ("T", "y"): 30,
        ("T", "t"): 40,
    }
    relations = [
        (("a", "t"), [("a", "x"), ("a", "y")]),
        (("b", "t"), [("b", "x"), ("b", "y")]),
        (("T", "t"), [("T", "x"), ("T", "y")]),
        (("T", "x"), [("a", "x"), ("b", "x")]),
        (("T", "y"), [("a", "y"), ("b", "y")]),
        (("T", "t"), [("a", "t"), ("b", "t")]),
    ]
    hidden = smallcells.hidden_figures(values, relations, 4)
    assert hidden == {("a", "x"): True, ("a", "y"): False, ("b", "x"): False, ("b", "y"): False}
    for total, members in relations:
        assert sum(k in hidden for k in (total, *members)) != 1


def test_a_sum_is_widened_until_a_small_figure_keeps_five_possible_values():
    """L 1, P 1, Jml 2 with a shown total: hiding L and P leaves L + P = 2, so both are 1; the total is hidden too.
    L 1, P 5, Jml 6: hiding L and P leaves L + P = 6 with both at least 1, so L may be 1..5: nothing more to hide."""
    relations = [(("r", "J"), [("r", "L"), ("r", "P")])]
    values = {("r", "L"): 1, ("r", "P"): 1, ("r", "J"): 2}
    assert smallcells.hidden_figures(values, relations, 4) == {("r", "L"): True, ("r", "P"): True, ("r", "J"): True}
    values = {("r", "L"): 1, ("r", "P"): 5, ("r", "J"): 6}
    assert smallcells.hidden_figures(values, relations, 4) == {("r", "L"): True, ("r", "P"): False}
    values = {("r", "L"): 1, ("r", "P"): 1, ("r", "X"): 30, ("r", "J"): 32}
    relations = [(("r", "J"), [("r", "L"), ("r", "P"), ("r", "X")])]
    assert smallcells.hidden_figures(values, relations, 4) == {("r", "L"): True, ("r", "P"): True, ("r", "X"): False}


# -- the page, downloads, Export, scope ----------------------------------------------------------------------------


QUERY = {"rekap": "pmks", "wilayah": "32.74", "periode": "2026Q1", "hanya_diterima": "on", "jenis_kelamin": "on"}


def test_the_page_previews_the_same_table(people, login):
    client = login(people["dedi"])
    response = client.get(reverse(INDEX), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        f'<th scope="col" class="text-center align-middle" colspan="3" title="Lanjut Usia Telantar">{label("LUT")}'
        in html
    )
    assert "Jumlah Kota Cirebon" in html and ">87<" in html and "Rekapitulasi Data PMKS" in html
    assert 'name="format" value="pdf"' in html
    empty = client.get(reverse(INDEX))
    assert empty.status_code == 200 and b"recap-table" not in empty.content
    assert empty.context["form"].initial["wilayah"] == "32.74"


def test_the_page_masks_for_a_pimpinan(people, login):
    html = login(people["hadi"]).get(reverse(INDEX), QUERY).content.decode()
    assert "1–4" in html and "aturan sel kecil" in html


@pytest.mark.parametrize(
    ("persona", "code", "status"),
    [
        ("dedi", "32.07", 404),
        ("dedi", "32.74.01", 200),
        ("ani", "32.74", 404),
        ("ani", "32.74.01", 200),
        ("gita", "32", 404),
        ("fajar", "32", 200),
        ("hadi", "32.07", 404),
        ("intan", "", 200),
        ("dedi", "", 200),
        ("dedi", "99.99", 404),
    ],
)
def test_the_page_is_scoped(people, login, persona, code, status):
    response = login(people[persona]).get(reverse(INDEX), {**QUERY, "wilayah": code})
    assert response.status_code == status
    if persona == "dedi" and code == "":
        assert response.context["document"] is None  # a kota operator cannot recap the whole country


def test_a_download_outside_the_scope_is_404_and_records_nothing(people, login, media):
    client = login(people["dedi"])
    for data in ({**QUERY, "wilayah": "32.07", "format": "pdf"}, {**QUERY, "wilayah": "33", "format": "xlsx"}):
        assert client.post(reverse(DOWNLOAD), data).status_code == 404
    assert not Export.objects.exists()
    with pytest.raises(PermissionDenied):
        tasks.export_now(user=people["euis"], recap="pmks", wilayah=w("32.74"), period=QUARTER, format="csv")
    with pytest.raises(Http404):
        service.render_recap(user=people["gita"], recap="pmks", wilayah=w("32"), period=QUARTER, fmt="pdf")
    assert not Export.objects.exists() and not (media / "unduhan").exists()


def test_a_download_is_recorded_in_export(people, login, media):
    response = login(people["dedi"]).post(reverse(DOWNLOAD), {**QUERY, "format": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert 'filename="rekap-pmks-32.74-kota-cirebon-2026Q1.xlsx"' in response["Content-Disposition"]
    assert response["Content-Type"] == xlsx_writer.CONTENT_TYPE
    export = Export.objects.get()
    assert (export.user, export.recap, export.format, export.wilayah_id, export.period) == (
        people["dedi"],
        "pmks",
        "xlsx",
        "32.74",
        "2026Q1",
    )
    assert export.status == ExportStatus.DONE and export.progress == 100 and export.finished_at
    assert export.rows == 5 and export.size == len(content) and export.filename.endswith(".xlsx")
    assert export.options["accepted_only"] is True and export.options["by_sex"] is True
    stored = media / export.file.name
    # Stored under a random name (served only through the owner-checking view), offered under the recap's own name.
    assert stored.read_bytes() == content and export.filename not in stored.name and stored.suffix == ".xlsx"
    assert export.expires_at > export.finished_at  # the downloads page expires it like a background export


def test_a_download_by_get_is_refused(people, login):
    assert login(people["dedi"]).get(reverse(DOWNLOAD), {**QUERY, "format": "pdf"}).status_code == 405


def test_a_recap_made_at_once_goes_through_the_job_and_reports_progress(people, media, monkeypatch):
    seen = []
    record = tasks._progress_recorder

    def recorder(export_id):
        progress = record(export_id)

        def both(percent):
            seen.append(percent)
            progress(percent)

        return both

    monkeypatch.setattr(tasks, "_progress_recorder", recorder)
    export = tasks.export_now(
        user=people["fajar"], recap="psks", format="csv", wilayah=w("32"), period=QUARTER, options={"delimiter": ";"}
    )
    assert Export.objects.count() == 1 and export.status == ExportStatus.DONE and export.progress == 100
    assert export.wilayah_id == "32" and export.filename == "rekap-psks-32-provinsi-jawa-barat-2026Q1.csv"
    assert seen[0] == 0 and seen[-1] >= 99 and seen == sorted(seen)
    assert (media / export.file.name).read_bytes().startswith(b"\xef\xbb\xbfBagian;Baris;")


def test_a_failed_recap_is_recorded_and_leaves_no_file(people, login, media, monkeypatch):
    def explode(document, target, **kwargs):
        target.write(b"PK\x03\x04 half a workbook")
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx_writer, "write_xlsx", explode)
    response = login(people["dedi"]).post(reverse(DOWNLOAD), {**QUERY, "format": "xlsx"})
    assert response.status_code == 302 and response.url.startswith(reverse(INDEX))
    export = Export.objects.get()
    assert export.status == ExportStatus.FAILED and export.error and "disk full" not in export.error
    assert not export.file and export.finished_at
    assert [str(m) for m in get_messages(response.wsgi_request)] == [export.error]
    leftovers = [p for p in media.rglob("*") if p.is_file()]
    assert leftovers == []


def test_render_recap_replaces_a_target_only_when_complete(people, tmp_path, monkeypatch):
    target = tmp_path / "out" / "rekap.csv"
    made = service.render_recap(
        user=people["dedi"], recap="kegiatan", wilayah=w("32.74"), period=QUARTER, fmt="csv", target=target
    )
    first = target.read_bytes()
    assert made.path == target and made.size == len(first) and made.content is None and made.rows == 5

    def explode(document, target, **kwargs):
        target.write(b"half")
        raise OSError("gone")

    from reporting.recaps import csv as csv_writer

    monkeypatch.setattr(csv_writer, "write_csv", explode)
    with pytest.raises(OSError):
        service.render_recap(
            user=people["dedi"], recap="kegiatan", wilayah=w("32.74"), period=QUARTER, fmt="csv", target=target
        )
    assert target.read_bytes() == first and [p.name for p in target.parent.iterdir()] == ["rekap.csv"]


def test_estimate_rows_counts_the_rows_of_the_sections(people):
    assert service.estimate_rows(recap="pmks", wilayah=w("32.74")) == 5
    desa = Wilayah.objects.filter(kabupaten_id="32.74", level=4).count()
    assert service.estimate_rows(recap="pmks", wilayah=w("32.74"), options={"detail": 4}) == 5 + desa


# -- CSV -----------------------------------------------------------------------------------------------------------


def test_the_csv_has_a_bom_one_flat_header_and_plain_numbers(people):
    made = service.render_recap(user=people["dedi"], recap="pmks", wilayah=w("32.74"), period=QUARTER, fmt="csv")
    rows = csv_rows(made.content)
    header = rows[0]
    assert header[:5] == ["Bagian", "Baris", "Kode", "Wilayah", "Kec. lapor"]
    assert f"{label('LUT')} L" in header and f"{label('LUT')} Jml" in header and header[-1] == "Jumlah"
    by_code = {row[2]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert by_code[KEJAKSAN][f"{label('LUT')} Jml"] == "29" and by_code[KEJAKSAN]["Baris"] == "rincian"
    assert by_code["32.74"]["Jumlah"] == str(PMKS_KOTA_TOTAL) and by_code["32.74"]["Baris"] == "jumlah"
    assert made.content_type.startswith("text/csv") and made.rows == 5


def test_the_csv_semicolon_option_uses_a_decimal_comma_and_neutralises_formulas(people):
    made = service.render_recap(
        user=people["dedi"], recap="psks", wilayah=w("32.74"), period=QUARTER, fmt="csv", options={"delimiter": ";"}
    )
    rows = csv_rows(made.content, ";")
    header = rows[0]
    assert f"PSKS lainnya {EVIL_KIND}" in header  # inside the text, "=1+1" is harmless
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    kota = next(dict(zip(header, r, strict=True)) for r in rows[1:] if r[2] == "32.74")
    assert kota["Cakupan TKSK %"] == "20,0"
    completeness = service.render_recap(
        user=people["dedi"], recap="kelengkapan", wilayah=w("32.74"), period=periods.parse("2026M03"), fmt="csv"
    )
    text = completeness.content.decode("utf-8-sig")
    assert f"'{TKSK_NAME}" in text and f",{TKSK_NAME}" not in text
    assert "\r\n\r\nBagian,Baris,Kode,Kecamatan,Kabupaten/Kota,TKSK aktif" in text  # a second block, own header
    assert "2026-04-10" in text


def test_the_csv_masks_small_figures_for_a_pimpinan(people):
    made = service.render_recap(user=people["hadi"], recap="pmks", wilayah=w("32.74"), period=QUARTER, fmt="csv")
    rows = csv_rows(made.content)
    header = rows[0]
    kejaksan = dict(zip(header, next(r for r in rows if r[2] == KEJAKSAN), strict=True))
    assert kejaksan[label("ODHA")] == "×" and not any(h.endswith((" L", " P")) for h in header)
    categories = {label(c.code) for c in Category.objects.filter(catalogue__code="permensos-08-2012")}
    for row in rows[1:]:
        for h, v in zip(header, row, strict=True):
            if h in categories or h == "Jumlah":
                assert not (v.isdigit() and 0 < int(v) <= 4), (row[2], h, v)


def test_ciamis_is_left_out_of_a_kota_recap(people):
    made = service.render_recap(user=people["dedi"], recap="pmks", wilayah=w("32.74"), period=QUARTER, fmt="csv")
    assert CIAMIS not in made.content.decode("utf-8-sig")


def test_a_large_recap_is_queued_and_appears_on_the_downloads_page(people, login, media, settings):
    settings.EXPORT_BACKGROUND_THRESHOLD = 1  # the kota's 5 kecamatan rows are "large" here
    client = login(people["dedi"])
    response = client.post(reverse(DOWNLOAD), {**QUERY, "format": "csv"})
    assert response.status_code == 302 and response.url == reverse("reporting:downloads")
    export = Export.objects.get()
    # The embedded (immediate) backend has run the job already; with TASKS_BACKEND=database a worker would.
    assert (export.user, export.recap, export.format, export.status) == (people["dedi"], "pmks", "csv", "done")
    assert export.options["accepted_only"] is True
    page = client.get(reverse("reporting:downloads"))
    assert export.filename in page.content.decode()
