"""Writes of the PMKS app: loading the catalogues and their mappings, choosing the active catalogue."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import transaction

from pmks.models import Catalogue, Category, CategoryMapping

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
