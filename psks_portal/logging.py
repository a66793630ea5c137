"""Keep personal data out of logs: NIK and No. KK (16-digit numbers) are masked in every record."""

from __future__ import annotations

import logging
import re

_SIXTEEN_DIGITS = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def mask_digits(text: str) -> str:
    """Replace the middle eight digits of any 16-digit number with asterisks."""
    return _SIXTEEN_DIGITS.sub(r"\1********\2", text)


class MaskPersonalDataFilter(logging.Filter):
    """A logging filter that renders the message once and masks NIK-like numbers in it (and in exception text)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_digits(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_digits(record.exc_text)
        return True
