"""Parsing and validating the entry grid's one big form post (whole numbers only; the total equals the parts)."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from pmks.jumps import is_jump
from pmks.models import Unit
from pmks.selectors import Cell, Grid

MAX_VALUE = 1_000_000
_WHOLE = re.compile(r"[0-9]+")  # ASCII digits only: "１２", "١٢" or "²" are not read as numbers


def field_name(desa_code: str, category_id: int, part: str) -> str:
    return f"f-{desa_code}-{category_id}-{part}"


class GridForm:
    """Reads ``f-<desa>-<category>-<l|p|t>`` fields; ``errors`` maps a cell key to Indonesian messages.

    Where each figure comes from (typed, copied, from the register) is decided by the save, not by this form."""

    def __init__(self, grid: Grid, data=None):
        self.grid, self.data = grid, data
        self.cells: dict[tuple[str, int], Cell] = {}
        self.errors: dict[tuple[str, int], list[str]] = {}
        self.jumps: list[tuple[str, int, int | None, int]] = []
        self.form_errors: list[str] = []

    @property
    def version(self) -> str:
        return self.data.get("versi") or ""

    @property
    def comment(self) -> str:
        return (self.data.get("keterangan") or "").strip()

    def _number(self, name: str, key, label: str) -> int | None:
        raw = (self.data.get(name) or "").strip()
        if raw == "":
            return None
        if not _WHOLE.fullmatch(raw):
            if re.fullmatch(r"[0-9]+[.,][0-9]+", raw):
                message = _("%(label)s harus bilangan bulat: “%(raw)s” berisi titik atau koma.")
            else:
                message = _("%(label)s harus bilangan bulat tidak negatif (angka 0–9).")
            self.errors.setdefault(key, []).append(message % {"label": label, "raw": raw[:20]})
            return None
        value = int(raw)
        if value > MAX_VALUE:
            self.errors.setdefault(key, []).append(_("%(label)s terlalu besar.") % {"label": label})
            return None
        return value

    def _cell(self, desa_code: str, category) -> Cell:
        key = (desa_code, category.pk)
        total = self._number(field_name(desa_code, category.pk, "t"), key, _("Jumlah"))
        male = female = None
        if category.unit == Unit.PERSON:
            male = self._number(field_name(desa_code, category.pk, "l"), key, _("Laki-laki"))
            female = self._number(field_name(desa_code, category.pk, "p"), key, _("Perempuan"))
            if (male is None) != (female is None):
                self.errors.setdefault(key, []).append(
                    _("Isi laki-laki dan perempuan keduanya, atau kosongkan keduanya.")
                )
            elif male is not None:
                if total is None:
                    total = male + female
                elif male + female != total:
                    self.errors.setdefault(key, []).append(
                        _("Laki-laki + perempuan (%(sum)s) tidak sama dengan jumlah (%(total)s).")
                        % {"sum": male + female, "total": total}
                    )
        return Cell(male, female, total)

    def is_valid(self) -> bool:
        for desa in self.grid.desa:
            for category in self.grid.categories:
                key = (desa.code, category.pk)
                cell = self._cell(desa.code, category)
                self.cells[key] = cell
                if is_jump(self.grid.previous.get(key), cell.total):
                    self.jumps.append((desa.name, category.pk, self.grid.previous.get(key), cell.total))
        if self.jumps and not self.comment:
            self.form_errors.append(
                _("Ada angka yang melonjak dibanding bulan lalu; isi keterangan sebelum menyimpan.")
            )
        return not self.errors and not self.form_errors
