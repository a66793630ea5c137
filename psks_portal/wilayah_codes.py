"""Pure parsing of Kemendagri wilayah codes (Kepmendagri 300.2.2-2138/2025).

``PP`` provinsi · ``PP.KK`` kabupaten (KK 01–69) or kota (71–99) · ``PP.KK.CC`` kecamatan ·
``PP.KK.CC.XNNN`` desa/kelurahan where X is 1 kelurahan, 2 desa, 3 desa adat.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

PROVINSI, KABUPATEN, KECAMATAN, DESA = 1, 2, 3, 4

KIND_PROVINSI = "provinsi"
KIND_KABUPATEN = "kabupaten"
KIND_KOTA = "kota"
KIND_KECAMATAN = "kecamatan"
KIND_DESA = "desa"
KIND_KELURAHAN = "kelurahan"
KIND_DESA_ADAT = "desa_adat"

_PATTERNS = {
    PROVINSI: re.compile(r"^\d{2}$"),
    KABUPATEN: re.compile(r"^\d{2}\.\d{2}$"),
    KECAMATAN: re.compile(r"^\d{2}\.\d{2}\.\d{2}$"),
    DESA: re.compile(r"^\d{2}\.\d{2}\.\d{2}\.[123]\d{3}$"),
}
_VILLAGE_KIND = {"1": KIND_KELURAHAN, "2": KIND_DESA, "3": KIND_DESA_ADAT}


class InvalidWilayahCode(ValueError):
    """The text is not a well-formed wilayah code."""


@dataclass(frozen=True)
class WilayahCode:
    code: str
    level: int
    kind: str

    @property
    def parent(self) -> str | None:
        return None if self.level == PROVINSI else self.code.rsplit(".", 1)[0]

    @property
    def provinsi(self) -> str:
        return self.code[:2]

    @property
    def kabupaten(self) -> str | None:
        return self.code[:5] if self.level >= KABUPATEN else None

    @property
    def kecamatan(self) -> str | None:
        return self.code[:8] if self.level >= KECAMATAN else None

    def ancestors(self) -> list[str]:
        """Codes from the provinsi down to (and including) this code."""
        parts = self.code.split(".")
        return [".".join(parts[: i + 1]) for i in range(len(parts))]


def parse(code: str) -> WilayahCode:
    """Parse and validate a code; raises ``InvalidWilayahCode`` with an Indonesian message."""
    text = (code or "").strip()
    for level, pattern in _PATTERNS.items():
        if pattern.match(text):
            return WilayahCode(text, level, _kind(text, level))
    raise InvalidWilayahCode(f"Kode wilayah tidak dikenal: {code!r} (contoh: 32, 32.07, 32.07.01, 32.07.01.2001).")


def _kind(code: str, level: int) -> str:
    if level == PROVINSI:
        return KIND_PROVINSI
    if level == KABUPATEN:
        number = int(code[3:5])
        if number == 0:
            raise InvalidWilayahCode(f"Kode kabupaten/kota tidak sah: {code!r}.")
        return KIND_KOTA if number >= 70 else KIND_KABUPATEN
    if level == KECAMATAN:
        return KIND_KECAMATAN
    return _VILLAGE_KIND[code[9]]


def is_valid(code: str) -> bool:
    try:
        parse(code)
    except InvalidWilayahCode:
        return False
    return True


def normalise_digits(text: str) -> str:
    """Turn ``3207012001`` (digits only, as often typed or exported) into ``32.07.01.2001``."""
    digits = re.sub(r"\D", "", text or "")
    widths = {2: (2,), 4: (2, 2), 6: (2, 2, 2), 10: (2, 2, 2, 4)}.get(len(digits))
    if widths is None:
        return (text or "").strip()
    out, pos = [], 0
    for width in widths:
        out.append(digits[pos : pos + width])
        pos += width
    return ".".join(out)
