"""One generator per recap: PMKS, PSKS/SDM with TKSK coverage, activities, completeness.

Every figure comes from ``reporting.selectors`` (the roll-ups and completeness); a generator only arranges them into
sections with one column map (``reporting.recaps.columns``). Each recap has a summary section (the child areas of the
wilayah, with the wilayah's total) and, when asked (``rincian``), one section per child area with the areas one or two
levels further down (a province's desa are split by kabupaten, with a subtotal per kecamatan) — never one huge table.

Stocks and flows follow the selectors: PMKS and PSKS figures of a quarter, semester or year are those of each
kecamatan's last handed-in month (never the sum of months), activities sum over the months. Each document says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils import timezone

from pmks.models import Category, Unit
from pmks.selectors import active_catalogue
from psks_portal import periods
from psks_portal.models import Wilayah
from psks_portal.scope import user_scope
from reporting import selectors
from reporting.models import ActivityKind, State
from reporting.recaps.columns import (
    CODE,
    DATA,
    DATE,
    NATIONAL,
    PERCENT,
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


def _sex_split(category: Category) -> bool:
    """Figures by sex make sense for categories counted in persons of either sex (not families, communities, or a
    category of one sex such as PRSE)."""
    return category.unit == Unit.PERSON and not category.sex


class PmksRecap(RollupRecap):
    code = "pmks"
    name = "Rekapitulasi Data PMKS"
    description = "Kategori PMKS/PPKS × wilayah, dengan jumlah, menurut jenis kelamin bila berlaku."
    sensitive = True
    uses_sex = True
    legal_basis = (PERMENSOS_08_2012, PERMENSOS_28_2018)

    def build(self, **kwargs):
        catalogue = active_catalogue()
        if catalogue is None:
            raise RecapUnavailable("Katalog PMKS belum dimuat; hubungi admin.")
        self.catalogue = catalogue
        self.categories = list(catalogue.categories.order_by("number"))
        return super().build(**kwargs)

    def rollup(self, wilayah, period, accepted_only):
        return selectors.pmks_rollup(
            wilayah=wilayah, period=period, categories=self.categories, accepted_only=accepted_only
        )

    def value_columns(self, options):
        columns = []
        for category in self.keys:
            label = f"{category.number:02d} {category.code}"
            key = f"c{category.pk}"
            if options.by_sex and _sex_split(category):
                columns += [
                    Column(f"{key}_l", "L", group=label, width=3, protected=True, title=category.name),
                    Column(f"{key}_p", "P", group=label, width=3, protected=True, title=category.name),
                    Column(
                        key,
                        "Jml",
                        group=label,
                        width=3,
                        protected=True,
                        sum_of=(f"{key}_l", f"{key}_p"),
                        title=category.name,
                    ),
                ]
            elif options.by_sex:
                columns.append(Column(key, "Jml", group=label, width=3, protected=True, title=category.name))
            else:
                columns.append(Column(key, label, width=3, protected=True, title=category.name))
        keys = tuple(f"c{c.pk}" for c in self.keys)
        columns.append(
            Column(
                "jumlah", "Jumlah", width=5, protected=True, sum_of=keys, emphasis=True, title="Jumlah semua kategori"
            )
        )
        return columns

    def values(self, rollup, child, options):
        values = []
        for category in self.keys:
            figure = rollup.cell(child, category.pk) if child else rollup.column_totals.get(category.pk)
            if options.by_sex and _sex_split(category):
                values += [figure.male, figure.female, figure.total] if figure else [None, None, None]
            else:
                values.append(figure.total if figure else None)
        return [*values, _row_total(rollup, child)]

    def notes(self, options):
        notes = [STOCK_NOTE.format(what="PMKS"), NO_DATA_NOTE]
        if options.by_sex:
            notes.append(
                "L = laki-laki, P = perempuan, Jml = jumlah. Kategori yang dihitung per keluarga atau komunitas, atau "
                "untuk satu jenis kelamin saja, hanya diberi jumlah."
            )
        notes.append(
            "Kolom Jumlah menjumlahkan semua kategori (satuan jiwa, keluarga atau komunitas); satu orang dapat "
            "tercatat pada lebih dari satu kategori."
        )
        notes.append(f"Katalog: {self.catalogue.name} ({self.catalogue.regulation}).")
        return notes

    def legend(self, options):
        units = dict(Unit.choices)
        return [
            (f"{c.number:02d} {c.code}", f"{c.name} (satuan: {str(units.get(c.unit, c.unit)).lower()})")
            for c in self.keys
        ]


def _row_total(rollup: selectors.Rollup, child: str | None) -> int | None:
    if child is None:
        return rollup.grand_total.total if rollup.column_totals else None
    total = rollup.row_totals.get(child)
    return total.total if total else None


SDM_GROUP_ORDER = ("tks", "peksos", "relawan", "penyuluh", "")


class PsksRecap(RollupRecap):
    code = "psks"
    name = "Rekapitulasi PSKS dan SDM Kesejahteraan Sosial"
    description = "Jenis PSKS/SDM Kesos × wilayah, dengan cakupan TKSK (kecamatan dengan dan tanpa TKSK aktif)."
    legal_basis = (PERMENSOS_08_2012, PERMENSOS_16_2017, PERMENSOS_28_2018)

    def rollup(self, wilayah, period, accepted_only):
        return selectors.psks_rollup(wilayah=wilayah, period=period, accepted_only=accepted_only)

    def prepare(self, summary, wilayah):
        order = {group: i for i, group in enumerate(SDM_GROUP_ORDER)}
        self.keys = sorted(summary.keys, key=lambda k: (order.get(k.sdm_group or "", 9), k.sort_order, k.name))
        # TKSK coverage is counted per kecamatan: shown when the recap looks at a kabupaten/kota or more.
        self.coverage = wilayah is None or wilayah.level < Wilayah.KECAMATAN
        self.extra_width = 4 if self.coverage else 0

    def value_columns(self, options):
        from registry.models import SdmGroup

        groups = dict(SdmGroup.choices)
        columns = [
            Column(
                f"k{kind.pk}",
                kind.short_name,
                group=str(groups.get(kind.sdm_group, "PSKS lainnya")),
                width=4,
                title=kind.name,
            )
            for kind in self.keys
        ]
        keys = tuple(c.key for c in columns)
        columns.append(Column("jumlah", "Jumlah", width=5, sum_of=keys, emphasis=True, title="Jumlah semua jenis"))
        if self.coverage:
            group = "Cakupan TKSK"
            columns += [
                Column("kec", "Kec.", group=group, width=4, title="Jumlah kecamatan"),
                Column("tksk_ada", "Ada TKSK", group=group, width=4, title="Kecamatan dengan TKSK aktif"),
                Column("tksk_tanpa", "Tanpa TKSK", group=group, width=4, title="Kecamatan tanpa TKSK aktif"),
                Column(
                    "tksk_persen",
                    "%",
                    group=group,
                    kind=PERCENT,
                    width=4,
                    summable=False,
                    title="Persentase kecamatan dengan TKSK aktif",
                ),
            ]
        return columns

    def values(self, rollup, child, options):
        values = []
        for kind in self.keys:
            figure = rollup.cell(child, kind.pk) if child else rollup.column_totals.get(kind.pk)
            values.append(figure.total if figure else None)
        return [*values, _row_total(rollup, child)]

    def extra_values(self, wilayah, period, rows_level):
        """TKSK coverage of the child areas and of the wilayah itself, from the completeness selector (which counts
        the kecamatan holding an active TKSK, ``registry.selectors.kecamatan_with_active_tksk``)."""
        if not self.coverage:
            return {}
        if rows_level > Wilayah.KECAMATAN and (wilayah is None or wilayah.level != Wilayah.KECAMATAN):
            return {}
        rows, total = selectors.completeness(wilayah=wilayah, period=period)
        result = {ident(wilayah): _coverage(total)}
        if rows_level <= Wilayah.KECAMATAN:
            result.update({row.wilayah.code: _coverage(row) for row in rows})
        return result

    def notes(self, options):
        notes = [STOCK_NOTE.format(what="PSKS"), NO_DATA_NOTE]
        notes.append(
            "PSKS dihitung dari registri saat laporan bulanan dikirim (dibekukan bersama laporan). Perseorangan "
            "dihitung per peran aktif di desa domisilinya; lembaga dan keluarga di desa kedudukannya."
        )
        if self.coverage:
            notes.append(
                "Cakupan TKSK: kecamatan yang memiliki TKSK aktif menurut registri pada tanggal dokumen dibuat "
                f"({timezone.localdate():%d-%m-%Y}); satu kecamatan satu TKSK."
            )
        return notes

    def legend(self, options):
        return [(kind.short_name, kind.name) for kind in self.keys if kind.short_name != kind.name]


def _coverage(row: selectors.CompletenessRow) -> list:
    return [row.kecamatan, row.with_tksk, row.kecamatan - row.with_tksk, row.share(row.with_tksk)]


class ActivityRecap(RollupRecap):
    code = "kegiatan"
    name = "Rekapitulasi Kegiatan TKSK"
    description = "Jumlah kegiatan dan peserta/sasaran (L/P) per jenis kegiatan × wilayah, dijumlahkan selama periode."
    legal_basis = (PERMENSOS_28_2018,)
    finest_level = Wilayah.KECAMATAN  # activities belong to a kecamatan's report

    def rollup(self, wilayah, period, accepted_only):
        return selectors.activity_rollup(wilayah=wilayah, period=period, accepted_only=accepted_only)

    def value_columns(self, options):
        columns = []
        for kind in self.keys:
            group = ACTIVITY_SHORT.get(kind, kind)
            label = str(ActivityKind(kind).label)
            columns += [
                Column(f"{kind}_n", "Keg.", group=group, width=3, title=f"{label}: jumlah kegiatan"),
                Column(f"{kind}_l", "L", group=group, width=3, title=f"{label}: peserta/sasaran laki-laki"),
                Column(f"{kind}_p", "P", group=group, width=3, title=f"{label}: peserta/sasaran perempuan"),
            ]
        group = "Jumlah"
        columns += [
            Column("n", "Keg.", group=group, width=4, sum_of=tuple(f"{k}_n" for k in self.keys), emphasis=True),
            Column("l", "L", group=group, width=4, sum_of=tuple(f"{k}_l" for k in self.keys), emphasis=True),
            Column("p", "P", group=group, width=4, sum_of=tuple(f"{k}_p" for k in self.keys), emphasis=True),
            Column(
                "peserta",
                "Peserta",
                group=group,
                width=5,
                sum_of=("l", "p"),
                emphasis=True,
                title="Jumlah peserta/sasaran (L + P)",
            ),
        ]
        return columns

    def values(self, rollup, child, options):
        values = []
        for kind in self.keys:
            figure = rollup.cell(child, kind) if child else rollup.column_totals.get(kind)
            values += [figure.total, figure.male or 0, figure.female or 0] if figure else [None, None, None]
        if child is None:
            total = rollup.grand_total if rollup.column_totals else None
        else:
            total = rollup.row_totals.get(child)
        if total is None:
            return [*values, None, None, None, None]
        male, female = total.male or 0, total.female or 0
        return [*values, total.total, male, female, male + female]

    def notes(self, options):
        return [
            FLOW_NOTE,
            NO_DATA_NOTE,
            "Keg. = jumlah kegiatan; L/P = peserta atau sasaran laki-laki/perempuan. Kegiatan dicatat per kecamatan.",
        ]

    def legend(self, options):
        return [(ACTIVITY_SHORT.get(k, k), str(ActivityKind(k).label)) for k in self.keys]


# -- completeness --------------------------------------------------------------------------------------------------


class CompletenessRecap(RecapGenerator):
    code = "kelengkapan"
    name = "Rekapitulasi Kelengkapan Laporan TKSK"
    description = "Laporan yang diharapkan, dikirim, tepat waktu, diverifikasi dan diterima per wilayah, dengan "
    description += "daftar kecamatan yang belum melapor."
    legal_basis = (PERMENSOS_28_2018,)
    finest_level = Wilayah.KECAMATAN
    MISSING_LIMIT = 1000

    def detail_levels(self, wilayah):
        return []

    def columns(self, rows_level: int) -> tuple[Column, ...]:
        group = "Laporan"
        return (
            code_column(CODE_WIDTH[rows_level]),
            name_column(LEVEL_NAMES[rows_level]),
            Column("kec", "Jml kec.", width=5, title="Jumlah kecamatan (semua laporan yang diharapkan)"),
            Column("tksk", "Ada TKSK", width=5, title="Kecamatan dengan TKSK aktif"),
            Column("dikirim", "Dikirim", group=group, width=5, title="Dikirim, diverifikasi atau diterima"),
            Column("tepat", "Tepat waktu", group=group, width=5),
            Column("terlambat", "Terlambat", group=group, width=5),
            Column(
                "verifikasi",
                "Verifikasi",
                group=group,
                width=5,
                title="Diverifikasi kabupaten/kota atau sudah diterima",
            ),
            Column("diterima", "Diterima", group=group, width=5, title="Diterima provinsi"),
            Column("tidak", "Tidak melapor", group=group, width=5, title="Ditandai tidak melapor, dengan alasan"),
            Column("revisi", "Revisi", group=group, width=5, title="Dikembalikan untuk revisi"),
            Column("draf", "Draf", group=group, width=5),
            Column(
                "belum", "Belum dikirim", group=group, width=5, title="Belum dikirim dan tidak ditandai tidak melapor"
            ),
            Column("persen", "% dikirim", group=group, kind=PERCENT, width=5, summable=False),
        )

    @staticmethod
    def values(row: selectors.CompletenessRow) -> list:
        return [
            row.kecamatan, row.with_tksk, row.submitted, row.on_time, row.late, row.verified, row.accepted,
            row.not_reporting, row.revision, row.draft, row.not_submitted, row.share(row.submitted),
        ]  # fmt: skip

    MISSING_COLUMNS = (
        Column("kode", "Kode", kind=CODE, width=9, stub=True, summable=False),
        Column("wilayah", "Kecamatan", kind=TEXT, width=22, stub=True, summable=False),
        Column("kabupaten", "Kabupaten/Kota", kind=TEXT, width=18, summable=False),
        Column("tksk", "TKSK aktif", kind=TEXT, width=20, summable=False),
        Column("status", "Status laporan", kind=TEXT, width=14, summable=False),
        Column("batas", "Batas waktu", kind=DATE, width=10, summable=False),
        Column("lewat", "Lewat (hari)", width=5, summable=False),
    )

    def build(self, *, wilayah, period, accepted_only, options):
        options = self.clean_options(wilayah, options)
        rows, total = selectors.completeness(wilayah=wilayah, period=period)
        rows_level = min(child_level(wilayah), Wilayah.KECAMATAN)
        rows = [r for r in rows if wilayah is None or r.wilayah.code != wilayah.code]
        body = [
            Row(r.wilayah.code, [r.wilayah.code, r.wilayah.label, *self.values(r)], DATA, ident(wilayah)) for r in rows
        ]
        label = (f"Jumlah {wilayah.label}" if rows else wilayah.label) if wilayah else "Jumlah Nasional"
        body.append(
            Row(
                ident(wilayah),
                [wilayah.code if wilayah else "", label, *self.values(total)],
                TOTAL,
                parent_ident(wilayah),
            )
        )
        summary = Section(
            title=f"Kelengkapan per {LEVEL_NAMES[rows_level]}",
            sheet="Kelengkapan",
            columns=self.columns(rows_level),
            rows=body,
            child_level=rows_level,
        )
        today = timezone.localdate()
        missing = selectors.missing_reports(
            wilayah=wilayah, period=period, today=today, due=self.due_dates(wilayah, period), limit=self.MISSING_LIMIT
        )
        states = dict(State.choices)
        listed = Section(
            title="Kecamatan yang belum melapor",
            sheet="Belum melapor",
            columns=self.MISSING_COLUMNS,
            rows=[
                Row(
                    m.kecamatan.code,
                    [
                        m.kecamatan.code,
                        m.kecamatan.label,
                        m.kecamatan.parent.label if m.kecamatan.parent else "",
                        m.tksk_name or ("—" if not m.has_tksk else ""),
                        str(states.get(m.state, "Belum dibuat")) if m.state else "Belum dibuat",
                        m.due_date,
                        m.days_overdue,
                    ],
                )
                for m in missing
            ],
            notes=[f"Keadaan pada {today:%d-%m-%Y}. Paling banyak {self.MISSING_LIMIT} kecamatan dicantumkan."],
            child_level=Wilayah.KECAMATAN,
        )
        notes = [
            "Kecamatan = laporan yang diharapkan (semua kecamatan); Ada TKSK = kecamatan dengan TKSK aktif saat ini.",
            "Dikirim mencakup laporan yang sudah diverifikasi atau diterima; tepat waktu dihitung dari pengiriman "
            "pertama terhadap batas waktu periode.",
            "Kelengkapan dihitung dari laporan periode ini sendiri (bulanan, triwulanan, semesteran atau tahunan).",
        ]
        return self.document(
            wilayah=wilayah,
            period=period,
            accepted_only=accepted_only,
            options=options,
            sections=[summary, listed],
            count=2,
            notes=notes,
            source=f"Status laporan TKSK {period.label} (laporan {PERIOD_KIND_WORDS[period.kind]}) di Portal PSKS, "
            f"pada {today:%d-%m-%Y}.",
        )

    @staticmethod
    def due_dates(wilayah: Wilayah | None, period: periods.Period) -> dict:
        from reporting.services import deadline_days

        codes = (
            [wilayah.provinsi_id]
            if wilayah is not None
            else list(Wilayah.objects.filter(level=Wilayah.PROVINSI).values_list("code", flat=True))
        )
        return {code: period.due_date(deadline_days(code, period.kind)) for code in codes}

    def estimate_rows(self, *, wilayah, options):
        return len(selectors.children_of(wilayah)) + 50


RECAPS: dict[str, RecapGenerator] = {
    g.code: g for g in (PmksRecap(), PsksRecap(), ActivityRecap(), CompletenessRecap())
}
RECAP_CHOICES = [(g.code, g.name) for g in RECAPS.values()]


def get_generator(code: str) -> RecapGenerator:
    try:
        return type(RECAPS[code])()  # a fresh instance: generators keep per-build state
    except KeyError:
        raise RecapUnavailable(f"Rekap tidak dikenal: {code!r}") from None
