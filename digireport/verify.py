"""A second reader for the write-back: openpyxl opens the edited workbook before it replaces the master.

The write-back edits the roadmap sheet's XML as text (digireport.writeback). Reading the result
back with a different parser, one that models cells, styles and column widths, is the check that
nothing was damaged: the package opens as a workbook, every cell outside the written ones reads as
before on every sheet, the written cells read as planned, an existing cell kept its look, and a
new cell and column look like their left neighbours. Only then is the master replaced.
"""

from __future__ import annotations

import copy
import io
import warnings
from collections.abc import Iterable
from typing import Any

import openpyxl
from openpyxl.utils import column_index_from_string, get_column_letter

from digireport.errors import SourceError
from digireport.i18n import _

DAMAGED = _("{name}: the edited workbook did not read back as intended ({detail}); nothing was written")

_LOOK = ("font", "fill", "border", "alignment", "number_format", "protection")


def verify_writeback(before: bytes, after: bytes, name: str, sheet: str, header_row: int,
                     changes: Iterable[Any]) -> None:
    """Raise `SourceError` unless `after` is `before` with exactly `changes` made to `sheet`.

    `changes` are the write-back's `Change` records (row, column letters, old and new text)."""
    planned = {(c.row, column_index_from_string(c.column)): c for c in changes}
    old_book, new_book = _load(before, name), _load(after, name)
    if old_book.sheetnames != new_book.sheetnames:
        _fail(name, f"sheets {old_book.sheetnames} became {new_book.sheetnames}")
    for title in old_book.sheetnames:
        old_cells = _values(old_book[title])
        new_cells = _values(new_book[title])
        edited = planned if title == sheet else {}
        for key in old_cells.keys() | new_cells.keys():
            if key in edited:
                continue
            if old_cells.get(key) != new_cells.get(key):
                _fail(name, f"{title}!{get_column_letter(key[1])}{key[0]} changed from {old_cells.get(key)!r} "
                            f"to {new_cells.get(key)!r}")
    old_ws, new_ws = old_book[sheet], new_book[sheet]
    for (row, col), change in planned.items():
        ref = f"{sheet}!{change.column}{row}"
        value = new_ws.cell(row, col).value
        if (value or None) != change.new:
            _fail(name, f"{ref} reads {value!r}, not {change.new!r}")
        if old_ws.cell(row, col).has_style:
            model = old_ws.cell(row, col)  # a cell that was there keeps its look
        elif col > 1 and new_ws.cell(row, col - 1).has_style:
            model = new_ws.cell(row, col - 1)  # a new cell takes its left neighbour's look
        else:
            continue
        for aspect in _LOOK:
            if _look(new_ws.cell(row, col), aspect) != _look(model, aspect):
                _fail(name, f"{ref} lost its {aspect.replace('_', ' ')}")
    for col in {col for (row, col), c in planned.items() if row == header_row and c.old is None}:
        letter, left = get_column_letter(col), get_column_letter(col - 1) if col > 1 else None
        was = old_ws.column_dimensions[letter].width if letter in old_ws.column_dimensions else None
        width = new_ws.column_dimensions[letter].width if letter in new_ws.column_dimensions else None
        model = new_ws.column_dimensions[left].width if left and left in new_ws.column_dimensions else None
        if width != was and width != model:
            _fail(name, f"column {letter} of {sheet} is {width} wide, not as wide as column {left}")


def _load(data: bytes, name: str) -> openpyxl.Workbook:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # extensions openpyxl does not model are not our concern here
            return openpyxl.load_workbook(io.BytesIO(data), rich_text=False)
    except Exception as exc:  # noqa: BLE001 - any failure to open is the finding
        _fail(name, f"{type(exc).__name__}: {exc}")


def _look(cell, aspect: str) -> Any:
    # a cell hands out its font, fill, ... behind a proxy that equals only the plain object
    return copy.copy(getattr(cell, aspect))


def _values(ws) -> dict[tuple[int, int], Any]:
    """Every cell that holds something, by (row, column)."""
    return {(cell.row, cell.column): cell.value for row in ws.iter_rows() for cell in row
            if cell.value is not None and cell.value != ""}


def _fail(name: str, detail: str):
    raise SourceError(DAMAGED, name=name, detail=" ".join(detail.split())[:300])
