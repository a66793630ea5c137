"""Numbers typed by people (NIK, NIP, phone, search text) are ASCII digits 0–9 only.

``str.isdigit()`` also accepts fullwidth (``３２７４``), Arabic-Indic (``٣٢٧٤``) and superscript (``³``) digits: a
fullwidth copy of a NIK would be a different text, so a unique-NIK rule would not see it, and ``int("³")`` fails.
Every digits-only input of the portal asks this module instead.
"""

from __future__ import annotations

import unicodedata

NIP_LENGTH = 18
FOREIGN_DIGITS_HINT = "Gunakan angka 0–9 biasa (bukan angka lebar penuh, angka Arab, atau angka pangkat)."


class InvalidNumber(ValueError):
    """The text is not the number it should be; the message says why, in Indonesian."""


def is_ascii_digits(text: str) -> bool:
    """True when ``text`` is one or more of the characters 0–9 and nothing else."""
    return bool(text) and text.isascii() and text.isdigit()


def has_foreign_digits(text: str) -> bool:
    """True when ``text`` holds a digit-like character other than 0–9 (fullwidth, Arabic-Indic, superscript, …)."""
    return any(not ch.isascii() and unicodedata.category(ch) in ("Nd", "No") for ch in text)


def parse_nip(text: str) -> str:
    """A civil servant's NIP: 18 ASCII digits, spaces (as printed on documents) ignored; empty stays empty."""
    nip = (text or "").replace(" ", "")
    if not nip:
        return ""
    if has_foreign_digits(nip):
        raise InvalidNumber(f"NIP terdiri dari {NIP_LENGTH} digit angka. {FOREIGN_DIGITS_HINT}")
    if not is_ascii_digits(nip) or len(nip) != NIP_LENGTH:
        raise InvalidNumber(f"NIP terdiri dari {NIP_LENGTH} digit angka.")
    return nip
