"""Statistics → the indicator workbooks (indicators-fi.xlsx, indicators-sv.xlsx), one per language.

Each workbook is entirely in its language: an overview of the indicators as an Excel table, a
sheet per goal with each indicator's small table and chart, all projects, a status × year
summary, the findings, a reading guide, the texts shown in the other language, and about.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from digireport import __version__
from digireport.colours import (
    ACCENT,
    BACKGROUND,
    INK,
    LIGHT_FILLS,
    LIGHT_TEXT,
    LINE,
    MUTED,
    SERIES,
    STATUS_COLOURS,
    SURFACE,
    TARGET_LINE,
)
from digireport.findings import SEVERITY_WORDS, describe_all
from digireport.i18n import LANGUAGE_TAGS, L10n, _, l10n
from digireport.labels import (
    BASIS_LABELS,
    BENEFICIARY_LABELS,
    BENEFIT_LABELS,
    COST_KIND_LABELS,
    FALLBACK_NOTE,
    GOAL_LONG,
    GOAL_SHORT,
    LEVEL_LABELS,
    MODEL_LABELS,
    STATUS_LABELS,
    source_shown,
    unit_shown,
    written,
)
from digireport.model import (
    GOAL_ORDER,
    STATUS_ORDER,
    Goal,
    Indicator,
    Measure,
    Roadmap,
    Shown,
    SizeClass,
    TargetKind,
    Text,
)
from digireport.sheetrows import MIXED, NUMBER, TEXT, Column, Rows, fill_sheets

if TYPE_CHECKING:
    from digireport.options import BuildOptions, Progress
    from digireport.stats import IndicatorProgress, Stats

FILENAMES = {"fi": "indicators-fi.xlsx", "sv": "indicators-sv.xlsx"}


def filename(lang: str) -> str:
    return FILENAMES[lang]


# Vocabulary words as every output shows them, and the traffic lights' words.
WORKBOOK_LABELS: dict[object, str] = {
    **STATUS_LABELS, **GOAL_SHORT, **LEVEL_LABELS, **BASIS_LABELS, **BENEFIT_LABELS, **BENEFICIARY_LABELS,
    **MODEL_LABELS, **COST_KIND_LABELS,
    "green": _("green: target met"),
    "amber": _("amber: partly met"),
    "red": _("red: behind target"),
    None: _("not assessable"),
}

METHODS = {
    "absolute": _("value ÷ target"),
    "scale": _("from the scale's low end: (value − low end) ÷ (target − low end)"),
    "percent": _("percentage ÷ target percentage"),
    "growth": _("growth over the previous year ÷ target growth"),
}

MISSING = {
    "qualitative": _("The target is written in words: no progress is computed and no value is compared with it."),
    "text": _("The value for {year} is text, not a number: no progress for {year}."),
    "other_unit": _("The value for {year} is not in the target's unit: it is shown as written and not compared "
                    "with the target."),
    "no_previous_year": _("Growth needs the value of the year before {year}, which is missing: no progress for "
                          "{year}."),
    "no_value": _("No value has been written yet."),
}
NOTE_OTHER_UNIT = _("Not in the target's unit, so not compared or plotted: {years}.")
NOTE_APPROX = _("Approximate value (≈): {years}.")
NOTE_GROWTH = _("The target is growth per year, not a level: the chart has no target line.")
NOTE_LATEST_MISSING = _("No value for {year}: progress is of {progress_year}.")
NO_VALUE = _("no value")
NOT_COMPARED = _("not compared")
YES = _("yes")
PER_YEAR = _("/ yr")
POINTS = _("pp")
NO_FINDINGS = _("No findings")
NO_FALLBACKS = _("Every text is in this workbook's language.")
TOTAL = _("Total")
FALLBACK_COUNT = _("texts in the other language: {n}, each marked in its cell")

SHEET_OVERVIEW = _("Indicator overview")
SHEET_GOAL = _("Goal {goal}")
SHEET_PROJECTS = _("Projects")
SHEET_STATUS = _("Status by year")
SHEET_FINDINGS = _("Findings")
SHEET_GUIDE = _("Reading guide")
SHEET_FALLBACK = _("Other language")
SHEET_ABOUT = _("About")

# Excel table names (letters, digits and underscores), each meaningful in the workbook's language.
TABLE_OVERVIEW = _("IndicatorTable")
TABLE_PROJECTS = _("Projects")
TABLE_STATUS = _("StatusByYear")
TABLE_FINDINGS = _("Findings")
TABLE_GUIDE = _("ReadingGuide")
TABLE_FALLBACK = _("OtherLanguage")

H_GOAL = _("Goal")
H_ROW = _("Row")
H_ID = _("Identifier")
H_NAME = _("Name")
H_INDICATOR = _("Indicator")
H_UNIT = _("Unit")
H_SOURCE_COL = _("Source")
H_TARGET = _("Target")
H_TARGET_LEVEL = _("Target level")
H_VALUE_YEAR = _("Value {year}")
H_CHANGE_YEARS = _("Change: years compared")
H_CHANGE = _("Change")
H_TREND = _("Trend")
H_PROGRESS = _("Progress")
H_PROGRESS_YEAR = _("Progress year")
H_METHOD = _("Progress method")
H_LIGHT = _("Traffic light")
H_NOTE = _("Note")
H_YEAR = _("Year")
H_VALUE = _("Value")
H_VALUE_UNIT = _("Value ({unit})")
H_TARGET_UNIT = _("Target ({unit})")
H_WRITTEN = _("As written")
H_ROADMAP_YEAR = _("Roadmap {year}")
H_STATUS = _("Current status")
H_SNAPSHOT = _("Status at {label}")
H_PROBLEM = _("Problem it solves")
H_IMPACT = _("Impacts")
H_LEVEL = _("Level")
H_BASIS = _("Basis")
H_BENEFIT = _("Long-term benefit")
H_BENEFICIARIES = _("Beneficiaries")
H_COST_CLASS = _("Cost class")
H_IMPACT_CLASS = _("Impact class")
H_MODEL = _("Development model")
H_OWNER = _("Responsible")
H_COST_EUR = _("Cost (€)")
H_COST_KIND = _("Cost kind")
H_SEVERITY = _("Severity")
H_SHEET = _("Sheet")
H_COLUMN = _("Column")
H_MESSAGE = _("Message")
H_WHERE = _("Where")
H_TEXT = _("Text as shown")
H_TOPIC = _("Topic")
H_EXPLANATION = _("Explanation")
H_ITEM = _("Item")
H_SOURCE = _("Source file")
H_SHA256 = _("SHA-256 of the source file")
H_MODIFIED = _("Source file last saved (UTC)")
H_AS_OF = _("Date of the data")
H_GENERATED = _("Workbook generated")
H_VERSION = _("digireport version")
H_LANGUAGE = _("Language")
NOT_RECORDED = _("not recorded in the file")
CHART_ALT = _("Column chart “{name}”, values in {unit} by year: {values}. Target: {target}.")
CHART_ALT_NO_LINE = _("Column chart “{name}”, values in {unit} by year: {values}. Target: {target} "
                      "(no target line).")
NUMBER_UNIT = _("number")
DOC_TITLE = _("Digital programme indicators")
DOC_SUBJECT = _("Indicators and roadmap projects of the digital programme")
HEADER_DATE = _("Data of {date}")
FOOTER_PAGE = _("Page &P / &N")
LANGUAGE_NAME = {"fi": _("Finnish"), "sv": _("Swedish")}

GUIDE_ROWS = [
    (_("This workbook"), _("The indicators of the digital programme and the projects of its roadmap, from the "
                           "master workbook named on the sheet “{about}”. Every sheet prints on A4 with the date of "
                           "the data and page numbers.")),
    (_("Sheet “{overview}”"), _("One row per indicator, ordered by goal. Filter and sort with the arrows in the "
                                "header row.")),
    (_("Sheet “{goal}” and the others per goal"), _("Each indicator of the goal: a small table by year, its "
                                                      "target, progress and traffic light, and a column chart of the "
                                                      "values that can be compared with the target. Indicators without "
                                                      "comparable numbers are listed with their written values.")),
    (_("Sheet “{projects}”"), _("Every roadmap project: its roadmap years, status now and at each follow-up, the "
                                "problem it solves, its impacts and classifications.")),
    (_("Sheet “{status}”"), _("How many roadmap projects of each year are in each status.")),
    (_("Sheet “{findings}”"), _("Problems found in the master workbook: where they are and what is wrong.")),
    (_("Sheet “{fallback}”"), _("Texts the master workbook has only in the other language: they are shown in that "
                                "language, marked {note}.")),
    (_("Column “{value}”"), _("The value of the year exactly as written in the master workbook: a number stays a "
                              "number, a text stays a text.")),
    (_("Column “{target_level}”"), _("The target as a level in its kind: an amount (“4 000 pcs”), a percentage "
                                     "(“100 %”) or a growth per year (“+10 % / yr”). Empty for targets written in "
                                     "words.")),
    (_("The unit rule"), _("A value is compared with the target, given progress, drawn against a target line or "
                           "put into a trend only when it is in the target's unit: a percentage target takes only "
                           "percentages; an amount or growth target takes only plain amounts; a number written with "
                           "words that say it counts something else (“6264 (workstations)”, “8400 e saving”) and "
                           "any target written in words take none. Such values are shown as written with a note.")),
    (_("Progress"), _("Progress is always of one named year: the latest year with a written value. When that "
                      "year's value cannot be compared, there is no progress and the note says why; an older "
                      "year never stands in.")),
    (_("Progress method"), _("Amount: value ÷ target. Scale (such as 1–4): from the scale's low end, (value − low "
                             "end) ÷ (target − low end). Percentage: percentage ÷ target percentage. Growth: the "
                             "year's growth over the previous year ÷ the target growth; it needs the previous "
                             "year's value.")),
    (_("Traffic light"), _("Green: progress at least 100 %. Amber: at least 50 %. Red: below 50 %. “Not "
                           "assessable” where there is no progress. The word is always written next to the colour.")),
    (_("Change"), _("The difference between the latest year and the year before it, both comparable; the years "
                    "compared are in the column before it. Percentages change in percentage points (pp).")),
    (_("Approximate values (≈)"), _("A value written in the master workbook with a word such as “about”.")),
    (_("Goals"), _("The goals of the programme and the letter that marks each:\n{goals}")),
]

PERCENT = "0.0 %"
YEAR = "0"
MONEY = '#,##0.00 "€"'
DATE = "d.m.yyyy"
DATETIME = "d.m.yyyy h:mm"

# Printing: A4 paper, margins of 0.6" left and right; sheets wider than a page at 70 % print their
# columns over pages (the name column repeated) rather than shrink further.
A4_LANDSCAPE_PX = int((11.69 - 1.2) * 96)
MIN_PRINT_SCALE = 0.7
PRINT_SCALE = 75
# A4 landscape height between the margins (0.9" top and bottom, for the header and footer), in points.
A4_LANDSCAPE_PT = (8.27 - 1.8) * 72
LINE_PT = 15.0
CHART_PX = (480, 260)
GOAL_CHART_COLUMNS = 8  # columns of width 9 beside the table, where the charts stand


def column_px(width: float) -> int:
    """Excel's pixel width of a column `width` characters wide (Calibri 11)."""
    return int(width * 7 + 5)


def text_lines(text: str | None, width: float) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (an estimate that errs long)."""
    if not text:
        return 1
    per_line = max(1.0, width * 1.2 - 1)
    return sum(max(1, math.ceil(len(part) / per_line)) for part in str(text).split("\n"))


def column_lines(texts: list[str], width: float) -> list[int]:
    """About `text_lines` of each text (a line more per line break), from lengths alone: a roll-up's
    column has tens of thousands of texts."""
    fits = max(1, int(width * 1.2 - 1))
    breaks = map(str.count, texts, ["\n"] * len(texts))
    return [max(1, -(-n // fits)) + b for n, b in zip(map(len, texts), breaks, strict=True)]


# A cell value that reads as a number: such a value is stored as a number, never as text.
_NUMBER = re.compile(r"\s*([+-]?(?:\d{1,3}(?:[ \u00a0]\d{3})+|\d+)(?:[.,]\d+)?)\s*(%?)\s*")


def written_number(raw: str | None) -> tuple[float, int, bool] | None:
    """(number, decimals, is percent) when `raw` is nothing but a number as written, else None."""
    if raw is None:
        return None
    m = _NUMBER.fullmatch(str(raw))
    if m is None:
        return None
    digits = m.group(1).replace(" ", "").replace("\u00a0", "").replace(",", ".")
    decimals = len(digits.split(".")[1]) if "." in digits else 0
    value = float(digits)
    return (value / 100, decimals, True) if m.group(2) else (value, decimals, False)


def number_format(decimals: int, percent: bool = False, suffix: str = "", prefix: str = "") -> str:
    body = "0" if percent else "#,##0"
    body += "." + "0" * decimals if decimals else ""
    if percent:
        body += " %"
    quoted = suffix.replace('"', "")
    pre = prefix.replace('"', "")
    return (f'"{pre}"' if pre else "") + body + (f' "{quoted}"' if quoted else "")


@dataclass
class _Book:
    """One language's workbook while it is written: its words, formats and the texts shown in the other language."""

    wb: Any
    loc: L10n
    roadmap: Roadmap
    as_of: dt.date
    formats: dict[tuple, Any] = field(default_factory=dict)
    fallbacks: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.loc.lang

    def __call__(self, msgid: str, **fmt: object) -> str:
        return self.loc(msgid, **fmt)

    def fmt(self, **props: Any):
        """A cell format; the same properties give the same format."""
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            base = {"valign": "top", "font_color": INK}
            self.formats[key] = self.wb.add_format({**base, **props})
        return self.formats[key]

    @property
    def header(self):
        return self.fmt(bold=True, text_wrap=True, bg_color=SURFACE, border=1, border_color=LINE)

    @property
    def wrap(self):
        return self.fmt(text_wrap=True)

    @property
    def note(self):
        return self.fmt(text_wrap=True, italic=True, font_color=MUTED)

    def light(self, code: str | None, **extra: Any):
        key = code or "none"
        return self.fmt(bg_color=LIGHT_FILLS[key], font_color=LIGHT_TEXT[key], text_wrap=True, **extra)

    def marked(self, shown: Shown, sheet: str, where: str) -> str:
        """`shown` as this workbook writes it: a text in the other language marked and listed."""
        if not shown.fallback:
            return shown.text
        marked = f"{shown.text} {self(FALLBACK_NOTE[shown.lang])}"
        if (sheet, where, marked) not in self.fallbacks:
            self.fallbacks.append((sheet, where, marked))
        return marked

    def shown(self, text: Text, sheet: str, where: str) -> str:
        """`text` in this workbook's language; a text only in the other language is marked and listed."""
        return self.marked(text.pick(self.lang), sheet, where)

    @property
    def sheet_lang(self) -> str | None:
        """The language the indicator sheet is written in."""
        return self.roadmap.source.language("indicators")

    def master_text(self, text: str | None, sheet: str, where: str) -> str:
        """A text the indicator sheet holds in its own language only (a value written in words)."""
        return self.marked(written(text, self.sheet_lang, self.loc), sheet, where)

    def source(self, text: str | None, sheet: str, where: str) -> str:
        return self.marked(source_shown(text, self.sheet_lang, self.loc), sheet, where)

    def unit(self, ind: Indicator, sheet: str, where: str) -> str:
        return self.marked(unit_shown(ind.unit, self.sheet_lang, self.loc), sheet, where)

    def word(self, code: object) -> str:
        return self(WORKBOOK_LABELS[code])


def render_workbook(roadmap: Roadmap, stats: Stats, lang: str, options: BuildOptions) -> bytes:
    """One language's indicator workbook as .xlsx bytes; the same input and options give the same bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    book = _Book(wb=wb, loc=l10n(lang), roadmap=roadmap, as_of=options.as_of)
    wb.set_properties({
        "title": book(DOC_TITLE),
        "subject": book(DOC_SUBJECT),
        "keywords": "digiohjelma, Porvoo" if lang == "fi" else "digiprogrammet, Borgå",
        "created": dt.datetime.combine(options.as_of, dt.time(0, 0)),
    })
    wb.set_custom_property("Language", LANGUAGE_TAGS[lang])
    progress = dict(zip((i.row for i in roadmap.indicators), stats.indicators, strict=True))
    ordered = sorted(roadmap.indicators, key=lambda i: (GOAL_ORDER.index(i.goal) if i.goal else len(GOAL_ORDER), i.row))
    goals = [g for g in GOAL_ORDER if any(i.goal is g for i in ordered)]
    names = _sheet_names(book, goals)
    overview = wb.add_worksheet(names["overview"])
    goal_sheets = {g: wb.add_worksheet(names[g]) for g in goals}
    projects = wb.add_worksheet(names["projects"])
    status = wb.add_worksheet(names["status"])
    findings = wb.add_worksheet(names["findings"])
    guide = wb.add_worksheet(names["guide"])
    fallback = wb.add_worksheet(names["fallback"])
    about = wb.add_worksheet(names["about"])

    trend_ranges: dict[int, str] = {}
    for goal, ws in goal_sheets.items():
        trend_ranges |= _goal_sheet(book, ws, goal, [i for i in ordered if i.goal is goal], progress)
    _overview(book, overview, ordered, progress, trend_ranges)
    columns, heights = _projects(book, projects)
    _status_by_year(book, status, stats)
    finding_rows = _findings(book, findings)
    _guide(book, guide, names)
    _fallbacks(book, fallback)
    _about(book, about, options)
    for ws in wb.worksheets():
        _header_footer(book, ws)
    wb.close()
    # The workbook's objects refer to each other, so only the cyclic collector would free them:
    # let go of the cells now, so they do not stay in memory until it runs.
    for ws in wb.worksheets():
        ws.table.clear()
    tag = LANGUAGE_TAGS[lang]
    fills = [Rows(projects.name, book(TABLE_PROJECTS), columns, heights), *filter(None, [finding_rows])]
    return fill_sheets(buf.getvalue(), fills, edit=lambda name, data: _chart_language(name, data, tag))


def _chart_language(name: str, data: bytes, tag: str) -> bytes:
    """xlsxwriter marks every chart and its text as en-US; the workbook's charts are in `tag`."""
    if name.startswith("xl/charts/chart") and name.endswith(".xml"):
        return data.replace(b'<c:lang val="en-US"/>', f'<c:lang val="{tag}"/>'.encode()).replace(
            b'lang="en-US"', f'lang="{tag}"'.encode())
    return data


def _sheet_names(book: _Book, goals: list[Goal]) -> dict[object, str]:
    # 31 characters is Excel's limit for a sheet name
    names: dict[object, str] = {
        "overview": book(SHEET_OVERVIEW), "projects": book(SHEET_PROJECTS), "status": book(SHEET_STATUS),
        "findings": book(SHEET_FINDINGS), "guide": book(SHEET_GUIDE), "fallback": book(SHEET_FALLBACK),
        "about": book(SHEET_ABOUT),
    }
    for g in goals:
        names[g] = book(SHEET_GOAL, goal=g.value)
    return {k: v[:31] for k, v in names.items()}


def _header_footer(book: _Book, ws) -> None:
    """Title and data date above, sheet name and page x / y below, on every printed page."""
    def esc(text: str) -> str:
        return text.replace("&", "&&")

    date = book.loc.date(book.as_of)
    ws.set_header(f'&L&"-,Bold"{esc(book(DOC_TITLE))}&R{esc(book(HEADER_DATE, date=date))}',
                  {"margin": 0.3})
    ws.set_footer(f"&L&A&C{book(FOOTER_PAGE)}&R{esc(book.roadmap.source.name)}", {"margin": 0.3})
    ws.set_margins(left=0.6, right=0.6, top=0.9, bottom=0.9)
    ws.set_paper(9)


def _print_columns(ws, widths: Sequence[float], repeat: tuple[int, int] | None, landscape: bool = True) -> None:
    """A4, one page wide when that takes no more than shrinking to 70 %; otherwise the columns go over
    pages at a readable scale, with `repeat` (the name columns) on every page."""
    if landscape:
        ws.set_landscape()
    else:
        ws.set_portrait()
    total = sum(column_px(w) for w in widths)
    page = A4_LANDSCAPE_PX if landscape else int((8.27 - 1.2) * 96)
    if total * MIN_PRINT_SCALE <= page:
        ws.fit_to_pages(1, 0)
    else:
        ws.set_print_scale(PRINT_SCALE)
        ws.print_across()
        if repeat:
            ws.repeat_columns(*repeat)


def _put_text(ws, row: int, col: int, text: str | None, fmt) -> None:
    """Text stays text, never a formula, link or number; no text leaves the cell empty."""
    if text:
        ws.write_string(row, col, text, fmt)
    else:
        ws.write_blank(row, col, None, fmt)


def _set_widths(ws, widths: Sequence[float]) -> None:
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)


def _table(book: _Book, ws, rows: int, headers: list[str], name: str, widths: Sequence[float]) -> None:
    """An Excel table over the header and `rows` rows (at least one), banded, with filters."""
    ws.add_table(0, 0, max(rows, 1), len(headers) - 1, {
        "name": name,
        "style": "Table Style Light 1",
        "banded_rows": True,
        "autofilter": True,
        "columns": [{"header": h, "header_format": book.header} for h in headers],
    })
    ws.set_row(0, LINE_PT * max(text_lines(h, w) for h, w in zip(headers, widths, strict=True)))
    _set_widths(ws, widths)
    ws.repeat_rows(0)


def _write_written(book: _Book, ws, row: int, col: int, raw: str | None, sheet: str, where: str,
                   unit_suffix: str = "", mark: bool = True) -> str:
    """A value as written: a number stays a number with its written decimals, a text stays text
    (marked when it is in the other language, unless `mark` is false: already shown). Returns the
    text as shown, '' for a number."""
    if raw is None or not str(raw).strip():
        ws.write_blank(row, col, None, book.fmt())
        return ""
    number = written_number(raw)
    if number is not None:
        value, decimals, percent = number
        suffix = "" if percent else unit_suffix
        ws.write_number(row, col, value, book.fmt(num_format=number_format(decimals, percent, suffix)))
        return ""
    text = book.master_text(str(raw), sheet, where) if mark else str(raw)
    ws.write_string(row, col, text, book.wrap)
    return text


def _decimals(ind: Indicator) -> int:
    found = [written_number(m.raw) for _y, m in ind.values]
    decimals = [n[1] for n in found if n is not None and not n[2]]
    if ind.target.value is not None and not float(ind.target.value).is_integer():
        decimals.append(2)
    return min(2, max(decimals, default=0))


def _target_level(book: _Book, ind: Indicator, sheet: str, where: str) -> tuple[float, str] | None:
    """The target as a level in its kind: (value, number format), or None for a target in words."""
    target = ind.target
    if target.value is None or target.kind is TargetKind.QUALITATIVE:
        return None
    if target.kind is TargetKind.PERCENT:
        return target.value / 100, "0 %" if float(target.value).is_integer() else PERCENT
    if target.kind is TargetKind.RELATIVE:
        return target.value / 100, f'+0 %" {book(PER_YEAR)}"'
    unit = book.unit(ind, sheet, where)
    written = written_number(target.raw)
    decimals = written[1] if written else 0 if float(target.value).is_integer() else 2
    if re.fullmatch(r"\d+\s*[–-]\s*\d+", (ind.unit or "").strip()):
        return target.value, number_format(decimals, suffix=f"({unit})")
    return target.value, number_format(decimals, suffix=unit)


def _value_format(book: _Book, ind: Indicator, measure: Measure | None) -> str:
    """The number format of `ind`'s comparable values (≈ kept for approximate ones)."""
    prefix = "≈ " if measure is not None and measure.approx else ""
    if ind.target.kind is TargetKind.PERCENT or (measure is not None and measure.percent):
        return number_format(0, percent=True, prefix=prefix)
    suffix = "€" if (ind.unit or "").strip() == "€" else ""
    return number_format(_decimals(ind), suffix=suffix, prefix=prefix)


def _stored(ind: Indicator, measure: Measure) -> float:
    """A comparable value as the cell stores it: percentages as Excel's fractions."""
    percent = ind.target.kind is TargetKind.PERCENT or measure.percent
    return measure.value / 100 if percent else measure.value


def _notes(book: _Book, ind: Indicator, st: IndicatorProgress, years: Sequence[int]) -> str:
    notes = []
    if st.missing:
        notes.append(book(MISSING[st.missing], year=st.year))
    latest = max(years, default=None)
    if st.year is not None and latest is not None and st.year < latest and ind.value(latest) is None:
        notes.append(book(NOTE_LATEST_MISSING, year=latest, progress_year=st.year))
    if ind.target.kind is not TargetKind.QUALITATIVE and ind.target.value is not None:
        other = [str(y) for y, m in ind.values if m.value is not None and not st.comparable.get(y)]
        # the latest year's own note says it already
        if st.missing == "other_unit":
            other = [y for y in other if y != str(st.year)]
        if other:
            notes.append(book(NOTE_OTHER_UNIT, years=", ".join(other)))
    approx = [str(y) for y, m in ind.values if m.approx and st.comparable.get(y)]
    if approx:
        notes.append(book(NOTE_APPROX, years=", ".join(approx)))
    if ind.target.kind is TargetKind.RELATIVE:
        notes.append(book(NOTE_GROWTH))
    return " ".join(notes)


OVERVIEW_WIDTHS = {"name": 36, "goal": 7, "unit": 10, "source": 14, "target": 24, "level": 16, "value": 13,
                   "change_years": 12, "change": 12, "trend": 11, "progress": 11, "progress_year": 10,
                   "method": 22, "light": 18, "note": 44}


def _overview(book: _Book, ws, indicators: list[Indicator], progress: dict[int, IndicatorProgress],
              trends: dict[int, str]) -> None:
    sheet = ws.name
    years = sorted({y for i in indicators for y, _m in i.values})
    keys = ["name", "goal", "unit", "source", "target", "level", *(["value"] * len(years)), "change_years",
            "change", "trend", "progress", "progress_year", "method", "light", "note"]
    headers = [book(H_INDICATOR), book(H_GOAL), book(H_UNIT), book(H_SOURCE_COL), book(H_TARGET),
               book(H_TARGET_LEVEL), *(book(H_VALUE_YEAR, year=y) for y in years), book(H_CHANGE_YEARS),
               book(H_CHANGE), book(H_TREND), book(H_PROGRESS), book(H_PROGRESS_YEAR), book(H_METHOD),
               book(H_LIGHT), book(H_NOTE)]
    widths = [OVERVIEW_WIDTHS[k] for k in keys]
    col = {k: keys.index(k) for k in keys}
    first_year = col["value"]
    _table(book, ws, len(indicators), headers, book(TABLE_OVERVIEW), widths)
    for r, ind in enumerate(indicators, start=1):
        st = progress[ind.row]
        name = book.shown(ind.name, sheet, "")
        where = name
        lines = [text_lines(name, widths[0])]
        ws.write_string(r, col["name"], name, book.fmt(text_wrap=True, bold=True))
        _put_text(ws, r, col["goal"], ind.goal.value if ind.goal else None, book.fmt())
        _put_text(ws, r, col["unit"], book.unit(ind, sheet, where), book.wrap)
        source = book.source(ind.source, sheet, where)
        _put_text(ws, r, col["source"], source, book.wrap)
        lines.append(text_lines(source, widths[col["source"]]))
        target_text = Text(ind.target.raw or None, ind.target.raw_sv or None)
        shown = _write_written(book, ws, r, col["target"], _shown_or_raw(book, target_text, sheet, where), sheet,
                               where, "€" if (ind.unit or "").strip() == "€" else "", mark=False)
        lines.append(text_lines(shown, widths[col["target"]]))
        level = _target_level(book, ind, sheet, where)
        if level:
            ws.write_number(r, col["level"], level[0], book.fmt(num_format=level[1]))
        else:
            ws.write_blank(r, col["level"], None, book.fmt())
        suffix = "€" if (ind.unit or "").strip() == "€" else ""
        for k, year in enumerate(years):
            m = ind.value(year)
            if m is None:
                ws.write_string(r, first_year + k, book(NO_VALUE), book.note)
            else:
                shown = _write_written(book, ws, r, first_year + k, m.raw, sheet, where, suffix)
                lines.append(text_lines(shown, widths[first_year + k]))
        change = st.change
        if change:
            ws.write_string(r, col["change_years"], f"{change.start}–{change.end}", book.fmt())
            prefix = "≈ " if change.approx else ""
            if change.unit == "points":
                fmt = f'"{prefix}"+0.0" {book(POINTS)}";"{prefix}"-0.0" {book(POINTS)}";"{prefix}"0" {book(POINTS)}"'
                value = change.value
            else:
                body = number_format(_decimals(ind), suffix=suffix)
                fmt = f'"{prefix}"+{body};"{prefix}"-{body};"{prefix}"{body}'
                value = change.value
            ws.write_number(r, col["change"], value, book.fmt(num_format=fmt.replace('""', "")))
        else:
            ws.write_blank(r, col["change_years"], None, book.fmt())
            ws.write_blank(r, col["change"], None, book.fmt())
        if ind.row in trends:
            ws.add_sparkline(r, col["trend"], {"range": trends[ind.row], "markers": True, "series_color": SERIES,
                                               "markers_color": SERIES, "negative_color": TARGET_LINE})
        code = st.light
        if st.ratio is not None:
            ws.write_number(r, col["progress"], st.ratio, book.light(code, num_format=PERCENT))
            ws.write_number(r, col["progress_year"], st.year, book.fmt(num_format=YEAR))
            method = book(METHODS[st.method])
            ws.write_string(r, col["method"], method, book.wrap)
            lines.append(text_lines(method, widths[col["method"]]))
        else:
            ws.write_blank(r, col["progress"], None, book.light(None))
            ws.write_blank(r, col["progress_year"], None, book.fmt())
            ws.write_blank(r, col["method"], None, book.fmt())
        word = book.word(code)
        ws.write_string(r, col["light"], word, book.light(code))
        lines.append(text_lines(word, widths[col["light"]]))
        note = _notes(book, ind, st, years)
        ws.write_string(r, col["note"], note, book.note) if note else ws.write_blank(r, col["note"], None, book.note)
        lines.append(text_lines(note, widths[col["note"]]))
        ws.set_row(r, LINE_PT * max(lines))
    ws.freeze_panes(1, 1)
    _print_columns(ws, widths, (0, 0))


def _shown_or_raw(book: _Book, text: Text, sheet: str, where: str) -> str:
    """A target as written in this language; one that is a number is the same in both."""
    own = text.fi if book.lang == "fi" else text.sv
    if own:
        return own
    other = text.get(book.lang)
    if written_number(other) is not None:
        return other
    return book.shown(text, sheet, where)


GOAL_WIDTHS = (16, 15, 15, 34)


def _goal_sheet(book: _Book, ws, goal: Goal, indicators: list[Indicator],
                progress: dict[int, IndicatorProgress]) -> dict[int, str]:
    """Each indicator: its name, then its small table beside its chart, and its details below the table.

    Returns the range of each charted indicator's comparable values, for the overview's trend."""
    sheet = ws.name
    years = sorted({y for i in book.roadmap.indicators for y, _m in i.values})
    ws.write_string(0, 0, f"{book(SHEET_GOAL, goal=goal.value)}: {book(GOAL_SHORT[goal])}",
                    book.fmt(bold=True, font_size=14, font_color=ACCENT))
    goal_text = book(GOAL_LONG[goal])
    ws.write_string(1, 0, goal_text[:1].upper() + goal_text[1:], book.fmt(italic=True, font_color=MUTED))
    _set_widths(ws, GOAL_WIDTHS)
    ws.set_column(4, 3 + GOAL_CHART_COLUMNS, 9)
    content_px = sum(column_px(w) for w in (*GOAL_WIDTHS, *[9] * GOAL_CHART_COLUMNS))
    # rows a printed page holds at the scale that fits the sheet's width on the page
    page_pt = A4_LANDSCAPE_PT / min(1.0, A4_LANDSCAPE_PX / content_px)
    trends: dict[int, str] = {}
    heights: dict[int, float] = {}

    def set_height(r: int, points: float) -> None:
        heights[r] = points
        ws.set_row(r, points)

    row = 3
    used_pt = 3 * LINE_PT
    breaks: list[int] = []
    for ind in indicators:
        st = progress[ind.row]
        start = row
        name = book.shown(ind.name, sheet, "")
        ws.write_string(row, 0, name, book.fmt(bold=True, font_size=12, font_color=ACCENT))
        set_height(row, 20)
        unit = book.unit(ind, sheet, name)
        percent = ind.target.kind is TargetKind.PERCENT
        unit_label = "%" if percent else (unit or book(NUMBER_UNIT))
        head = row + 1
        headers = [book(H_YEAR), book(H_VALUE_UNIT, unit=unit_label), book(H_TARGET_UNIT, unit=unit_label),
                   book(H_WRITTEN)]
        for c, h in enumerate(headers):
            ws.write_string(head, c, h, book.header)
        set_height(head, LINE_PT * max(text_lines(h, w) for h, w in zip(headers, GOAL_WIDTHS, strict=True)))
        level = ind.target.value if ind.target.kind in (TargetKind.ABSOLUTE, TargetKind.PERCENT) else None
        first = head + 1
        labels = []
        comparable_any = False
        suffix = "€" if (ind.unit or "").strip() == "€" else ""
        for k, year in enumerate(years):
            r = first + k
            m = ind.value(year)
            fits = bool(m and st.comparable.get(year))
            # the year stays a number; its format says when the chart has no bar for it, and why
            mark = "" if fits else book(NO_VALUE) if m is None or not m.raw.strip() else book(NOT_COMPARED)
            year_format = f'0" ({mark})"' if mark else YEAR
            ws.write_number(r, 0, year, book.fmt(num_format=year_format, align="left"))
            if fits:
                comparable_any = True
                ws.write_number(r, 1, _stored(ind, m), book.fmt(num_format=_value_format(book, ind, m)))
                shown = _value_format(book, ind, m)
                labels.append({"value": _label(book, ind, m, shown)})
            else:
                ws.write_blank(r, 1, None, book.fmt())
                labels.append({"value": mark})
            if level is not None:
                ws.write_number(r, 2, level / 100 if percent else level,
                                book.fmt(num_format=_value_format(book, ind, None)))
            else:
                ws.write_blank(r, 2, None, book.fmt())
            if m is None or not m.raw.strip():
                ws.write_string(r, 3, book(NO_VALUE), book.note)
            else:
                shown = _write_written(book, ws, r, 3, m.raw, sheet, name, suffix)
                set_height(r, LINE_PT * text_lines(shown, GOAL_WIDTHS[3]))
        last = first + len(years) - 1
        details = last + 2
        code = st.light
        target_text = _shown_or_raw(book, Text(ind.target.raw or None, ind.target.raw_sv or None), sheet, name)
        detail_rows: list[tuple[str, Any]] = [
            (book(H_TARGET), ("target", target_text)),
            (book(H_PROGRESS), ("progress", st)),
            (book(H_SOURCE_COL), ("text", book.source(ind.source, sheet, name))),
        ]
        note = _notes(book, ind, st, years)
        if note:
            detail_rows.append((book(H_NOTE), ("note", note)))
        r = details
        for caption, (kind, value) in detail_rows:
            ws.write_string(r, 0, caption, book.fmt(bold=True))
            if kind == "target":
                lvl = _target_level(book, ind, sheet, name)
                if lvl:
                    ws.write_number(r, 1, lvl[0], book.fmt(num_format=lvl[1], align="left"))
                shown = _write_written(book, ws, r, 3, value, sheet, name, suffix, mark=False)
                set_height(r, LINE_PT * text_lines(shown, GOAL_WIDTHS[3]))
            elif kind == "progress":
                if st.ratio is not None:
                    ws.write_number(r, 1, st.ratio, book.light(code, num_format=PERCENT, align="left"))
                    method = f"{st.year}: {book(METHODS[st.method])}"
                    ws.write_string(r, 3, method, book.wrap)
                    set_height(r, LINE_PT * text_lines(method, GOAL_WIDTHS[3]))
                else:
                    ws.write_blank(r, 1, None, book.light(None))
                word = book.word(code)
                ws.write_string(r, 2, word, book.light(code))
                set_height(r, LINE_PT * max(text_lines(word, GOAL_WIDTHS[2]),
                                            text_lines(_method_text(st, book), GOAL_WIDTHS[3])))
            elif kind == "text":
                _put_text(ws, r, 3, value, book.wrap)
                set_height(r, LINE_PT * text_lines(value, GOAL_WIDTHS[3]))
            else:
                ws.write_string(r, 3, value, book.note)
                set_height(r, LINE_PT * text_lines(value, GOAL_WIDTHS[3]))
            r += 1
        table_end = r
        block_rows = table_end - start
        chart_rows = 0
        if comparable_any:
            _chart(book, ws, ind, name, unit_label, head, first, last, level, labels, st)
            chart_rows = math.ceil(CHART_PX[1] / 20)
            trends[ind.row] = f"{_quote(sheet)}!{xl_rowcol_to_cell(first, 1)}:{xl_rowcol_to_cell(last, 1)}"
        end = start + max(block_rows, chart_rows + 1) - 1
        height = sum(heights.get(r, LINE_PT) for r in range(start, end + 1))
        if used_pt + height > page_pt and start > 3:
            breaks.append(start)
            used_pt = 0
        used_pt += height
        row = end + 1
    if breaks:
        ws.set_h_pagebreaks(breaks)
    ws.repeat_rows(0)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    return trends


def _method_text(st: IndicatorProgress, book: _Book) -> str:
    """'2025: arvo ÷ tavoitearvo': the year progress is of and its method; '' without progress."""
    if st.ratio is None:
        return ""
    return f"{st.year}: {book(METHODS[st.method])}"


def _quote(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def _label(book: _Book, ind: Indicator, m: Measure, fmt: str) -> str:
    """A data label as the reader's locale writes the value: '2 371', '≈ 50', '100 %', '418 779,25 €'."""
    prefix = "≈ " if m.approx else ""
    if ind.target.kind is TargetKind.PERCENT or m.percent:
        return prefix + book.loc.percent(m.value / 100, decimals=0)
    text = book.loc.number(m.value, decimals=_decimals(ind))
    return prefix + text + (" €" if (ind.unit or "").strip() == "€" else "")


def _chart(book: _Book, ws, ind: Indicator, name: str, unit_label: str, head: int, first: int, last: int,
           level: float | None, labels: list[dict], st: IndicatorProgress) -> None:
    sheet = ws.name
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": [sheet, head, 1],
        "categories": [sheet, first, 0, last, 0],
        "values": [sheet, first, 1, last, 1],
        "fill": {"color": SERIES},
        "border": {"none": True},
        "data_labels": {"value": True, "custom": labels, "position": "outside_end"},
        "gap": 80,
    })
    percent = ind.target.kind is TargetKind.PERCENT
    if level is not None:
        target = book.wb.add_chart({"type": "line"})
        target.add_series({
            "name": [sheet, head, 2],
            "categories": [sheet, first, 0, last, 0],
            "values": [sheet, first, 2, last, 2],
            "line": {"color": TARGET_LINE, "dash_type": "dash", "width": 2},
            "marker": {"type": "none"},
        })
        chart.combine(target)
    # The title points at the name cell: a name given as text could be read as a cell reference.
    chart.set_title({"name": [sheet, head - 1, 0], "name_font": {"size": 11, "bold": True, "color": INK}})
    chart.set_legend({"position": "bottom"})
    scale = re.fullmatch(r"(\d+)\s*[–-]\s*(\d+)", (ind.unit or "").strip())
    y_axis: dict[str, Any] = {
        "name": book(H_VALUE_UNIT, unit=unit_label),
        "name_font": {"size": 9, "bold": False, "color": MUTED},
        "num_font": {"color": MUTED},
        "num_format": "0 %" if percent else "#,##0.##",
        "major_gridlines": {"visible": True, "line": {"color": SURFACE}},
        "line": {"color": LINE},
    }
    if scale:
        y_axis |= {"min": int(scale.group(1)), "max": int(scale.group(2))}
    else:
        # bars start at zero so their heights compare honestly
        y_axis["min"] = 0
    chart.set_y_axis(y_axis)
    chart.set_x_axis({"name": book(H_YEAR), "name_font": {"size": 9, "bold": False, "color": MUTED},
                      "num_font": {"color": MUTED}, "num_format": "0", "line": {"color": LINE}})
    chart.set_chartarea({"border": {"color": LINE}, "fill": {"color": BACKGROUND}})
    chart.show_blanks_as("gap")
    chart.set_size({"width": CHART_PX[0], "height": CHART_PX[1]})
    values = ", ".join(f"{y}: {lab['value']}" for y, lab in zip(
        sorted({y for i in book.roadmap.indicators for y, _m in i.values}), labels, strict=True))
    lvl = _target_level(book, ind, sheet, name)
    target_text = _format_level(book, ind, lvl, book.unit(ind, sheet, name)) if lvl else (ind.target.raw or "")
    alt = book(CHART_ALT if level is not None else CHART_ALT_NO_LINE, name=name, unit=unit_label, values=values,
               target=target_text)
    ws.insert_chart(head, 4, chart, {"description": alt, "x_offset": 8, "object_position": 3})


def _format_level(book: _Book, ind: Indicator, level: tuple[float, str], unit: str) -> str:
    """The target level in words of the alt text, as the cell shows it."""
    value = level[0]
    if ind.target.kind is TargetKind.PERCENT:
        return book.loc.percent(value, decimals=0)
    if ind.target.kind is TargetKind.RELATIVE:
        return f"+{book.loc.percent(value, decimals=0)} {book(PER_YEAR)}"
    if re.fullmatch(r"\d+\s*[–-]\s*\d+", (ind.unit or "").strip()):
        unit = f"({unit})"
    return f"{book.loc.number(value)} {unit}".strip()


def _projects(book: _Book, ws) -> tuple[list[Column], list[float]]:
    """The projects sheet's structure and a probe row; returns its cells by column and each row's height.

    xlsxwriter writes the header, the table, widths, column formats and one row of styled empty
    cells; `fill_rows` then puts every project in place of that row (see docs/workbook.md).
    """
    sheet = ws.name
    projects = book.roadmap.projects
    years = list(book.roadmap.years)
    snapshots: list[str] = []
    for p in projects:
        for lab, _s in p.status_history:
            if lab not in snapshots:
                snapshots.append(lab)
    keys = ["id", "name", "goal", *(["year"] * len(years)), "status", *(["snapshot"] * len(snapshots)),
            "problem", "impact", "level", "basis", "benefit", "beneficiaries", "cost_class", "impact_class", "model",
            "owner", "cost", "cost_kind", "row"]
    widths_by_key = {"id": 9, "name": 38, "goal": 8, "row": 7, "year": 11, "status": 13, "snapshot": 13,
                     "problem": 44, "impact": 44, "level": 22, "basis": 16, "benefit": 16, "beneficiaries": 18,
                     "cost_class": 11, "impact_class": 11, "model": 13, "owner": 18, "cost": 13, "cost_kind": 13}
    widths = [widths_by_key[k] for k in keys]
    headers = [book(H_ID), book(H_NAME), book(H_GOAL),
               *(book(H_ROADMAP_YEAR, year=y) for y in years), book(H_STATUS),
               *(book(H_SNAPSHOT, label=lab) for lab in snapshots), book(H_PROBLEM), book(H_IMPACT),
               book(H_LEVEL), book(H_BASIS), book(H_BENEFIT), book(H_BENEFICIARIES), book(H_COST_CLASS),
               book(H_IMPACT_CLASS), book(H_MODEL), book(H_OWNER), book(H_COST_EUR), book(H_COST_KIND), book(H_ROW)]
    last_col = len(headers) - 1
    # The table covers the header and the probe row here; `fill_rows` stretches it over every project.
    ws.add_table(0, 0, 1, last_col, {
        "name": book(TABLE_PROJECTS),
        "style": "Table Style Light 1",
        "autofilter": True,
        "columns": [{"header": h, "header_format": book.header} for h in headers],
    })
    ws.set_row(0, LINE_PT * max(text_lines(h, w) for h, w in zip(headers, widths, strict=True)))
    _set_widths(ws, widths)
    ws.repeat_rows(0)
    formats = [book.wrap] * len(headers)
    formats[keys.index("row")] = book.fmt(num_format="0")
    formats[keys.index("cost")] = book.fmt(num_format=MONEY)
    # the probe row: each column's format, as xlsxwriter numbers it in the file, for the rows to copy
    for c, cell_format in enumerate(formats):
        ws.write_blank(1, c, None, cell_format)
    ws.freeze_panes(1, 2)
    _print_columns(ws, widths, (0, 1))

    # Every word is looked up once per code and every column is built in one pass over the projects.
    word = {code: book(msgid) for code, msgid in WORKBOOK_LABELS.items() if code is not None}
    many = {codes: ", ".join(word[c] for c in codes) or None for codes in {p.beneficiaries for p in projects}}
    # an owner title the master (or the owners' vocabulary) has only in the other language is shown
    # in that language, marked
    owners = {}
    for owner in {p.owner for p in projects}:
        shown = owner.pick(book.lang)
        owners[owner] = (f"{shown.text} {book(FALLBACK_NOTE[shown.lang])}" if shown.fallback
                         else shown.text or None)
    histories = [dict(p.status_history) for p in projects]
    code_value = {code: code.value for kind in (Goal, SizeClass) for code in kind}
    yes = book(YES)

    other = "sv" if book.lang == "fi" else "fi"
    other_note = f" {book(FALLBACK_NOTE[other])}"

    def texts(attr: str, column: str) -> list[str]:
        """The projects' `attr` texts as `Text.pick` shows them in this language, those in the other
        language marked; a column at a time, as a roll-up has tens of thousands of them."""
        own = list(map(attrgetter(f"{attr}.{book.lang}"), projects))
        theirs = list(map(attrgetter(f"{attr}.{other}"), projects))
        out = [o or (t + other_note if t else "") for o, t in zip(own, theirs, strict=True)]
        count = sum(1 for o, t in zip(own, theirs, strict=True) if t and not o)
        if count:
            book.fallbacks.append((sheet, column, book(FALLBACK_COUNT, n=book.loc.integer(count))))
        return out

    names = texts("name", headers[1])
    problems = texts("problem", book(H_PROBLEM))
    impacts = texts("impact", book(H_IMPACT))
    lines = map(max, column_lines(names, widths_by_key["name"]), column_lines(problems, widths_by_key["problem"]),
                column_lines(impacts, widths_by_key["impact"]))
    heights = [LINE_PT * n for n in lines]
    columns = [
        Column([p.id for p in projects], TEXT),
        Column(names, TEXT),
        Column([code_value.get(p.goal) for p in projects]),
    ]
    columns += [Column([yes if y in p.years else None for p in projects]) for y in years]
    columns.append(Column([word[p.status] for p in projects]))
    columns += [Column([word.get(h.get(lab)) for h in histories]) for lab in snapshots]
    columns += [
        Column(problems, TEXT),
        Column(impacts, TEXT),
        Column([word.get(p.level) for p in projects]),
        Column([word.get(p.basis) for p in projects]),
        Column([word.get(p.benefit) for p in projects]),
        Column([many[p.beneficiaries] for p in projects]),
        Column([code_value.get(p.cost_class) for p in projects]),
        Column([code_value.get(p.impact_class) for p in projects]),
        Column([word.get(p.model) for p in projects]),
        Column([owners[p.owner] for p in projects]),
        Column([p.cost_eur for p in projects], NUMBER),
        Column([word.get(p.cost_kind) for p in projects]),
        Column([p.row for p in projects], NUMBER),
    ]
    return columns, heights


def _status_by_year(book: _Book, ws, stats: Stats) -> None:
    years = stats.years
    headers = [book(H_STATUS), *(book(H_ROADMAP_YEAR, year=y) for y in years)]
    widths = [22, *([16] * len(years))]
    statuses = [*STATUS_ORDER]
    _table(book, ws, len(statuses) + 1, headers, book(TABLE_STATUS), widths)
    count = book.fmt(num_format="#,##0")
    for r, status in enumerate(statuses, start=1):
        # the status colour beside its word, never alone
        ws.write_string(r, 0, book.word(status), book.fmt(bold=True, font_color=BACKGROUND,
                                                          bg_color=STATUS_COLOURS[status]))
        for c, y in enumerate(years, start=1):
            ws.write_number(r, c, stats.status_by_year[y].get(status.value, 0), count)
    total = len(statuses) + 1
    ws.write_string(total, 0, book(TOTAL), book.fmt(bold=True))
    for c, y in enumerate(years, start=1):
        ws.write_number(total, c, stats.year_counts[y], book.fmt(num_format="#,##0", bold=True))
    ws.freeze_panes(1, 1)
    _print_columns(ws, widths, (0, 0))


def _findings(book: _Book, ws) -> Rows | None:
    """The findings sheet's structure and probe rows; returns its rows for `fill_sheets`, None if there are none.

    A finding's value is shown as written: a number stays a number with its written decimals, so
    each number format among the values has a probe row of its own for its cells' style."""
    findings = book.roadmap.findings
    headers = [book(h) for h in (H_SEVERITY, H_SHEET, H_ROW, H_COLUMN, H_VALUE, H_MESSAGE)]
    widths = [12, 14, 8, 10, 30, 70]
    written = [written_number(f.value) if f.value is not None and str(f.value).strip() else None
               for f in findings]
    number_formats = list(dict.fromkeys(number_format(n[1], n[2]) for n in written if n is not None))
    probes = 1 + len(number_formats)
    _table(book, ws, probes if findings else 1, headers, book(TABLE_FINDINGS), widths)
    ws.freeze_panes(1, 1)
    _print_columns(ws, widths, (0, 0))
    if not findings:
        ws.write_string(1, 0, book(NO_FINDINGS), book.note)
        return None
    formats = [book.wrap, book.wrap, book.fmt(num_format="0"), book.wrap, book.wrap, book.wrap]
    for r in range(1, probes + 1):
        for c, cell_format in enumerate(formats):
            value_format = book.fmt(num_format=number_formats[r - 2]) if c == 4 and r > 1 else cell_format
            ws.write_blank(r, c, None, value_format)
    severity = {s: book(msgid) for s, msgid in SEVERITY_WORDS.items()}
    style_of = {fmt: k for k, fmt in enumerate(number_formats, start=1)}
    values = [n[0] if n is not None else str(f.value) if f.value is not None and str(f.value).strip() else None
              for f, n in zip(findings, written, strict=True)]
    styles = [0 if n is None else style_of[number_format(n[1], n[2])] for n in written]
    messages = describe_all(findings, book.loc)
    shown = [v if isinstance(v, str) else "" for v in values]
    heights = [LINE_PT * max(a, b) for a, b in zip(column_lines(messages, widths[5]), column_lines(shown, widths[4]),
                                                    strict=True)]
    return Rows(ws.name, book(TABLE_FINDINGS), [
        Column([severity[f.severity] for f in findings]),
        Column([f.sheet or None for f in findings]),
        Column([f.row for f in findings], NUMBER),
        Column([None if f.column is None else str(f.column) for f in findings]),
        Column(values, MIXED, styles=styles),
        # a message repeats for every finding of its kind (a roll-up's thousands of prefixed ids):
        # shared, each message once
        Column(messages),
    ], heights)


def _guide(book: _Book, ws, names: dict[object, str]) -> None:
    headers = [book(H_TOPIC), book(H_EXPLANATION)]
    widths = [30, 100]
    goals = "\n".join(f"{g.value}: {book(GOAL_SHORT[g])} ({book(GOAL_LONG[g])})" for g in GOAL_ORDER)
    fills = {
        "about": names["about"], "overview": names["overview"], "projects": names["projects"],
        "status": names["status"], "findings": names["findings"], "fallback": names["fallback"],
        "goal": book(SHEET_GOAL, goal="A"), "note": book(FALLBACK_NOTE["sv" if book.lang == "fi" else "fi"]),
        "value": book(H_VALUE_YEAR, year=book.as_of.year), "target_level": book(H_TARGET_LEVEL), "goals": goals,
    }
    _table(book, ws, len(GUIDE_ROWS), headers, book(TABLE_GUIDE), widths)
    for r, (topic, text) in enumerate(GUIDE_ROWS, start=1):
        topic_text, body = book(topic, **fills), book(text, **fills)
        ws.write_string(r, 0, topic_text, book.fmt(bold=True, text_wrap=True))
        ws.write_string(r, 1, body, book.wrap)
        ws.set_row(r, LINE_PT * max(text_lines(topic_text, widths[0]), text_lines(body, widths[1])))
    ws.freeze_panes(1, 1)
    _print_columns(ws, widths, (0, 0))


def _fallbacks(book: _Book, ws) -> None:
    headers = [book(H_SHEET), book(H_WHERE), book(H_TEXT)]
    widths = [16, 40, 70]
    rows = book.fallbacks
    _table(book, ws, len(rows), headers, book(TABLE_FALLBACK), widths)
    if not rows:
        ws.write_string(1, 0, book(NO_FALLBACKS), book.note)
    for r, (sheet, where, text) in enumerate(rows, start=1):
        ws.write_string(r, 0, sheet, book.wrap)
        ws.write_string(r, 1, where, book.wrap)
        ws.write_string(r, 2, text, book.wrap)
        ws.set_row(r, LINE_PT * max(text_lines(where, widths[1]), text_lines(text, widths[2])))
    ws.freeze_panes(1, 1)
    _print_columns(ws, widths, (0, 0))


def _about(book: _Book, ws, options: BuildOptions) -> None:
    source = book.roadmap.source
    headers = [book(H_ITEM), book(H_VALUE)]
    widths = [34, 70]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, book.header)
    _set_widths(ws, widths)
    rows: list[tuple[str, object, Any]] = [
        (book(H_SOURCE), source.name, None),
        (book(H_SHA256), source.sha256, None),
        (book(H_MODIFIED), source.modified if source.modified else book(NOT_RECORDED), book.fmt(
            num_format=DATETIME, align="left")),
        (book(H_AS_OF), dt.datetime.combine(options.as_of, dt.time(0, 0)), book.fmt(num_format=DATE, align="left")),
        (book(H_GENERATED), _local(options.generated) or book(NOT_RECORDED),
         book.fmt(num_format=DATETIME, align="left")),
        (book(H_LANGUAGE), book(LANGUAGE_NAME[book.lang]), None),
        (book(H_VERSION), __version__, None),
    ]
    for r, (caption, value, fmt) in enumerate(rows, start=1):
        ws.write_string(r, 0, caption, book.fmt(bold=True))
        if isinstance(value, dt.datetime):
            ws.write_datetime(r, 1, value, fmt)
        else:
            ws.write_string(r, 1, str(value), book.wrap)
    ws.freeze_panes(1, 1)
    ws.repeat_rows(0)
    _print_columns(ws, widths, None)


def _local(moment: dt.datetime | None) -> dt.datetime | None:
    """`moment` as Porvoo's clocks show it, to the second (a spreadsheet's dates have no time zone)."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        from zoneinfo import ZoneInfo

        moment = moment.astimezone(ZoneInfo("Europe/Helsinki")).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def render_indicator_workbook(roadmap: Roadmap, stats: Stats, lang: str, options: BuildOptions,
                              staging: Path, progress: Progress) -> None:
    """Pipeline stage: write indicators-<lang>.xlsx into `staging`."""
    name = filename(lang)
    (staging / name).write_bytes(render_workbook(roadmap, stats, lang, options))
    progress(_("Wrote {file}"), {"file": name})


def chart_workbook(labels: list[str], series: list[tuple[str, Sequence[float | None]]], created: dt.datetime) -> bytes:
    """The workbook behind a deck chart: categories in A2…, each series' name in row 1 and its
    values below (the cells python-pptx's chart XML refers to), created on `created`."""
    out = io.BytesIO()
    with xlsxwriter.Workbook(out, {"in_memory": True}) as book:
        book.set_properties({"created": created})  # xlsxwriter dates every zip entry 1.1.1980
        sheet = book.add_worksheet()
        sheet.set_column(0, 0, 40)
        sheet.write_column(1, 0, labels)
        for col, (name, values) in enumerate(series, start=1):
            sheet.write(0, col, name)
            sheet.write_column(1, col, values)
    return out.getvalue()


def write_translation_worklist(path: Path, header: Sequence[str], todo: Sequence[Sequence[Any]],
                               done: Sequence[Sequence[Any]], created: dt.datetime) -> None:
    """The translator's worklist: `header`, then the rows still to translate (the Swedish column,
    second to last, empty and marked), then the rows already translated. Every cell is text as
    written; the same file, filled in, is the next build's translations workbook."""
    sv_col = len(header) - 2
    with xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                         "strings_to_numbers": False}) as book:
        book.set_properties({"created": created, "author": "digireport"})
        head = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1,
                                "bg_color": "#D9D9D9"})
        cell = book.add_format({"text_wrap": True, "valign": "top"})
        blank = book.add_format({"text_wrap": True, "valign": "top", "bg_color": "#FFF2CC", "border": 1,
                                 "border_color": "#BF9000"})
        shaded = book.add_format({"text_wrap": True, "valign": "top", "font_color": "#404040"})
        ws = book.add_worksheet(header[sv_col].split(" / ")[0][:31])
        widths = (14, 6, 11, 12, 16, 60, 60, 40)
        ws.write_row(0, 0, header, head)
        ws.set_row(0, 30)
        for r, row in enumerate([*todo, *done], start=1):
            translated = r > len(todo)
            # Excel and LibreOffice do not grow a row for wrapped text written by a program: its height
            # is set from the longest text's lines at about one character per unit of column width
            lines = max((-(-len(str(v)) // int(w)) for v, w in zip(row, widths, strict=False) if v), default=1)
            ws.set_row(r, 16 * max(lines, 1))
            for c, value in enumerate(row):
                fmt = (blank if c == sv_col and not translated else shaded if translated else cell)
                if isinstance(value, int):
                    ws.write_number(r, c, value, fmt)
                elif value is None or value == "":
                    ws.write_blank(r, c, None, fmt)
                else:
                    ws.write_string(r, c, str(value), fmt)
        for c, width in enumerate(widths[:len(header)]):
            ws.set_column(c, c, width)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(todo) + len(done), 1), len(header) - 1)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(0)
