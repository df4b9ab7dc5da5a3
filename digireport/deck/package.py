"""The .pptx package: part names, chart workbooks and fixed zip timestamps."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import struct
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

from pptx.chart.data import CategoryChartData
from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from pptx.opc.packuri import PackURI
from pptx.parts.slide import NotesSlidePart


def count_partnames(prs) -> None:
    """Give new parts (notes, charts, workbooks) their names from a counter.

    python-pptx names each new part by walking every relationship of the package, so a deck's
    build time grew with the square of its parts. The deck only ever adds parts, so after one
    walk per name pattern the next free number is the last one plus one. This replaces the
    package's `next_partname` on this presentation only.
    """
    package = prs.part.package
    last: dict[str, int] = {}

    def next_partname(tmpl: str) -> PackURI:
        if tmpl not in last:
            pattern = re.compile(re.escape(tmpl).replace("%d", r"(\d+)") + "$")
            found = (pattern.match(str(part.partname)) for part in package.iter_parts())
            last[tmpl] = max((int(m.group(1)) for m in found if m), default=0)
        last[tmpl] += 1
        return PackURI(tmpl % last[tmpl])

    package.next_partname = next_partname


def blank_slide(prs, layout):
    """A new last slide of `layout` without the layout's placeholders.

    This is python-pptx's `Slides.add_slide` less its copying of the layout's placeholders,
    which costs several XPath queries per placeholder; the deck writes each slide's shapes
    itself. The two calls are python-pptx's own part and XML methods.
    """
    rid, slide = prs.part.add_slide(layout)
    prs.element.get_or_add_sldIdLst().add_sldId(rid)
    return slide


def copy_notes_slide(slide, blank):
    """A notes slide for `slide` made from `blank`, the XML of a still empty notes slide that
    python-pptx made for an earlier slide of the same presentation.

    python-pptx's `slide.notes_slide` copies the notes master's placeholders one at a time with
    XPath queries for each, which cost more than the chart the notes describe. This is its
    `NotesSlidePart.new` with a copy of the finished placeholders instead.
    """
    part = slide.part
    package = part.package
    notes = NotesSlidePart(
        package.next_partname("/ppt/notesSlides/notesSlide%d.xml"),
        CONTENT_TYPE.PML_NOTES_SLIDE,
        package,
        copy.deepcopy(blank),
    )
    notes.relate_to(package.presentation_part.notes_master_part, RELATIONSHIP_TYPE.NOTES_MASTER)
    notes.relate_to(part, RELATIONSHIP_TYPE.SLIDE)
    part.relate_to(notes, RELATIONSHIP_TYPE.NOTES_SLIDE)
    return notes.notes_slide


class ChartData(CategoryChartData):
    """Category chart data whose embedded workbook is written here: one sheet, the same cells
    python-pptx's writer would fill (categories in A2…, each series' name in row 1 and its values
    below), fixed timestamps and no creation date, so "Edit data" works and the bytes repeat."""

    @property
    def xlsx_blob(self) -> bytes:
        labels = [str(category.label) for category in self.categories]
        return workbook_blob(labels, [(series.name, series.values) for series in self])


_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="styles.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>'
        "</Relationships>"
    ),
    # The least style sheet Excel asks for: one font, the two reserved fills, one border, Normal.
    "xl/styles.xml": (
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill>'
        '<fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
        "</styleSheet>"
    ),
}
_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")


def _column(n: int) -> str:
    name = ""
    while n:
        n, rest = divmod(n - 1, 26)
        name = chr(65 + rest) + name
    return name


def _text_cell(ref: str, text: str) -> str:
    text = _CONTROL.sub("", text)
    space = ' xml:space="preserve"' if text != text.strip() else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{escape(text)}</t></is></c>'


def _number_cell(ref: str, value) -> str:
    if value is None:
        return ""
    return f'<c r="{ref}"><v>{int(value) if float(value).is_integer() else repr(float(value))}</v></c>'


def workbook_blob(labels: Sequence[str], series: Sequence[tuple[str, Sequence[float | None]]]) -> bytes:
    """An .xlsx with the chart's categories in column A and one column per series."""
    columns = [(_column(2 + i), name, values) for i, (name, values) in enumerate(series)]
    rows = ['<row r="1">' + "".join(_text_cell(f"{c}1", name) for c, name, _v in columns) + "</row>"]
    for i, label in enumerate(labels):
        r = i + 2
        cells = _text_cell(f"A{r}", label) + "".join(_number_cell(f"{c}{r}", values[i]) for c, _n, values in columns)
        rows.append(f'<row r="{r}">{cells}</row>')
    sheet = (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cols><col min="1" max="1" width="40" customWidth="1"/></cols>'
        f"<sheetData>{''.join(rows)}</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, xml in (*_WORKBOOK_PARTS.items(), ("xl/worksheets/sheet1.xml", sheet)):
            zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), _DECLARATION + xml)
    return out.getvalue()


def fixed_timestamps(data: bytes, moment: dt.datetime) -> bytes:
    """The zip `data` with every entry's modification time set to `moment`.

    The dates sit at fixed offsets of each local header and central directory entry (PKWARE
    APPNOTE 4.3.7, 4.3.12), so they are written in place instead of compressing every part a
    second time.
    """
    buf = bytearray(data)
    stamp = struct.pack(
        "<HH",
        (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2),
        ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day,
    )
    end = buf.rfind(b"PK\x05\x06")
    entries, _size, pos = struct.unpack_from("<HII", buf, end + 10)
    for _ in range(entries):
        if buf[pos : pos + 4] != b"PK\x01\x02":
            raise ValueError("not a zip central directory entry")
        buf[pos + 12 : pos + 16] = stamp
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, pos + 28)
        (local,) = struct.unpack_from("<I", buf, pos + 42)
        if buf[local : local + 4] != b"PK\x03\x04":
            raise ValueError("not a zip local header")
        buf[local + 10 : local + 14] = stamp
        pos += 46 + name_len + extra_len + comment_len
    return bytes(buf)
