"""Readable change history (who, when, old → new) from django-simple-history rows, with personal data masked."""

from __future__ import annotations

from dataclasses import dataclass

from psks_portal import nik as nik_rules

MASKED_FIELDS = {"nik": nik_rules.mask, "phone": lambda v: "••••" if v else v, "kk_number": nik_rules.mask}


@dataclass
class ChangeRow:
    record: object
    changes: list[tuple[str, object, object]]


def change_rows(history_qs, *, limit: int = 30, mask: bool = True) -> list[ChangeRow]:
    """Newest first; each row lists (field label, old, new). Consecutive rows are diffed in memory (no extra query)."""
    records = list(history_qs.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    for newer, older in zip(records, records[1:] + [None], strict=False):
        if len(rows) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                field = newer.instance._meta.get_field(change.field)
                old, new = change.old, change.new
                if mask and change.field in MASKED_FIELDS:
                    old, new = MASKED_FIELDS[change.field](old), MASKED_FIELDS[change.field](new)
                changes.append((str(field.verbose_name), old, new))
        rows.append(ChangeRow(newer, changes))
    return rows
