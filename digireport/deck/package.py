"""The .pptx package: new slides, their notes slides, and chart workbooks.

python-pptx's `slides.add_slide` clones each of the layout's placeholders with XPath queries,
which the deck then removes; `slide.notes_slide` names each new notes part by walking every
relationship of the package, so a long deck's notes cost grows with the square of its slides,
and assembles each from the notes master again. The paths named in `FAST` (measured in
docs/performance.md with benchmarks/deck_paths.py) replace such a public call with the
equivalent below; without them the deck uses python-pptx's public calls only.
"""

from __future__ import annotations

import copy
import datetime as dt

from pptx.chart.data import CategoryChartData
from pptx.opc.constants import CONTENT_TYPE, RELATIONSHIP_TYPE
from pptx.opc.packuri import PackURI
from pptx.parts.slide import NotesSlidePart

FAST: set[str] = {"slides", "notes"}
NOTES_PARTNAME = "/ppt/notesSlides/notesSlide%d.xml"


def blank_slide(prs, layout):
    """A new last slide of `layout` without the layout's placeholders: python-pptx's
    `Slides.add_slide` less its copying of the placeholders, which the deck writes itself."""
    rid, slide = prs.part.add_slide(layout)
    prs.element.get_or_add_sldIdLst().add_sldId(rid)
    return slide


class Notes:
    """The notes slides of one deck: the first made by python-pptx's public `slide.notes_slide`,
    each later one a copy of that first one while still empty, named from a counter (the deck
    only adds notes slides, and python-pptx names the first `notesSlide1`)."""

    def __init__(self) -> None:
        self.blank = None
        self.count = 0

    def of(self, slide):
        """`slide`'s new notes slide, empty."""
        if "notes" not in FAST:
            return slide.notes_slide
        if self.blank is None:
            notes = slide.notes_slide
            self.blank = copy.deepcopy(notes.element)
            self.count = 1
            return notes
        self.count += 1
        part = slide.part
        package = part.package
        notes_part = NotesSlidePart(PackURI(NOTES_PARTNAME % self.count), CONTENT_TYPE.PML_NOTES_SLIDE, package,
                                    copy.deepcopy(self.blank))
        notes_part.relate_to(package.presentation_part.notes_master_part, RELATIONSHIP_TYPE.NOTES_MASTER)
        notes_part.relate_to(part, RELATIONSHIP_TYPE.SLIDE)
        part.relate_to(notes_part, RELATIONSHIP_TYPE.NOTES_SLIDE)
        return notes_part.notes_slide


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

