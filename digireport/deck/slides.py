"""Slides by kind: title, bullets, charts and paginated tables, with footer, notes and alt text."""

from __future__ import annotations

import copy
import functools
import math
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.lang import MSO_LANGUAGE_ID
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches, Pt

import digireport.deck.package as package
from digireport.colours import BACKGROUND, INK, LINE, MUTED, SURFACE, rgb
from digireport.deck.check import tag_chart
from digireport.deck.metrics import LINE_SPACING, WIDTHS
from digireport.deck.package import ChartData
from digireport.i18n import LANGUAGE_TAGS, _
from digireport.ooxml import escape_attribute, escape_text

TOP = Inches(1.3)
BOTTOM = Inches(6.9)
LEFT = Inches(0.5)
WIDTH = Inches(12.33)
TABLE_FONT = 12
SUBTITLE_HEIGHT = Inches(0.5)
CELL_MARGIN_PT = 7.2 * 2
CELL_MARGIN_Y = Pt(3.6)
# Share of a cell's inner width the row estimate lets a line fill: renderers differ a little in
# kerning and rounding, and a word that just fits in one may wrap in another.
FIT = 0.97
NBSP = "\u00a0"
# The colour-marker glyph before a status or traffic-light word in a table cell.
MARKER = "\u25a0"
# Chart segments smaller than this share get no label on the ring; the key beside says it.
RING_LABEL_MIN = 0.06

_SECTIONS_URI = "{521415D9-36F7-43E2-AB2F-B90AF26B5E84}"
_P14 = "http://schemas.microsoft.com/office/powerpoint/2010/main"
_FOOTER = ("date", "presenter", "city", "number")
LANGUAGE_IDS = {"fi-FI": MSO_LANGUAGE_ID.FINNISH, "sv-FI": MSO_LANGUAGE_ID.SWEDISH_FINLAND}


@dataclass(frozen=True)
class Run:
    """A piece of text in one language (None: the deck's), optionally in a colour."""

    text: str
    lang: str | None = None
    colour: str | None = None


@dataclass(frozen=True)
class Cell:
    """A table cell: its runs and its alignment (l or r)."""

    runs: tuple[Run, ...]
    align: str = "l"

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)


def cell(text: str, align: str = "l", lang: str | None = None) -> Cell:
    return Cell((Run(text, lang),), align)


def whole_percent(loc, ratio: float) -> str:
    """`31 %` with a non-breaking space, as both languages write it."""
    return _whole_percent(loc, round(ratio, 4))


@functools.lru_cache(maxsize=1024)
def _whole_percent(loc, ratio: float) -> str:
    return loc.percent(ratio, 0).replace(" ", NBSP)


@functools.lru_cache(maxsize=1024)
def count_share(loc, n: int, total: int) -> str:
    """The label of a count and its whole percent, kept on one line: `8 · 31 %`."""
    return f"{loc.integer(n)}{NBSP}·{NBSP}{whole_percent(loc, n / total if total else 0)}"


class Deck:
    """One presentation being built in one language."""

    def __init__(self, prs, loc, footer: dict[str, str | None], created):
        self.prs = prs
        self.loc = loc
        self.footer = footer
        self.created = created  # the report date: the date of every part, so builds repeat byte for byte
        self._layouts = {lay.name: lay for lay in prs.slide_layouts}
        self.sections: list[tuple[str, int]] = []  # (name, index of its first slide)
        self._starts: dict[tuple, list] = {}
        self._notes = package.Notes()

    @property
    def count(self) -> int:
        return len(self.prs.slides)

    def section(self, name: str) -> None:
        """The next slides form a PowerPoint section called `name`."""
        self.sections.append((name, self.count))

    def slide(self, layout_name: str, title: str, keep: Sequence[str] = (), number: bool = True,
              footer: bool = True):
        """A slide of the named layout with its title, the footer and the placeholders in `keep`;
        the layout's other placeholders are left out so no empty prompt text shows."""
        lay = self._layouts[layout_name]
        if "slides" in package.FAST:
            key = (layout_name, tuple(keep), number, footer)
            if key not in self._starts:
                self._starts[key] = self._start(lay, keep, number, footer)
            slide = package.blank_slide(self.prs, lay)
            tree = slide.shapes.element
            for sp in self._starts[key]:
                tree.append(copy.deepcopy(sp))
        else:
            slide = self.prs.slides.add_slide(lay)
            names = {ph.placeholder_format.idx: ph.name for ph in lay.placeholders}
            for ph in list(slide.placeholders):
                name = names.get(ph.placeholder_format.idx)
                if name == "title" or name in keep:
                    ph.name = name
                else:
                    ph.element.getparent().remove(ph.element)
            tree = slide.shapes.element
            next_id = max(int(sp.get("id")) for sp in tree.iter(qn("p:cNvPr"))) + 1
            for sp in self._footer(lay, number, footer):
                sp.find(f"{qn('p:nvSpPr')}/{qn('p:cNvPr')}").set("id", str(next_id))
                next_id += 1
                tree.append(sp)
        slide.shapes.title.text_frame.text = title
        return slide

    def _footer(self, lay, number: bool, footer: bool) -> list:
        """The footer placeholders of a slide of `lay`, copied whole from the layout with their text:
        a slide does not inherit them."""
        shapes = []
        found = {ph.name: ph for ph in lay.placeholders if ph.name in _FOOTER}
        for name in _FOOTER:
            text = self.footer.get(name)
            if name not in found or (name in ("date", "presenter") and not text) or (name == "number" and not number):
                continue
            if not footer and name != "city":
                continue
            sp = copy.deepcopy(found[name].element)
            if text:
                body = sp.find(qn("p:txBody"))
                for para in body.findall(qn("a:p")):
                    body.remove(para)
                body.append(parse_xml(f"<a:p {nsdecls('a')}><a:r><a:t>{escape_text(text)}</a:t></a:r></a:p>"))
            shapes.append(sp)
        return shapes

    def _start(self, lay, keep: Sequence[str], number: bool, footer: bool) -> list:
        """The shapes a slide of `lay` starts with, made once per kind of slide: the title and the
        `keep` placeholders empty, inheriting place and style from the layout, then the footer."""
        placeholders = {ph.name: ph for ph in lay.placeholders}
        shapes = []
        for name in ("title", *keep):
            ph = copy.deepcopy(placeholders[name].element.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}"))
            sp = parse_xml(
                f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="0" name="{escape_attribute(name)}"/>'
                '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr/></p:nvSpPr><p:spPr/>'
                "<p:txBody><a:bodyPr/><a:lstStyle/><a:p/></p:txBody></p:sp>"
            )
            sp.find(f"{qn('p:nvSpPr')}/{qn('p:nvPr')}").append(ph)
            shapes.append(sp)
        shapes += self._footer(lay, number, footer)
        for n, sp in enumerate(shapes, start=2):
            sp.find(f"{qn('p:nvSpPr')}/{qn('p:cNvPr')}").set("id", str(n))
        return shapes

    def placeholder(self, slide, name: str):
        return next(ph for ph in slide.placeholders if ph.name == name)

    def bullets(self, slide, lines: Sequence[tuple[int, str | Sequence[Run]]], name: str = "body", size: int = 20):
        """Paragraphs of the named placeholder; a line is text or runs, at an indent level."""
        body = self.placeholder(slide, name).text_frame
        body.word_wrap = True
        for i, (level, line) in enumerate(lines):
            para = body.paragraphs[0] if i == 0 else body.add_paragraph()
            para.level = level
            self.write_runs(para, [Run(line)] if isinstance(line, str) else line, Pt(size if level == 0 else size - 2))
        return body

    def write_runs(self, para, runs: Sequence[Run], size=None, bold: bool | None = None) -> None:
        for r in runs:
            run = para.add_run()
            run.text = r.text
            if size is not None:
                run.font.size = size
            if bold is not None:
                run.font.bold = bold
            if r.colour:
                run.font.color.rgb = RGBColor.from_string(rgb(r.colour))
            run.font.language_id = LANGUAGE_IDS[self.tag(r.lang)]

    def tag(self, lang: str | None) -> str:
        """The language tag of text in `lang` (None: the deck's language)."""
        return LANGUAGE_TAGS[lang or self.loc.lang]

    def text_box(self, slide, left, top, width, height, paragraphs, name: str, size: int = 16, bold=False,
                 align=None, anchor=None):
        """A text box of paragraphs, each text or runs."""
        box = slide.shapes.add_textbox(left, top, width, height)
        box.name = name
        frame = box.text_frame
        frame.word_wrap = True
        if anchor is not None:
            frame.vertical_anchor = anchor
        for i, line in enumerate(paragraphs):
            para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            if align is not None:
                para.alignment = align
            self.write_runs(para, [Run(line)] if isinstance(line, str) else line, Pt(size), bold)
        return box

    def subtitle(self, slide, text: str | Sequence[Run], top=TOP, lines: int = 1) -> None:
        paragraphs = text.split("\n") if isinstance(text, str) else [text]
        self.text_box(slide, LEFT, top, WIDTH, SUBTITLE_HEIGHT * lines, paragraphs, "subtitle", size=18, bold=True)

    def notes(self, slide, talk: Sequence[str], data: Sequence[str] = ()) -> None:
        """Speaker notes: the talking points, then the slide's full data, a line each."""
        notes = self._notes.of(slide)
        # one text assignment: the lines become paragraphs; tag_language gives them the deck's language
        notes.notes_text_frame.text = "\n".join([" ".join(talk), *(["", *data] if data else [])])

    def chart(
        self,
        slide,
        kind: str,
        name: str,
        labels: Sequence[str],
        values: Sequence[int],
        colours: Sequence[str],
        box,
        total: int | None = None,
        shares: bool = True,
    ):
        """A native chart with its data embedded and no chart title (the slide title says it).

        Categories with no projects are left out. Labels give each count and its whole share of
        `total` (`8 · 31 %`). A doughnut shows no legend: a key beside it names each colour and
        the total stands in its hole."""
        kept = [(lab, v, c) for lab, v, c in zip(labels, values, colours, strict=True) if v]
        labels = [k[0] for k in kept]
        values = [k[1] for k in kept]
        colours = [k[2] for k in kept]
        total = total if total is not None else sum(values)
        left, top, width, height = box
        data = ChartData(created=self.created)
        data.categories = labels
        data.add_series(name, values)
        chart_type = {
            "doughnut": XL_CHART_TYPE.DOUGHNUT,
            "bar": XL_CHART_TYPE.BAR_CLUSTERED,
            "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        }[kind]
        if kind == "doughnut":
            width = height = min(width, height)
        frame = slide.shapes.add_chart(chart_type, left, top, width, height, data)
        frame.name = name
        chart = frame.chart
        chart.has_title = False
        chart.has_legend = False
        chart.font.size = Pt(14)
        chart.font.color.rgb = RGBColor.from_string(rgb(INK))
        plot = chart.plots[0]
        series = plot.series[0]
        if kind == "doughnut":
            plot.vary_by_categories = True
        else:
            plot.vary_by_categories = False
            plot.gap_width = 60
            chart.value_axis.visible = False
            chart.value_axis.has_major_gridlines = False
            chart.value_axis.maximum_scale = max(values or [1]) * 1.25
            chart.value_axis.minimum_scale = 0
            chart.category_axis.tick_labels.font.size = Pt(14)
            chart.category_axis.format.line.color.rgb = RGBColor.from_string(rgb(LINE))
            if kind == "bar":
                chart.category_axis.reverse_order = True
        for i, (v, colour) in enumerate(zip(values, colours, strict=True)):
            point = series.points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = RGBColor.from_string(rgb(colour))
            if kind == "doughnut":
                point.format.line.color.rgb = RGBColor.from_string(rgb(BACKGROUND))
                if total and v / total < RING_LABEL_MIN:
                    continue
            label = point.data_label
            label.has_text_frame = True
            label.text_frame.text = count_share(self.loc, v, total) if shares else self.loc.integer(v)
            run = label.text_frame.paragraphs[0].runs[0]
            run.font.size = Pt(14)
            run.font.bold = True
            run.font.color.rgb = RGBColor.from_string(rgb(BACKGROUND if kind == "doughnut" else INK))
            label.position = XL_LABEL_POSITION.CENTER if kind == "doughnut" else XL_LABEL_POSITION.OUTSIDE_END
        tag_chart(chart.element, self.loc.tag)
        set_alt_text(frame, f"{name}: " + ", ".join(
            f"{lab} {count_share(self.loc, v, total) if shares else self.loc.integer(v)}"
            for lab, v in zip(labels, values, strict=True)) + ".")
        if kind == "doughnut":
            centre_x, centre_y = left + width // 2, top + height // 2
            self.text_box(
                slide, centre_x - Inches(1.1), centre_y - Inches(0.65), Inches(2.2), Inches(1.3),
                [self.loc.integer(total), self.loc(_("Projects in total"))],
                "total", size=16, bold=True, align=PP_ALIGN.CENTER, anchor=MSO_ANCHOR.MIDDLE,
            )
            box = slide.shapes[-1]
            box.text_frame.paragraphs[0].runs[0].font.size = Pt(40)
            self.text_box(
                slide, left + width + Inches(0.4), top + Inches(0.4), Inches(12.83) - width - left - Inches(0.4),
                height - Inches(0.8),
                [[Run(MARKER + NBSP, colour=c), Run(f"{lab}  {count_share(self.loc, v, total)}")]
                 for lab, v, c in kept],
                "key", size=16, anchor=MSO_ANCHOR.MIDDLE,
            )
        return frame, list(zip(labels, values, strict=True)), total

    def table(self, slide, header: Sequence[Cell], rows: Sequence[Sequence[Cell]], col_widths: Sequence[int],
              top, alt: str, heights: Sequence[int]):
        """A table with the given row heights; the first row is the header, repeated on each page."""
        frame = slide.shapes.add_table(1, len(header), LEFT, top, sum(col_widths), sum(heights))
        frame.name = alt.split(":")[0][:60]
        table = frame.table
        table.first_row = True
        table.horz_banding = False
        for col, w in zip(table.columns, col_widths, strict=True):
            col.width = Emu(w)
        tbl = frame.element.find(f"{qn('a:graphic')}/{qn('a:graphicData')}/{qn('a:tbl')}")
        # The rows are written as one XML fragment: python-pptx's per-cell property look-ups cost
        # most of a long deck's time.
        body = "".join(
            f'<a:tr h="{height}">{"".join(self._cell_xml(c, r == 0) for c in cells)}</a:tr>'
            for r, (cells, height) in enumerate(zip([header, *rows], heights, strict=True))
        )
        for tr in tbl.findall(qn("a:tr")):
            tbl.remove(tr)
        tbl.extend(parse_xml(f"<a:tbl {nsdecls('a')}>{body}</a:tbl>"))
        set_alt_text(frame, alt)
        return frame

    def _cell_xml(self, c: Cell, header: bool) -> str:
        props = f'sz="{TABLE_FONT * 100}" b="{int(header)}"'
        runs = []
        for r in c.runs:
            fill = f'<a:solidFill><a:srgbClr val="{rgb(r.colour or INK)}"/></a:solidFill>'
            runs.append(runs_xml(r.text, f'<a:rPr lang="{self.tag(r.lang)}" {props}>{fill}</a:rPr>'))
        algn = ' algn="r"' if c.align == "r" else ""
        end = f'<a:endParaRPr lang="{self.loc.tag}" {props}/>'
        fill = rgb(SURFACE if header else BACKGROUND)
        border = f'<a:lnB w="9525"><a:solidFill><a:srgbClr val="{rgb(LINE if header else MUTED)}"/></a:solidFill></a:lnB>'
        return (
            '<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>'
            f'<a:p><a:pPr{algn}/>{"".join(runs)}{end}</a:p></a:txBody>'
            f'<a:tcPr marT="{CELL_MARGIN_Y}" marB="{CELL_MARGIN_Y}">{border}'
            f'<a:solidFill><a:srgbClr val="{fill}"/></a:solidFill></a:tcPr></a:tc>'
        )

    def add_sections(self) -> None:
        """PowerPoint sections over the slides, so the presenter can jump between agenda items."""
        if not self.sections:
            return
        ids = [s.slide_id for s in self.prs.slides]
        bounds = [start for _n, start in self.sections] + [len(ids)]
        parts = []
        for (name, start), end in zip(self.sections, bounds[1:], strict=True):
            guid = "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"digireport/section/{start}")).upper() + "}"
            members = "".join(f'<p14:sldId id="{i}"/>' for i in ids[start:end])
            parts.append(f'<p14:section name="{escape_attribute(name)}" id="{guid}">'
                         f"<p14:sldIdLst>{members}</p14:sldIdLst></p14:section>")
        ext = parse_xml(
            f'<p:extLst {nsdecls("p")} xmlns:p14="{_P14}"><p:ext uri="{_SECTIONS_URI}">'
            f'<p14:sectionLst>{"".join(parts)}</p14:sectionLst></p:ext></p:extLst>'
        )
        self.prs.element.append(ext)


def set_alt_text(frame, alt: str) -> None:
    frame.element.find(f"{qn('p:nvGraphicFramePr')}/{qn('p:cNvPr')}").set("descr", alt)


_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F]")
_BREAKS = re.compile("[\n\v]")


def runs_xml(text: str, props: str) -> str:
    """`text` as <a:r> elements with `props`, a line break where the text has one, other
    control characters escaped as _xHHHH_ the way python-pptx writes them."""
    parts = []
    for i, piece in enumerate(_BREAKS.split(text)):
        if i:
            parts.append("<a:br/>")
        if piece:
            piece = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", piece)
            parts.append(f"<a:r>{props}<a:t>{escape_text(piece)}</a:t></a:r>")
    return "".join(parts)


def text_lines(text: str, width_emu: int, font_pt: float = TABLE_FONT, bold: bool = False) -> int:
    """Lines `text` takes in a table cell `width_emu` wide, wrapped at spaces the way PowerPoint
    and LibreOffice wrap it: word by word, a word longer than a line broken between letters."""
    room = (width_emu / 12700 - CELL_MARGIN_PT) * 1000 / font_pt * FIT
    widths = WIDTHS[bold]
    if sum(map(widths.__getitem__, text)) <= room and not _BREAKS.search(text):
        return 1  # most cells: one line, no need to lay the words out
    space = widths[" "]
    lines = 0
    for para in _BREAKS.split(text):
        lines += 1
        used = 0.0
        for word in para.split():
            w = sum(map(widths.__getitem__, word))
            if used and used + space + w > room:
                lines += 1
                used = 0.0
            if used:
                used += space + w
                continue
            extra = max(0, math.ceil(w / room) - 1)
            lines += extra
            used = w - extra * room
    return lines


def row_height(cells: Sequence[str], col_widths: Sequence[int], bold: bool = False) -> int:
    """Height of a table row: its tallest cell's lines at the font's line spacing, plus margins."""
    return _row_height(tuple(cells), tuple(col_widths), bold)


@functools.lru_cache(maxsize=4096)
def _row_height(cells: tuple[str, ...], col_widths: tuple[int, ...], bold: bool) -> int:
    lines = max(text_lines(text, w, bold=bold) for text, w in zip(cells, col_widths, strict=True))
    return int(Pt(lines * TABLE_FONT * LINE_SPACING) + 2 * CELL_MARGIN_Y)


def column_widths(weights: Sequence[float]) -> list[int]:
    return [int(WIDTH * w / sum(weights)) for w in weights]


def _greedy(heights: Sequence[int], head: int, capacity: int) -> list[list[int]]:
    pages: list[list[int]] = [[]]
    used = head
    for i, h in enumerate(heights):
        if pages[-1] and used + h > capacity:
            pages.append([])
            used = head
        pages[-1].append(i)
        used += h
    return pages if pages[0] else []


def paginate(heights: Sequence[int], head: int, available: int) -> list[list[int]]:
    """Row indices split into as few pages as fit in `available`, as even as they can be: the
    smallest page height that still needs no more pages (28 rows over two pages: 14 + 14)."""
    pages = _greedy(heights, head, available)
    if len(pages) < 2:
        return pages
    low, high = head + max(heights), available
    while low < high:
        mid = (low + high) // 2
        if len(_greedy(heights, head, mid)) <= len(pages):
            high = mid
        else:
            low = mid + 1
    return _greedy(heights, head, low)
