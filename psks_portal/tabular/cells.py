"""Reading one cell of an import: the ``parse_*`` helpers raise ``CellError`` with an Indonesian message naming the
column; ``RowProblems`` collects a row's errors (the row is refused) and warnings (it is imported, flagged)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

from psks_portal import date_bounds, wilayah_codes
from psks_portal import nik as nik_rules
from psks_portal import phone as phone_rules
from psks_portal.logging import mask_digits
from psks_portal.tabular.errors import CellError
from psks_portal.tabular.guards import Formula
from psks_portal.tabular.reader import SheetRow, present

INCOMPLETE = "Data belum lengkap"  # the start of a warning on a row imported without an attribute it should have
_DESA_SHAPE = re.compile(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")


def text(value: object) -> str:
    """A cell as clean text: whitespace collapsed, integral numbers without ``.0``, our export's ``'`` guard undone."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = str(value).strip()
    if len(result) > 1 and result[0] == "'" and result[1] in "=+-@":
        result = result[1:]
    return " ".join(result.split())


def limited(value: object, label: str, limit: int) -> str:
    result = text(value)
    if len(result) > limit:
        raise CellError(f"{label} terlalu panjang ({len(result)} karakter, paling banyak {limit}).")
    return result


def required(value: object, label: str, limit: int) -> str:
    result = limited(value, label, limit)
    if not result:
        raise CellError(f"{label} wajib diisi.")
    return result


def parse_date(value: object, label: str) -> date | None:
    """A date cell, or text DD-MM-YYYY / YYYY-MM-DD (also with ``/``); empty is ``None``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(f"{label} berupa angka ({text(value)}), bukan tanggal. Format sel sebagai tanggal.")
    cell = text(value)
    candidate = cell[:10] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", cell) else cell
    for pattern in ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(candidate, pattern).date()
        except ValueError:
            continue
    raise CellError(f"{label} harus berupa tanggal DD-MM-YYYY atau YYYY-MM-DD, bukan “{cell}”.")


def parse_past_date(value: object, label: str, today: date, earliest: date = date_bounds.EARLIEST) -> date | None:
    """Like ``parse_date``, but a date after ``today`` or before ``earliest`` is refused; empty is ``None``."""
    parsed = parse_date(value, label)
    problem = date_bounds.past_date_problem(parsed, label=label, today=today, earliest=earliest)
    if problem:
        raise CellError(problem)
    return parsed


def parse_required_date(value: object, label: str, today: date, earliest: date = date_bounds.EARLIEST) -> date:
    parsed = parse_past_date(value, label, today, earliest)
    if parsed is None:
        raise CellError(f"{label} wajib diisi.")
    return parsed


def parse_nik(value: object) -> nik_rules.NIK:
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: a NIK typed as a number may already have lost its last digit.
        raise CellError(
            "NIK tersimpan sebagai angka sehingga digit terakhirnya bisa berubah. Format kolom NIK "
            "sebagai Teks lalu ketik ulang NIK."
        )
    try:
        return nik_rules.parse(text(value))
    except nik_rules.InvalidNIK as exc:
        raise CellError(str(exc)) from None


def parse_optional_nik(value: object) -> nik_rules.NIK | None:
    """An empty cell is ``None`` (the record has no NIK); anything else must be a valid NIK."""
    if not present(value):
        return None
    return parse_nik(value)


_SEX = {
    "l": nik_rules.MALE,
    "lk": nik_rules.MALE,
    "laki-laki": nik_rules.MALE,
    "laki laki": nik_rules.MALE,
    "pria": nik_rules.MALE,
    "p": nik_rules.FEMALE,
    "pr": nik_rules.FEMALE,
    "perempuan": nik_rules.FEMALE,
    "wanita": nik_rules.FEMALE,
}


def parse_sex(value: object) -> str:
    cell = text(value)
    if not cell:
        raise CellError("Jenis Kelamin wajib diisi (L atau P).")
    try:
        return _SEX[cell.casefold()]
    except KeyError:
        raise CellError(f"Jenis Kelamin harus L atau P, bukan “{cell}”.") from None


def parse_phone(value: object) -> str:
    """A telephone cell by the core's one phone rule (``psks_portal.phone``); empty is ``""``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = text(value)
        # A number cell drops the leading zero of a mobile number (0812… → 812…).
        value = "0" + digits if digits.startswith("8") else digits
    try:
        return phone_rules.parse(text(value))
    except phone_rules.InvalidPhone as exc:
        raise CellError(f"No. HP: {exc}") from None


def parse_desa_code(value: object) -> str:
    """A desa code in the form NN.NN.NN.NNNN (or its ten digits); whether it names a desa is ``DesaIndex``'s
    question (“tidak terdaftar”), only a code of another form is “tidak sah”."""
    cell = text(value)
    if not cell:
        raise CellError("Kode Desa wajib diisi (contoh 32.74.01.1001).")
    code = wilayah_codes.normalise_digits(cell)
    if _DESA_SHAPE.match(code):
        return code
    try:
        parsed = wilayah_codes.parse(code)
    except wilayah_codes.InvalidWilayahCode:
        raise CellError(f"Kode Desa “{cell}” tidak sah (contoh 32.74.01.1001).") from None
    if parsed.level != wilayah_codes.DESA:
        raise CellError(f"Kode Desa “{cell}” bukan kode desa/kelurahan (contoh 32.74.01.1001).")
    return code


def choice_list(values: list[str]) -> str:
    """``["PSM", "Tagana", "TKSK"]`` → ``PSM, Tagana atau TKSK``."""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} atau {values[-1]}"


class RowProblems:
    """Collects the problems of one row while its cells are read: errors refuse the row, warnings flag it."""

    __slots__ = ("line", "errors", "warnings", "cells", "formulas", "labels")

    def __init__(
        self,
        line: int,
        cells: dict | None = None,
        formulas: dict[str, Formula] | None = None,
        labels: dict[str, str] | None = None,
    ):
        self.line, self.errors, self.warnings = line, [], []
        self.cells, self.formulas, self.labels = cells or {}, formulas or {}, labels or {}

    @classmethod
    def of(cls, row: SheetRow, labels: dict[str, str]) -> RowProblems:
        """The problems of a data row, whose cells are read with ``read``; ``labels``: column key → header."""
        problems = cls(row.line, row.cells, row.formulas, labels)
        computed = [labels[key] for key, f in row.formulas.items() if f.cached and present(row.cells.get(key))]
        if computed:
            problems.warnings.append(
                f"Sel berisi rumus; yang dibaca adalah nilai hasil rumus yang tersimpan di "
                f"berkas: {', '.join(computed)}."
            )
        return problems

    def take(self, parse: Callable, *args):
        try:
            return parse(*args)
        except CellError as exc:
            self.errors.append(str(exc))
            return None

    def cell(self, key: str) -> object:
        return self.cells.get(key)

    def read(self, key: str, parse: Callable, *args):
        """``parse(cell, *args)`` of the cell ``key``; a formula cell is named as such when the file keeps no value
        for it, or when its kept value is refused."""
        value, formula = self.cells.get(key), self.formulas.get(key)
        label = self.labels.get(key, key)
        if formula is not None and not formula.cached:
            self.errors.append(
                f"{label} berisi rumus {_shown(formula)} tanpa nilai tersimpan di berkas. Buka berkas "
                "di Excel atau LibreOffice lalu simpan lagi agar nilainya dihitung, atau tempel "
                "sebagai nilai (Paste Special → Values)."
            )
            return None
        try:
            return parse(value, *args)
        except CellError as exc:
            message = str(exc)
            if formula is not None:
                message += (
                    f" (Sel {label} berisi rumus {_shown(formula)}; nilai tersimpannya "
                    f"“{mask_digits(text(value))[:60]}”.)"
                )
            self.errors.append(message)
            return None

    def incomplete(self, what: str) -> None:
        """A row imported without an attribute needed only for eligibility or completeness: a warning."""
        self.warnings.append(f"{INCOMPLETE}: {what}")


def _shown(formula: Formula) -> str:
    return f"“{mask_digits(formula.text)[:60]}”" if formula.text else "(rumus)"
