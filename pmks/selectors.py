"""Read-side of the PMKS catalogues: the active catalogue; an older list's series shown on Permensos 08/2012."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from pmks.models import Catalogue, Category, CategoryMapping

NO_SUCCESSOR = "Tidak ada padanan dalam Permensos 08/2012."
NEEDS_AGE = "Terbagi menurut usia ({targets}); angka agregat tidak dapat dipilah tanpa data usia."


def active_catalogue() -> Catalogue | None:
    return Catalogue.objects.filter(is_active=True).first()


@dataclass
class Remainder:
    source: Category
    count: int
    reason: str


@dataclass
class MappedSeries:
    """Counts of an older catalogue shown on the new one; what cannot be placed stays visible in ``remainder``."""

    mapped: dict[Category, int] = field(default_factory=dict)
    remainder: list[Remainder] = field(default_factory=list)

    @property
    def total_mapped(self) -> int:
        return sum(self.mapped.values())

    @property
    def total_remainder(self) -> int:
        return sum(r.count for r in self.remainder)


def map_counts(counts: dict[Category, int]) -> MappedSeries:
    """Map aggregate counts per source category onto Permensos 08/2012 (two queries, whatever the number of rows).

    A one-to-one mapping carries the count over; a split by age cannot be applied to an aggregate and a category with
    no successor has nowhere to go: both stay in the remainder with the reason. Nothing is dropped.
    """
    mappings: dict[int, list[CategoryMapping]] = defaultdict(list)
    for mapping in CategoryMapping.objects.filter(source__in=list(counts)).select_related("target"):
        mappings[mapping.source_id].append(mapping)
    series = MappedSeries()
    mapped: dict[Category, int] = defaultdict(int)
    for source, count in counts.items():
        targets = mappings.get(source.pk, [])
        if not targets:
            series.remainder.append(Remainder(source, count, NO_SUCCESSOR))
        elif len(targets) == 1:
            mapped[targets[0].target] += count
        else:
            names = " / ".join(f"{m.target.number:02d} {m.target.code}" for m in targets)
            series.remainder.append(Remainder(source, count, NEEDS_AGE.format(targets=names)))
    series.mapped = dict(sorted(mapped.items(), key=lambda item: item[0].number))
    return series


def map_person(category: Category, age: int | None) -> Category | None:
    """The Permensos 08/2012 category of one person recorded under an older category (splits use the age)."""
    for mapping in CategoryMapping.objects.filter(source=category).select_related("target"):
        if age is None and (mapping.min_age is not None or mapping.max_age is not None):
            continue
        if (mapping.min_age is None or (age is not None and age >= mapping.min_age)) and (
            mapping.max_age is None or (age is not None and age <= mapping.max_age)
        ):
            return mapping.target
    return None
