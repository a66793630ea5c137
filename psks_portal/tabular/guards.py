"""What a workbook must pass before python-calamine reads it: the archive guards and the size of what it would hold.

calamine holds a sheet as one dense block, the rows × columns of its used area, and an ODS or XLS workbook's sheets
all at once. So a 1 KB XLSX with values in A1 and XFD1000000 makes it ask for 524 GB and abort the process, and a
131 KB XLSX whose one row holds 4.5 million cells grows it by 400 MB. Before calamine sees a file, its sheet is
streamed here (the XML of an XLSX sheet or of an ODS's content, the cell records of an XLS), keeping only counters:
a row of more than 16,384 cells (Excel's last column, XFD), a cell beyond it, or a used area of more than
``IMPORT_MAX_CELLS`` cells is refused with a message, whatever the file claims in its ``<dimension>``.

The archive guards: macros (VBA, macro-enabled content types) are refused; every member of a ZIP (XLSX, ODS) is
decompressed here once, as calamine would, and refused when it unpacks to more than it declares or the declared total
passes ``IMPORT_MAX_UNPACKED_BYTES`` (a zip bomb). The scan also notes formula cells (their text and whether the file
keeps a value for them), which calamine reads as their cached value or as empty, so that a message can name them.

ElementTree and pyexpat expand no external entities, and expat 2.4.1+ refuses entity amplification (billion laughs,
quadratic blow-up): the ``noqa: S314`` below rest on that check.
"""

from __future__ import annotations

import copy
import math
import pyexpat
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

import olefile
from django.core.exceptions import ImproperlyConfigured

from psks_portal.formats import angka
from psks_portal.tabular.errors import ImportFileError

MAX_ROW_CELLS = 16_384  # Excel's columns A … XFD
MAX_SHEET_ROWS = 1_048_576
CHUNK = 1 << 16

XLSX, ODS, XLS = "XLSX", "ODS", "XLS"
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"
# Elements a worksheet has after <sheetData> (ECMA-376 CT_Worksheet): their ``f`` children (data validation and
# conditional formatting formulas) belong to no cell.
_AFTER_SHEET_DATA = frozenset(
    (
        "sheetCalcPr",
        "sheetProtection",
        "protectedRanges",
        "scenarios",
        "autoFilter",
        "sortState",
        "dataConsolidate",
        "customSheetViews",
        "mergeCells",
        "phoneticPr",
        "conditionalFormatting",
        "dataValidations",
        "hyperlinks",
        "printOptions",
        "pageMargins",
        "pageSetup",
        "headerFooter",
        "rowBreaks",
        "colBreaks",
        "customProperties",
        "cellWatches",
        "ignoredErrors",
        "smartTags",
        "drawing",
        "legacyDrawing",
        "legacyDrawingHF",
        "drawingHF",
        "picture",
        "oleObjects",
        "controls",
        "webPublishItems",
        "tableParts",
        "extLst",
    )
)


@dataclass(frozen=True)
class Formula:
    """A formula cell: its text as the file keeps it (``None`` when it does not, e.g. XLS) and whether the file keeps
    a computed value for it (a file written by a program without a calculation engine does not)."""

    text: str | None
    cached: bool


@dataclass
class Inspection:
    """What the guards learnt: the format, the sheet to read and its formula cells by (row, column), 0-based."""

    kind: str
    sheet: str
    formulas: dict[tuple[int, int], Formula] = field(default_factory=dict)


@dataclass(frozen=True)
class Limits:
    unpacked: int
    cells: int


def damaged(kind: str) -> ImportFileError:
    return ImportFileError(f"Berkas {kind} rusak atau tidak dapat dibaca.")


def _check_expat() -> None:
    if pyexpat.version_info < (2, 4, 1):
        raise ImproperlyConfigured("Spreadsheet import needs expat 2.4.1 or newer (entity amplification protection).")


# --- The used area of a sheet ---------------------------------------------------------------------------------------


class _Area:
    """The bounding box of the cells with a value (what calamine allocates), refused once it passes the limit."""

    __slots__ = ("top", "bottom", "left", "right", "limit", "before")

    def __init__(self, limit: int, before: int = 0):
        self.top, self.bottom, self.left, self.right = math.inf, -1, math.inf, -1
        self.limit, self.before = limit, before  # ``before``: cells other sheets already hold (XLS, ODS)

    def add(self, top: int, left: int, bottom: int | None = None, right: int | None = None) -> None:
        bottom, right = top if bottom is None else bottom, left if right is None else right
        if left >= MAX_ROW_CELLS or right >= MAX_ROW_CELLS:
            raise ImportFileError(
                f"Baris {top + 1} berisi sel di luar kolom terakhir Excel (XFD, kolom ke-16.384); berkas ini tidak "
                "dapat diimpor. Simpan ulang hanya data yang diperlukan."
            )
        self.top, self.left = min(self.top, top), min(self.left, left)
        self.bottom, self.right = max(self.bottom, bottom), max(self.right, right)
        if self.size + self.before > self.limit:
            raise ImportFileError(
                f"Lembar kerja terlalu besar: area terpakainya lebih dari {_number(self.limit)} sel (baris × kolom). "
                "Hapus baris dan kolom kosong yang berformat di luar data, atau bagi menjadi beberapa berkas."
            )

    @property
    def size(self) -> int:
        return 0 if self.bottom < 0 else (self.bottom - self.top + 1) * (self.right - self.left + 1)


def _number(value: int) -> str:
    return angka(value)


def too_many_cells(row: int) -> ImportFileError:
    return ImportFileError(
        f"Baris {row} berisi lebih dari 16.384 sel (batas kolom Excel); berkas ini tidak dapat diimpor. Simpan "
        "ulang hanya data yang diperlukan."
    )


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index - 1


_DIGITS = "0123456789"


class _XlsxSheet:
    """Streams one worksheet's XML: cells per row, the used area, formula cells.

    Only start tags are handled (a cell closes at the next cell, row or the end of sheetData), names are compared
    through a cache of their local part, and the used area is updated once per row: this scan runs on every cell of
    every upload, so it is kept to a few operations per element.
    """

    def __init__(self, limits: Limits):
        self.area = _Area(limits.cells)
        self.row, self.col, self.count = -1, -1, 0
        self.cell: tuple[int, int] | None = None
        self.valued, self.formula, self.kept, self.done, self.capturing = False, None, None, False, False
        self.left, self.right = MAX_ROW_CELLS, -1  # valued columns of the current row
        self.formulas: dict[tuple[int, int], Formula] = {}
        self.locals: dict[str, str] = {}
        self.columns: dict[str, int] = {}

    def _local(self, name: str) -> str:
        local = self.locals[name] = name[name.find(":") + 1 :]
        return local

    def start(self, name: str, attrs: dict) -> None:
        if self.done:
            return
        local = self.locals.get(name) or self._local(name)
        if local == "c":
            if self.cell is not None:
                self._close()
            self.count += 1
            if self.count > MAX_ROW_CELLS:
                raise too_many_cells(self.row + 1)
            reference = attrs.get("r")
            if reference:
                letters = reference.rstrip(_DIGITS)
                col = self.columns.get(letters)
                if col is None:
                    if not letters.isalpha() or len(letters) > 4:
                        raise damaged(XLSX)
                    col = self.columns[letters] = _column_index(letters)
                self.col = col
                if len(letters) < len(reference):
                    row = int(reference[len(letters) :]) - 1
                    if row != self.row:
                        self._end_row()
                        self.row = row
            else:
                self.col += 1
            self.cell = (self.row, self.col)
        elif local == "v" or local == "is":
            self.valued = True
            if self.formula is not None:  # the value a formula cell keeps, if any (openpyxl writes an empty <v/>)
                self.kept = []
                self._capture(self.kept)
            elif self.capturing:
                self._capture(None)
        elif local == "row":
            self._close()
            self._end_row()
            reference = attrs.get("r")
            self.row = int(reference) - 1 if reference else self.row + 1
            if not 0 <= self.row < MAX_SHEET_ROWS:
                raise damaged(XLSX)
            self.col, self.count = -1, 0
        elif local == "f":
            self.formula = []
            self._capture(self.formula)
        elif local in _AFTER_SHEET_DATA:
            self._close()
            self._end_row()
            self.done = True
        elif self.capturing and local != "t":
            self._capture(None)

    def _capture(self, parts: list | None) -> None:
        self.parser.CharacterDataHandler = None if parts is None else parts.append
        self.capturing = parts is not None

    def _close(self) -> None:
        if self.capturing:
            self._capture(None)
        if self.cell is None:
            return
        if self.valued:
            col = self.cell[1]
            if col < self.left:
                self.left = col
            if col > self.right:
                self.right = col
        if self.formula is not None:
            text = "".join(self.formula).strip()
            self.formulas[self.cell] = Formula(f"={text}" if text else None, bool(self.kept and "".join(self.kept)))
        self.cell, self.valued, self.formula, self.kept = None, False, None, None

    def _end_row(self) -> None:
        if self.right >= 0:
            self.area.add(self.row, self.left, self.row, self.right)
        self.left, self.right = MAX_ROW_CELLS, -1

    def feed(self, chunks: Iterator[bytes]) -> dict[tuple[int, int], Formula]:
        self.parser = pyexpat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        try:
            for chunk in chunks:
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except pyexpat.ExpatError:
            raise damaged(XLSX) from None
        except ValueError:  # a row or cell number that is not a number
            raise damaged(XLSX) from None
        self._close()
        self._end_row()
        return self.formulas


# --- ZIP workbooks (XLSX, ODS) --------------------------------------------------------------------------------------


def _member_chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> Iterator[bytes]:
    """The member's bytes as they really unpack (as calamine reads them), refused past the size it declares.

    Python's zipfile stops at the declared size; calamine's reader does not. So the member is opened as if larger
    (by more than one read, so that zipfile's own end-of-member check does not come first): a member that yields a
    byte past its declared size unpacks to more than it says.
    """
    probe = copy.copy(info)
    probe.file_size = info.file_size + 2 * CHUNK + 1
    seen = 0
    with archive.open(probe) as stream:
        while chunk := stream.read(CHUNK):
            seen += len(chunk)
            if seen > info.file_size:
                raise ImportFileError(
                    f"Isi berkas {kind} tidak sesuai dengan ukuran yang dicantumkan di dalamnya (berkas rusak atau "
                    "sengaja dibuat untuk membebani server)."
                )
            yield chunk


def _drain(archive: zipfile.ZipFile, info: zipfile.ZipInfo, kind: str) -> None:
    for _ in _member_chunks(archive, info, kind):
        pass


def _check_zip(archive: zipfile.ZipFile, limits: Limits, kind: str) -> set[str]:
    infos = archive.infolist()
    names = {info.filename.lower() for info in infos}
    if any(name.endswith("vbaproject.bin") for name in names):
        raise ImportFileError("Berkas berisi makro (VBA) dan tidak diterima. Simpan sebagai .xlsx biasa.")
    if sum(info.file_size for info in infos) > limits.unpacked:
        raise ImportFileError(
            f"Isi berkas {kind} terlalu besar setelah dibuka (lebih dari {limits.unpacked // 1_048_576} MB). "
            "Bagi menjadi beberapa berkas."
        )
    return names


def zip_kind(archive: zipfile.ZipFile) -> str | None:
    """XLSX or ODS by the archive's members, else ``None``."""
    names = {info.filename.lower() for info in archive.infolist()}
    if "xl/workbook.xml" in names:
        return XLSX
    if "mimetype" in names and "content.xml" in names and archive.read("mimetype").strip() == _ODS_MIME:
        return ODS
    return None


def inspect_zip(path: Path, limits: Limits, *, named: str = "") -> Inspection:
    """Check an XLSX or ODS archive and the sheet calamine will read; ImportFileError when it must not be read.
    ``named``: the file's extension, which names the format in a message when the archive cannot tell."""
    _check_expat()
    kind = ODS if named == ".ods" else XLSX
    try:
        with zipfile.ZipFile(path) as archive:
            kind = zip_kind(archive) or kind
            names = _check_zip(archive, limits, kind)
            if kind == ODS:
                return _inspect_ods(archive, limits)
            if "xl/workbook.xml" not in names:
                raise ImportFileError("Berkas ZIP ini bukan buku kerja Excel (.xlsx) atau OpenDocument (.ods).")
            if "[content_types].xml" in names and b"macroenabled" in archive.read("[Content_Types].xml").lower():
                raise ImportFileError("Berkas berisi makro dan tidak diterima. Simpan sebagai .xlsx biasa.")
            return _inspect_xlsx(archive, limits)
    except ImportFileError:
        raise
    except (
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        IndexError,
        ElementTree.ParseError,
        OverflowError,
        EOFError,
        NotImplementedError,
        RuntimeError,
        struct.error,
        OSError,
    ):
        raise damaged(kind) from None


def _inspect_xlsx(archive: zipfile.ZipFile, limits: Limits) -> Inspection:
    name, member = _sheet_of(archive)
    formulas: dict = {}
    for info in archive.infolist():
        if info.filename == member:
            formulas = _XlsxSheet(limits).feed(_member_chunks(archive, info, XLSX))
        elif info.filename.lower() == "xl/sharedstrings.xml":
            _count_shared_strings(_member_chunks(archive, info, XLSX), limits)
        else:
            _drain(archive, info, XLSX)
    return Inspection(XLSX, name, formulas)


_SHARED_STRING = re.compile(rb"<(?:[^\s<>/:!?]+:)?si[\s/>]")


def _count_shared_strings(chunks: Iterator[bytes], limits: Limits) -> None:
    """calamine keeps every shared string: at most one per cell a sheet may hold (a textual scan, over-counting)."""
    count, tail = 0, b""
    for chunk in chunks:
        data = tail + chunk
        cut = max(0, len(data) - 16)  # a tag split across chunks is counted in the next round
        count += sum(1 for m in _SHARED_STRING.finditer(data, 0, cut) if m.end() <= cut)
        tail = data[cut:]
        if count > limits.cells:
            break
    count += len(_SHARED_STRING.findall(tail))
    if count > limits.cells:
        raise ImportFileError(
            f"Berkas XLSX berisi lebih dari {_number(limits.cells)} teks berbeda; bagi menjadi beberapa berkas."
        )


def _local(tag: str) -> str:
    """``{namespace}row`` → ``row`` (transitional and strict OOXML use different namespaces)."""
    return tag.rsplit("}", 1)[-1]


def _member(archive: zipfile.ZipFile, name: str) -> str | None:
    """An archive member by name, ignoring case (some writers vary it)."""
    wanted = name.lower()
    return next((info.filename for info in archive.infolist() if info.filename.lower() == wanted), None)


def _sheet_of(archive: zipfile.ZipFile) -> tuple[str, str]:
    """(name, archive member) of the worksheet named “Data”, else of the first worksheet."""
    workbook = ElementTree.fromstring(archive.read(_member(archive, "xl/workbook.xml")))  # noqa: S314
    rels_name = _member(archive, "xl/_rels/workbook.xml.rels")
    targets = {}
    if rels_name:
        for rel in ElementTree.fromstring(archive.read(rels_name)):  # noqa: S314
            if rel.get("Type", "").endswith("/worksheet"):
                target = rel.get("Target", "")
                targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    sheets = []
    for element in workbook.iter():
        if _local(element.tag) == "sheet":
            rel_id = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rel_id in targets:
                sheets.append((element.get("name", ""), targets[rel_id]))
    if not sheets:
        raise ImportFileError("Berkas XLSX tidak berisi lembar kerja.")
    name, target = next(((n, t) for n, t in sheets if n.strip().casefold() == "data"), sheets[0])
    member = _member(archive, target)
    if member is None:
        raise damaged(XLSX)
    return name, member


# --- ODS ------------------------------------------------------------------------------------------------------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T_TABLE, _T_ROW = f"{_TABLE} table", f"{_TABLE} table-row"
_T_CELLS = {f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell"}
_A_NAME, _A_ROWS, _A_COLS = f"{_TABLE} name", f"{_TABLE} number-rows-repeated", f"{_TABLE} number-columns-repeated"
_A_FORMULA, _A_TYPE = f"{_TABLE} formula", f"{_OFFICE} value-type"


class _OdsContent:
    """Streams content.xml: every sheet (calamine reads them all at once), repeated rows and cells counted, never
    expanded; the used areas of all sheets together are bounded."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.held = 0  # cells of the sheets already closed
        self.sheets: dict[str, dict[tuple[int, int], Formula]] = {}
        self.order: list[str] = []
        self.area: _Area | None = None
        self.row, self.repeat, self.col = -1, 1, 0
        self.spans: list[tuple[int, int]] = []
        self.cell: list | None = None  # [first column, repeat, valued, formula]

    def start(self, name: str, attrs: dict) -> None:
        if name in _T_CELLS:
            repeat = int(attrs.get(_A_COLS, 1))
            if repeat < 1 or self.col + repeat > MAX_ROW_CELLS and self._valued(attrs):
                raise too_many_cells(self.row + 1)
            formula = attrs.get(_A_FORMULA)
            self.cell = [self.col, repeat, self._valued(attrs), formula]
            self.col += repeat
        elif name == _T_ROW:
            self.row += self.repeat
            self.repeat, self.col, self.spans = int(attrs.get(_A_ROWS, 1)), 0, []
            if self.repeat < 1 or self.row + self.repeat > MAX_SHEET_ROWS:
                raise damaged(ODS)
        elif name == _T_TABLE:
            sheet = attrs.get(_A_NAME, f"Sheet{len(self.order) + 1}")
            self.order.append(sheet)
            self.sheets[sheet] = {}
            self.area = _Area(self.limits.cells, self.held)
            self.row, self.repeat = -1, 1
        elif self.cell is not None:
            self.cell[2] = True  # text or other content inside a cell

    def end(self, name: str) -> None:
        if name in _T_CELLS and self.cell is not None:
            first, repeat, valued, formula = self.cell
            if valued:
                if first + repeat > MAX_ROW_CELLS:
                    raise too_many_cells(self.row + 1)
                self.spans.append((first, first + repeat - 1))
            if formula is not None:
                text = formula.split(":", 1)[1] if formula.startswith("of:") else formula
                self.sheets[self.order[-1]][(self.row, first)] = Formula(text, valued)
            self.cell = None
        elif name == _T_ROW and self.spans and self.area is not None:
            self.area.add(
                self.row, min(s[0] for s in self.spans), self.row + self.repeat - 1, max(s[1] for s in self.spans)
            )
        elif name == _T_TABLE and self.area is not None:
            self.held += self.area.size

    @staticmethod
    def _valued(attrs: dict) -> bool:
        return _A_TYPE in attrs or _A_FORMULA in attrs


def _inspect_ods(archive: zipfile.ZipFile, limits: Limits) -> Inspection:
    if any(info.filename.lower().startswith("basic/") for info in archive.infolist()):
        raise ImportFileError("Berkas berisi makro dan tidak diterima. Simpan sebagai .ods atau .xlsx biasa.")
    content = _OdsContent(limits)
    for info in archive.infolist():
        if info.filename == "content.xml":
            parser = pyexpat.ParserCreate(namespace_separator=" ")
            parser.StartElementHandler, parser.EndElementHandler = content.start, content.end
            try:
                for chunk in _member_chunks(archive, info, ODS):
                    parser.Parse(chunk, False)
                parser.Parse(b"", True)
            except (pyexpat.ExpatError, ValueError):
                raise damaged(ODS) from None
        else:
            _drain(archive, info, ODS)
    if not content.order:
        raise ImportFileError("Berkas ODS tidak berisi lembar kerja.")
    sheet = next((n for n in content.order if n.strip().casefold() == "data"), content.order[0])
    return Inspection(ODS, sheet, content.sheets[sheet])


# --- XLS (BIFF8 in an OLE compound file) ----------------------------------------------------------------------------

_BOF, _EOF, _BOUNDSHEET, _FILEPASS, _FORMULA, _MULRK = 0x0809, 0x000A, 0x0085, 0x002F, 0x0006, 0x00BD
# Records of one cell with a value: NUMBER, RK, LABELSST, LABEL, BOOLERR, FORMULA, RSTRING (BLANK/MULBLANK are empty).
_CELL_RECORDS = frozenset((0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, _FORMULA, 0x00D6))


def password_protected() -> ImportFileError:
    return ImportFileError(
        "Berkas ini dilindungi kata sandi atau rusak. Simpan tanpa kata sandi sebagai .xlsx lalu unggah lagi."
    )


def inspect_ole(path: Path, limits: Limits) -> Inspection:
    """Check an OLE file: an XLS workbook without macros or password, and the cells of all its sheets."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("_VBA_PROJECT_CUR") or ole.exists("_VBA_PROJECT") or ole.exists("Macros"):
                raise ImportFileError("Berkas berisi makro (VBA) dan tidak diterima. Simpan sebagai .xlsx biasa.")
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            if stream is None:
                raise password_protected()  # an encrypted XLSX is an OLE file too (EncryptedPackage)
            if ole.get_size(stream) > limits.unpacked:
                raise ImportFileError("Berkas XLS terlalu besar. Bagi menjadi beberapa berkas.")
            data = ole.openstream(stream).read()
    except ImportFileError:
        raise
    except (OSError, ValueError, IndexError, struct.error, TypeError, AttributeError):
        raise password_protected() from None
    return _inspect_biff(data, limits)


def _inspect_biff(data: bytes, limits: Limits) -> Inspection:
    names: dict[int, str] = {}
    sheets: dict[str, dict] = {}
    order: list[str] = []
    area, held, current, pos = None, 0, None, 0
    try:
        while pos + 4 <= len(data):
            kind, size = struct.unpack_from("<HH", data, pos)
            body = pos + 4
            if kind in _CELL_RECORDS and area is not None:
                row, col = struct.unpack_from("<HH", data, body)
                area.add(row, col)
                if kind == _FORMULA:
                    sheets[current][(row, col)] = Formula(None, True)
            elif kind == _MULRK and area is not None:
                row, first = struct.unpack_from("<HH", data, body)
                (last,) = struct.unpack_from("<H", data, body + size - 2)
                area.add(row, first, row, max(first, last))
            elif kind == _BOUNDSHEET:
                offset, flags, length, wide = struct.unpack_from("<IHBB", data, body)
                raw = data[body + 8 : body + 8 + length * (2 if wide & 1 else 1)]
                names[offset] = raw.decode("utf-16-le" if wide & 1 else "latin-1")
            elif kind == _FILEPASS:
                raise password_protected()
            elif kind == _BOF and pos in names:
                current = names[pos]
                order.append(current)
                sheets[current] = {}
                area = _Area(limits.cells, held)
            elif kind == _EOF and area is not None:
                held += area.size
                area = None
            pos = body + size
    except struct.error:
        raise damaged(XLS) from None
    if not order:
        raise ImportFileError("Berkas XLS tidak berisi lembar kerja.")
    sheet = next((n for n in order if n.strip().casefold() == "data"), order[0])
    return Inspection(XLS, sheet, sheets[sheet])
