"""A deck's outline: what each slide says, as plain JSON-ready data, read through python-pptx.

The reference outlines of the sample decks (tests/outlines/) are compared with this, so every
change to the decks shows as a readable diff; scripts/deck_outlines.py writes them anew.
"""

from __future__ import annotations

import io
import json

from pptx import Presentation


def outline(data: bytes) -> list[dict]:
    """Per slide: layout, title, texts, table cells, chart categories and values, notes."""
    prs = Presentation(io.BytesIO(data))
    slides = []
    for slide in prs.slides:
        item: dict = {"layout": slide.slide_layout.name, "title": slide.shapes.title.text_frame.text}
        texts, tables, charts = [], [], []
        for shape in slide.shapes:
            if shape.has_chart:
                chart = shape.chart
                plot = chart.plots[0]
                charts.append({
                    "type": str(chart.chart_type).split(" ")[0],
                    "name": shape.name,
                    "categories": [str(c) for c in plot.categories],
                    "values": [v for s in plot.series for v in s.values],
                })
            elif shape.has_table:
                tables.append([[c.text for c in row.cells] for row in shape.table.rows])
            elif shape.has_text_frame and shape != slide.shapes.title and shape.text_frame.text:
                if shape.is_placeholder and shape.name in ("date", "number", "city"):
                    continue
                texts.append(shape.text_frame.text)
        if texts:
            item["texts"] = texts
        if tables:
            item["tables"] = tables
        if charts:
            item["charts"] = charts
        if slide.has_notes_slide:
            item["notes"] = slide.notes_slide.notes_text_frame.text
        slides.append(item)
    return slides


def dumps(slides: list[dict]) -> str:
    """The outline as stable, line-per-value JSON: diffs read slide by slide."""
    return json.dumps(slides, ensure_ascii=False, indent=1) + "\n"
