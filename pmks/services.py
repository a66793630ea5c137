"""Writes of the PMKS app: loading the catalogues and their mappings, choosing the active catalogue, and saving the
entry grid of a kecamatan-month."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from pmks.jumps import is_jump
from pmks.models import Catalogue, Category, CategoryMapping, FigureSource, PmksFigure
from pmks.selectors import Cell, Grid, grid_version, previous_cells, register_cells
from psks_portal import locks
from psks_portal.models import Wilayah

CATALOGUE_FILE = "pmks/catalogues.json"
CATEGORY_FIELDS = (
    "code",
    "name",
    "ppks_label",
    "definition",
    "unit",
    "min_age",
    "max_age",
    "sex",
    "sensitivity",
    "atensi_cluster",
    "note",
)


@dataclass
class LoadResult:
    catalogues: int = 0
    categories: int = 0
    mappings: int = 0

    @property
    def changed_anything(self) -> bool:
        return bool(self.catalogues or self.categories or self.mappings)


@transaction.atomic
def catalogue_load(*, path: Path | None = None) -> LoadResult:
    """Create the three catalogues, their categories and the mappings; a second run changes nothing.

    Local edits (bidang, notes, age rules changed by an admin) are kept: existing rows are not overwritten.
    """
    data = json.loads((path or settings.BASE_DIR / "fixtures" / CATALOGUE_FILE).read_text(encoding="utf-8"))
    result = LoadResult()
    by_code: dict[str, dict[int, Category]] = {}
    for spec in data["catalogues"]:
        catalogue, created = Catalogue.objects.get_or_create(
            code=spec["code"], defaults={"name": spec["name"], "regulation": spec["regulation"], "year": spec["year"]}
        )
        result.catalogues += created
        existing = {c.number: c for c in catalogue.categories.all()}
        for entry in spec["categories"]:
            if entry["number"] not in existing:
                values = {
                    f: entry.get(f) if entry.get(f) is not None else ("" if f not in ("min_age", "max_age") else None)
                    for f in CATEGORY_FIELDS
                }
                existing[entry["number"]] = Category.objects.create(
                    catalogue=catalogue, number=entry["number"], **values
                )
                result.categories += 1
        by_code[spec["code"]] = existing
    for spec in data["catalogues"]:
        if not spec.get("maps_to"):
            continue
        sources = {c.code: c for c in by_code[spec["code"]].values()}
        targets = by_code[spec["maps_to"]]
        for source_code, splits in spec["mapping"].items():
            source = sources[source_code]
            for split in splits:
                number, low, high = (split + [None, None])[:3]
                _, created = CategoryMapping.objects.get_or_create(
                    source=source,
                    target=targets[number],
                    defaults={"min_age": low, "max_age": high, "source_note": spec.get("mapping_source", "")[:200]},
                )
                result.mappings += created
    if not Catalogue.objects.filter(is_active=True).exists():
        catalogue_activate(code=settings.PMKS_DEFAULT_CATALOGUE)
    return result


@transaction.atomic
def catalogue_activate(*, code: str) -> Catalogue:
    """Make ``code`` the catalogue new figures are entered under (exactly one is active)."""
    catalogue = Catalogue.objects.get(code=code)
    Catalogue.objects.exclude(pk=catalogue.pk).filter(is_active=True).update(is_active=False)
    catalogue.is_active = True
    catalogue.save()
    return catalogue


class FiguresLocked(Exception):
    """The kecamatan-month's figures are part of a report that has been handed in."""


class GridChanged(Exception):
    """Someone saved the kecamatan-month's figures since the grid was opened (the version no longer matches)."""


def cell_sources(grid: Grid, cells: dict[tuple[str, int], Cell], *, copied: bool, derived: bool) -> None:
    """Mark where each posted cell comes from, decided here rather than trusted from the browser: a cell is
    "from the register" only if it equals what the register gives for it now, "copied" only if it equals last
    month's figure; everything else was typed."""
    reference: dict[tuple[str, int], Cell] = {}
    if copied:
        reference.update(previous_cells(grid))
    if derived:
        reference.update(register_cells(grid))
    for key, cell in cells.items():
        origin = reference.get(key)
        same = origin is not None and (origin.total, origin.male, origin.female) == (cell.total, cell.male, cell.female)
        cell.source = origin.source if same and not cell.empty else FigureSource.MANUAL


@transaction.atomic
def grid_save(*, grid: Grid, cells: dict[tuple[str, int], Cell], version: str, comment: str, by) -> int:
    """Replace the kecamatan-month's figures with ``cells`` (blank cells remove a figure); returns rows written.

    Refused with ``FiguresLocked`` while the month's report is handed in (``psks_portal.locks``) and with
    ``GridChanged`` when ``version`` (what the grid showed when it was opened) is no longer current: the version is
    checked after the figures are locked, so two saves of the same version never both succeed. New and changed
    figures each get a history row (who, when, old → new)."""
    # One save of a kecamatan-month at a time: the kecamatan's row is the mutex (the figures may not exist yet).
    list(Wilayah.objects.select_for_update().filter(pk=grid.kecamatan.pk).values_list("pk", flat=True))
    reason = locks.locked_reason(grid.kecamatan.code, grid.month)
    if reason:
        raise FiguresLocked(reason)
    existing = {
        (f.desa_id, f.category_id): f
        for f in PmksFigure.objects.select_for_update().filter(
            desa__kecamatan=grid.kecamatan, month=grid.month, category__in=grid.categories
        )
    }
    if version != grid_version(grid.kecamatan, grid.period):
        raise GridChanged
    to_create, to_update, to_delete = [], [], []
    for key, cell in cells.items():
        figure = existing.get(key)
        if cell.empty:
            if figure is not None:
                to_delete.append(figure)
            continue
        jump = is_jump(grid.previous.get(key), cell.total)
        values = {
            "male": cell.male,
            "female": cell.female,
            "total": cell.total,
            "source": cell.source,
            "updated_by": by,
            "comment": comment if jump else "",
        }
        if figure is None:
            to_create.append(PmksFigure(desa_id=key[0], category_id=key[1], month=grid.month, **values))
        elif any(getattr(figure, k) != v for k, v in values.items() if k != "updated_by"):
            for k, v in values.items():
                setattr(figure, k, v)
            to_update.append(figure)
    for figure in to_update:  # per row so each change keeps its history (who, old → new)
        figure.save()
    created = PmksFigure.objects.bulk_create(to_create, batch_size=1000)
    PmksFigure.history.bulk_history_create(created, batch_size=1000, default_user=by,
                                           default_change_reason="Diisi lewat isian angka")  # fmt: skip
    for figure in to_delete:  # per row so the removal is in the history too
        figure._history_user = by
        figure.delete()
    return len(created) + len(to_update) + len(to_delete)
