"""A second reader for the write-back: the edited workbook is checked before it replaces the master.

The write-back edits the roadmap sheet's XML as text (digireport.writeback). Before the master is
replaced the result is checked by other means than the splice itself:

- every part of the package but the edited ones is byte for byte the same, and the edited parts
  are well-formed XML;
- in the roadmap sheet, everything outside the rows the write-back touched is the same text (but
  for the used range, the column widths and the filter range, which may grow);
- openpyxl, a reader that models cells, styles and column widths, opens the workbook with the
  touched rows and the header row of both versions: every cell there reads as before but for the
  written ones, which read as planned; a cell that was there keeps its look, a new cell looks
  like the neighbour it was modelled on, and a new column is visible and as wide as its left one.

The cost grows with the rows touched (the projects), not with the sheet's extent: a column filled
down to row 1,048,576 by accident is compared as text, not read cell by cell.
"""

from __future__ import annotations

import copy
import io
import re
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

import openpyxl
from openpyxl.cell import Cell
from openpyxl.utils import column_index_from_string, get_column_letter

from digireport.errors import SourceError
from digireport.i18n import _
from digireport.ooxml import rewrite

DAMAGED = _("{name}: the edited workbook did not read back as intended ({detail}); nothing was written")

_LOOK = ("font", "fill", "border", "alignment", "number_format", "protection")


@dataclass(frozen=True)
class Edit:
    """What the write-back changed: the sheet and its part, the cells, and what else it may touch."""

    sheet: str
    part: str
    header_row: int
    changes: tuple[Any, ...]  # the write-back's `Change` records
    looks: dict[tuple[int, int], int | None]  # (row, column) -> None: its own look; n: column n's; 0: default
    rows: frozenset[int]  # the rows rebuilt
    parts: frozenset[str]  # the package parts that differ


def verify_writeback(before: bytes, after: bytes, name: str, edit: Edit) -> None:
    """Raise `SourceError` unless `after` is `before` with exactly `edit` made."""
    old_parts, new_parts = _parts(before, name), _parts(after, name)
    if list(old_parts) != list(new_parts):
        _fail(name, f"parts {sorted(set(old_parts) ^ set(new_parts))} differ")
    for part in old_parts:
        if part in edit.parts:
            _well_formed(name, part, new_parts[part])
        elif old_parts[part] != new_parts[part]:
            _fail(name, f"{part} changed")
    old_sheet, new_sheet = old_parts[edit.part].decode("utf-8"), new_parts[edit.part].decode("utf-8")
    keep = edit.rows | {edit.header_row}
    old_rest, old_rows = _split(*_cut(old_sheet), keep)
    new_rest, new_rows = _split(*_cut(new_sheet), keep)
    if "".join(old_rest) != "".join(new_rest):  # a row the write-back added is in one version only
        _fail(name, f"{edit.sheet}: the sheet outside the written rows changed")
    _check_cells(name, edit, _probe(name, before, edit.part, old_sheet, old_rows),
                 _probe(name, after, edit.part, new_sheet, new_rows))


def _parts(data: bytes, name: str) -> dict[str, bytes]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return {i.filename: z.read(i) for i in z.infolist()}
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        _fail(name, f"{type(exc).__name__}: {exc}")


def _well_formed(name: str, part: str, data: bytes) -> None:
    if part.endswith(".xml"):
        parser = expat.ParserCreate()
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            _fail(name, f"{part}: {exc}")


_VOLATILE = re.compile(r"<(?:\w+:)?dimension\b[^>]*/>|<(?:\w+:)?cols\b.*?</(?:\w+:)?cols>"
                       r"|(<(?:\w+:)?autoFilter\b[^>]*?\sref=\")[^\"]*", re.S)


def _cut(xml: str) -> tuple[str, str, str]:
    """(text before the rows, the rows, text after them)."""
    m = re.search(r"<(?:\w+:)?sheetData\b[^>]*?(/?)>", xml)
    if m is None:
        return xml, "", ""
    if m.group(1):
        return xml[:m.end()], "", xml[m.end():]
    close = re.compile(r"</(?:\w+:)?sheetData>").search(xml, m.end())
    if close is None:
        return xml, "", ""
    return xml[:m.end()], xml[m.end():close.start()], xml[close.start():]


def _split(head: str, body: str, tail: str, keep: frozenset[int]) -> tuple[list[str], list[str]]:
    """The sheet's text cut at the rows in `keep`, and those rows; the used range, the column
    widths and the filter range, which may grow, are left out of the text around the rows.

    The rows are found in order, each by its own search from where the previous one ended: the
    text between them is compared, not parsed."""
    rest: list[str] = [_VOLATILE.sub(lambda m: m.group(1) or "", head)]
    rows: list[str] = []
    pos = 0
    for number in sorted(keep):
        m = re.compile(rf"<(?:\w+:)?row\b[^>]*?\sr=\"{number}\"[^>]*?(?:/>|>.*?</(?:\w+:)?row>)", re.S).search(
            body, pos)
        if m is None:
            continue
        rest.append(body[pos:m.start()])
        rows.append(m.group(0))
        pos = m.end()
    rest.append(body[pos:])
    rest.append(_VOLATILE.sub(lambda m: m.group(1) or "", tail))
    return rest, rows


def _probe(name: str, data: bytes, part: str, sheet: str, rows: list[str]) -> openpyxl.Workbook:
    """The workbook with the sheet's rows cut down to `rows`, opened with openpyxl."""
    m = re.search(r"(<(?:\w+:)?sheetData\b[^>]*?)(?:/>|>.*</(?:\w+:)?sheetData>)", sheet, re.S)
    prefix = re.match(r"<(\w+:)?", m.group(1)).group(1) or ""
    cut = sheet[:m.start()] + m.group(1) + ">" + "".join(rows) + f"</{prefix}sheetData>" + sheet[m.end():]
    with zipfile.ZipFile(io.BytesIO(data)) as old:
        probe = rewrite(old, {part: cut.encode("utf-8")}.get)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # extensions openpyxl does not model are not our concern here
            return openpyxl.load_workbook(io.BytesIO(probe), rich_text=False)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        _fail(name, f"{type(exc).__name__}: {exc}")


def _check_cells(name: str, edit: Edit, old_book, new_book) -> None:
    sheet = edit.sheet
    # openpyxl's own column letters, not the write-back's: the check is a second reader
    planned = {(c.row, column_index_from_string(c.column)): c for c in edit.changes}
    old_ws, new_ws = old_book[sheet], new_book[sheet]
    old_cells, new_cells = _values(old_ws), _values(new_ws)
    for key in old_cells.keys() | new_cells.keys():
        if key not in planned and old_cells.get(key) != new_cells.get(key):
            _fail(name, f"{sheet}!{get_column_letter(key[1])}{key[0]} changed from {old_cells.get(key)!r} "
                        f"to {new_cells.get(key)!r}")
    default = Cell(new_ws)
    for (row, col), change in planned.items():
        ref = f"{sheet}!{change.column}{row}"
        cell = new_ws.cell(row, col)
        if (cell.value or None) != change.new:
            _fail(name, f"{ref} reads {cell.value!r}, not {change.new!r}")
        look = edit.looks.get((row, col))
        model = old_ws.cell(row, col) if look is None else new_ws.cell(row, look) if look else default
        for aspect in _LOOK:
            if _look(cell, aspect) != _look(model, aspect):
                _fail(name, f"{ref} lost its {aspect.replace('_', ' ')}")
    for col in {col for (row, col), c in planned.items() if row == edit.header_row and c.old is None}:
        letter, left = get_column_letter(col), get_column_letter(col - 1) if col > 1 else None
        was = _width(old_ws, letter)
        width = _width(new_ws, letter)
        model = _width(new_ws, left) if left else None
        if letter in new_ws.column_dimensions and new_ws.column_dimensions[letter].hidden or width == 0:
            _fail(name, f"column {letter} of {sheet} is hidden")
        if width != was and width != model and was != 0:
            _fail(name, f"column {letter} of {sheet} is {width} wide, not as wide as column {left}")


def _width(ws, letter: str) -> float | None:
    dims = ws.column_dimensions
    if letter not in dims:
        return None
    dim = dims[letter]
    return 0 if dim.hidden and not dim.customWidth else dim.width


def _look(cell, aspect: str) -> Any:
    # a cell hands out its font, fill, ... behind a proxy that equals only the plain object
    return copy.copy(getattr(cell, aspect))


def _values(ws) -> dict[tuple[int, int], Any]:
    """Every cell that holds something, by (row, column)."""
    return {(cell.row, cell.column): cell.value for row in ws.iter_rows() for cell in row
            if cell.value is not None and cell.value != ""}


def _fail(name: str, detail: str):
    raise SourceError(DAMAGED, name=name, detail=" ".join(detail.split())[:300])

