"""Database look-ups an import plans with: a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from psks_portal import scope as scoping
from psks_portal.models import Wilayah
from psks_portal.tabular.cells import RowProblems


def _param_chunk() -> int:
    limit = connection.features.max_query_params
    return limit - 50 if limit else 50_000


def in_chunks(queryset, lookup: str, values: Iterable) -> list:
    """``queryset.filter(<lookup>__in=values)`` in as few queries as the database's parameter limit allows."""
    values, size, found = sorted(set(values)), _param_chunk(), []
    for start in range(0, len(values), size):
        found.extend(queryset.filter(**{f"{lookup}__in": values[start : start + size]}))
    return found


class DesaIndex:
    """The desa named in a file, with whether the user may change records there (one query per chunk)."""

    FIELDS = ("code", "name", "level", "kecamatan_id", "valid_until")

    def __init__(self, user, codes: Iterable[str]):
        found = in_chunks(Wilayah.objects.filter(level=Wilayah.DESA).only(*self.FIELDS), "code", codes)
        self.by_code = {w.code: w for w in found}
        self.writable = {w.code for w in found if scoping.can_change(user, w)}

    def resolve(self, row: RowProblems, code: str | None) -> Wilayah | None:
        if code is None:
            return None
        desa = self.by_code.get(code)
        if desa is None:
            row.errors.append(f"Kode Desa {code} tidak terdaftar.")
            return None
        if desa.valid_until is not None:
            row.errors.append(f"Kode Desa {code} sudah tidak berlaku sejak {desa.valid_until:%d-%m-%Y}.")
            return None
        if code not in self.writable:
            row.errors.append(f"Desa {code} ({desa.name}) berada di luar wilayah Anda.")
            return None
        return desa
