"""Writes of the core: loading the wilayah tree, and creating or changing accounts within a manager's scope."""

from __future__ import annotations

import csv
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_update_with_history

from psks_portal import wilayah_codes as codes
from psks_portal.models import DEFAULT_DECREE, User, Wilayah

SOURCE_FILES = (
    (codes.PROVINSI, "provinces.csv"),
    (codes.KABUPATEN, "regencies.csv"),
    (codes.KECAMATAN, "districts.csv"),
    (codes.DESA, "villages.csv"),
)
LEVEL_LABELS = {
    codes.PROVINSI: "Provinsi",
    codes.KABUPATEN: "Kabupaten/Kota",
    codes.KECAMATAN: "Kecamatan",
    codes.DESA: "Desa/Kelurahan",
}


class WilayahSourceError(Exception):
    """The source files are missing or malformed; the message is for the operator running the load."""


@dataclass(frozen=True)
class SourceRow:
    code: str
    name: str
    level: int
    kind: str

    @property
    def parent(self) -> str | None:
        return None if self.level == codes.PROVINSI else self.code.rsplit(".", 1)[0]


@dataclass
class LoadResult:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    in_source: Counter = field(default_factory=Counter)
    not_in_source: int = 0
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        return bool(sum(self.created.values()) or sum(self.updated.values()))


def read_wilayah_source(directory: Path, only: list[str] | None = None) -> list[SourceRow]:
    """Read the four CSV files, validate every code, and keep only the subtrees named in ``only`` (with ancestors)."""
    prefixes = [_validated_prefix(code) for code in only or []]
    rows: list[SourceRow] = []
    seen: set[str] = set()
    for level, filename in SOURCE_FILES:
        path = directory / filename
        if not path.is_file():
            raise WilayahSourceError(f"Berkas sumber tidak ditemukan: {path}")
        with path.open(encoding="utf-8", newline="") as handle:
            for lineno, record in enumerate(csv.DictReader(handle), start=2):
                code, name = (record.get("code") or "").strip(), (record.get("name") or "").strip()
                try:
                    parsed = codes.parse(code)
                except codes.InvalidWilayahCode as exc:
                    raise WilayahSourceError(f"{filename} baris {lineno}: {exc}") from None
                if parsed.level != level or not name:
                    raise WilayahSourceError(f"{filename} baris {lineno}: kode {code!r} atau nama tidak sesuai.")
                if code in seen:
                    raise WilayahSourceError(f"{filename} baris {lineno}: kode {code} ganda.")
                if parsed.parent and parsed.parent not in seen:
                    raise WilayahSourceError(f"{filename} baris {lineno}: induk {parsed.parent} dari {code} tidak ada.")
                seen.add(code)
                if not prefixes or any(_in_subset(code, p) for p in prefixes):
                    rows.append(SourceRow(code, name, level, parsed.kind))
    if prefixes and not rows:
        raise WilayahSourceError(f"Kode {', '.join(only)} tidak ada di data sumber.")
    return rows


def _validated_prefix(code: str) -> str:
    try:
        parsed = codes.parse(codes.normalise_digits(code))
    except codes.InvalidWilayahCode as exc:
        raise WilayahSourceError(str(exc)) from None
    if parsed.level > codes.KABUPATEN:
        raise WilayahSourceError("Subset hanya untuk satu provinsi atau kabupaten/kota (mis. 32 atau 32.07).")
    return parsed.code


def _in_subset(code: str, prefix: str) -> bool:
    # The subtree itself, everything below it, and its ancestors (so the tree stays connected).
    return code == prefix or code.startswith(prefix + ".") or prefix.startswith(code + ".")


@transaction.atomic
def wilayah_load(
    *, directory: Path, only: list[str] | None = None, decree: str = DEFAULT_DECREE, batch_size: int = 5000
) -> LoadResult:
    """Create or update the wilayah of the source (bulk writes, top level first); a second run changes nothing."""
    started = time.perf_counter()
    rows = read_wilayah_source(directory, only)
    result = LoadResult()
    existing_qs = Wilayah.objects.all()
    if only:
        existing_qs = existing_qs.filter(code__in=[r.code for r in rows]) if len(rows) < 5000 else existing_qs
    existing = {
        code: (name, kind, parent, src)
        for code, name, kind, parent, src in existing_qs.values_list(
            "code", "name", "kind", "parent_id", "source_decree"
        )
    }
    source_codes = set()
    for level in (codes.PROVINSI, codes.KABUPATEN, codes.KECAMATAN, codes.DESA):
        to_create, to_update = [], []
        for row in (r for r in rows if r.level == level):
            source_codes.add(row.code)
            result.in_source[level] += 1
            current = existing.get(row.code)
            if current is None:
                to_create.append(_build(row, decree))
            elif current != (row.name, row.kind, row.parent, decree):
                to_update.append(_build(row, decree))
            else:
                result.unchanged[level] += 1
        if to_create:
            # New codes carry their decree in ``source_decree``; per-row history is kept for changes, where it
            # tells something (a first load of the country would otherwise double the rows written).
            Wilayah.objects.bulk_create(to_create, batch_size=batch_size)
        if to_update:
            bulk_update_with_history(
                to_update,
                Wilayah,
                ["name", "kind", "parent", "source_decree"],
                batch_size=batch_size,
                default_change_reason=f"Diperbarui dari {decree}",
            )
        result.created[level], result.updated[level] = len(to_create), len(to_update)
    if not only:
        result.not_in_source = sum(1 for code in existing if code not in source_codes)
    result.seconds = time.perf_counter() - started
    return result


def _build(row: SourceRow, decree: str) -> Wilayah:
    parsed = codes.parse(row.code)
    return Wilayah(
        code=row.code,
        name=row.name,
        level=row.level,
        kind=row.kind,
        parent_id=row.parent,
        provinsi_id=parsed.provinsi,
        kabupaten_id=parsed.kabupaten,
        kecamatan_id=parsed.kecamatan,
        source_decree=decree,
    )


@transaction.atomic
def user_save(*, user: User, password: str, by) -> User:
    """Save an account checked by ``UserForm``; a password set by a manager must be changed at the next login."""
    if password:
        user.set_password(password)
        user.must_change_password = True
    user._change_reason = f"Diubah oleh {by.username}" if user.pk else f"Dibuat oleh {by.username}"
    user.full_clean(exclude=["password"])
    user.save()
    return user
