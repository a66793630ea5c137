"""Writes of the registry: the catalogue load, and records changed through forms and imports (all atomic)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from registry.models import (
    Assignment,
    BoardMember,
    Criterion,
    CriterionOverride,
    Kind,
    Organisation,
    Person,
    Training,
)

CATALOGUE_FILE = "registry/kinds.json"
KIND_FIELDS = (
    "name",
    "abbreviation",
    "subject",
    "psks_number",
    "sdm_group",
    "regulation",
    "aliases",
    "definition",
    "sort_order",
)
CRITERION_FIELDS = ("type", "params", "label", "source", "note")


@dataclass
class CatalogueResult:
    kinds_created: int = 0
    kinds_updated: int = 0
    criteria_created: int = 0
    criteria_updated: int = 0

    @property
    def changed_anything(self) -> bool:
        return any((self.kinds_created, self.kinds_updated, self.criteria_created, self.criteria_updated))


@transaction.atomic
def catalogue_load(*, path: Path | None = None, update_criteria: bool = False) -> CatalogueResult:
    """Create missing kinds and criteria from the shipped catalogue; a second run changes nothing.

    Criteria an admin has edited are kept unless ``update_criteria`` is set (local decisions win over the file).
    """
    data = json.loads((path or settings.BASE_DIR / "fixtures" / CATALOGUE_FILE).read_text(encoding="utf-8"))
    result = CatalogueResult()
    existing = {k.code: k for k in Kind.objects.all()}
    for entry in data["kinds"]:
        values = {f: entry.get(f) if entry.get(f) is not None else "" for f in KIND_FIELDS}
        values["psks_number"] = entry.get("psks_number")
        values["parent"] = existing.get(entry["parent"]) if entry.get("parent") else None
        kind = existing.get(entry["code"])
        if kind is None:
            kind = Kind.objects.create(code=entry["code"], **values)
            existing[kind.code] = kind
            result.kinds_created += 1
        elif any(getattr(kind, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(kind, f, v)
            kind._change_reason = "Diperbarui dari katalog"
            kind.save()
            result.kinds_updated += 1
        current = {c.code: c for c in kind.criteria.all()}
        for order, spec in enumerate(entry.get("criteria", []), start=1):
            crit_values = {f: spec.get(f, {} if f == "params" else "") for f in CRITERION_FIELDS}
            criterion = current.get(spec["code"])
            if criterion is None:
                Criterion.objects.create(kind=kind, code=spec["code"], sort_order=order * 10, **crit_values)
                result.criteria_created += 1
            elif update_criteria and any(getattr(criterion, f) != v for f, v in crit_values.items()):
                for f, v in crit_values.items():
                    setattr(criterion, f, v)
                criterion._change_reason = "Diperbarui dari katalog"
                criterion.save()
                result.criteria_updated += 1
    return result


class RegistryError(Exception):
    """A write the registry refuses; the message is Indonesian and meant for the user."""


@transaction.atomic
def person_save(*, person: Person) -> Person:
    """Save a person checked by ``PersonForm`` (the history row records who, through the request middleware)."""
    person._change_reason = "Diubah lewat formulir" if person.pk else "Ditambahkan lewat formulir"
    person.save()
    return person


@transaction.atomic
def assignment_save(*, assignment: Assignment, person: Person) -> Assignment:
    """Save a role; a second active TKSK in one kecamatan is refused by the database and explained here."""
    assignment.person = person
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        holder = (
            Assignment.objects.filter(wilayah=assignment.wilayah, holds_tksk_seat=True).select_related("person").first()
        )
        who = holder.person.name if holder else "orang lain"
        raise RegistryError(
            f"{assignment.wilayah.label} sudah memiliki TKSK aktif: {who}. Nonaktifkan dulu peran TKSK tersebut "
            "(isi tanggal selesai) sebelum menugaskan TKSK baru."
        ) from None
    return assignment


@transaction.atomic
def training_add(*, training: Training, person: Person) -> Training:
    training.person = person
    training.save()
    return training


@transaction.atomic
def facts_update(*, obj, facts: dict) -> None:
    """Record yes/no statements (``None`` removes the key: back to "not stated")."""
    merged = dict(obj.facts or {})
    for key, value in facts.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    obj.facts = merged
    obj._change_reason = "Pernyataan/dokumen diperbarui"
    obj.save()


@transaction.atomic
def organisation_save(
    *, organisation: Organisation, board: list[BoardMember], removed: list[BoardMember]
) -> Organisation:
    """Save an organisation with its board: ``board`` are the members to save (new or changed), ``removed`` those
    to delete (all checked by the forms)."""
    organisation.save()
    for member in board:
        member.organisation = organisation
        member.save()
    for member in removed:
        if member.pk:
            member.delete()
    return organisation


CRITERION_VALUES = ("params", "label", "source", "note", "is_active")


@transaction.atomic
def criterion_save(*, criterion: Criterion, provinsi: str | None, values: dict, by) -> Criterion | CriterionOverride:
    """Change a criterion: nationally (``provinsi`` None — the superuser's), or as it reads in one provinsi (the
    provinsi's override, created on first change). ``values``: params, label, source, note, is_active. History rows
    name who changed it."""
    reason = f"Diubah oleh {by.get_username()}"
    if provinsi is None:
        target = Criterion.objects.select_for_update().get(pk=criterion.pk)
    else:
        target, _created = CriterionOverride.objects.select_for_update().get_or_create(
            criterion=criterion, provinsi_id=provinsi, defaults={name: values[name] for name in CRITERION_VALUES}
        )
    for name in CRITERION_VALUES:
        setattr(target, name, values[name])
    target._change_reason = reason
    target.save()
    return target


@transaction.atomic
def criterion_override_remove(*, criterion: Criterion, provinsi: str, by) -> bool:
    """The provinsi reads the national criterion again; ``False`` when it had no version of its own."""
    override = CriterionOverride.objects.filter(criterion=criterion, provinsi_id=provinsi).first()
    if override is None:
        return False
    override._change_reason = f"Dikembalikan ke kriteria nasional oleh {by.get_username()}"
    override.delete()
    return True
