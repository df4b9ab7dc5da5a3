"""The .pptx package: new slides and chart workbooks.

python-pptx's `slides.add_slide` clones each of the layout's placeholders with XPath queries,
which the deck then removes. The paths named in `FAST` (measured in docs/performance.md with
benchmarks/deck_paths.py) replace such a public call with the equivalent below; without them
the deck uses python-pptx's public calls only.
"""

from __future__ import annotations

import datetime as dt

from pptx.chart.data import CategoryChartData

FAST: set[str] = {"slides"}


def blank_slide(prs, layout):
    """A new last slide of `layout` without the layout's placeholders: python-pptx's
    `Slides.add_slide` less its copying of the placeholders, which the deck writes itself."""
    rid, slide = prs.part.add_slide(layout)
    prs.element.get_or_add_sldIdLst().add_sldId(rid)
    return slide


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

