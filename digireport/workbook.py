"""Statistics → the indicator workbook (indicators.xlsx): overview, goal charts, projects, findings."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from digireport import __version__
from digireport.findings import SEVERITY_WORDS, describe
from digireport.i18n import L10n, _, l10n
from digireport.labels import (
    BASIS_LABELS,
    BENEFICIARY_LABELS,
    BENEFIT_LABELS,
    COST_KIND_LABELS,
    GOAL_SHORT,
    LEVEL_LABELS,
    MODEL_LABELS,
    STATUS_LABELS,
)
from digireport.model import (
    GOAL_ORDER,
    Goal,
    Indicator,
    Roadmap,
    SizeClass,
    Status,
    TargetKind,
)
from digireport.sheetrows import NUMBER, TEXT, Column, fill_rows

if TYPE_CHECKING:
    from digireport.options import BuildOptions, Progress

FILENAME = "indicators.xlsx"
PROJECTS_TABLE = "Projects"

# Vocabulary words as every output shows them, and the traffic lights' words.
WORKBOOK_LABELS: dict[object, str] = {
    **STATUS_LABELS, **GOAL_SHORT, **LEVEL_LABELS, **BASIS_LABELS, **BENEFIT_LABELS, **BENEFICIARY_LABELS,
    **MODEL_LABELS, **COST_KIND_LABELS,
    "green": _("green: target met"),
    "amber": _("amber: partly met"),
    "red": _("red: behind target"),
    None: _("not assessable"),
}

# Traffic-light fills; the word next to the colour carries the same meaning for those who cannot see it.
LIGHT_COLOURS = {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE"}

SHEET_OVERVIEW = _("Indicators")
SHEET_GOAL = _("Goal {goal}")
SHEET_PROJECTS = _("Projects")
SHEET_FINDINGS = _("Findings")
SHEET_ABOUT = _("About")

H_GOAL = _("Goal")
H_ROW = _("Row")
H_ID = _("Identifier")
H_NAME_FI = _("Name in Finnish")
H_NAME_SV = _("Name in Swedish")
H_INDICATOR_FI = _("Indicator in Finnish")
H_INDICATOR_SV = _("Indicator in Swedish")
H_UNIT = _("Unit")
H_TARGET_FI = _("Target in Finnish")
H_TARGET_SV = _("Target in Swedish")
H_TARGET_VALUE = _("Target as number")
H_YEAR_RAW = _("{year} as written")
H_YEAR_VALUE = _("{year} as number")
H_TREND = _("Trend")
H_CHANGE = _("Change")
H_PROGRESS = _("Progress")
H_LIGHT = _("Traffic light")
H_YEAR = _("Year")
H_VALUE = _("Value")
H_TARGET = _("Target")
H_YEARS = _("Roadmap years")
H_STATUS_FI = _("Status in Finnish")
H_STATUS_SV = _("Status in Swedish")
H_SNAPSHOT = _("Status at {label}")
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
H_MESSAGE_FI = _("Message in Finnish")
H_MESSAGE_SV = _("Message in Swedish")
H_ITEM = _("Item")
H_SOURCE = _("Source file")
H_SHA256 = _("SHA-256 of the source file")
H_AS_OF = _("Date of the data")
H_VERSION = _("digireport version")
NO_INDICATORS = _("No numeric indicators for this goal.")
CHART_ALT = _("Column chart of {name} by year: {values}.")
DOC_TITLE = _("Digital programme indicators")
DOC_SUBJECT = _("Indicators and roadmap projects of the digital programme")

MONEY = "#,##0.00 €"
DECIMAL = "#,##0.00"
INTEGER = "#,##0"
PERCENT = "0.00 %"
DATE = "d.m.yyyy"


class _Words:
    """Both languages at once: headers read 'Mittari / Indikator'."""

    def __init__(self) -> None:
        self.fi: L10n = l10n("fi")
        self.sv: L10n = l10n("sv")

    def both(self, msgid: str, **fmt: object) -> str:
        fi, sv = self.fi(msgid, **fmt), self.sv(msgid, **fmt)
        return fi if fi == sv else f"{fi} / {sv}"

    def sheet(self, msgid: str, **fmt: object) -> str:
        # '/' is not allowed in sheet names and 31 characters is Excel's limit.
        fi, sv = self.fi(msgid, **fmt), self.sv(msgid, **fmt)
        return (fi if fi == sv else f"{fi} – {sv}")[:31]

    def label(self, code: object) -> str:
        return self.both(WORKBOOK_LABELS[code])

    def labels(self, codes) -> str | None:
        """'kuntalainen, yritys / kommuninvånare, företag'; None for no codes."""
        if not codes:
            return None
        fi = ", ".join(self.fi(WORKBOOK_LABELS[c]) for c in codes)
        sv = ", ".join(self.sv(WORKBOOK_LABELS[c]) for c in codes)
        return f"{fi} / {sv}"


class _Formats:
    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.header = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                     "border": 1})
        self.title = wb.add_format({"bold": True, "font_size": 13})
        self.plain = wb.add_format({"valign": "top"})
        # No wrapping in data cells: row heights are not stored, and wrapped text would overlap.
        self.text = self.plain
        self.integer = wb.add_format({"num_format": INTEGER, "valign": "top"})
        self.decimal = wb.add_format({"num_format": DECIMAL, "valign": "top"})
        self.money = wb.add_format({"num_format": MONEY, "valign": "top"})
        self.percent = wb.add_format({"num_format": PERCENT, "valign": "top"})
        self.date = wb.add_format({"num_format": DATE, "align": "left"})
        self.lights = {k: wb.add_format({"bg_color": c}) for k, c in LIGHT_COLOURS.items()}

    def number(self, value: float):
        return self.integer if float(value).is_integer() else self.decimal


def _put_text(ws, row: int, col: int, value: str | None, fmt=None) -> None:
    """Text from the master workbook stays text: never a formula, link or number."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _put_number(ws, row: int, col: int, value: float | None, fmt) -> None:
    if value is None:
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_number(row, col, value, fmt)


def _put_measure(ws, row: int, col: int, value: float | None, percent: bool, fmt: _Formats) -> None:
    """A number as written: '100 %' becomes 1.0 shown as a percentage, the way Excel stores percentages."""
    if value is None:
        ws.write_blank(row, col, None)
    elif percent:
        ws.write_number(row, col, value / 100, fmt.percent)
    else:
        ws.write_number(row, col, value, fmt.number(value))


def _headers(ws, row: int, headers: list[str], fmt) -> None:
    for col, text in enumerate(headers):
        ws.write_string(row, col, text, fmt)


def _print_setup(ws, header_rows: int = 1) -> None:
    """A4 landscape, one page wide, header repeated: the sheets are printed for meetings."""
    ws.set_paper(9)
    ws.set_landscape()
    ws.fit_to_pages(1, 0)
    if header_rows:
        ws.repeat_rows(0, header_rows - 1)


def render_workbook(roadmap: Roadmap, stats: dict[str, Any], options: BuildOptions) -> bytes:
    """The indicator workbook as .xlsx bytes; the same input and `as_of` give the same bytes."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {
        "in_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    })
    words = _Words()
    fmt = _Formats(wb)
    created = dt.datetime.combine(options.as_of, dt.time(0, 0))
    wb.set_properties({
        "title": words.both(DOC_TITLE),
        "subject": words.both(DOC_SUBJECT),
        "keywords": "digiohjelma, digiprogrammet, Porvoo, Borgå",
        "created": created,
    })
    _overview(wb, words, fmt, roadmap, stats)
    for goal in GOAL_ORDER:
        indicators = [i for i in roadmap.indicators if i.goal is goal]
        if indicators:
            _goal_sheet(wb, words, fmt, goal, indicators)
    project_sheet, project_columns = _projects(wb, words, fmt, roadmap)
    _findings(wb, words, fmt, roadmap)
    _about(wb, words, fmt, roadmap, options)
    wb.close()
    # The build runs with the cyclic collector paused and the workbook's objects refer to each
    # other: let go of the cells now, or they would stay in memory for the rest of the build.
    for ws in wb.worksheets():
        ws.table.clear()
    wb.str_table.string_array.clear()
    return fill_rows(buf.getvalue(), project_sheet, PROJECTS_TABLE, project_columns)


def _indicator_years(roadmap: Roadmap) -> list[int]:
    return sorted({y for i in roadmap.indicators for y, _m in i.values})


def _overview(wb, words: _Words, fmt: _Formats, roadmap: Roadmap, stats: dict[str, Any]) -> None:
    ws = wb.add_worksheet(words.sheet(SHEET_OVERVIEW))
    years = _indicator_years(roadmap)
    headers = [words.both(h) for h in (H_GOAL, H_INDICATOR_FI, H_INDICATOR_SV, H_UNIT, H_TARGET_FI,
                                        H_TARGET_SV, H_TARGET_VALUE)]
    raw_col = len(headers)
    headers += [words.both(H_YEAR_RAW, year=y) for y in years]
    value_col = len(headers)
    headers += [words.both(H_YEAR_VALUE, year=y) for y in years]
    trend_col = len(headers)
    headers += [words.both(h) for h in (H_TREND, H_CHANGE, H_PROGRESS, H_LIGHT)]
    change_col, progress_col, light_col = trend_col + 1, trend_col + 2, trend_col + 3
    _headers(ws, 0, headers, fmt.header)
    ws.set_row(0, 45)
    def order(pair: tuple[Indicator, dict]) -> tuple[int, int]:
        ind = pair[0]
        return (GOAL_ORDER.index(ind.goal) if ind.goal else len(GOAL_ORDER), ind.row)

    indicators = sorted(zip(roadmap.indicators, stats["indicators"], strict=True), key=order)
    for r, (ind, st) in enumerate(indicators, start=1):
        _put_text(ws, r, 0, ind.goal.value if ind.goal else None, fmt.plain)
        _put_text(ws, r, 1, ind.name.fi, fmt.text)
        _put_text(ws, r, 2, ind.name.sv, fmt.text)
        _put_text(ws, r, 3, ind.unit, fmt.plain)
        _put_text(ws, r, 4, ind.target.raw, fmt.text)
        _put_text(ws, r, 5, ind.target.raw_sv, fmt.text)
        _put_measure(ws, r, 6, ind.target.value, ind.target.kind is TargetKind.PERCENT, fmt)
        for k, year in enumerate(years):
            m = ind.value(year)
            _put_text(ws, r, raw_col + k, m.raw if m else None, fmt.text)
            _put_measure(ws, r, value_col + k, m.value if m else None, bool(m and m.percent), fmt)
        if any(m.value is not None for _y, m in ind.values):
            first, last = xl_rowcol_to_cell(r, value_col), xl_rowcol_to_cell(r, value_col + len(years) - 1)
            ws.add_sparkline(r, trend_col, {"range": f"{first}:{last}", "markers": True})
        numbers = [m for _y, m in ind.values if m.value is not None]
        # between percentages the change is in percentage points, shown like the values
        _put_measure(ws, r, change_col, st.get("change"), bool(numbers and numbers[-1].percent), fmt)
        _put_number(ws, r, progress_col, st.get("ratio"), fmt.percent)
        ws.write_string(r, light_col, words.label(st.get("light")), fmt.plain)
    last = len(indicators)
    if last:
        ws.conditional_format(1, progress_col, last, progress_col, {
            "type": "data_bar", "bar_color": "#5B9BD5", "min_type": "num", "min_value": 0,
            "max_type": "num", "max_value": 1, "bar_solid": True,
        })
        for light, f in fmt.lights.items():
            ws.conditional_format(1, light_col, last, light_col, {
                "type": "text", "criteria": "begins with", "value": words.label(light), "format": f,
            })
        ws.autofilter(0, 0, last, light_col)
    ws.freeze_panes(1, 3)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 2, 60)
    ws.set_column(3, 3, 10)
    ws.set_column(4, 5, 40)
    ws.set_column(6, value_col + len(years) - 1, 14)
    ws.set_column(trend_col, trend_col, 14)
    ws.set_column(change_col, progress_col, 14)
    ws.set_column(light_col, light_col, 48)
    _print_setup(ws)


def _goal_sheet(wb, words: _Words, fmt: _Formats, goal: Goal, indicators: list[Indicator]) -> None:
    ws = wb.add_worksheet(words.sheet(SHEET_GOAL, goal=goal.value))
    ws.write_string(0, 0, f"{goal.value}: {words.label(goal)}", fmt.title)
    ws.set_column(0, 0, 12)
    ws.set_column(1, 2, 16)
    _print_setup(ws, 0)
    numeric = [i for i in indicators if any(m.value is not None for _y, m in i.values)]
    if not numeric:
        ws.write_string(2, 0, words.both(NO_INDICATORS))
        return
    row = 2
    for ind in numeric:
        _put_text(ws, row, 0, f"{ind.name.fi or ''} / {ind.name.sv or ''}".strip(" /"), fmt.title)
        target_text = " / ".join(dict.fromkeys(t for t in (ind.target.raw, ind.target.raw_sv) if t))
        _put_text(ws, row + 1, 0, f"{words.both(H_TARGET)}: {target_text}", fmt.plain)
        _headers(ws, row + 2, [words.both(H_YEAR), words.both(H_VALUE), words.both(H_TARGET)], fmt.header)
        first = row + 3
        values = [(y, m) for y, m in ind.values]
        # a growth target (+10 % a year) is not a level the values could be drawn against
        level = ind.target.value if ind.target.kind in (TargetKind.ABSOLUTE, TargetKind.PERCENT) else None
        for k, (year, m) in enumerate(values):
            ws.write_number(first + k, 0, year)
            _put_measure(ws, first + k, 1, m.value, m.percent, fmt)
            _put_measure(ws, first + k, 2, level, ind.target.kind is TargetKind.PERCENT, fmt)
        last = first + len(values) - 1
        chart = wb.add_chart({"type": "column"})
        name = ind.name.fi or ind.name.sv or ""
        chart.add_series({
            "name": words.both(H_VALUE),
            "categories": [ws.name, first, 0, last, 0],
            "values": [ws.name, first, 1, last, 1],
            "data_labels": {"value": True},
        })
        if level is not None:
            target = wb.add_chart({"type": "line"})
            target.add_series({
                "name": words.both(H_TARGET),
                "categories": [ws.name, first, 0, last, 0],
                "values": [ws.name, first, 2, last, 2],
                "line": {"color": "#C00000", "dash_type": "dash"},
            })
            chart.combine(target)
        # The title points at the name cell: a name given as text could be read as a cell reference.
        chart.set_title({"name": [ws.name, row, 0], "name_font": {"size": 10}})
        chart.set_legend({"position": "bottom"})
        # bars start at zero so their heights compare honestly
        chart.set_y_axis({"min": 0})
        described = ", ".join(
            f"{y}: {words.fi.number(m.value) if m.value is not None else m.raw}" for y, m in values
        )
        chart.set_size({"width": 520, "height": 260})
        alt = (words.fi(CHART_ALT, name=name, values=described) + " "
               + words.sv(CHART_ALT, name=ind.name.get("sv"), values=described))
        ws.insert_chart(row, 4, chart, {"description": alt})
        row = max(last + 2, row + 14)


def _projects(wb, words: _Words, fmt: _Formats, roadmap: Roadmap) -> tuple[str, list[Column]]:
    """The projects sheet's structure and a probe row; returns the sheet's name and its cells by column.

    xlsxwriter writes the header, the table, widths, column formats and one row of styled empty
    cells; `fill_rows` then puts every project in place of that row (see docs/workbook.md).
    """
    ws = wb.add_worksheet(words.sheet(SHEET_PROJECTS))
    projects = roadmap.projects
    snapshots: list[str] = []
    for p in projects:
        for label, _s in p.status_history:
            if label not in snapshots:
                snapshots.append(label)
    headers = [words.both(h) for h in (H_ROW, H_ID, H_GOAL, H_NAME_FI, H_NAME_SV, H_YEARS, H_STATUS_FI,
                                        H_STATUS_SV)]
    headers += [words.both(H_SNAPSHOT, label=label) for label in snapshots]
    headers += [words.both(h) for h in (H_LEVEL, H_BASIS, H_BENEFIT, H_BENEFICIARIES, H_COST_CLASS,
                                        H_IMPACT_CLASS, H_MODEL, H_OWNER, H_COST_EUR, H_COST_KIND)]
    last_col = len(headers) - 1
    # The table covers the header and the probe row here; `fill_rows` stretches it over every
    # project. (Given the full range, xlsxwriter would also note each of its cells, one by one.)
    ws.add_table(0, 0, 1, last_col, {
        "name": PROJECTS_TABLE,
        "style": "Table Style Light 9",
        "autofilter": True,
        "columns": [{"header": h, "header_format": fmt.header} for h in headers],
    })
    formats = [fmt.plain] * len(headers)
    formats[0], formats[-2] = fmt.integer, fmt.money
    # the probe row: each column's format, as xlsxwriter numbers it in the file, for the rows to copy
    for c, cell_format in enumerate(formats):
        ws.write_blank(1, c, None, cell_format)
    ws.freeze_panes(1, 2)
    ws.set_row(0, 45)
    ws.set_column(0, 2, 9)
    ws.set_column(3, 4, 60)
    ws.set_column(5, last_col, 18)
    _print_setup(ws)

    # Every word is looked up once per code and every column is built in one pass over the projects.
    fi_word = {code: words.fi(msgid) for code, msgid in WORKBOOK_LABELS.items() if code is not None}
    sv_word = {code: words.sv(msgid) for code, msgid in WORKBOOK_LABELS.items() if code is not None}
    both_word = {code: words.label(code) for code in WORKBOOK_LABELS if code is not None}
    snapshot_word = {code: f"{fi_word[code]} / {sv_word[code]}" for code in Status}
    many_words = {codes: words.labels(codes) for codes in {p.beneficiaries for p in projects}}
    years_text = {years: ", ".join(str(y) for y in years) for years in {p.years for p in projects}}
    histories = [dict(p.status_history) for p in projects]

    code_value = {code: code.value for kind in (Goal, SizeClass) for code in kind}
    # Identifiers and names are free text, nearly all different: kept in their cells. Everything
    # else, the responsible included (a few dozen units), repeats: shared, each word once.
    columns = [
        Column([p.row for p in projects], NUMBER),
        Column([p.id for p in projects], TEXT),
        Column([code_value.get(p.goal) for p in projects]),
        Column([p.name.fi for p in projects], TEXT),
        Column([p.name.sv for p in projects], TEXT),
        Column([years_text[p.years] for p in projects]),
        Column([fi_word[p.status] for p in projects]),
        Column([sv_word[p.status] for p in projects]),
    ]
    columns += [Column([snapshot_word.get(h.get(label)) for h in histories]) for label in snapshots]
    columns += [
        Column([both_word.get(p.level) for p in projects]),
        Column([both_word.get(p.basis) for p in projects]),
        Column([both_word.get(p.benefit) for p in projects]),
        Column([many_words[p.beneficiaries] for p in projects]),
        Column([code_value.get(p.cost_class) for p in projects]),
        Column([code_value.get(p.impact_class) for p in projects]),
        Column([both_word.get(p.model) for p in projects]),
        Column([p.owner.fi or p.owner.sv for p in projects]),
        Column([p.cost_eur for p in projects], NUMBER),
        Column([both_word.get(p.cost_kind) for p in projects]),
    ]
    return ws.name, columns


def _findings(wb, words: _Words, fmt: _Formats, roadmap: Roadmap) -> None:
    ws = wb.add_worksheet(words.sheet(SHEET_FINDINGS))
    headers = [words.both(h) for h in (H_SEVERITY, H_SHEET, H_ROW, H_COLUMN, H_VALUE, H_MESSAGE_FI,
                                        H_MESSAGE_SV)]
    last_row = max(len(roadmap.findings), 1)
    ws.add_table(0, 0, last_row, len(headers) - 1, {
        "name": "Findings",
        "style": "Table Style Light 9",
        "autofilter": True,
        "columns": [{"header": h, "header_format": fmt.header} for h in headers],
    })
    for r, f in enumerate(roadmap.findings, start=1):
        ws.write_string(r, 0, words.both(SEVERITY_WORDS[f.severity]))
        _put_text(ws, r, 1, f.sheet)
        _put_number(ws, r, 2, f.row, fmt.integer)
        _put_text(ws, r, 3, f.column)
        _put_text(ws, r, 4, f.value, fmt.text)
        _put_text(ws, r, 5, describe(f, words.fi), fmt.text)
        _put_text(ws, r, 6, describe(f, words.sv), fmt.text)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    ws.set_column(0, 3, 12)
    ws.set_column(4, 4, 30)
    ws.set_column(5, 6, 60)
    _print_setup(ws)


def _about(wb, words: _Words, fmt: _Formats, roadmap: Roadmap, options: BuildOptions) -> None:
    ws = wb.add_worksheet(words.sheet(SHEET_ABOUT))
    _headers(ws, 0, [words.both(H_ITEM), words.both(H_VALUE)], fmt.header)
    ws.write_string(1, 0, words.both(H_SOURCE))
    _put_text(ws, 1, 1, roadmap.source.name)
    ws.write_string(2, 0, words.both(H_SHA256))
    ws.write_string(2, 1, roadmap.source.sha256)
    ws.write_string(3, 0, words.both(H_AS_OF))
    ws.write_datetime(3, 1, dt.datetime.combine(options.as_of, dt.time(0, 0)), fmt.date)
    ws.write_string(4, 0, words.both(H_VERSION))
    ws.write_string(4, 1, __version__)
    ws.freeze_panes(1, 0)
    ws.set_column(0, 0, 40)
    ws.set_column(1, 1, 70)
    _print_setup(ws)


def render_indicator_workbook(roadmap: Roadmap, stats: dict, report: dict, options: BuildOptions,
                              staging: Path, progress: Progress) -> None:
    """Pipeline stage: write indicators.xlsx into `staging`."""
    (staging / FILENAME).write_bytes(render_workbook(roadmap, stats, options))
    progress(_("Wrote {file}"), {"file": FILENAME})



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
