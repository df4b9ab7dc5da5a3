"""Rows spliced into an xlsxwriter-written sheet: values, styles, ranges and strings, read back with openpyxl."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
import xlsxwriter

from digireport.sheetrows import MIXED, NUMBER, TEXT, WORD, Column, Rows, fill_rows, fill_sheets


def skeleton(probe: bool = True, extra_row: bool = False) -> bytes:
    """A sheet 'Data' with a header, table 'T' over the header and a probe row, and a sheet using 'x'."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    other = wb.add_worksheet("Other")
    other.write_string(0, 0, "x")
    ws = wb.add_worksheet("Data")
    money = wb.add_format({"num_format": "#,##0.00 €"})
    plain = wb.add_format({"valign": "top"})
    ws.add_table(0, 0, 1, 2, {"name": "T", "columns": [{"header": h} for h in ("n", "word", "text")]})
    if probe:
        for c, f in enumerate((money, plain, plain)):
            ws.write_blank(1, c, None, f)
    if extra_row:
        ws.write_string(2, 0, "below")
    wb.close()
    return buf.getvalue()


COLUMNS = [
    Column([1, 2.5, float("inf"), None, 1e20], NUMBER),
    Column(["x", None, "x", "y", ""], WORD),
    Column(["a", "", " b", None, "a & <b>"], TEXT),
]


def part(xlsx: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.read(name).decode("utf-8")


def test_values_styles_and_ranges():
    out = fill_rows(skeleton(), "Data", "T", COLUMNS)
    ws = openpyxl.load_workbook(io.BytesIO(out))["Data"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=2)]
    assert rows == [
        [1, "x", "a"],
        [2.5, None, None],
        [None, "x", " b"],  # infinity has no cell value: left empty
        [None, "y", None],
        [1e20, None, "a & <b>"],
    ]
    assert ws["A2"].number_format == "#,##0.00 €" and ws["A4"].number_format == "#,##0.00 €"
    assert ws.tables["T"].ref == "A1:C6"
    assert '<dimension ref="A1:C6"/>' in part(out, "xl/worksheets/sheet2.xml")
    assert '<autoFilter ref="A1:C6"/>' in part(out, "xl/tables/table1.xml")


def test_words_are_shared_once_and_counted():
    out = fill_rows(skeleton(), "Data", "T", COLUMNS)
    sst = part(out, "xl/sharedStrings.xml")
    # 'x' is already in the table for the other sheet: reused, not added again
    assert re.findall(r"<t>([^<]*)</t>", sst) == ["x", "n", "word", "text", "y"]
    assert 'count="7" uniqueCount="5"' in sst  # 1 + 3 headers + 3 word cells
    assert openpyxl.load_workbook(io.BytesIO(out))["Other"]["A1"].value == "x"


def test_same_input_same_bytes():
    assert fill_rows(skeleton(), "Data", "T", COLUMNS) == fill_rows(skeleton(), "Data", "T", COLUMNS)


def test_no_rows_leaves_the_header_and_one_table_row():
    out = fill_rows(skeleton(), "Data", "T", [Column([], NUMBER), Column([], WORD), Column([], TEXT)])
    ws = openpyxl.load_workbook(io.BytesIO(out))["Data"]
    assert ws.max_row == 1 and ws.tables["T"].ref == "A1:C2"


@pytest.mark.parametrize(("xlsx", "sheet", "table", "message"), [
    (skeleton(probe=False), "Data", "T", "the sheet has no probe row"),
    # a row under the probe row is taken for another probe row, and it is not one
    (skeleton(extra_row=True), "Data", "T", "a probe row does not have one styled cell per column"),
    (skeleton(), "Missing", "T", "no sheet named 'Missing'"),
    (skeleton(), "Data", "Missing", "no table named 'Missing'"),
])
def test_an_unexpected_layout_is_a_bug_not_a_guess(xlsx, sheet, table, message):
    with pytest.raises(RuntimeError, match=message):
        fill_rows(xlsx, sheet, table, COLUMNS)


def test_columns_of_different_lengths_are_refused():
    with pytest.raises(ValueError):
        fill_rows(skeleton(), "Data", "T", [Column([1], NUMBER), Column([], WORD), Column([], TEXT)])


def test_row_heights_and_edits_of_other_parts():
    def edit(name: str, data: bytes) -> bytes:
        return data + b"<!-- -->" if name == "docProps/app.xml" else data

    out = fill_rows(skeleton(), "Data", "T", COLUMNS, heights=[15, 30, 45, 15, 60], edit=edit)
    ws = openpyxl.load_workbook(io.BytesIO(out))["Data"]
    assert [ws.row_dimensions[r].height for r in range(2, 7)] == [15, 30, 45, 15, 60]
    assert part(out, "docProps/app.xml").endswith("<!-- -->")
    assert '<row r="3" spans="1:3" ht="30" customHeight="1">' in part(out, "xl/worksheets/sheet2.xml")
    with pytest.raises(ValueError):
        fill_rows(skeleton(), "Data", "T", COLUMNS, heights=[15])


def two_sheets() -> bytes:
    """Sheets 'A' and 'B', each a header and a table; 'B' has two probe rows whose first cells differ in style."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    plain = wb.add_format({"text_wrap": True})
    decimals = wb.add_format({"num_format": "0.00"})
    percent = wb.add_format({"num_format": "0 %"})
    a, b = wb.add_worksheet("A"), wb.add_worksheet("B")
    a.add_table(0, 0, 1, 1, {"name": "TA", "columns": [{"header": h} for h in ("id", "n")]})
    for c in range(2):
        a.write_blank(1, c, None, plain)
    b.add_table(0, 0, 3, 1, {"name": "TB", "columns": [{"header": h} for h in ("value", "text")]})
    for r, first in ((1, plain), (2, decimals), (3, percent)):
        b.write_blank(r, 0, None, first)
        b.write_blank(r, 1, None, plain)
    wb.close()
    return buf.getvalue()


def test_several_sheets_and_cells_styled_by_another_probe_row():
    out = fill_sheets(two_sheets(), [
        Rows("A", "TA", [Column(["A1", "A2"], WORD), Column([1, 2], NUMBER)]),
        Rows("B", "TB", [Column(["=cmd|x", 3.5, 0.25, None], MIXED, styles=[0, 1, 2, 0]),
                         Column(["a", "b", "c", "d"], TEXT)], heights=[15, 15, 30, 15]),
    ])
    book = openpyxl.load_workbook(io.BytesIO(out))
    assert [[c.value for c in row] for row in book["A"].iter_rows(min_row=2)] == [["A1", 1], ["A2", 2]]
    b = book["B"]
    assert [[c.value for c in row] for row in b.iter_rows(min_row=2)] == [
        ["=cmd|x", "a"], [3.5, "b"], [0.25, "c"], [None, "d"]]
    assert b["A2"].data_type == "s" and b["A2"].alignment.wrap_text
    assert [b[f"A{r}"].number_format for r in (3, 4)] == ["0.00", "0 %"]
    assert book["A"].tables["TA"].ref == "A1:B3" and b.tables["TB"].ref == "A1:B5"
    assert b.row_dimensions[4].height == 30
    with pytest.raises(ValueError, match="probe row the sheet does not have"):
        fill_sheets(two_sheets(), [Rows("B", "TB", [Column([1], MIXED, styles=[3]), Column(["a"], TEXT)])])
