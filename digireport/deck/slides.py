"""Slides by kind: title, bullets, charts and paginated tables, with footer, notes and alt text."""

from __future__ import annotations

import copy
import datetime as dt
import functools
import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape

from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn
from pptx.util import Emu, Inches, Pt

from digireport.deck.check import tag_chart
from digireport.deck.metrics import LINE_SPACING, WIDTHS
from digireport.deck.package import ChartData, blank_slide, copy_notes_slide
from digireport.deck.template import FOOTER, NAME_PATH, PH_PATH, placeholder

TOP = Inches(1.3)
BOTTOM = Inches(6.9)
LEFT = Inches(0.5)
WIDTH = Inches(12.33)
TABLE_FONT = 11
SUBTITLE_HEIGHT = Inches(0.45)
CELL_MARGIN_PT = 7.2 * 2
CELL_MARGIN_Y = Pt(3.6)
# Share of a cell's inner width the row estimate lets a line fill: renderers differ a little in
# kerning and rounding, and a word that just fits in one may wrap in another.
FIT = 0.97
# Percentage labels as `40,38 %`; the locale id in the format code makes PowerPoint and
# LibreOffice use the deck's decimal comma whatever the viewer's own locale is.
PERCENT_FORMAT = {"fi": "[$-40B]0.00\\ %", "sv": "[$-81D]0.00\\ %"}


class Deck:
    """One presentation being built in one language."""

    def __init__(self, prs, loc, footer: dict[str, str | None], created: dt.datetime):
        self.prs = prs
        self.loc = loc
        self.footer = footer
        self.created = created  # the report date: the date of every part, so builds repeat byte for byte
        self._layouts = {lay.name: lay for lay in prs.slide_layouts}
        # The shapes each (layout, kept placeholders) slide starts with, made once: finding and
        # renaming placeholders through python-pptx costs an XPath query per shape per slide.
        self._starts: dict[tuple[str, tuple[str, ...]], list] = {}
        self._blank_notes = None

    def slide(self, layout_name: str, title: str, keep: Sequence[str] = ()):
        """A slide of the named layout with its title, the footer and the placeholders in `keep`;
        the layout's other placeholders are left out so no empty prompt text shows."""
        lay = self._layouts[layout_name]
        key = (layout_name, tuple(keep))
        if key not in self._starts:
            self._starts[key] = self._start(lay, keep)
        slide = blank_slide(self.prs, lay)
        tree = shape_tree(slide)
        for i, sp in enumerate(self._starts[key]):
            sp = copy.deepcopy(sp)
            if i == 0:
                set_text(sp, title)
            tree.append(sp)
        return slide

    def _start(self, lay, keep: Sequence[str]) -> list:
        """The shapes a slide of `lay` starts with: the title (first) and the `keep` placeholders
        empty, inheriting place and style from the layout, then the footer placeholders copied
        whole from the layout (a slide does not inherit them) with their text; each named as in
        the layout."""
        placeholders = {}
        for sp in shape_tree(lay).iterchildren(qn("p:sp")):
            ph = sp.find(PH_PATH)
            if ph is not None:
                placeholders.setdefault(sp.find(NAME_PATH).get("name"), (sp, ph))
        shapes = []
        for name in ("title", *keep):
            _sp, ph = placeholders[name]
            sp = parse_xml(
                f'<p:sp {nsdecls("a", "p")}><p:nvSpPr><p:cNvPr id="0" name="{escape(name, _QUOTE)}"/>'
                '<p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr><p:nvPr/></p:nvSpPr><p:spPr/>'
                "<p:txBody><a:bodyPr/><a:lstStyle/><a:p/></p:txBody></p:sp>"
            )
            sp.find(_NVPR).append(copy.deepcopy(ph))
            shapes.append(sp)
        for name in FOOTER:
            text = self.footer.get(name)
            if not text and name != "city":
                continue
            sp = copy.deepcopy(placeholders[name][0])
            if text:
                set_text(sp, text)
            shapes.append(sp)
        for n, sp in enumerate(shapes, start=2):
            sp.find(NAME_PATH).set("id", str(n))
        return shapes

    def bullets(self, layout_name: str, title: str, lines: Sequence[tuple[int, str]]):
        slide = self.slide(layout_name, title, keep=("body",))
        body = placeholder(slide, "body").text_frame
        for i, (level, text) in enumerate(lines):
            para = body.paragraphs[0] if i == 0 else body.add_paragraph()
            para.text = text
            para.level = level
            para.font.size = Pt(18 if level == 0 else 16)
        return slide

    def subtitle(self, slide, text: str, top=TOP) -> None:
        box = slide.shapes.add_textbox(LEFT, top, WIDTH, SUBTITLE_HEIGHT)
        box.name = "subtitle"
        box.text_frame.word_wrap = True
        box.text_frame.text = text
        box.text_frame.paragraphs[0].font.size = Pt(16)
        box.text_frame.paragraphs[0].font.bold = True

    def chart(
        self,
        slide,
        kind: str,
        series_name: str,
        labels: Sequence[str],
        values: Sequence[float],
        box=None,
        total_text: str | None = None,
        series: Sequence[tuple[str, Sequence[float]]] = (),
    ):
        """A native chart with its data embedded; alt text and notes state the same data."""
        left, top, width, height = box or (LEFT, TOP, Inches(9.0), BOTTOM - TOP)
        data = ChartData(created=self.created)
        data.categories = list(labels)
        for name, vals in series or ((series_name, values),):
            data.add_series(name, list(vals))
        chart_type = {
            "doughnut": XL_CHART_TYPE.DOUGHNUT,
            "pie": XL_CHART_TYPE.PIE,
            "bar": XL_CHART_TYPE.BAR_CLUSTERED,
            "column": XL_CHART_TYPE.COLUMN_CLUSTERED,
        }[kind]
        frame = slide.shapes.add_chart(chart_type, left, top, width, height, data)
        frame.name = series_name
        chart = frame.chart
        chart.font.size = Pt(12)
        plot = chart.plots[0]
        plot.has_data_labels = True
        labels_ = plot.data_labels
        if kind in ("doughnut", "pie"):
            labels_.show_percentage = True
            labels_.show_value = False
            labels_.number_format = PERCENT_FORMAT[self.loc.lang]
            labels_.number_format_is_linked = False
            chart.has_legend = True
            chart.legend.position = XL_LEGEND_POSITION.RIGHT
            chart.legend.include_in_layout = False
        else:
            labels_.show_value = True
            chart.has_legend = bool(series)
            if series:
                chart.legend.position = XL_LEGEND_POSITION.BOTTOM
                chart.legend.include_in_layout = False
            if kind == "bar":
                chart.category_axis.reverse_order = True
        if series:
            parts = [
                f"{name} – {lab} {self.loc.integer(v)}"
                for name, vals in series
                for lab, v in zip(labels, vals, strict=True)
            ]
        else:
            parts = [f"{lab} {self.loc.integer(v)}" for lab, v in zip(labels, values, strict=True)]
        alt = f"{series_name}: " + ", ".join(parts)
        if total_text:
            alt += f". {total_text}"
        frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)
        tag_chart(chart._chartSpace, self.loc.tag)
        self.notes(slide, alt, labels, values, series)
        if total_text:
            tb = slide.shapes.add_textbox(
                left + width + Inches(0.2), top + height // 2 - Inches(0.6), Inches(3.0), Inches(1.2)
            )
            tb.name = "total"
            tb.text_frame.word_wrap = True
            tb.text_frame.text = total_text
            tb.text_frame.paragraphs[0].font.size = Pt(24)
            tb.text_frame.paragraphs[0].font.bold = True
        return frame

    def notes(self, slide, heading: str, labels, values, series=()) -> None:
        lines = [heading.split(":")[0]]
        if series:
            lines.append("\t" + "\t".join(name for name, _ in series))
            for i, lab in enumerate(labels):
                lines.append(lab + "\t" + "\t".join(self.loc.integer(vals[i]) for _, vals in series))
        else:
            total = sum(values) or 1
            for lab, v in zip(labels, values, strict=True):
                lines.append(f"{lab}\t{self.loc.integer(v)}\t{self.loc.percent(v / total)}")
        self.add_notes(slide, lines)

    def add_notes(self, slide, lines: Sequence[str]) -> None:
        """`lines` as paragraphs of the slide's speaker notes, after any notes already there."""
        if slide.has_notes_slide or self._blank_notes is None:
            notes = slide.notes_slide
            if self._blank_notes is None:
                self._blank_notes = copy.deepcopy(notes.element)
        else:
            notes = copy_notes_slide(slide, self._blank_notes)
        body = notes.notes_placeholder.element.find(qn("p:txBody"))
        paras = body.findall(qn("a:p"))
        if len(paras) == 1 and not len(paras[0]):
            body.remove(paras[0])
        xml = paragraphs_xml("\n".join(lines))
        body.extend(parse_xml(f"<p:txBody {nsdecls('a', 'p')}>{xml}</p:txBody>"))

    def table(
        self,
        slide,
        header: Sequence[str],
        rows: Sequence[Sequence[str]],
        widths: Sequence[float],
        top,
        alt: str,
    ):
        """A table whose row heights are the estimated ones; the first row is the header."""
        col_widths = [int(WIDTH * w / sum(widths)) for w in widths]
        heights = [row_height(header, col_widths, bold=True)] + [row_height(r, col_widths) for r in rows]
        frame = slide.shapes.add_table(1, len(header), LEFT, top, sum(col_widths), sum(heights))
        frame.name = alt.split(":")[0]
        table = frame.table
        table.first_row = True
        tbl = table._tbl
        tag = self.loc.tag
        for col, w in zip(tbl.tblGrid.gridCol_lst, col_widths, strict=True):
            col.w = Emu(w)
        # The rows are written as one XML fragment: python-pptx's per-cell property look-ups
        # cost most of a long deck's time.
        body = "".join(
            f'<a:tr h="{height}">{"".join(cell_xml(text, r == 0, tag) for text in cells)}</a:tr>'
            for r, (cells, height) in enumerate(zip([header, *rows], heights, strict=True))
        )
        for tr in tbl.tr_lst:
            tbl.remove(tr)
        tbl.extend(parse_xml(f"<a:tbl {nsdecls('a')}>{body}</a:tbl>"))
        frame._element.nvGraphicFramePr.cNvPr.set("descr", alt)
        return frame


_CONTROL = re.compile(r"[\x00-\x08\x0B-\x1F]")
_NVPR = f"{qn('p:nvSpPr')}/{qn('p:nvPr')}"
_QUOTE = {'"': "&quot;"}
_BREAKS = re.compile("[\n\v]")


def shape_tree(slide):
    """The slide's (or layout's) shape tree as XML: walking it directly skips python-pptx's
    per-shape proxies, each of which asks an XPath question to know if it is a placeholder."""
    return slide.element.find(qn("p:cSld")).find(qn("p:spTree"))


def paragraphs_xml(text: str, props: str = "") -> str:
    """`text` as <a:p> elements the way python-pptx's text setters write it: a paragraph per line,
    a line break for a vertical tab, other control characters escaped as _xHHHH_."""
    paras = []
    for para in text.split("\n"):
        parts = []
        for i, run in enumerate(para.split("\v")):
            if i:
                parts.append("<a:br/>")
            if run:
                run = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", run)
                parts.append(f"<a:r><a:t>{escape(run)}</a:t></a:r>")
        paras.append(f"<a:p>{props}{''.join(parts)}</a:p>")
    return "".join(paras)


def set_text(sp, text: str) -> None:
    """The shape's text in place of the paragraphs it has, keeping its body properties."""
    body = sp.find(qn("p:txBody"))
    for para in body.findall(qn("a:p")):
        body.remove(para)
    body.extend(parse_xml(f"<p:txBody {nsdecls('a', 'p')}>{paragraphs_xml(text)}</p:txBody>"))


def cell_xml(text: str, bold: bool, lang: str | None = None) -> str:
    """A table cell with the table font (and language) on each run and on each paragraph end, so
    that empty cells keep the row height too (PowerPoint sizes an empty paragraph by its end mark)."""
    props = (f'lang="{lang}" ' if lang else "") + f'sz="{TABLE_FONT * 100}" b="{int(bold)}"'
    paras = paragraphs_xml(text).replace("<a:r><a:t>", f"<a:r><a:rPr {props}/><a:t>")
    paras = paras.replace("</a:p>", f"<a:endParaRPr {props}/></a:p>")
    return (
        '<a:tc><a:txBody><a:bodyPr wrap="square"/><a:lstStyle/>'
        f"{paras}</a:txBody>"
        f'<a:tcPr marT="{CELL_MARGIN_Y}" marB="{CELL_MARGIN_Y}"/></a:tc>'
    )


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


# Pagination measures each row, then the table writes it with that height: measured once.
@functools.lru_cache(maxsize=2048)
def _row_height(cells: tuple[str, ...], col_widths: tuple[int, ...], bold: bool) -> int:
    lines = max(text_lines(text, w, bold=bold) for text, w in zip(cells, col_widths, strict=True))
    return int(Pt(lines * TABLE_FONT * LINE_SPACING) + 2 * CELL_MARGIN_Y)


LAST_PAGE_ROWS = 3


def paginate(
    header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float], available: int
) -> list[list[Sequence[str]]]:
    """Rows split into pages whose estimated height, header included, fits in `available`."""
    col_widths = [int(WIDTH * w / sum(widths)) for w in widths]
    head = row_height(header, col_widths, bold=True)
    pages: list[list[Sequence[str]]] = [[]]
    used = head
    for row in rows:
        h = row_height(row, col_widths)
        if pages[-1] and used + h > available:
            pages.append([])
            used = head
        pages[-1].append(row)
        used += h
    # A last page of one or two rows reads as a leftover: it takes rows from the page before it,
    # as many as still fit, so that it holds at least LAST_PAGE_ROWS.
    if len(pages) > 1:
        last_used = head + sum(row_height(row, col_widths) for row in pages[-1])
        while len(pages[-1]) < LAST_PAGE_ROWS and len(pages[-2]) > LAST_PAGE_ROWS:
            h = row_height(pages[-2][-1], col_widths)
            if last_used + h > available:
                break
            pages[-1].insert(0, pages[-2].pop())
            last_used += h
    return pages if pages[0] else []
