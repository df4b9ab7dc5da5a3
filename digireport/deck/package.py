"""The .pptx package: new slides and notes, part names, chart workbooks and fixed zip timestamps.

python-pptx's public calls for a new slide and its notes grow with the size of the deck: every
new part is named by walking every relationship of the package, a slide clones its layout's
placeholders and a notes slide its master's with XPath queries for each. The paths named in
`FAST` (each measured in docs/performance.md, benchmarks/deck_paths.py) replace these with the
equivalents below; without them the deck uses python-pptx's public calls only.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import struct

from pptx.chart.data import CategoryChartData
from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from pptx.opc.packuri import PackURI
from pptx.parts.slide import NotesSlidePart

FAST: set[str] = {"partnames", "slides", "notes"}


def count_partnames(prs) -> None:
    """Give new parts (slides, notes, charts, workbooks) their names from a counter.

    The deck only ever adds parts, so after one walk per name pattern the next free number is
    the last one plus one. This replaces the package's `next_partname` on this presentation only.
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
    """A new last slide of `layout` without the layout's placeholders: python-pptx's
    `Slides.add_slide` less its copying of the placeholders, which the deck writes itself."""
    rid, slide = prs.part.add_slide(layout)
    prs.element.get_or_add_sldIdLst().add_sldId(rid)
    return slide


def copy_notes_slide(slide, blank):
    """A notes slide for `slide` made from `blank`, the XML of a still empty notes slide that
    python-pptx made for an earlier slide: its `NotesSlidePart.new` with a copy of the finished
    placeholders instead of assembling them from the notes master again."""
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
    """Category chart data whose embedded workbook is dated `created` (the indicator workbook's
    module writes it: xlsxwriter is imported there only).

    python-pptx's own writer stamps the workbook with the time of the build, so no two decks
    would be the same bytes. The cells are those python-pptx's chart XML refers to: categories in
    A2…, each series' name in row 1 and its values below, so "Edit data" opens the chart's data."""

    def __init__(self, created: dt.datetime):
        super().__init__()
        self.created = created

    @property
    def xlsx_blob(self) -> bytes:
        from digireport.workbook import chart_workbook

        return chart_workbook([str(category.label) for category in self.categories],
                              [(series.name, series.values) for series in self], self.created)


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
