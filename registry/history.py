"""Readable change history (who, when, old → new) from django-simple-history rows, with personal data masked."""

from __future__ import annotations

from dataclasses import dataclass

from psks_portal import nik as nik_rules

MASKED_FIELDS = {"nik": nik_rules.mask, "phone": lambda v: "••••" if v else v, "kk_number": nik_rules.mask}


@dataclass
class ChangeRow:
    record: object
    changes: list[tuple[str, object, object]]
    label: str = ""


def change_rows(history_qs, *, limit: int = 30, mask: bool = True, label: str = "") -> list[ChangeRow]:
    """Newest first; each row lists (field label, old, new). Consecutive versions of the same object are diffed in
    memory (no extra query); ``label`` names what changed when several record types share one table."""
    records = list(history_qs.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 3])
    previous: dict[int, object] = {}
    for record in reversed(records):  # oldest first: remember each object's previous version
        record.psks_previous = previous.get(record.id)
        previous[record.id] = record
    rows = []
    for newer in records:
        if len(rows) == limit:
            break
        older = newer.psks_previous
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                field = newer.instance._meta.get_field(change.field)
                old, new = change.old, change.new
                if mask and change.field in MASKED_FIELDS:
                    old, new = MASKED_FIELDS[change.field](old), MASKED_FIELDS[change.field](new)
                changes.append((str(field.verbose_name), old, new))
        rows.append(ChangeRow(newer, changes, label))
    return rows


def merged(*groups: list[ChangeRow], limit: int = 40) -> list[ChangeRow]:
    rows = [row for group in groups for row in group]
    rows.sort(key=lambda r: r.record.history_date, reverse=True)
    return rows[:limit]
