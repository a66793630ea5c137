"""One generator per recap: PMKS, PSKS/SDM with TKSK coverage, activities, completeness.

Every figure comes from ``reporting.selectors`` (the roll-ups and completeness); a generator only arranges them into
sections with one column map (``reporting.recaps.columns``). Each recap has a summary section (the child areas of the
wilayah, with the wilayah's total) and, when asked (``rincian``), one section per child area with the areas one or two
levels further down (a province's desa are split by kabupaten, with a subtotal per kecamatan) — never one huge table.
"""

from __future__ import annotations

from reporting.recaps.generators.activities import ActivityRecap
from reporting.recaps.generators.base import LEVEL_NAMES, Options, RecapGenerator, RecapUnavailable
from reporting.recaps.generators.completeness import CompletenessRecap
from reporting.recaps.generators.pmks import PmksRecap
from reporting.recaps.generators.psks import PsksRecap

__all__ = ["LEVEL_NAMES", "RECAPS", "RECAP_CHOICES", "Options", "RecapGenerator", "RecapUnavailable", "get_generator"]

RECAPS: dict[str, RecapGenerator] = {
    g.code: g for g in (PmksRecap(), PsksRecap(), ActivityRecap(), CompletenessRecap())
}
RECAP_CHOICES = [(g.code, g.name) for g in RECAPS.values()]


def get_generator(code: str) -> RecapGenerator:
    try:
        return type(RECAPS[code])()  # a fresh instance: generators keep per-build state
    except KeyError:
        raise RecapUnavailable(f"Rekap tidak dikenal: {code!r}") from None
