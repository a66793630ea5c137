"""Parsing and validating the entry grid's one big form post (numbers only; the total equals the parts)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from pmks.figures import Cell, Grid, is_jump
from pmks.models import FigureSource, Unit

MAX_VALUE = 1_000_000


def field_name(desa_code: str, category_id: int, part: str) -> str:
    return f"f-{desa_code}-{category_id}-{part}"


class GridForm:
    """Reads ``f-<desa>-<category>-<l|p|t>`` fields; ``errors`` maps a cell key to Indonesian messages."""

    def __init__(self, grid: Grid, data=None):
        self.grid, self.data = grid, data
        self.cells: dict[tuple[str, int], Cell] = {}
        self.errors: dict[tuple[str, int], list[str]] = {}
        self.jumps: list[tuple[str, int, int | None, int]] = []
        self.form_errors: list[str] = []

    def _number(self, name: str, key, label: str) -> int | None:
        raw = (self.data.get(name) or "").strip().replace(".", "")
        if raw == "":
            return None
        if not raw.isdigit():
            self.errors.setdefault(key, []).append(
                _("%(label)s harus bilangan bulat tidak negatif.") % {"label": label}
            )
            return None
        value = int(raw)
        if value > MAX_VALUE:
            self.errors.setdefault(key, []).append(_("%(label)s terlalu besar.") % {"label": label})
            return None
        return value

    def is_valid(self) -> bool:
        source = FigureSource.COPIED if self.data.get("disalin") else FigureSource.MANUAL
        if self.data.get("dari_bnba"):
            source = FigureSource.REGISTER
        for desa in self.grid.desa:
            for category in self.grid.categories:
                key = (desa.code, category.pk)
                total = self._number(field_name(desa.code, category.pk, "t"), key, _("Jumlah"))
                male = female = None
                if category.unit == Unit.PERSON:
                    male = self._number(field_name(desa.code, category.pk, "l"), key, _("Laki-laki"))
                    female = self._number(field_name(desa.code, category.pk, "p"), key, _("Perempuan"))
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
                cell = Cell(male, female, total, source)
                self.cells[key] = cell
                if is_jump(self.grid.previous.get(key), total):
                    self.jumps.append((desa.name, category.pk, self.grid.previous.get(key), total))
        if self.jumps and not (self.data.get("keterangan") or "").strip():
            self.form_errors.append(
                _("Ada angka yang melonjak dibanding bulan lalu; isi keterangan sebelum menyimpan.")
            )
        if self.data.get("versi") != self.grid.version:
            self.form_errors.append(
                _(
                    "Angka bulan ini sudah disimpan orang lain sejak Anda membuka halaman. Isian Anda "
                    "masih ada di bawah; muat ulang untuk melihat versi terbaru lalu terapkan lagi."
                )
            )
        return not self.errors and not self.form_errors
