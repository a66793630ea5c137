"""The PMKS recap: categories × wilayah, with L/P/Jml where the category is counted in persons of either sex."""

from __future__ import annotations

from pmks.models import Category, Unit
from pmks.selectors import active_catalogue
from reporting import selectors
from reporting.recaps.columns import Column
from reporting.recaps.generators.base import (
    NO_DATA_NOTE,
    PERMENSOS_08_2012,
    PERMENSOS_28_2018,
    STOCK_NOTE,
    RecapUnavailable,
    RollupRecap,
    row_total,
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
        return [*values, row_total(rollup, child)]

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
