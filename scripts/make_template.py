#!/usr/bin/env python3
"""Generate the deck template digireport/templates/deck.pptx (16:9) from python-pptx's default.

The deck code addresses layouts and placeholders by the names given here, so a city's own
template works when it carries the same names. The theme's colours are those of
digireport/colours.py, so a shape or chart that takes a theme colour follows the same system.
Run: .venv/bin/python scripts/make_template.py
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from pathlib import Path

from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.text import MSO_ANCHOR
from pptx.oxml import parse_xml
from pptx.util import Emu, Inches

from digireport.colours import ACCENT, THEME, rgb

TARGET = Path(__file__).resolve().parent.parent / "digireport" / "templates" / "deck.pptx"
WIDTH, HEIGHT = Emu(12192000), Emu(6858000)
OLD_WIDTH = 9144000
CITY = "PORVOO · BORGÅ"
BLUE = RGBColor.from_string(rgb(ACCENT))

# default layout name → our name; the others are removed so the template only offers these.
LAYOUTS = {
    "Title Slide": "title",
    "Section Header": "section",
    "Title and Content": "content",
    "Title Only": "chart",
    "Content with Caption": "table",
    "Two Content": "two charts",
}
PLACEHOLDER_NAMES = {
    "title": "title",
    "ctrTitle": "title",
    "subTitle": "subtitle",
    "dt": "date",
    "ftr": "city",
    "sldNum": "number",
}


def widen(shapes) -> None:
    # The default template is 4:3; stretch every shape horizontally to the 16:9 width.
    for shape in shapes:
        if shape.left is not None and shape.width is not None:
            shape.left = Emu(int(shape.left * WIDTH / OLD_WIDTH))
            shape.width = Emu(int(shape.width * WIDTH / OLD_WIDTH))


# (left, top, width, height) in inches on the 13.33 × 7.5 in slide.
FOOTER = {
    "date": (0.5, 7.0, 1.5, 0.35),
    "presenter": (2.1, 7.0, 4.5, 0.35),
    "city": (8.6, 7.0, 3.6, 0.35),
    "number": (12.3, 7.0, 0.6, 0.35),
}
GEOMETRY = {
    "title": {"title": (1.0, 0.9, 11.33, 3.0), "subtitle": (1.0, 4.2, 11.33, 1.2)},
    "section": {"title": (1.0, 2.5, 11.33, 1.5), "body": (1.0, 4.1, 11.33, 1.2)},
    "content": {"body": (0.5, 1.3, 12.33, 5.5)},
    "table": {"body": (0.5, 1.3, 12.33, 5.5), "body 2": (0.5, 1.3, 12.33, 0.4)},
    "two charts": {"body": (0.5, 1.3, 6.0, 5.5), "body 2": (6.83, 1.3, 6.0, 5.5)},
}
TITLE = (0.5, 0.3, 12.33, 0.9)


def place(layout) -> None:
    boxes = {"title": TITLE, **FOOTER, **GEOMETRY.get(layout.name, {})}
    for ph in layout.placeholders:
        left, top, width, height = boxes[ph.name]
        ph.left, ph.top, ph.width, ph.height = Inches(left), Inches(top), Inches(width), Inches(height)


def name_placeholders(layout) -> None:
    body = 0
    for ph in layout.placeholders:
        kind = ph.element.ph_type
        key = getattr(kind, "xml_value", str(kind))
        if key in PLACEHOLDER_NAMES:
            ph.name = PLACEHOLDER_NAMES[key]
        else:
            body += 1
            ph.name = "body" if body == 1 else f"body {body}"


def add_presenter(layout) -> None:
    """A body placeholder left of the date for the presenter's name, cloned from the footer."""
    city = next(ph for ph in layout.placeholders if ph.name == "city")
    sp = copy.deepcopy(city.element)
    cnv = sp.nvSpPr.cNvPr
    cnv.set("id", str(max(int(s.shape_id) for s in layout.shapes) + 1))
    cnv.set("name", "presenter")
    ph = sp.nvSpPr.nvPr.find("{http://schemas.openxmlformats.org/presentationml/2006/main}ph")
    ph.set("type", "body")
    ph.set("idx", "90")
    layout.shapes._spTree.append(sp)


A = "http://schemas.openxmlformats.org/drawingml/2006/main"
# Slide titles: left-aligned, bold, city blue, small enough for the long follow-up titles.
TITLE_STYLE = (
    f'<a:lstStyle xmlns:a="{A}"><a:lvl1pPr algn="l"><a:defRPr sz="2400" b="1">'
    f'<a:solidFill><a:srgbClr val="{rgb(ACCENT)}"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>'
)
# The cover title is the long follow-up title; four lines must fit above the date.
COVER_STYLE = (
    f'<a:lstStyle xmlns:a="{A}"><a:lvl1pPr><a:defRPr sz="3600" b="1">'
    f'<a:solidFill><a:srgbClr val="{rgb(ACCENT)}"/></a:solidFill></a:defRPr></a:lvl1pPr></a:lstStyle>'
)
# Footer text without the body placeholder's bullet and size, which the presenter would inherit.
FOOTER_STYLE = (
    f'<a:lstStyle xmlns:a="{A}"><a:lvl1pPr marL="0" indent="0"><a:buNone/>'
    '<a:defRPr sz="1000"/></a:lvl1pPr></a:lstStyle>'
)


def list_style(ph, xml: str) -> None:
    body = ph.element.txBody
    old = body.find(f"{{{A}}}lstStyle")
    new = parse_xml(xml)
    if old is not None:
        old.addprevious(new)
        body.remove(old)
    else:
        body.bodyPr.addnext(new)


def main() -> None:
    prs = Presentation()
    prs.slide_width, prs.slide_height = WIDTH, HEIGHT
    master = prs.slide_master
    widen(master.shapes)
    for layout in list(master.slide_layouts):
        if layout.name not in LAYOUTS:
            master.slide_layouts.remove(layout)
            continue
        layout.name = LAYOUTS[layout.name]
        name_placeholders(layout)
        add_presenter(layout)
        place(layout)
        for ph in layout.placeholders:
            if ph.name == "city":
                ph.text_frame.text = CITY
                ph.text_frame.paragraphs[0].runs[0].font.bold = True
                ph.text_frame.paragraphs[0].runs[0].font.color.rgb = BLUE
            if ph.name == "title" and layout.name == "title":
                list_style(ph, COVER_STYLE)
                ph.text_frame.vertical_anchor = MSO_ANCHOR.BOTTOM
            if ph.name == "title" and layout.name != "title":
                list_style(ph, TITLE_STYLE)
                ph.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
            if ph.name in ("presenter", "date", "city", "number"):
                list_style(ph, FOOTER_STYLE)
    prs.core_properties.title = "digireport"
    buf = io.BytesIO()
    prs.save(buf)
    TARGET.write_bytes(with_theme_colours(buf.getvalue()))


SCHEME = ("dk1", "lt1", "dk2", "lt2", "accent1", "accent2", "accent3", "accent4", "accent5", "accent6",
          "hlink", "folHlink")


def with_theme_colours(data: bytes) -> bytes:
    """The package `data` with its theme's colour scheme replaced by colours.THEME."""
    scheme = '<a:clrScheme name="digireport">' + "".join(
        f'<a:{name}><a:srgbClr val="{rgb(THEME[name])}"/></a:{name}>' for name in SCHEME
    ) + "</a:clrScheme>"
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            blob = src.read(item.filename)
            if item.filename.startswith("ppt/theme/"):
                text = re.sub(r"<a:clrScheme .*?</a:clrScheme>", scheme, blob.decode("utf-8"), flags=re.S)
                blob = text.encode("utf-8")
            dst.writestr(item, blob)
    return out.getvalue()


if __name__ == "__main__":
    main()
