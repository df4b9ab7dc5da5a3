"""Statistics → the public web report (`site/`): bilingual static HTML and open data (CSV, JSON).

The pages make no requests to other hosts and link only relatively, so the folder works
from a web server, a file share or a local disk. Every workbook value is untrusted and is
escaped; a Content-Security-Policy forbids scripts altogether.
"""

from __future__ import annotations

import csv
import heapq
import io
import json
import re
from collections.abc import Callable, Iterable
from html import escape
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from digireport.i18n import LANGUAGES, L10n, _, l10n
from digireport.labels import GOAL_SHORT, STATUS_LABELS
from digireport.model import GOAL_ORDER, STATUS_ORDER, Goal, Roadmap, Status

SITE = "site"

LANGUAGE_NAMES = {"fi": _("In Finnish"), "sv": _("In Swedish")}
# Traffic lights always carry a word and a shape, so colour is never the only cue.
LIGHT_LABELS = {
    "green": (_("On target"), "●"),
    "amber": (_("Progressing"), "▲"),
    "red": (_("Behind"), "■"),
    None: (_("Cannot be assessed"), "–"),
}
# Bar colours of the charts; each is at least 4.5:1 against white.
STATUS_COLOURS = {
    Status.STARTED: "#1f5f99",
    Status.DONE: "#1e6b34",
    Status.UNKNOWN: "#595959",
    Status.PLANNED: "#7a4a00",
    Status.DROPPED: "#a1262d",
}
GOAL_COLOURS = {Goal.A: "#1f5f99", Goal.B: "#1e6b34", Goal.C: "#6b3fa0", Goal.K: "#7a4a00"}

# Words of the page that are not vocabulary.
SKIP = _("Skip to content")
BRAND = "PORVOO · BORGÅ"  # the city's bilingual name, the same on every page
LANGUAGE = _("Language")
INDICATORS = _("Indicators")
PROGRESS_NOTE = _(
    "Progress compares the latest value with the target; it is shown only where the target and the value "
    "are numbers.")
INDICATOR = _("Indicator")
TARGET = _("Target")
PROGRESS = _("Progress")
ASSESSMENT = _("Assessment")
PROJECTS = _("Roadmap projects")
STATUS = _("Status of the project")
TOTAL = _("Total")
GOAL = _("Goal")
ALL_PROJECTS = _("All projects")
FIRST_PROJECTS = _("First {shown} of {total} projects")
MORE_PROJECTS = _("The list shows the first {shown} of {total} projects. Projects not shown on this page: {n}.")
WHERE_ALL_PROJECTS = _(
    "Every project is in the open data files below, and in the indicator workbook of the follow-up.")
PROJECTS_CSV = _("Projects (CSV)")
PROJECTS_JSON = _("Projects (JSON)")
OPEN_DATA = _("Open data")
OPEN_DATA_NOTE = _(
    "The same data as machine-readable files (UTF-8). The fields are described in both languages in "
    "fields.json.")

PROJECT_FIELDS = (
    ("id", _("Project identifier; its letter is the goal (A17, B1, C27, K11).")),
    ("goal", _("Goal of the digital programme: A, B, C or K (capabilities).")),
    ("years", _("Roadmap years the project belongs to, separated by semicolons.")),
    ("status", _("Status: planned, started, done, unknown or dropped.")),
    ("name_fi", _("Name of the project in Finnish.")),
    ("name_sv", _("Name of the project in Swedish.")),
    ("problem_fi", _("What problem the project solves, in Finnish.")),
    ("problem_sv", _("What problem the project solves, in Swedish.")),
    ("impact_fi", _("Impact of the project, in Finnish.")),
    ("impact_sv", _("Impact of the project, in Swedish.")),
    ("level", _("Level: foundation, shared, sector or data.")),
    ("basis", _("Basis: law, strategy, end_of_support or political.")),
    ("benefit", _("Long-term benefit: renewal, human or sustainability.")),
    ("beneficiaries",
     _("Beneficiaries (residents, companies, tourists, staff, climate), separated by semicolons.")),
    ("cost_class", _("Cost class: S, M or L.")),
    ("impact_class", _("Impact class: S, M or L.")),
    ("model", _("Development model: network or independent.")),
    ("owner", _("Responsible director as written in the roadmap.")),
    ("cost_eur", _("Cost in euros, a decimal number with a point.")),
    ("cost_kind", _("Kind of cost: one_off or yearly.")),
    ("row", _("Row of the project in the roadmap workbook.")),
)
INDICATOR_FIELDS = (
    ("goal", _("Goal of the digital programme: A, B, C or K (capabilities).")),
    ("name_fi", _("Name of the indicator in Finnish.")),
    ("name_sv", _("Name of the indicator in Swedish.")),
    ("target", _("Target as written, in Finnish.")),
    ("target_sv", _("Target as written, in Swedish.")),
    ("target_value", _("Number in the target, where there is one.")),
    ("target_kind", _("Kind of target: absolute, percent, relative or qualitative.")),
    ("unit", _("Unit of the values.")),
    ("source", _("Where the values come from.")),
    ("year", _("Year of the value.")),
    ("value_raw", _("Value as written in the workbook.")),
    ("value", _("Number in the value, where there is one; a decimal number with a point.")),
    ("approx", _("true if the value is approximate.")),
    ("progress", _("Progress towards the target as a ratio (1 = target reached), where it can be computed.")),
    ("light", _("Traffic light: green, amber, red, or empty when progress cannot be assessed.")),
    ("row", _("Row of the indicator in the indicator sheet.")),
)

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_LOCALE_NUMBER = re.compile(r"[-−]?[\d\s\u00a0\u202f]+(,\d+)?( %)?")

CSS = """
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 line-height:1.5;color:#1a1a1a;background:#fff}
.skip{position:absolute;left:-999px;top:0;background:#fff;color:#003f7d;padding:.5rem 1rem}
.skip:focus{left:1rem}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{display:flex;flex-wrap:wrap;justify-content:space-between;align-items:baseline;
 border-bottom:4px solid #003f7d}
a{color:#003f7d}
a:focus-visible,[tabindex]:focus-visible{outline:3px solid #1a1a1a;outline-offset:2px}
.brand{font-weight:700;letter-spacing:.08em}
h1{font-size:1.9rem;margin:1.5rem 0 .5rem}
h2{font-size:1.5rem;margin:2.5rem 0 .5rem;border-bottom:1px solid #767676}
h3{font-size:1.2rem;margin:1.5rem 0 .5rem}
.meta{color:#3d3d3d}
.scroll{overflow-x:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;font-size:.95rem}
caption{text-align:left;font-weight:700;padding:.25rem 0}
th,td{border:1px solid #767676;padding:.3rem .5rem;vertical-align:top}
thead th{background:#e8eef5}
th[scope=row]{font-weight:400;text-align:left}
td.num{text-align:right;white-space:nowrap}
tfoot th,tfoot td,tfoot th[scope=row]{font-weight:700}
.light{white-space:nowrap;font-weight:700}
.light-green{background:#dcefe0;color:#0b3d17}
.light-amber{background:#fff0c7;color:#4d3300}
.light-red{background:#fadcdc;color:#6b0f14}
.light-none{background:#f0f0f0;color:#3d3d3d}
.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
figure{margin:0}
figcaption{font-weight:700}
svg text{font-family:inherit;font-size:13px;fill:#1a1a1a}
ul.data li{margin:.25rem 0}
nav ul{list-style:none;margin:0;padding:0}
.scroll table{width:100%}
"""


def render_web(roadmap: Roadmap, stats: dict, report: dict, options: Any, staging: Path, progress) -> None:
    """Write `site/` (index, fi/, sv/, data/) into the staging folder."""
    site = staging / SITE
    (site / "data").mkdir(parents=True, exist_ok=True)
    languages = tuple(lang for lang in LANGUAGES if lang in options.languages) or LANGUAGES
    listed = listed_projects(report, options.max_list_rows)
    for lang in languages:
        (site / lang).mkdir(exist_ok=True)
        _write(site / lang / "index.html", report_page(report, l10n(lang), languages, listed=listed))
    _write(site / "index.html", landing_page(report, languages))
    write_open_data(report, site / "data")
    progress(_("Wrote {file}"), {"file": f"{SITE}/"})


def _write(path: Path, text: str) -> None:
    # newline="" keeps "\n" on every platform, so the files are byte-identical everywhere.
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)


# ---- pages -------------------------------------------------------------------------------------

def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _head(loc: L10n, title: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{loc.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No scripts, no outside hosts: the page is data only.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'; img-src \'self\' data:">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}</style>\n</head>\n"
    )


def _years_span(years: list[int]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")


def _title(report: dict, loc: L10n) -> str:
    return loc(_("Digital programme {years}: follow-up"), years=_years_span(report["stats"]["years"]))


def landing_page(report: dict, languages: tuple[str, ...]) -> str:
    """`site/index.html`: a language chooser whose links each speak their own language."""
    locs = [l10n(lang) for lang in languages]
    first = locs[0]
    title = " · ".join(_title(report, loc) for loc in locs)
    parts = [_head(first, title), "<body>\n<main>\n"]
    parts.append(f"<h1>{_e(_title(report, first))}</h1>\n")
    for loc in locs[1:]:
        parts.append(f'<p lang="{loc.lang}" class="meta">{_e(_title(report, loc))}</p>\n')
    parts.append('<ul class="data">\n')
    for loc in locs:
        parts.append(f'<li><a href="{loc.lang}/index.html" hreflang="{loc.lang}" lang="{loc.lang}">'
                     f"{_e(loc(LANGUAGE_NAMES[loc.lang]))}</a></li>\n")
    parts.append("</ul>\n</main>\n</body>\n</html>\n")
    return "".join(parts)


def listed_projects(report: dict, max_rows: int | None = None) -> list[dict]:
    """The projects the pages list: by goal, then by row, at most `max_rows` of them."""
    order = {g.value: n for n, g in enumerate(GOAL_ORDER)}
    projects = report["projects"]
    if max_rows is None or max_rows >= len(projects):
        return sorted(projects, key=lambda p: (order.get(p["goal"], 9), p["row"]))
    return heapq.nsmallest(max(max_rows, 0), projects, key=lambda p: (order.get(p["goal"], 9), p["row"]))


def report_page(report: dict, loc: L10n, languages: tuple[str, ...], max_rows: int | None = None,
                listed: list[dict] | None = None) -> str:
    """One language's report page; its project list stops at `max_rows` (or at `listed`, computed once
    for every page) with a note of how many more there are and where they all are."""
    if listed is None:
        listed = listed_projects(report, max_rows)
    title = _title(report, loc)
    out = [_head(loc, title), "<body>\n"]
    out.append(f'<a class="skip" href="#main">{_e(loc(SKIP))}</a>\n')
    out.append(f'<header>\n<p class="brand">{_e(BRAND)}</p>\n')
    out.append(f'<nav aria-label="{_e(loc(LANGUAGE))}"><ul class="data">')
    for other in languages:
        if other != loc.lang:
            word = l10n(other)(LANGUAGE_NAMES[other])
            out.append(f'<li><a href="../{other}/index.html" hreflang="{other}" lang="{other}">'
                       f"{_e(word)}</a></li>")
    out.append("</ul></nav>\n</header>\n")
    out.append('<main id="main" tabindex="-1">\n')
    out.append(f"<h1>{_e(title)}</h1>\n")
    out.append(_source_line(report, loc))
    out.append(_indicators_section(report, loc))
    out.append(_projects_section(report, loc, listed))
    out.append(_open_data_section(loc))
    out.append("</main>\n<footer>\n")
    out.append(_source_line(report, loc))
    out.append("</footer>\n</body>\n</html>\n")
    return "".join(out)


def _as_of(report: dict, loc: L10n) -> str:
    import datetime as dt

    return loc.date(dt.date.fromisoformat(report["as_of"]))


def _source_line(report: dict, loc: L10n) -> str:
    src = report["source"]
    text = loc(_("Data as of {date}. Source: {file} (SHA-256 {sha}…)."),
               date=_as_of(report, loc), file=src["name"], sha=src["sha256"][:12])
    return f'<p class="meta">{_e(text)}</p>\n'


def _table_open(caption: str, ident: str) -> str:
    # A labelled, focusable region lets keyboard users scroll a wide table on small screens.
    return (f'<div class="scroll" role="region" aria-labelledby="{ident}" tabindex="0">\n'
            f'<table>\n<caption id="{ident}">{_e(caption)}</caption>\n')


def _value_text(raw: str | None, value: float | None, loc: L10n) -> str:
    """A plain number in the locale's format; anything else exactly as written."""
    raw = raw or ""
    if value is not None and _PLAIN_NUMBER.fullmatch(raw.strip()):
        return loc.number(value)
    return raw


def _value_cell(text: str, year: int | None = None, lang: str | None = None) -> str:
    """A value cell; text written in another language than the page's says so, for screen readers."""
    numeric = bool(text) and _LOCALE_NUMBER.fullmatch(text) is not None
    attrs = (' class="num"' if numeric else "") + (f' data-year="{year}"' if year is not None else "")
    if lang and not numeric and re.search(r"[^\W\d_]", text):
        attrs += f' lang="{lang}"'
    return f"<td{attrs}>{_e(text)}</td>"


def _lang_attr(text_lang: str, page_lang: str) -> str:
    return f' lang="{text_lang}"' if text_lang != page_lang else ""


def _light_cell(light: str | None, loc: L10n) -> str:
    word, shape = LIGHT_LABELS.get(light, LIGHT_LABELS[None])
    css = f"light-{light or 'none'}"
    return (f'<td class="light {css}"><span aria-hidden="true">{shape}</span> '
            f"{_e(loc(word))}</td>")


def _indicators_section(report: dict, loc: L10n) -> str:
    stats = report["stats"]
    out = [f'<section aria-labelledby="indicators">\n<h2 id="indicators">{_e(loc(INDICATORS))}</h2>\n']
    out.append(f'<p>{_e(loc(PROGRESS_NOTE))}</p>\n')
    pairs = list(zip(report["indicators"], stats["indicators"], strict=True))
    # Values are written in the language of the indicator sheet's headers.
    values_lang = next((s["language"] for s in report["source"]["sheets"] if s["role"] == "indicators"), None)
    goals = [g.value for g in GOAL_ORDER]
    for goal in goals:
        rows = [(i, s) for i, s in pairs if (i["goal"] or "").upper() == goal]
        if not rows:
            continue
        years = sorted({int(y) for i, _s in rows for y in i["values"]})
        name = loc(GOAL_SHORT[Goal(goal)])
        ident = f"ind-{goal.lower()}"
        out.append(f"<h3>{_e(goal)}: {_e(name)}</h3>\n")
        out.append(_table_open(loc(_("Indicators of goal {goal}"), goal=goal), ident))
        out.append("<thead><tr>")
        out.append(f'<th scope="col">{_e(loc(INDICATOR))}</th><th scope="col">{_e(loc(TARGET))}</th>')
        out.extend(f'<th scope="col">{y}</th>' for y in years)
        out.append(f'<th scope="col">{_e(loc(PROGRESS))}</th><th scope="col">{_e(loc(ASSESSMENT))}</th>')
        out.append("</tr></thead>\n<tbody>\n")
        for ind, st in rows:
            t = ind["target"]
            target, target_lang = (t["raw"], "fi")
            if loc.lang == "sv" and t["raw_sv"]:
                target, target_lang = t["raw_sv"], "sv"
            name, name_lang = _name(ind["name"], loc.lang)
            out.append(f'<tr data-row="{ind["row"]}">'
                       f'<th scope="row"{_lang_attr(name_lang, loc.lang)}>{_e(name)}</th>')
            out.append(_value_cell(_value_text(target, t["value"], loc), lang=_other(target_lang, loc.lang)))
            for y in years:
                m = ind["values"].get(str(y))
                own = m and loc.lang == "sv" and m.get("raw_sv")
                text = _value_text(own or m["raw"], m["value"], loc) if m else ""
                out.append(_value_cell(text, y, _other("sv" if own else values_lang, loc.lang)))
            ratio = st["ratio"]
            out.append(f'<td class="num">{_e(loc.percent(ratio, 0)) if ratio is not None else ""}</td>')
            out.append(_light_cell(st["light"], loc))
            out.append("</tr>\n")
        out.append("</tbody>\n</table>\n</div>\n")
    out.append("</section>\n")
    return "".join(out)


def _name(text: dict, lang: str) -> tuple[str, str]:
    """The text in `lang`, else in the other language; and the language it is in."""
    other = "sv" if lang == "fi" else "fi"
    if text.get(lang):
        return text[lang], lang
    return text.get(other) or "", other


def _other(text_lang: str | None, page_lang: str) -> str | None:
    return text_lang if text_lang and text_lang != page_lang else None


def _bar_chart(ident: str, title: str, desc: str, bars: list[tuple[str, int, str]], loc: L10n) -> str:
    """A horizontal bar chart as inline SVG; its title and description are its text alternative."""
    # Room for the longest label at about 8 px a character; the font is the page's own.
    label_w = 16 + 8 * max((len(label) for label, _v, _c in bars), default=1)
    bar_w, row_h = 260, 28
    top = 8
    height = top + row_h * len(bars) + 8
    width = label_w + bar_w + 60
    peak = max((v for _l, v, _c in bars), default=0) or 1
    out = [f'<svg role="img" aria-labelledby="{ident}-t {ident}-d" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">',
           f'<title id="{ident}-t">{_e(title)}</title><desc id="{ident}-d">{_e(desc)}</desc>']
    for n, (label, value, colour) in enumerate(bars):
        y = top + n * row_h
        w = round(bar_w * value / peak)
        out.append(f'<text x="{label_w - 8}" y="{y + 18}" text-anchor="end">{_e(label)}</text>')
        out.append(f'<rect x="{label_w}" y="{y + 4}" width="{w}" height="{row_h - 8}" fill="{colour}"/>')
        out.append(f'<text x="{label_w + w + 6}" y="{y + 18}">{_e(loc.integer(value))}</text>')
    out.append("</svg>")
    return "".join(out)


def _projects_section(report: dict, loc: L10n, listed: list[dict]) -> str:
    stats = report["stats"]
    span = stats["status_span"]
    span_years = _years_span(span["years"])
    out = [f'<section aria-labelledby="projects">\n<h2 id="projects">{_e(loc(PROJECTS))}</h2>\n']

    # By status, over the follow-up years.
    heading = loc(_("Projects by status {years}"), years=span_years)
    out.append(f'<h3 id="by-status">{_e(heading)}</h3>\n')
    bars = [(loc(STATUS_LABELS[s]), span["counts"].get(s.value, 0), STATUS_COLOURS[s]) for s in STATUS_ORDER]
    desc = "; ".join(f"{label} {loc.integer(v)}" for label, v, _c in bars)
    desc += ". " + loc(_("Total {n}."), n=loc.integer(span["total"]))
    out.append('<div class="charts">\n<figure>')
    out.append(_bar_chart("chart-status", heading, desc, bars, loc))
    out.append("</figure>\n")
    out.append(_table_open(loc(_("Projects by status and roadmap year")), "table-status"))
    out.append(f'<thead><tr><th scope="col">{_e(loc(STATUS))}</th>')
    out.extend(f'<th scope="col">{y}</th>' for y in span["years"])
    out.append(f'<th scope="col">{_e(span_years)}</th></tr></thead>\n<tbody>\n')
    for s in STATUS_ORDER:
        out.append(f'<tr data-status="{s.value}"><th scope="row">{_e(loc(STATUS_LABELS[s]))}</th>')
        out.extend(f'<td class="num">{_e(loc.integer(stats["status_by_year"][str(y)].get(s.value, 0)))}</td>'
                   for y in span["years"])
        out.append(f'<td class="num">{_e(loc.integer(span["counts"].get(s.value, 0)))}</td></tr>\n')
    out.append(f'</tbody>\n<tfoot><tr data-status="total"><th scope="row">{_e(loc(TOTAL))}</th>')
    out.extend(f'<td class="num">{_e(loc.integer(sum(stats["status_by_year"][str(y)].values())))}</td>'
               for y in span["years"])
    out.append(f'<td class="num">{_e(loc.integer(span["total"]))}</td></tr></tfoot>\n')
    out.append("</table>\n</div>\n</div>\n")

    # By goal, per roadmap year.
    heading = loc(_("Projects by goal"))
    out.append(f'<h3 id="by-goal">{_e(heading)}</h3>\n<div class="charts">\n')
    years = stats["years"]
    for y in years:
        counts = stats["goal_by_year"].get(str(y), {})
        bars = [(f"{g.value}: {loc(GOAL_SHORT[g])}", counts.get(g.value, 0), GOAL_COLOURS[g])
                for g in GOAL_ORDER]
        chart_title = loc(_("Roadmap {year}: projects by goal"), year=y)
        desc = "; ".join(f"{label} {loc.integer(v)}" for label, v, _c in bars)
        desc += ". " + loc(_("Total {n}."), n=loc.integer(stats["year_counts"].get(str(y), 0)))
        bars = [(g.value, v, c) for g, (_l, v, c) in zip(GOAL_ORDER, bars, strict=True)]
        # The visible caption names the year; the chart's own title and description stay its text alternative.
        out.append(f"<figure><figcaption>{_e(chart_title)}</figcaption>"
                   f"{_bar_chart(f'chart-goal-{y}', chart_title, desc, bars, loc)}</figure>\n")
    out.append("</div>\n")
    out.append(_table_open(loc(_("Projects by goal and roadmap year")), "table-goal"))
    out.append(f'<thead><tr><th scope="col">{_e(loc(GOAL))}</th>')
    out.extend(f'<th scope="col">{y}</th>' for y in years)
    out.append("</tr></thead>\n<tbody>\n")
    for g in GOAL_ORDER:
        out.append(f'<tr data-goal="{g.value}"><th scope="row">{_e(g.value)}: {_e(loc(GOAL_SHORT[g]))}</th>')
        out.extend(f'<td class="num">{_e(loc.integer(stats["goal_by_year"].get(str(y), {}).get(g.value, 0)))}'
                   "</td>"
                   for y in years)
        out.append("</tr>\n")
    out.append(f'</tbody>\n<tfoot><tr data-goal="total"><th scope="row">{_e(loc(TOTAL))}</th>')
    out.extend(f'<td class="num">{_e(loc.integer(stats["year_counts"].get(str(y), 0)))}</td>' for y in years)
    out.append("</tr></tfoot>\n</table>\n</div>\n")

    # The projects grouped by goal; a large roll-up lists only the first ones, the open data has them all.
    total = len(report["projects"])
    hidden = total - len(listed)
    shown, all_ = loc.integer(len(listed)), loc.integer(total)
    heading = loc(FIRST_PROJECTS, shown=shown, total=all_) if hidden else loc(ALL_PROJECTS)
    out.append(f'<h3 id="list">{_e(heading)}</h3>\n')
    out.append(_table_open(loc(_("Projects with goal, roadmap years and status")), "table-projects"))
    out.append("<thead><tr>" + "".join(
        f'<th scope="col">{_e(loc(h))}</th>'
        for h in (_("Identifier"), _("Project"), _("Goal"), _("Roadmap years"), STATUS)))
    out.append("</tr></thead>\n<tbody>\n")
    statuses = {s.value: loc(STATUS_LABELS[s]) for s in Status}
    for p in listed:
        status = statuses[Status(p["status"]).value]
        name, name_lang = _name(p["name"], loc.lang)
        out.append(f'<tr data-project="{_e(p["id"])}"><td>{_e(p["id"])}</td>'
                   f'<th scope="row"{_lang_attr(name_lang, loc.lang)}>{_e(name)}</th><td>{_e(p["goal"])}</td>'
                   f'<td>{_e(", ".join(str(y) for y in p["years"]))}</td><td>{_e(status)}</td></tr>\n')
    out.append("</tbody>\n</table>\n</div>\n")
    if hidden:
        note = loc(MORE_PROJECTS, shown=shown, total=all_, n=loc.integer(hidden))
        out.append(f'<p id="list-more">{_e(note)} {_e(loc(WHERE_ALL_PROJECTS))}</p>\n<ul class="data">\n')
        out.extend(f'<li><a href="../data/{name}">{_e(loc(label))}</a></li>\n'
                   for name, label in (("projects.csv", PROJECTS_CSV), ("projects.json", PROJECTS_JSON)))
        out.append("</ul>\n")
    out.append("</section>\n")
    return "".join(out)


def _open_data_section(loc: L10n) -> str:
    out = [f'<section aria-labelledby="open-data">\n<h2 id="open-data">{_e(loc(OPEN_DATA))}</h2>\n']
    out.append(f'<p>{_e(loc(OPEN_DATA_NOTE))}</p>\n<ul class="data">\n')
    for name, label in (("projects.csv", PROJECTS_CSV), ("projects.json", PROJECTS_JSON),
                        ("indicators.csv", _("Indicators (CSV)")),
                        ("indicators.json", _("Indicators (JSON)")),
                        ("fields.json", _("Field descriptions (JSON)"))):
        out.append(f'<li><a href="../data/{name}">{_e(loc(label))}</a></li>\n')
    out.append("</ul>\n</section>\n")
    return "".join(out)


# ---- open data ---------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    text = str(value)
    # A text starting like a formula would run as one when the file is opened in a spreadsheet.
    if text[:1] in _FORMULA_START:
        return "'" + text
    return text


def _write_csv(fh: TextIO, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    writer = csv.writer(fh, lineterminator="\n")
    writer.writerow(header)
    _write_rows(writer, rows)


def _write_rows(writer: Any, rows: Iterable[Iterable[object]]) -> None:
    # Most cells are text that cannot start a formula: those go to the writer as they are.
    writer.writerows([v if type(v) is str and v[:1] not in _FORMULA_START else _csv_cell(v) for v in row]
                     for row in rows)


# The standard library's C encoder only runs for unindented output; records go one per line so the
# files stay readable and diffable, and a large roll-up's text is never in memory whole.
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
_JSON_BATCH = 1000




def write_json_records(fh: TextIO, head: dict, key: str, records: list) -> None:
    """`{**head, key: records}` as JSON: the head on the first line, then one record per line."""
    encode = _JSON.encode
    fh.write(encode(head)[:-1] + ("," if head else "") + encode(key) + ":[")
    sep = "\n"
    for start in range(0, len(records), _JSON_BATCH):
        fh.write(sep + ",\n".join(map(encode, records[start:start + _JSON_BATCH])))
        sep = ",\n"
    fh.write("\n]}\n" if records else "]}\n")


# Positions of the workbook's free text in a projects.csv row: id, names, problems, impacts, owner.
_TEXT_CELLS = itemgetter(0, 4, 5, 6, 7, 8, 9, 17)
_FIRST = itemgetter(0)
_CSV_BATCH = 2000


def project_rows(report: dict) -> list[tuple]:
    """The rows of `projects.csv` as values, in the order of PROJECT_FIELDS."""
    # One pass over the records: each is touched once, which costs far less than a pass per field.
    years = _Joined()
    return [
        (p["id"], p["goal"], years[tuple(p["years"])], p["status"],
         n["fi"], n["sv"], pr["fi"], pr["sv"], im["fi"], im["sv"], p["level"], p["basis"], p["benefit"],
         ";".join(p["beneficiaries"]), p["cost_class"], p["impact_class"], p["model"], p["owner"]["fi"],
         p["cost_eur"], p["cost_kind"], p["row"])
        for p in report["projects"] for n, pr, im in ((p["name"], p["problem"], p["impact"]),)
    ]


def _projects_csv(fh: TextIO, report: dict) -> None:
    rows = project_rows(report)
    # The writer hands over each row on its own; gathered into batches they reach the file in a few writes.
    lines: list[str] = []
    writer = csv.writer(_Lines(lines), lineterminator="\n")
    writer.writerow([k for k, _d in PROJECT_FIELDS])
    # Codes, numbers and None are written by the csv module as _csv_cell would; only free text can start
    # like a formula. One look at the first characters of all of it tells whether any does; only then is
    # every cell checked.
    firsts = map(_FIRST, filter(None, chain.from_iterable(map(_TEXT_CELLS, rows))))
    try:
        safe = frozenset(_FORMULA_START).isdisjoint(firsts)
    except TypeError:  # a number where text belongs: _csv_cell writes it
        safe = False
    for start in range(0, len(rows), _CSV_BATCH):
        batch = rows[start:start + _CSV_BATCH]
        if safe:
            writer.writerows(batch)
        else:
            _write_rows(writer, batch)
        fh.write("".join(lines))
        lines.clear()
    fh.write("".join(lines))


class _Joined(dict):
    """Roadmap years as `2024;2025`, made once for each combination of years."""

    def __missing__(self, key: tuple[int, ...]) -> str:
        text = self[key] = ";".join(map(str, key))
        return text


class _Lines:
    """A file for csv.writer that keeps the lines it is given."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def indicator_rows(report: dict) -> list[list[object]]:
    rows = []
    for ind, st in zip(report["indicators"], report["stats"]["indicators"], strict=True):
        t = ind["target"]
        for year, m in ind["values"].items():
            by_year = st["by_year"].get(year, {})
            rows.append([
                (ind["goal"] or "").upper() or None, ind["name"]["fi"], ind["name"]["sv"],
                t["raw"], t["raw_sv"],
                t["value"], t["kind"], ind["unit"], ind["source"], int(year), m["raw"], m["value"],
                m["approx"], by_year.get("ratio"), by_year.get("light"), ind["row"],
            ])
    return rows


def _open_data_files(report: dict) -> dict[str, Callable[[TextIO], None]]:
    """Each file of `site/data/` by name, as a function writing it into a text file."""
    meta = {"as_of": report["as_of"], "source": {"name": report["source"]["name"],
                                                  "sha256": report["source"]["sha256"]}}
    indicators = []
    for ind, st in zip(report["indicators"], report["stats"]["indicators"], strict=True):
        indicators.append({**ind, "goal": (ind["goal"] or "").upper() or None,
                           "progress": {"ratio": st["ratio"], "light": st["light"],
                                        "latest_year": st["latest_year"],
                                        "by_year": st["by_year"]}})
    fi, sv = l10n("fi"), l10n("sv")
    fields = {
        "projects": {k: {"fi": fi(d), "sv": sv(d)} for k, d in PROJECT_FIELDS},
        "indicators": {k: {"fi": fi(d), "sv": sv(d)} for k, d in INDICATOR_FIELDS},
    }

    def fields_json(fh: TextIO) -> None:
        # A small file meant to be read by people: indented.
        json.dump(fields, fh, ensure_ascii=False, indent=2)
        fh.write("\n")

    return {
        "projects.csv": lambda fh: _projects_csv(fh, report),
        "indicators.csv": lambda fh: _write_csv(fh, [k for k, _d in INDICATOR_FIELDS], indicator_rows(report)),
        "projects.json": lambda fh: write_json_records(fh, meta, "projects", report["projects"]),
        "indicators.json": lambda fh: write_json_records(fh, meta, "indicators", indicators),
        "fields.json": fields_json,
    }


def write_open_data(report: dict, folder: Path) -> None:
    """Write the files of `site/data/` into `folder`, each straight into its file."""
    for name, write in _open_data_files(report).items():
        # newline="" keeps "\n" on every platform, so the files are byte-identical everywhere.
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            write(fh)


def open_data(report: dict) -> dict[str, str]:
    """The files of `site/data/` by name: CSV and JSON of projects and indicators, field descriptions."""
    texts = {}
    for name, write in _open_data_files(report).items():
        buf = io.StringIO(newline="")
        write(buf)
        texts[name] = buf.getvalue()
    return texts
