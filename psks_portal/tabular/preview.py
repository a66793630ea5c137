"""What an import does, row by row: ``RowOutcome`` (new / updated / unchanged / refused, with reasons and warnings)
and ``ImportPreview`` (every row of a file). A preview is a dry run; after a confirmed import ``applied`` is true."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

NEW, UPDATED, UNCHANGED, ERROR = "baru", "diperbarui", "tidak_berubah", "ditolak"
STATUS_LABELS = {NEW: "Baru", UPDATED: "Diperbarui", UNCHANGED: "Tidak berubah", ERROR: "Ditolak"}


@dataclass
class RowOutcome:
    """What happens to one row. ``ident`` is what identifies the row to the user (a masked NIK, a number)."""

    line: int
    status: str
    ident: str = ""
    name: str = ""
    kind: str = ""
    desa: str = ""
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def messages(self) -> list[str]:
        return [f"Baris {self.line}: {message}" for message in self.errors]

    @property
    def warning_messages(self) -> list[str]:
        return [f"Baris {self.line}: {message}" for message in self.warnings]


@dataclass
class ImportPreview:
    """The outcome of every row; after a confirmed import ``applied`` is true and the counts are what was written."""

    roster: str
    rows: list[RowOutcome]
    notices: list[str] = field(default_factory=list)
    applied: bool = False

    @cached_property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(STATUS_LABELS, 0)
        for row in self.rows:
            counts[row.status] += 1
        return counts

    @property
    def has_errors(self) -> bool:
        return self.counts[ERROR] > 0

    @property
    def error_rows(self) -> list[RowOutcome]:
        return [row for row in self.rows if row.status == ERROR]

    @property
    def valid_count(self) -> int:
        return len(self.rows) - self.counts[ERROR]

    @property
    def write_count(self) -> int:
        """The rows a confirmation writes (new and updated): what a confirm button may promise."""
        return self.counts[NEW] + self.counts[UPDATED]

    @property
    def warned_count(self) -> int:
        return sum(1 for row in self.rows if row.warnings and row.status != ERROR)

    def sample(self, *, errors: int = 500, others: int = 200) -> list[RowOutcome]:
        """The rows worth showing, in file order: refused rows first to a limit, then new/updated/warned ones."""
        refused = self.error_rows[:errors]
        rest = [r for r in self.rows if r.status in (NEW, UPDATED) or (r.status == UNCHANGED and r.warnings)]
        return sorted([*refused, *rest[:others]], key=lambda r: r.line)

    def summary(self) -> str:
        c = self.counts
        result = f"{c[NEW]} baru, {c[UPDATED]} diperbarui, {c[UNCHANGED]} tidak berubah"
        if c[ERROR]:
            result += f", {c[ERROR]} baris {'dilewati' if self.applied else 'ditolak'}"
        return result + "."


class ImportRefused(Exception):
    """The file has refused rows and the caller did not ask to import only the valid ones; nothing was changed."""

    def __init__(self, preview: ImportPreview):
        super().__init__(preview.summary())
        self.preview = preview
