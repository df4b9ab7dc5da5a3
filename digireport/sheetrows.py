"""Bulk rows of one worksheet of a finished .xlsx, written column by column.

xlsxwriter spends about five microseconds and several small objects on every cell it writes;
a roll-up of 30,000 projects has over half a million cells. The workbook stage therefore lets
xlsxwriter write the sheet's structure (header row, column widths, the table, frozen panes,
print setup) and probe rows whose cells carry the style of each column, and this module
replaces the probe rows with the real rows, built per column as plain strings, then rewrites the
dimension, the table's range and the shared-string table to match. One probe row gives each
column its style; a column whose cells differ in style (numbers written with their own decimals
among texts, say) names for each cell the probe row whose style it takes.

Only the parts' public XML is read: styles are copied from the probe row's cells, the sheet and
table are found by name through the workbook's relationships. A part not shaped as expected is a
bug (a changed xlsxwriter, say), raised as RuntimeError rather than guessed around.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import filterfalse
from operator import is_not
from xml.etree import ElementTree

from digireport.ooxml import MAIN_NS, WORKBOOK, column_letters, escape_text, related_part, rewrite, sheet_id

SHARED_STRINGS = "xl/sharedStrings.xml"
PROBE_ROW = 2  # 1-based: the row under the header

# Rows are built and compressed a slice at a time, so memory does not grow with the roadmap.
CHUNK_ROWS = 4096

# Deflate level for the rewritten file. At 30,000 projects the sheet is about 28 MB of XML:
# zlib's default level 6 (what xlsxwriter uses) spends 0.29 s of CPU on it, level 4 0.14 s and
# level 2 0.10 s, for a file about a quarter larger than level 6's; level 1 saves no more time.
COMPRESSION = 2

# Excel's escapes for text: control characters become _xHHHH_, and a literal _xHHHH_ has its
# underscore escaped so that it reads back as typed (the same rules xlsxwriter applies).
_LITERAL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")
_CONTROL_BUT_NUL = re.compile(r"[\x01-\x08\x0b-\x1f]")
_UNESCAPE = re.compile(r"_x([0-9a-fA-F]{4})_")
_SEPARATOR = "\x00"


NUMBER, TEXT, WORD, MIXED = "number", "text", "word", "mixed"


@dataclass(frozen=True)
class Column:
    """One column's values for every data row; None (or "" for text) leaves the cell empty.

    `kind` says how the cells are stored: NUMBER as numbers; WORD, for the few distinct words
    of a vocabulary, in the shared-string table, each word once; TEXT, for free text such as
    names that hardly ever repeat, in the cell itself (an inline string, as xlsxwriter's own
    constant-memory mode writes every string), which spares indexing every name to share none;
    MIXED, numbers as numbers and strings as TEXT.

    `styles`, if given, names for every cell the probe row (0 for the first) whose cell in this
    column gives it its style; otherwise every cell takes the first probe row's.
    """

    values: list[object]
    kind: str = WORD
    styles: list[int] | None = None


@dataclass(frozen=True)
class Rows:
    """The rows that replace the probe rows of `sheet`, whose `table` then spans them.

    `heights` gives each row's height in points (wrapped text needs them: a spreadsheet does not
    fit rows to their text when it opens a file)."""

    sheet: str
    table: str
    columns: Sequence[Column]
    heights: Sequence[float] | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("no columns")
        n = len(self.columns[0].values)
        if any(len(c.values) != n for c in self.columns):
            raise ValueError("columns of different lengths")
        if any(c.kind not in (NUMBER, TEXT, WORD, MIXED) for c in self.columns):
            raise ValueError("unknown column kind")
        if any(c.styles is not None and len(c.styles) != n for c in self.columns):
            raise ValueError("styles and values of different lengths")
        if self.heights is not None and len(self.heights) != n:
            raise ValueError("heights and columns of different lengths")

    @property
    def count(self) -> int:
        return len(self.columns[0].values)


def fill_rows(xlsx: bytes, sheet: str, table: str, columns: Sequence[Column],
              heights: Sequence[float] | None = None,
              edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """`xlsx` with the probe rows of `sheet` replaced by the rows of `columns`, and `table` spanning them."""
    return fill_sheets(xlsx, [Rows(sheet, table, columns, heights)], edit)


def fill_sheets(xlsx: bytes, fills: Sequence[Rows], edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """`xlsx` with the probe rows of each sheet of `fills` replaced by its rows, its table spanning them.

    The probe rows must be the sheet's last rows, right under the header, each with one styled
    cell per column, and the table must cover the header and the probe rows; the result covers
    the header and every value row. `edit(name, data)` may change any other part as it is
    copied, so the file is compressed once.
    """
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zin:
        names = [info.filename for info in zin.infolist()]
        if SHARED_STRINGS not in names:
            raise RuntimeError("the workbook has no shared strings")
        sheets: dict[str, tuple[Rows, tuple[str, str, list[list[str]], str]]] = {}
        tables: dict[str, str] = {}
        for fill in fills:
            part = _sheet_part(zin, fill.sheet)
            split = _split_sheet(zin.read(part).decode("utf-8"), len(fill.columns), fill.count)
            sheets[part] = (fill, split)
            table = _table_part(zin, names, fill.table)
            tables[table] = _stretch_table(zin.read(table).decode("utf-8"), len(split[2]) + 1, max(fill.count, 1) + 1)
        shared = _SharedStrings(zin.read(SHARED_STRINGS).decode("utf-8"))
        # The shared strings are complete only once the rows are built: the part keeps its place,
        # unless that is before a filled sheet (not so in xlsxwriter's files).
        order = [name for name in names if name != SHARED_STRINGS]
        order.insert(max([names.index(SHARED_STRINGS), *(order.index(p) + 1 for p in sheets)]), SHARED_STRINGS)

        def sheet_xml(fill: Rows, split: tuple[str, str, list[list[str]], str]):
            head, row_attrs, styles, tail = split
            yield head.encode("utf-8")
            for body in _rows(fill.count, row_attrs, styles, fill.columns, shared, fill.heights):
                yield body.encode("utf-8")
            yield tail.encode("utf-8")

        def content(name: str):
            if name in sheets:
                return sheet_xml(*sheets[name])
            if name in tables:
                return tables[name].encode("utf-8")
            if name == SHARED_STRINGS:
                return shared.xml()
            return edit(name, zin.read(name)) if edit is not None else None

        return rewrite(zin, content, order=order, compresslevel=COMPRESSION)


def _sheet_part(zin: zipfile.ZipFile, sheet: str) -> str:
    rid = sheet_id(zin, sheet)
    if rid is None:
        raise RuntimeError(f"no sheet named {sheet!r}")
    target = related_part(zin, WORKBOOK, lambda rel: rel.id == rid)
    if target is None:
        raise RuntimeError(f"sheet {sheet!r} has no part")
    return target


def _table_part(zin: zipfile.ZipFile, names: list[str], table: str) -> str:
    for name in sorted(names):
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            if ElementTree.fromstring(zin.read(name)).get("displayName") == table:
                return name
    raise RuntimeError(f"no table named {table!r}")


_ROW = re.compile(r'<row r="(\d+)"([^>]*)>(.*?)</row>')


def _split_sheet(xml: str, width: int, n: int) -> tuple[str, str, list[list[str]], str]:
    """(sheet before the rows, attributes of a row, style of each column in each probe row, sheet after the rows)."""
    first = xml.find(f'<row r="{PROBE_ROW}"')
    end = xml.find("</sheetData>", max(first, 0))
    if first < 0 or end < 0:
        raise RuntimeError("the sheet has no probe row")
    probes = list(_ROW.finditer(xml, first, end))
    if not probes or probes[-1].end() != end or [int(p.group(1)) for p in probes] != list(
            range(PROBE_ROW, PROBE_ROW + len(probes))):
        raise RuntimeError("the probe rows are not the sheet's last rows")
    letters = [column_letters(c) for c in range(1, width + 1)]
    styles = []
    for probe in probes:
        cells = re.findall(rf'<c r="([A-Z]+){probe.group(1)}" s="(\d+)"/>', probe.group(3))
        if [letter for letter, _s in cells] != letters:
            raise RuntimeError("a probe row does not have one styled cell per column")
        styles.append([s for _letter, s in cells])
    dimension = f'<dimension ref="A1:{letters[-1]}{n + 1}"/>'
    head, found = re.subn(r'<dimension ref="[^"]*"/>', dimension, xml[:first])
    if found != 1:
        raise RuntimeError("the sheet has no dimension")
    return head, probes[0].group(2), styles, xml[end:]


def _stretch_table(xml: str, probe_end: int, last_row: int) -> str:
    """The table (and its filter), which ends at row `probe_end`, reaching down to `last_row`."""
    old = re.search(rf'<table\b[^>]*\sref="([A-Z]+1):([A-Z]+){probe_end}"', xml)
    if old is None:
        raise RuntimeError("the table does not cover the header and the probe rows")
    ref = f"{old.group(1)}:{old.group(2)}{probe_end}"
    stretched, found = re.subn(f'ref="{ref}"', f'ref="{old.group(1)}:{old.group(2)}{last_row}"', xml)
    if found != xml.count('ref="'):
        raise RuntimeError("the table has ranges other than its own")
    return stretched


class _SharedStrings:
    """The workbook's shared-string table, which the words of the new rows are added to.

    Every entry has a key, so that the next new string's index is the table's length: rich text
    and repeated entries get keys no text equals, and are never reused for a plain string.
    """

    def __init__(self, xml: str) -> None:
        root = ElementTree.fromstring(xml)
        entries = root.findall(f"{{{MAIN_NS}}}si")
        if len(entries) != int(root.get("uniqueCount", -1)) or not xml.endswith("</sst>"):
            raise RuntimeError("the shared strings are not as written by xlsxwriter")
        self.index: dict[object, int] = {}
        for k, si in enumerate(entries):
            t = si.find(f"{{{MAIN_NS}}}t")
            text = (_UNESCAPE.sub(lambda m: chr(int(m.group(1), 16)), t.text or "")
                    if t is not None and len(si) == 1 else None)
            self.index[("entry", k) if text is None or text in self.index else text] = k
        self.existing = len(entries)
        self.count = int(root.get("count", 0))  # cells referring to a shared string
        self.head = xml[: -len("</sst>")]

    def tails(self, values: list[object]) -> list[str]:
        """The cell tails of a column of words.

        Each distinct word gets its index and its tail once; the cells are then one look-up
        each, done by `map` without a Python step per cell. New strings are numbered in the
        order they first appear, so the same roadmap gives the same table.
        """
        index = self.index
        distinct = dict.fromkeys(values)
        distinct.pop(None, None)
        distinct.pop("", None)
        fresh = list(filterfalse(index.__contains__, distinct))
        index.update(zip(fresh, range(len(index), len(index) + len(fresh)), strict=True))
        tail_of = dict(zip(distinct, map(' t="s"><v>%d</v></c>'.__mod__, map(index.__getitem__, distinct)),
                           strict=True))
        tail_of[None] = tail_of[""] = EMPTY_TAIL
        self.count += len(values) - values.count(None) - values.count("")
        return list(map(tail_of.__getitem__, values))

    def xml(self) -> bytes:
        """The part with the new strings appended and its counts updated."""
        start = re.search(r"<sst\b[^>]*>", self.head)
        new = [s for s, i in self.index.items() if i >= self.existing]
        tag = re.sub(r'\scount="\d+"', f' count="{self.count}"', start.group(0))
        tag = re.sub(r'\suniqueCount="\d+"', f' uniqueCount="{len(self.index)}"', tag)
        head = self.head[:start.start()] + tag + self.head[start.end():]
        return (head + _si_elements(new) + "</sst>").encode("utf-8")


def _si_elements(strings: list[str]) -> str:
    """<si> elements for `strings`."""
    return "".join(_texts(strings, "<si><t>%s</t></si>", '<si><t xml:space="preserve">%s</t></si>'))


def _texts(strings: list[str], plain: str, preserved: str) -> list[str]:
    """Each string escaped into the %-template `plain`, or `preserved` if it starts or ends in whitespace.

    The strings are escaped as one text and split again, and the whitespace test compares each
    string with its stripped self in C: no Python step per string unless one needs preserving.
    """
    if not strings:
        return []
    blob = _SEPARATOR.join(strings)
    if blob.count(_SEPARATOR) == len(strings) - 1:
        escaped = _escape(blob, _CONTROL_BUT_NUL).split(_SEPARATOR)
    else:  # a string holds the separator itself: escape string by string
        escaped = [_escape(s, _CONTROL) for s in strings]
    # str.strip returns the very same string when there is nothing to strip
    if any(map(is_not, escaped, map(str.strip, escaped))):
        return [(preserved if s[:1].isspace() or s[-1:].isspace() else plain) % s for s in escaped]
    return list(map(plain.__mod__, escaped))


def _escape(text: str, control: re.Pattern) -> str:
    """Text as Excel reads it back: its escapes for control characters, then XML's."""
    text = _LITERAL_ESCAPE.sub(r"_x005F\1", text)
    text = control.sub(lambda m: f"_x{ord(m.group(0)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return escape_text(text)


# A cell is written as its head, <c r="B7" s="2", which only the row and column decide, and its
# tail, which only the value decides: ' t="s"><v>12</v></c>' for the 13th shared string,
# ' t="inlineStr"><is><t>Name</t></is></c>' for text kept in the cell, '><v>3000</v></c>' for a
# number, '/>' for an empty cell (styled like its column, as xlsxwriter writes empty cells).
EMPTY_TAIL = "/>"


def _inline_tails(values: list[object]) -> list[str]:
    """The tails of a column of free text, each text escaped into its own cell."""
    texts = [v or "" for v in values]
    tails = _texts(texts, ' t="inlineStr"><is><t>%s</t></is></c>',
                   ' t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>')
    if "" in texts:
        tails = [t if v else EMPTY_TAIL for v, t in zip(texts, tails, strict=True)]
    return tails


def _number_tails(values: list[object]) -> list[str]:
    # %.16G is how xlsxwriter writes numbers; infinities and NaN have no cell value, so stay empty
    return [f"><v>{v:.16G}</v></c>" if v is not None and math.isfinite(v) else EMPTY_TAIL for v in values]


def _mixed_tails(values: list[object]) -> list[str]:
    """The tails of a column of numbers and texts: numbers as numbers, texts in their cells."""
    texts = [v if isinstance(v, str) else "" for v in values]
    numbers = _number_tails([None if isinstance(v, str) else v for v in values])
    return [n if t == "" else i for t, n, i in zip(texts, numbers, _inline_tails(texts), strict=True)]


def _rows(n: int, row_attrs: str, styles: list[list[str]], columns: Sequence[Column], shared: _SharedStrings,
          heights: Sequence[float] | None = None):
    """The <row> elements, a slice of rows at a time, so memory does not grow with the rows.

    Each column's cell tails are built in one pass over the slice; one %-template per row holds
    every cell's head, and `map` fills in the row number and the tails, so building a row is a
    single formatting call in C.
    """
    if any(max(c.styles, default=0) >= len(styles) for c in columns if c.styles is not None):
        raise ValueError("a cell takes its style from a probe row the sheet does not have")
    template = f'<row r="%s"{row_attrs.replace("%", "%%")}%s>' + "".join(
        f'<c r="{column_letters(c + 1)}%s" s="{"%s" if column.styles is not None else styles[0][c]}"%s'
        for c, column in enumerate(columns)) + "</row>"
    build = {NUMBER: _number_tails, TEXT: _inline_tails, WORD: shared.tails, MIXED: _mixed_tails}
    for start in range(0, n, CHUNK_ROWS):
        stop = min(n, start + CHUNK_ROWS)
        numbers = list(map(str, range(start + PROBE_ROW, stop + PROBE_ROW)))
        if heights is None:
            attrs = [""] * (stop - start)
        else:
            attrs = list(map(' ht="%g" customHeight="1"'.__mod__, heights[start:stop]))
        args = [numbers, attrs]
        for c, column in enumerate(columns):
            args.append(numbers)
            if column.styles is not None:
                args.append(list(map([probe[c] for probe in styles].__getitem__, column.styles[start:stop])))
            args.append(build[column.kind](column.values[start:stop]))
        yield "".join(map(template.__mod__, zip(*args, strict=True)))
