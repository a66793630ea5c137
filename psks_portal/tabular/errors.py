"""The two errors of reading a spreadsheet: the file as a whole, or one cell."""

from __future__ import annotations


class ImportFileError(Exception):
    """The file as a whole cannot be imported; the message says why, in Indonesian, and nothing was changed."""


class CellError(ValueError):
    """One cell cannot be read; the message names the column."""
