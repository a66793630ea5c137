"""The PSKS and SDM Kesos recap, with TKSK coverage (kecamatan with and without an active TKSK)."""

from __future__ import annotations

from django.utils import timezone

from psks_portal.models import Wilayah
from reporting import selectors
from reporting.recaps.columns import (
    PERCENT,
    Column,
)
from reporting.recaps.generators.base import (
    NO_DATA_NOTE,
    PERMENSOS_08_2012,
    PERMENSOS_16_2017,
    PERMENSOS_28_2018,
    STOCK_NOTE,
    RollupRecap,
    ident,
    row_total,
)

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
        return [*values, row_total(rollup, child)]

    def extra_values(self, wilayah, period, rows_level):
        """TKSK coverage of the child areas and of the wilayah itself, from the completeness selector (which counts
        the kecamatan holding an active TKSK, ``registry.selectors.kecamatan_with_active_tksk``)."""
        if not self.coverage:
            return {}
        if rows_level > Wilayah.KECAMATAN and (wilayah is None or wilayah.level != Wilayah.KECAMATAN):
            return {}
        rows, total = selectors.completeness(wilayah=wilayah, period=period)
        result = {ident(wilayah): coverage(total)}
        if rows_level <= Wilayah.KECAMATAN:
            result.update({row.wilayah.code: coverage(row) for row in rows})
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


def coverage(row: selectors.CompletenessRow) -> list:
    return [row.kecamatan, row.with_tksk, row.kecamatan - row.with_tksk, row.share(row.with_tksk)]
