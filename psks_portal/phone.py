"""Indonesian telephone numbers: one rule for every form and every import.

Accepted: a mobile or fixed-line number written with its leading 0 (``0812-3456-7890``, ``(0231) 123456``) or with the
country code (``+62 812 3456 7890``, ``62812…``). Spaces, dots, hyphens and brackets are layout and are dropped; the
number is kept as written otherwise (``0812…`` or ``+62812…``), 9 to 13 digits in its national form. Letters, markup
and digits other than 0–9 are refused with a message, never silently dropped.
"""

from __future__ import annotations

import re

from psks_portal.digits import FOREIGN_DIGITS_HINT, has_foreign_digits, is_ascii_digits

MIN_DIGITS, MAX_DIGITS = 9, 13
EXAMPLE = "081234567890 atau +6281234567890"
_LAYOUT = re.compile(r"[\s.\-()/]")


class InvalidPhone(ValueError):
    """Not an Indonesian telephone number; the message says why, in Indonesian."""


def parse(text: str) -> str:
    """The number without layout, ``0…`` or ``+62…`` as written (``62…`` becomes ``+62…``); empty text is ``""``."""
    number = _LAYOUT.sub("", str(text or "").strip())
    if not number:
        return ""
    if has_foreign_digits(number):
        raise InvalidPhone(f"Nomor telepon tidak sah. {FOREIGN_DIGITS_HINT}")
    international = number.startswith("+") or (number.startswith("62") and len(number) > 11)
    if international:
        if not number.lstrip("+").startswith("62"):
            raise InvalidPhone(f"Nomor telepon harus nomor Indonesia (awalan 0 atau +62), contoh {EXAMPLE}.")
        number = "+" + number.lstrip("+")
    national = "0" + number[3:] if international else number
    if not is_ascii_digits(national):
        raise InvalidPhone(f"Nomor telepon hanya boleh berisi angka (dan + di depan), contoh {EXAMPLE}.")
    if not national.startswith("0") or national.startswith("00"):
        raise InvalidPhone(f"Nomor telepon diawali 0 atau +62, contoh {EXAMPLE}.")
    if not MIN_DIGITS <= len(national) <= MAX_DIGITS:
        raise InvalidPhone(
            f"Nomor telepon {len(national)} digit; nomor Indonesia {MIN_DIGITS}–{MAX_DIGITS} digit termasuk 0 di depan."
        )
    return number
