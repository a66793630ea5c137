"""The activities recap: kinds × wilayah with participants by sex (flows, summed over the months)."""

from __future__ import annotations

from psks_portal.models import Wilayah
from reporting import selectors
from reporting.models import ActivityKind
from reporting.recaps.columns import Column
from reporting.recaps.generators.base import (
    ACTIVITY_SHORT,
    FLOW_NOTE,
    NO_DATA_NOTE,
    PERMENSOS_28_2018,
    RollupRecap,
)


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
