"""The shape every recap generator shares: options, the summary and detail sections built from the roll-up
selectors, and the notes on stocks and flows.

Stocks and flows follow the selectors: PMKS and PSKS figures of a quarter, semester or year are those of each
kecamatan's last handed-in month (never the sum of months), activities sum over the months. Each document says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from reporting import selectors
from reporting.models import ActivityKind
from reporting.recaps.columns import (
    DATA,
    NATIONAL,
    SUBTOTAL,
    TEXT,
    TOTAL,
    Column,
    RecapDocument,
    Row,
    Section,
    code_column,
    name_column,
)

LEVEL_NAMES = {
    Wilayah.PROVINSI: "Provinsi",
    Wilayah.KABUPATEN: "Kabupaten/Kota",
    Wilayah.KECAMATAN: "Kecamatan",
    Wilayah.DESA: "Desa/Kelurahan",
}
CODE_WIDTH = {Wilayah.PROVINSI: 4, Wilayah.KABUPATEN: 6, Wilayah.KECAMATAN: 9, Wilayah.DESA: 14}

PERMENSOS_08_2012 = (
    "Peraturan Menteri Sosial Nomor 08 Tahun 2012 tentang Pedoman Pendataan dan Pengelolaan Data Penyandang Masalah "
    "Kesejahteraan Sosial dan Potensi dan Sumber Kesejahteraan Sosial"
)
PERMENSOS_16_2017 = (
    "Peraturan Menteri Sosial Nomor 16 Tahun 2017 tentang Standar Nasional Sumber Daya Manusia Penyelenggara "
    "Kesejahteraan Sosial"
)
PERMENSOS_28_2018 = "Peraturan Menteri Sosial Nomor 28 Tahun 2018 tentang Tenaga Kesejahteraan Sosial Kecamatan"

STOCK_NOTE = (
    "Angka {what} adalah keadaan (stok): untuk periode lebih dari satu bulan setiap kecamatan menyumbang angka bulan "
    "terakhir dalam periode yang laporannya sudah diserahkan, lalu dijumlahkan antarwilayah — tidak pernah "
    "dijumlahkan antarbulan."
)
FLOW_NOTE = "Kegiatan dan peserta adalah arus: dijumlahkan untuk semua bulan dalam periode."
NO_DATA_NOTE = "Tanda “–” berarti tidak ada angka yang dilaporkan."

ACTIVITY_SHORT = {
    ActivityKind.DATA: "Pendataan",
    ActivityKind.GUIDANCE: "Bimbingan",
    ActivityKind.COORDINATION: "Koordinasi",
    ActivityKind.PROGRAMME: "Pendampingan",
    ActivityKind.OUTREACH: "Penjangkauan",
    ActivityKind.REFERRAL: "Rujukan",
    ActivityKind.DISASTER: "Tanggap bencana",
    ActivityKind.MONITORING: "Monitoring",
}


PERIOD_KIND_WORDS = {
    periods.MONTH: "bulanan",
    periods.QUARTER: "triwulanan",
    periods.SEMESTER: "semesteran",
    periods.YEAR: "tahunan",
}


class RecapUnavailable(Exception):
    """The recap cannot be made (e.g. no PMKS catalogue loaded); the message says why, in Indonesian."""


def ident(wilayah: Wilayah | None) -> str:
    return wilayah.code if wilayah else NATIONAL


def parent_ident(wilayah: Wilayah | None) -> str | None:
    if wilayah is None:
        return None
    return wilayah.parent_id or NATIONAL


def child_level(wilayah: Wilayah | None) -> int:
    return Wilayah.PROVINSI if wilayah is None else min(wilayah.level + 1, Wilayah.DESA)


@dataclass(frozen=True)
class Options:
    """What a user may choose beside recap, wilayah and period. ``detail`` is the level of the rows of the
    per-child-area sections (0 = summary only)."""

    detail: int = 0
    by_sex: bool = True
    formulas: bool = False
    delimiter: str = ","

    @classmethod
    def from_dict(cls, data: dict | None) -> Options:
        data = data or {}
        delimiter = data.get("delimiter", ",")
        return cls(
            detail=int(data.get("detail") or 0),
            by_sex=bool(data.get("by_sex", True)),
            formulas=bool(data.get("formulas", False)),
            delimiter=";" if delimiter == ";" else ",",
        )

    def as_dict(self) -> dict:
        return {"detail": self.detail, "by_sex": self.by_sex, "formulas": self.formulas, "delimiter": self.delimiter}


class RecapGenerator:
    """Base of the recaps. Subclasses set the class attributes and build the document."""

    code = ""
    name = ""
    description = ""
    sensitive = False  # the small-cell rule applies for read-only viewers
    legal_basis: tuple[str, ...] = ()
    finest_level = Wilayah.DESA  # the deepest level its selectors break figures down to
    uses_sex = False

    def is_available_to(self, user) -> bool:
        scope = user_scope(user)
        return scope.everything or scope.wilayah is not None

    def detail_levels(self, wilayah: Wilayah | None) -> list[int]:
        """Levels the per-child-area sections can list: one or two levels below the child areas, down to the finest
        level the recap's selector breaks figures into (a kecamatan's desa are already its summary)."""
        first = child_level(wilayah) + 1
        return list(range(first, min(first + 1, self.finest_level) + 1))

    def clean_options(self, wilayah: Wilayah | None, options: Options) -> Options:
        detail = options.detail if options.detail in self.detail_levels(wilayah) else 0
        return Options(detail, options.by_sex and self.uses_sex, options.formulas, options.delimiter)

    def estimate_rows(self, *, wilayah: Wilayah | None, options: Options) -> int:
        """About how many table rows the recap has (to choose between a direct download and a background job)."""
        options = self.clean_options(wilayah, options)
        rows = len(selectors.children_of(wilayah)) if wilayah is None or wilayah.level < Wilayah.DESA else 1
        if options.detail:
            rows += Wilayah.objects.within(wilayah).filter(level=options.detail).count()
        return rows

    def build(
        self, *, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool, options: Options
    ) -> RecapDocument:
        raise NotImplementedError

    def document(self, *, wilayah, period, accepted_only, options, sections, count, notes, legend=(), source=""):
        return RecapDocument(
            code=self.code,
            name=self.name,
            wilayah=wilayah,
            period=period,
            accepted_only=accepted_only,
            sections=sections,
            section_count=count,
            notes=list(notes),
            legend=list(legend),
            legal_basis=self.legal_basis,
            options=options.as_dict(),
            source=source,
        )


# -- recaps built on a roll-up (PMKS, PSKS, activities) ------------------------------------------------------------


class RollupRecap(RecapGenerator):
    """A recap whose figures are one ``Rollup`` per wilayah: child areas as rows, the roll-up's keys as columns."""

    stub_states = True  # show on how many kecamatan reports the figures rest
    extra_width = 0  # columns after the roll-up's own (filled by ``extra_values``)

    def rollup(self, wilayah: Wilayah | None, period: periods.Period, accepted_only: bool) -> selectors.Rollup:
        raise NotImplementedError

    def prepare(self, summary: selectors.Rollup, wilayah: Wilayah | None) -> None:
        """Fix the column keys from the summary roll-up (every section uses the same column map)."""
        self.keys = list(summary.keys)

    def value_columns(self, options: Options) -> list[Column]:
        raise NotImplementedError

    def values(self, rollup: selectors.Rollup, child: str | None, options: Options) -> list:
        """The value columns for one child area of ``rollup``, or (``child=None``) for the roll-up's whole wilayah."""
        raise NotImplementedError

    def extra_values(self, wilayah: Wilayah | None, period: periods.Period, rows_level: int) -> dict[str, list]:
        """Values of the columns that do not come from the roll-up (TKSK coverage), per row ident."""
        return {}

    # -- the machinery shared by the three recaps

    def columns(self, options: Options, rows_level: int) -> tuple[Column, ...]:
        stub = [code_column(CODE_WIDTH[rows_level]), name_column(LEVEL_NAMES[rows_level])]
        if self.stub_states:
            stub.append(
                Column(
                    "lapor",
                    "Kec. lapor",
                    kind=TEXT,
                    width=5,
                    summable=False,
                    title="Kecamatan yang laporannya menjadi sumber angka / seluruh kecamatan di wilayah itu",
                )
            )
        return (*stub, *self.value_columns(options))

    def build(self, *, wilayah, period, accepted_only, options):
        options = self.clean_options(wilayah, options)
        summary = self.rollup(wilayah, period, accepted_only)
        self.prepare(summary, wilayah)
        rows_level = min(child_level(wilayah), self.finest_level)
        summary_extra = self.extra_values(wilayah, period, rows_level)
        first = Section(
            title=f"Rekapitulasi per {LEVEL_NAMES[rows_level]}",
            sheet="Ringkasan",
            columns=self.columns(options, rows_level),
            rows=self.section_rows(summary, wilayah, options, summary_extra),
            child_level=rows_level,
        )
        children = summary.children if options.detail else []

        def sections() -> Iterator[Section]:
            yield first
            for child in children:
                yield self.detail_section(summary, summary_extra, child, period, accepted_only, options)

        return self.document(
            wilayah=wilayah,
            period=period,
            accepted_only=accepted_only,
            options=options,
            sections=sections(),
            count=1 + len(children),
            notes=self.notes(options),
            legend=self.legend(options),
        )

    def notes(self, options: Options) -> list[str]:
        return [NO_DATA_NOTE]

    def legend(self, options: Options) -> list[tuple[str, str]]:
        return []

    def states_text(self, rollup: selectors.Rollup, child: str | None) -> str:
        """ "3/5": kecamatan whose handed-in reports the figures rest on, of all kecamatan in the area."""
        if child is None:
            entries = list(rollup.states.values())
        else:
            entries = [rollup.states[child]] if child in rollup.states else []
        if not entries:
            return ""
        return f"{sum(e.contributing for e in entries)}/{sum(e.kecamatan for e in entries)}"

    def row(self, rollup, area: Wilayah | None, *, of_whole: bool, kind: str, parent, options, extra, label="") -> Row:
        """A row for ``area``: its figures in ``rollup`` as a child area, or (``of_whole``) as the roll-up's own
        wilayah (the total row)."""
        row_ident = ident(area)
        code = None if of_whole else area.code
        stub = [area.code if area else "", label or (area.label if area else "Nasional")]
        if self.stub_states:
            stub.append(self.states_text(rollup, code))
        more = extra.get(row_ident, [None] * self.extra_width)
        return Row(row_ident, [*stub, *self.values(rollup, code, options), *more], kind, parent)

    def section_rows(self, rollup, wilayah, options, extra, total_kind: str = TOTAL) -> list[Row]:
        """The child areas of ``rollup`` and its total; a wilayah that is its own only child (a kecamatan's
        activities) is one total row."""
        total_label = f"Jumlah {wilayah.label}" if wilayah else "Jumlah Nasional"
        children = [c for c in rollup.children if wilayah is None or c.code != wilayah.code]
        if wilayah is not None and not children:
            total_label = wilayah.label
        rows = [
            self.row(rollup, child, of_whole=False, kind=DATA, parent=ident(wilayah), options=options, extra=extra)
            for child in children
        ]
        rows.append(
            self.row(
                rollup,
                wilayah,
                of_whole=True,
                kind=total_kind,
                parent=parent_ident(wilayah),
                options=options,
                extra=extra,
                label=total_label,
            )
        )
        return rows

    def detail_section(self, summary, summary_extra, child: Wilayah, period, accepted_only, options) -> Section:
        """The section of one child area: its areas at ``options.detail``, with a subtotal per area in between
        when that is two levels below the child."""
        level = options.detail
        if level == child.level + 1:
            extra = self.extra_values(child, period, level)
            rows = self.section_rows(self.rollup(child, period, accepted_only), child, options, extra)
        else:
            rows = []
            middle_extra = self.extra_values(child, period, level - 1)
            for middle in selectors.children_of(child):
                rollup = self.rollup(middle, period, accepted_only)
                rows += self.section_rows(rollup, middle, options, middle_extra, total_kind=SUBTOTAL)
            # The section's total is the child's row of the summary: the same figures under the same ident.
            rows.append(
                self.row(
                    summary,
                    child,
                    of_whole=False,
                    kind=TOTAL,
                    parent=parent_ident(child),
                    options=options,
                    extra=summary_extra,
                    label=f"Jumlah {child.label}",
                )
            )
        return Section(
            title=f"{child.label} — per {LEVEL_NAMES[level]}",
            sheet=child.label,
            columns=self.columns(options, level),
            rows=rows,
            child_level=level,
        )


def row_total(rollup: selectors.Rollup, child: str | None) -> int | None:
    if child is None:
        return rollup.grand_total.total if rollup.column_totals else None
    total = rollup.row_totals.get(child)
    return total.total if total else None
