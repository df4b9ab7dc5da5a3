"""Workbooks as people really keep them, built from the bundled sample for the write-back tests.

Each builder returns the bytes of an .xlsx: the sample with its XML edited the way a keeper's
Excel (or an accident) leaves it. `python tests/wbcases.py FOLDER` writes them all as files.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from digireport import SAMPLE_WORKBOOK

ROADMAP = "xl/worksheets/sheet3.xml"
GUIDE = "xl/worksheets/sheet1.xml"
WORKBOOK = "xl/workbook.xml"
COMMENTS = "xl/comments1.xml"
LAST_ROW = 1_048_576


def sample() -> bytes:
    return SAMPLE_WORKBOOK.read_bytes()


def edit_parts(data: bytes, edits: dict[str, Callable[[str], str]], add: dict[str, str] | None = None) -> bytes:
    """`data` with each named part's text passed through its edit, and parts `add` appended."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as old, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            content = old.read(info)
            if info.filename in edits:
                content = edits[info.filename](content.decode("utf-8")).encode("utf-8")
            new.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
        for name, text in (add or {}).items():
            new.writestr(name, text)
    return out.getvalue()


def _cell(ref: str, text: str, style: str | None = None) -> str:
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t>{text}</t></is></c>'


def _append_to_row(xml: str, row: int, cells: str) -> str:
    m = re.search(rf'<row r="{row}"[^>]*>.*?(</row>)', xml, re.S)
    return xml[:m.start(1)] + cells + xml[m.start(1):]


def _add_rows(xml: str, rows: str) -> str:
    return xml.replace("</sheetData>", rows + "</sheetData>", 1)


# 1. something reaches column XFD
def title_over_every_column() -> bytes:
    """The title is merged over A1:XFD1, Excel's whole first row: the data columns are still free."""
    return edit_parts(sample(), {ROADMAP: lambda x: x.replace('<mergeCell ref="A1:V1"/>',
                                                             '<mergeCell ref="A1:XFD1"/>')})


def marker_in_last_column() -> bytes:
    """The keeper's own column follows the snapshots and an end marker sits in XFD3, the header
    row's last cell: no room is left for a new column."""
    return edit_parts(sample(), {ROADMAP: lambda x: _append_to_row(
        x, 3, _cell("W3", "Oma muistiinpano", "5") + _cell("XFD3", "loppu", "5"))})


# 2. the month's column and the remarks exist with the keeper's own spelling
def keepers_headers() -> bytes:
    """`Tila 11/25` and `tarkistus` already head columns W and X."""
    def edit(xml: str) -> str:
        return _append_to_row(xml, 3, _cell("W3", "Tila 11/25", "5") + _cell("X3", "tarkistus", "5"))
    return edit_parts(sample(), {ROADMAP: edit})


def table_roadmap() -> bytes:
    """The roadmap is an Excel table (openpyxl) whose last column has no header yet, plus the
    keeper's `Tila 11/25` column inside the table."""
    import openpyxl
    from openpyxl.worksheet.table import Table

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tiekartta"
    ws.append(["Tavoite", "Tunnus", "Toimenpiteen nimi", "Tila", "2025", "Tila 11/25", None])
    ws.append(["A", "A1", "Sähköinen asiointi", "Tehty", "x", "Aloitettu", None])
    ws.append(["B", "B1", "Ilmasto", "aloitettu", "x", None, None])
    ws.append(["C", "C1", "Robotiikka", "Suunnitellaan", "x", None, None])
    table = Table(displayName="Tiekartta_taulu", ref="A1:G4")
    table._initialise_columns()
    for column, cell in zip(table.tableColumns, ws[1], strict=True):
        column.name = cell.value or "Sarake7"  # as Excel names a column whose header is empty
    ws.add_table(table)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# 3. the month's column typed by hand with a typo
def typo_in_month_column() -> bytes:
    def edit(xml: str) -> str:
        xml = _append_to_row(xml, 3, _cell("W3", "Tila 11/2025", "5"))
        return _append_to_row(xml, 4, _cell("W4", "Aloitetu"))
    return edit_parts(sample(), {ROADMAP: edit})


# 4. the tool's own remarks on rows that are not projects
def own_remarks_on_notes() -> bytes:
    """Remarks an earlier run wrote: on a note row (A90) and on a row whose note was deleted (X91)."""
    def edit(xml: str) -> str:
        xml = _append_to_row(xml, 3, _cell("W3", "Tila 10/2025", "5") + _cell("X3", "Tarkistus", "5"))
        return _add_rows(xml, f'<row r="90">{_cell("A90", "Huom: luvut päivitetään joulukuussa")}'
                              f'{_cell("X90", "Ei toimenpide; ohitetaan.")}</row>'
                              f'<row r="91">{_cell("X91", "Ei toimenpide; ohitetaan.")}</row>')
    return edit_parts(sample(), {ROADMAP: edit})


# 5. an empty, unstyled cell in the target column, carrying only a note
def note_on_empty_cell() -> bytes:
    comment = ('<comment ref="W3" authorId="0"><text><r><t>Tähän tulee kuukauden tila</t></r></text>'
               '</comment>')
    return edit_parts(sample(), {
        ROADMAP: lambda x: _append_to_row(x, 3, '<c r="W3"/>'),
        COMMENTS: lambda x: x.replace("</commentList>", comment + "</commentList>"),
    })


# 8. formulas elsewhere read the new column; the workbook does not ask for a recalculation
def formulas_reading_the_snapshot() -> bytes:
    formula = ('<row r="5"><c r="A5"><f>COUNTIF(Tiekartta!W4:W83,"Tehty")</f><v>0</v></c></row>')
    return edit_parts(sample(), {
        WORKBOOK: lambda x: x.replace(' fullCalcOnLoad="1"', ""),
        GUIDE: lambda x: _add_rows(x, formula).replace('ref="A1:A3"', 'ref="A1:A5"'),
    })


# 9. the columns after the table are hidden
def hidden_columns_after() -> bytes:
    return edit_parts(sample(), {ROADMAP: lambda x: x.replace(
        "</cols>", '<col min="23" max="16384" width="0" hidden="1" customWidth="1"/></cols>')})


# 11. one character down to Excel's last row
def column_filled_to_the_last_row(column: str = "R") -> bytes:
    rows = "".join(f'<row r="{n}"><c r="{column}{n}" t="inlineStr"><is><t>.</t></is></c></row>'
                   for n in range(84, LAST_ROW + 1))
    return edit_parts(sample(), {ROADMAP: lambda x: _add_rows(x, rows).replace(
        '<dimension ref="A1:V83"/>', f'<dimension ref="A1:V{LAST_ROW}"/>')})


CASES: dict[str, Callable[[], bytes]] = {
    "title_over_every_column": title_over_every_column,
    "keepers_headers": keepers_headers,
    "table_roadmap": table_roadmap,
    "typo_in_month_column": typo_in_month_column,
    "own_remarks_on_notes": own_remarks_on_notes,
    "note_on_empty_cell": note_on_empty_cell,
    "formulas_reading_the_snapshot": formulas_reading_the_snapshot,
    "hidden_columns_after": hidden_columns_after,
}


REFUSED: dict[str, Callable[[], bytes]] = {"marker_in_last_column": marker_in_last_column}


if __name__ == "__main__":
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    for name, build in {**CASES, **REFUSED, "column_filled_to_the_last_row": column_filled_to_the_last_row}.items():
        (folder / f"{name}.xlsx").write_bytes(build())
