"""The HTML pages of the web report: the language chooser, a report page and an accessibility
statement per language. Pages are strings; every workbook text is escaped and every text shown in a
language's page is that language's cell, or the other language's marked as such."""

from __future__ import annotations

import heapq
import re
from html import escape
from types import SimpleNamespace

from digireport.colours import (
    ACCENT,
    BACKGROUND,
    GOAL_COLOURS,
    INK,
    LIGHT_FILLS,
    LIGHT_TEXT,
    LINE,
    MUTED,
    STATUS_COLOURS,
    SURFACE,
)
from digireport.i18n import L10n, _, l10n
from digireport.labels import (
    COST_KIND_LABELS,
    FALLBACK_NOTE,
    GOAL_LONG,
    GOAL_SHORT,
    STATUS_LABELS,
    source_shown,
    unit_shown,
    written,
)
from digireport.model import GOAL_ORDER, STATUS_ORDER, CostKind, Goal, Shown, Status, Text
from digireport.stats import IndicatorProgress
from digireport.web.charts import bar_chart, trend_chart
from digireport.web.opendata import DELIMITER, LICENCES, UPDATE_WORDS, SiteData, indicator_ids

LANGUAGE_NAMES = {"fi": _("In Finnish"), "sv": _("In Swedish")}
STATEMENT_PAGES = {"fi": "saavutettavuus.html", "sv": "tillganglighet.html"}
# Traffic lights always carry a word and a shape, so colour is never the only cue.
LIGHT_LABELS = {
    "green": (_("On target"), "●"),
    "amber": (_("Progressing"), "▲"),
    "red": (_("Behind"), "■"),
    None: (_("Cannot be assessed"), "–"),
}
MISSING = {
    "qualitative": _("qualitative target"),
    "text": _("the value is not a number"),
    "other_unit": _("the value is not in the target's unit"),
    "no_previous_year": _("no value of the year before"),
    "no_value": _("no value"),
}

SKIP = _("Skip to content")
BRAND = "PORVOO · BORGÅ"  # the city's bilingual name, the same on every page
LANGUAGE = _("Language")
INDICATORS = _("Indicators")
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
STATEMENT = _("Accessibility statement")

# Words of the page used inside f-strings, where message extraction cannot see them.
W = SimpleNamespace(**{
    "changes_more": _("The table shows the first {shown} of {total} changes; every project's earlier status is in the open data:"),  # noqa: E501
    "history_csv": _("Status at earlier follow-ups (CSV)"),
    "data_as_of": _("Data as of {date}."),
    "summary": _("Summary"),
    "programme": _("The digital programme"),
    "programme_intro": _("The digital programme sets the goals of the city’s digitalisation for the years {years}. Each year the city board approves a digital roadmap: the projects that carry the programme forward that year. The projects and the programme’s indicators are followed up several times a year; this page shows the latest follow-up."),  # noqa: E501
    "programme_goals": _("The goals of the programme are:"),
    "programme_link": _("The digital programme on the city’s website"),
    "progress_intro": _("Progress is that of the latest year with a value; the year is shown beside it."),
    "how_progress": _("How progress is computed"),
    "unit": _("Unit:"),
    "source": _("Source:"),
    "changes_since": _("Changes since the follow-up of {label}"),
    "changes_counts": _("Status changed: {changed}. Unchanged: {unchanged}. Not in that follow-up: {new}."),  # noqa: E501
    "identifier": _("Identifier"),
    "status_then": _("Status at {label}"),
    "status_now": _("Status now"),
    "details": _("Details"),
    "open_data_intro": _("The same data as machine-readable files. The CSV files open in Excel as they are: UTF-8 with a byte-order mark, columns separated by semicolons ({delimiter}), decimal comma. datapackage.json describes every file and field in Finnish and Swedish."),  # noqa: E501
    "licence": _("Licence:"),
    "publisher": _("Publisher: {publisher}."),
    "workbook": _("Indicator workbook (Excel)"),
    "this_release": _("This release in the archive ({date})"),
    "archive_note": _("Every release is kept in the archive under data/archive/ and its date (YYYY-MM-DD), so earlier follow-ups stay available."),  # noqa: E501
    "contact_heading": _("Contact and updates"),
    "contact": _("Contact:"),
    "frequency": _("The follow-up is updated {frequency}."),
    "next_update": _("Next update: {date}."),
    "statement_intro": _("{publisher} aims to make its digital services accessible in accordance with the Act on the Provision of Digital Services (306/2019). This statement covers the web report {site} and its open data."),  # noqa: E501
    "compliance_status": _("Compliance status"),
    "non_accessible_content": _("Non-accessible content"),
    "no_shortcomings": _("No shortcomings are known."),
    "assessed_heading": _("How accessibility was assessed"),
    "assessed": _("The statement is based on a self-assessment by {publisher} and on automated checks of every page (axe-core) in a browser at widths of 320 and 1366 pixels. Assessed on {date}; the statement is updated with every release of the report."),  # noqa: E501
    "feedback": _("Feedback"),
    "feedback_ask": _("If you notice an accessibility problem or need the content in another form, tell us:"),
    "feedback_answer": _("We answer within 14 days."),
    "feedback_received": _("Feedback on accessibility is received by {publisher}."),
    "authority": _("Supervisory authority"),
    "authority_note": _("If you are not satisfied with the answer, or get none within two weeks, you can notify the supervisory authority of accessibility, which publishes its contact details at saavutettavuusvaatimukset.fi."),  # noqa: E501
    "statement_date": _("Statement drawn up on {date}."),
})

# A favicon drawn from the city blue; the page's own folder serves it, so nothing is fetched elsewhere.
FAVICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    f'<rect width="32" height="32" rx="6" fill="{ACCENT}"/>'
    f'<rect x="7" y="17" width="5" height="9" fill="{BACKGROUND}"/>'
    f'<rect x="14" y="11" width="5" height="15" fill="{BACKGROUND}"/>'
    f'<rect x="21" y="6" width="5" height="20" fill="{BACKGROUND}"/></svg>\n'
)

_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_SCALE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[-–]\s*(\d+(?:[.,]\d+)?)\s*$")

def _rgba(colour: str, alpha: float) -> str:
    """A colour of the colour system, see-through: a table that scrolls shows a shadow at its hidden side."""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


CSS = f"""
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%}}
body{{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
 line-height:1.5;color:{INK};background:{BACKGROUND};overflow-wrap:break-word}}
.skip{{position:absolute;left:-999px;top:0;background:{BACKGROUND};color:{ACCENT};padding:.5rem 1rem}}
.skip:focus{{left:1rem}}
header,main,footer{{max-width:72rem;margin:0 auto;padding:0 1rem}}
header{{display:flex;flex-wrap:wrap;gap:0 1.5rem;justify-content:space-between;align-items:baseline;
 border-bottom:4px solid {ACCENT}}}
footer{{margin-top:3rem;border-top:1px solid {LINE};padding-bottom:2rem}}
a{{color:{ACCENT}}}
a:focus-visible,[tabindex]:focus-visible,summary:focus-visible{{outline:3px solid {INK};outline-offset:2px}}
.brand{{font-weight:700;letter-spacing:.08em;color:{ACCENT}}}
h1{{font-size:1.9rem;line-height:1.2;margin:1.5rem 0 .5rem;color:{ACCENT}}}
h2{{font-size:1.5rem;margin:2.5rem 0 .75rem;border-bottom:1px solid {LINE}}}
h3{{font-size:1.2rem;margin:1.75rem 0 .5rem}}
.meta,.sub,.note{{color:{MUTED}}}
.sub{{display:block;font-size:.85em;font-weight:400}}
.note{{font-style:italic}}
.figures{{list-style:none;padding:0;margin:1rem 0;display:grid;
 grid-template-columns:repeat(auto-fit,minmax(13rem,1fr));gap:.75rem}}
.figures li{{background:{SURFACE};border-left:6px solid {ACCENT};padding:.6rem .9rem}}
.figures .big{{display:block;font-size:1.7rem;font-weight:700;line-height:1.2}}
.scroll{{overflow-x:auto;margin:.5rem 0 1rem}}
.scroll{{background:linear-gradient(to right,{BACKGROUND} 30%,{_rgba(BACKGROUND, 0)}),
 linear-gradient(to left,{BACKGROUND} 30%,{_rgba(BACKGROUND, 0)}) 100% 0,
 radial-gradient(farthest-side at 0 50%,{_rgba(INK, .3)},{_rgba(INK, 0)}),
 radial-gradient(farthest-side at 100% 50%,{_rgba(INK, .3)},{_rgba(INK, 0)}) 100% 0;
 background-repeat:no-repeat;background-size:2.5rem 100%,2.5rem 100%,.9rem 100%,.9rem 100%;
 background-attachment:local,local,scroll,scroll}}
table{{border-collapse:collapse;font-size:.95rem;width:100%}}
caption{{text-align:left;font-weight:700;padding:.25rem 0}}
th,td{{border:1px solid {LINE};padding:.3rem .5rem;vertical-align:top;text-align:left}}
thead th{{background:{SURFACE}}}
th[scope=row]{{font-weight:400}}
td.num{{text-align:right;white-space:nowrap}}
tfoot th,tfoot td,tfoot th[scope=row]{{font-weight:700}}
.light{{white-space:nowrap;font-weight:700}}
{"".join(f".light-{k}{{background:{LIGHT_FILLS[k]};color:{LIGHT_TEXT[k]}}}" for k in LIGHT_FILLS)}
.key{{display:inline-block;width:.8em;height:.8em;margin-right:.35em;vertical-align:baseline}}
.charts{{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1.5rem;align-items:start}}
figure{{margin:0;min-width:0}}
figcaption{{font-weight:700}}
svg.chart{{display:block;width:100%;max-width:24rem;height:auto}}
.trends{{grid-template-columns:repeat(auto-fill,minmax(17rem,1fr))}}
svg text{{font-family:inherit;font-size:13px;fill:{INK}}}
ul.data li{{margin:.25rem 0}}
.landing{{padding-top:2rem;padding-bottom:2rem}}
.title-other{{font-size:1.4rem;font-weight:700;color:{MUTED};margin:0 0 2rem}}
.choose{{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:1rem}}
.choose a{{display:block;min-width:12rem;padding:.9rem 1.5rem;border:2px solid {ACCENT};border-radius:4px;
 font-size:1.25rem;font-weight:700;text-decoration:none;text-align:center}}
.choose a:hover{{background:{SURFACE}}}
nav ul{{list-style:none;margin:0;padding:0;display:flex;gap:1rem}}
details summary{{cursor:pointer;color:{ACCENT}}}
details dl{{margin:.4rem 0 .2rem;font-size:.9rem}}
details dt{{font-weight:700}}
details dd{{margin:0 0 .3rem}}
@media (max-width:40em){{
 h1{{font-size:1.5rem}}
 table.stack,table.stack caption,table.stack tbody,table.stack tr,table.stack td,table.stack th{{display:block;width:100%}}
 table.stack thead{{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}}
 table.stack tr{{border:1px solid {LINE};margin:0 0 .75rem}}
 table.stack td,table.stack th{{border:0;border-top:1px solid {SURFACE};text-align:left}}
 table.stack th[scope=row]{{background:{SURFACE};font-weight:700}}
 table.stack td[data-label]::before{{content:attr(data-label) ": ";font-weight:700;color:{MUTED}}}
 table.stack td.num{{text-align:left;white-space:normal}}
 table{{font-size:.9rem}}
 th,td{{padding:.25rem .35rem}}
}}
@media print{{
 @page{{size:A4;margin:12mm}}
 body{{font-size:9pt}}
 .skip,nav,details{{display:none}}
 header,main,footer{{max-width:none;padding:0}}
 .scroll{{overflow:visible}}
 table{{font-size:8pt;page-break-inside:auto}}
 tr,figure,.keep{{break-inside:avoid}}
 caption,thead{{break-after:avoid}}
 th,td{{padding:.15rem .3rem}}
 td.num,.light{{white-space:normal}}
 h2,h3{{break-after:avoid}}
 a{{color:{INK}}}
 .charts{{grid-template-columns:repeat(3,1fr)}}
}}
"""


def _e(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def _marked(shown: Shown, loc: L10n, text: str | None = None) -> str:
    """`shown` (as `text`, if given) on the page: a text in the other language tagged and noted as such."""
    html = _e(shown.text if text is None else text)
    if not shown.fallback:
        return html
    return f'<span lang="{shown.lang}">{html}</span> <span class="note">{_e(loc(FALLBACK_NOTE[shown.lang]))}</span>'


def _shown(text: dict | None, loc: L10n) -> str:
    """A workbook text in the page's language, or the other language's, tagged and noted as such."""
    return _marked(Text(**(text or {})).pick(loc.lang), loc)


def _years_span(years: tuple[int, ...]) -> str:
    return f"{years[0]}–{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "")


def _title(data: SiteData, loc: L10n) -> str:
    return loc(_("Digital programme {years}: follow-up"), years=_years_span(data.stats.years))


def _publisher(web, lang: str) -> str:
    return web.publisher_sv if lang == "sv" else web.publisher_fi


def _as_of(data: SiteData, loc: L10n) -> str:
    return loc.date(data.stats.as_of)


def _head(loc: L10n, title: str, description: str, web, alternates: dict[str, str], root: str) -> str:
    links = "".join(f'<link rel="alternate" hreflang="{lang}" href="{href}">\n'
                    for lang, href in alternates.items())
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{loc.lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # No scripts, no outside hosts: the page is data only.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        'style-src \'unsafe-inline\'; img-src \'self\' data:">\n'
        f"<title>{_e(title)} – {_e(_publisher(web, loc.lang))}</title>\n"
        f'<meta name="description" content="{_e(description)}">\n'
        f'<link rel="icon" href="{root}favicon.svg" type="image/svg+xml">\n'
        f"{links}<style>{CSS}</style>\n</head>\n"
    )


def _description(data: SiteData, loc: L10n, web) -> str:
    return loc(_("{publisher}: follow-up of the digital programme {years} – status of the roadmap projects, "
                 "the indicators and open data. Data as of {date}."),
               publisher=_publisher(web, loc.lang), years=_years_span(data.stats.years),
               date=_as_of(data, loc))


def _header(loc: L10n, languages: tuple[str, ...], page: str) -> str:
    out = [f'<a class="skip" href="#main">{_e(loc(SKIP))}</a>\n',
           f'<header>\n<p class="brand">{_e(BRAND)}</p>\n',
           f'<nav aria-label="{_e(loc(LANGUAGE))}"><ul>']
    for other in languages:
        if other != loc.lang:
            word = l10n(other)(LANGUAGE_NAMES[other])
            target = STATEMENT_PAGES[other] if page == "statement" else "index.html"
            out.append(f'<li><a href="../{other}/{target}" hreflang="{other}" lang="{other}">{_e(word)}</a></li>')
    out.append("</ul></nav>\n</header>\n")
    return "".join(out)


def landing_page(data: SiteData, languages: tuple[str, ...], web=None) -> str:
    """`site/index.html`: a language chooser whose links each speak their own language."""
    from digireport.settings import WebSettings

    web = web or WebSettings()
    locs = [l10n(lang) for lang in languages]
    first = locs[0]
    title = " · ".join(_title(data, loc) for loc in locs)
    alternates = {loc.lang: f"{loc.lang}/index.html" for loc in locs} | {"x-default": "index.html"}
    parts = [_head(first, title, _description(data, first, web), web, alternates, ""), "<body>\n"]
    parts.append(f'<header>\n<p class="brand">{_e(BRAND)}</p>\n</header>\n<main class="landing">\n'
                 f"<h1>{_e(_title(data, first))}</h1>\n")
    for loc in locs[1:]:
        parts.append(f'<p lang="{loc.lang}" class="title-other">{_e(_title(data, loc))}</p>\n')
    parts.append('<ul class="choose">\n')
    for loc in locs:
        parts.append(f'<li><a href="{loc.lang}/index.html" hreflang="{loc.lang}" lang="{loc.lang}">'
                     f"{_e(loc(LANGUAGE_NAMES[loc.lang]))}</a></li>\n")
    parts.append("</ul>\n</main>\n<footer>\n")
    for loc in locs:
        parts.append(f'<p lang="{loc.lang}" class="meta">{_e(_publisher(web, loc.lang))} · '
                     f"{_e(loc(W.data_as_of, date=_as_of(data, loc)))}</p>\n")
    parts.append("</footer>\n</body>\n</html>\n")
    return "".join(parts)


def listed_projects(data: SiteData, max_rows: int | None = None) -> list[dict]:
    """The projects the pages list: by goal, then by row, at most `max_rows` of them."""
    order = {g.value: n for n, g in enumerate(GOAL_ORDER)}
    projects = data.projects
    if max_rows is None or max_rows >= len(projects):
        return sorted(projects, key=lambda p: (order.get(p["goal"], 9), p["row"]))
    return heapq.nsmallest(max(max_rows, 0), projects, key=lambda p: (order.get(p["goal"], 9), p["row"]))


def report_page(data: SiteData, loc: L10n, languages: tuple[str, ...], max_rows: int | None = None,
                listed: list[dict] | None = None, web=None) -> str:
    """One language's report page; its project list stops at `max_rows` (or at `listed`, computed once
    for every page) with a note of how many more there are and where they all are."""
    from digireport.settings import WebSettings

    web = web or WebSettings()
    if listed is None:
        listed = listed_projects(data, max_rows)
    title = _title(data, loc)
    # The language chooser is the page for readers of neither language.
    alternates = {lang: f"../{lang}/index.html" for lang in languages} | {"x-default": "../index.html"}
    out = [_head(loc, title, _description(data, loc, web), web, alternates, "../"), "<body>\n"]
    out.append(_header(loc, languages, "report"))
    out.append('<main id="main" tabindex="-1">\n')
    out.append(f"<h1>{_e(title)}</h1>\n")
    out.append(_source_line(data, loc, web))
    out.append(_summary_section(data, loc))
    out.append(_programme_section(data, loc, web))
    out.append(_indicators_section(data, loc))
    out.append(_projects_section(data, loc, listed, max_rows))
    out.append(_open_data_section(data, loc, web))
    out.append(_contact_section(data, loc, web))
    out.append("</main>\n")
    out.append(_footer(data, loc, web))
    out.append("</body>\n</html>\n")
    return "".join(out)


def _footer(data: SiteData, loc: L10n, web) -> str:
    return (f'<footer>\n{_source_line(data, loc, web)}'
            f'<p><a href="{STATEMENT_PAGES[loc.lang]}">{_e(loc(STATEMENT))}</a> · '
            f"{_e(_publisher(web, loc.lang))}</p>\n</footer>\n")


def _source_line(data: SiteData, loc: L10n, web) -> str:
    src = data.source
    text = loc(_("Data as of {date}. Source: {file} (SHA-256 {sha}…)."),
               date=_as_of(data, loc), file=src.name, sha=src.sha256[:12])
    if web.next_update:
        text += " " + loc(_("Next update: {date}."), date=loc.date(web.next_update))
    return f'<p class="meta">{_e(text)}</p>\n'


def _table_open(caption: str, ident: str, css: str = "", keep: bool = False) -> str:
    # A labelled, focusable region lets keyboard users scroll a wide table on small screens; a short
    # table is kept on one printed page.
    klass = f' class="{css}"' if css else ""
    wrapper = "scroll keep" if keep else "scroll"
    return (f'<div class="{wrapper}" role="region" aria-labelledby="{ident}" tabindex="0">\n'
            f'<table{klass}>\n<caption id="{ident}">{_e(caption)}</caption>\n')


# ---- summary and programme ---------------------------------------------------------------------

def _summary_section(data: SiteData, loc: L10n) -> str:
    stats = data.stats
    span = stats.status_span
    years = _years_span(span.years)
    counts = span.counts
    assessed = [s for s in stats.indicators if s.light is not None]
    on_target = sum(1 for s in assessed if s.light == "green")
    changes = stats.status_changes
    completed = stats.completed
    figures = [
        (f"{loc.integer(counts.get('done', 0))} / {loc.integer(span.total)}",
         loc(_("projects of the roadmaps {years} done"), years=years)),
        (loc.integer(counts.get("started", 0)), loc(_("projects started and under way"))),
        (f"{loc.integer(on_target)} / {loc.integer(len(assessed))}",
         loc(_("indicators on target, of those that can be assessed ({n} indicators in all)"),
             n=loc.integer(len(stats.indicators)))),
    ]
    if changes.label:
        figures.append((loc.integer(len(changes.changes)),
                        loc(_("status changes since the follow-up of {label}"), label=changes.label)))
    if completed.count:
        figures.append((loc.money(completed.one_off_eur),
                        loc(_("one-off costs of the completed projects, and {yearly} a year"),
                            yearly=loc.money(completed.yearly_eur))))
    out = [f'<section aria-labelledby="summary">\n<h2 id="summary">{_e(loc(W.summary))}</h2>\n'
           '<ul class="figures">\n']
    out.extend(f'<li><span class="big">{_e(big)}</span> {_e(text)}</li>\n' for big, text in figures)
    out.append("</ul>\n</section>\n")
    return "".join(out)


def _programme_section(data: SiteData, loc: L10n, web) -> str:
    out = [f'<section aria-labelledby="programme">\n<h2 id="programme">{_e(loc(W.programme))}</h2>\n']
    out.append(f"<p>{_e(loc(W.programme_intro, years=_years_span(data.stats.years)))}</p>\n")  # noqa: E501
    out.append(f"<p>{_e(loc(W.programme_goals))}</p>\n<ul>\n")
    for g in GOAL_ORDER:
        out.append(f'<li><strong>{_e(g.value)}: {_e(loc(GOAL_SHORT[g]))}</strong> – {_e(loc(GOAL_LONG[g]))}</li>\n')
    out.append("</ul>\n")
    url = web.programme_url_sv if loc.lang == "sv" else web.programme_url_fi
    if url:
        out.append(f'<p><a href="{_e(url)}">{_e(loc(W.programme_link))}</a></p>\n')
    out.append("</section>\n")
    return "".join(out)


# ---- indicators --------------------------------------------------------------------------------

def _number_text(raw: str, loc: L10n) -> str:
    """A plain number written in the cell itself, in the locale's format; anything else as written."""
    stripped = raw.strip()
    return loc.number(float(stripped)) if _PLAIN_NUMBER.fullmatch(stripped) else raw


def _target_html(target: dict, loc: L10n) -> str:
    """The target in the page's language: that language's cell, its number formatted from its own text."""
    shown = Text(fi=target["raw"] or None, sv=target["raw_sv"] or None).pick(loc.lang)
    return _marked(shown, loc, _number_text(shown.text, loc))


def _value_html(raw: str, values_lang: str | None, loc: L10n) -> str:
    """A value as written; a plain number in the locale's format; words in the other language marked."""
    text = _number_text(raw, loc)
    if text != raw or not re.search(r"[^\W\d_]", raw):
        return _e(text)
    return _marked(written(raw, values_lang, loc), loc)


def _sheet_words(shown: Shown, loc: L10n) -> str:
    """A unit or source of the indicator sheet as the page shows it (`labels.unit_shown`, `source_shown`)."""
    return _marked(shown, loc) if shown.text else _e(loc(_("not given")))


def _light_cell(light: str | None, loc: L10n) -> str:
    word, shape = LIGHT_LABELS.get(light, LIGHT_LABELS[None])
    css = f"light-{light or 'none'}"
    return (f'<td class="light {css}" data-label="{_e(loc(ASSESSMENT))}"><span aria-hidden="true">{shape}</span> '
            f"{_e(loc(word))}</td>")


def _progress_text(st: IndicatorProgress, loc: L10n) -> str:
    year = st.year
    if st.ratio is not None:
        return loc(_("{percent} ({year})"), percent=loc.percent(st.ratio, 0), year=year)
    reason = loc(MISSING.get(st.missing or "no_value", MISSING["no_value"]))
    if year is None or st.missing == "qualitative":
        return loc(_("none: {reason}"), reason=reason)
    return loc(_("none for {year}: {reason}"), year=year, reason=reason)


def _indicators_section(data: SiteData, loc: L10n) -> str:
    stats = data.stats
    out = [f'<section aria-labelledby="indicators">\n<h2 id="indicators">{_e(loc(INDICATORS))}</h2>\n']
    out.append(f"<p>{_e(loc(W.progress_intro))} "
               f'<a href="#how-progress">{_e(loc(W.how_progress))}</a></p>\n')
    ids = indicator_ids(data.indicators)
    triples = list(zip(ids, data.indicators, stats.indicators, strict=True))
    # Values are written in the language of the indicator sheet's headers.
    values_lang = data.source.language("indicators")
    for goal in (g.value for g in GOAL_ORDER):
        rows = [(k, i, s) for k, i, s in triples if (i["goal"] or "").upper() == goal]
        if not rows:
            continue
        years = sorted({int(y) for _k, i, _s in rows for y in i["values"]})
        ident = f"ind-{goal.lower()}"
        out.append(f"<h3>{_e(goal)}: {_e(loc(GOAL_SHORT[Goal(goal)]))}</h3>\n")
        out.append(_table_open(loc(_("Indicators of goal {goal}"), goal=goal), ident, "stack", keep=True))
        out.append("<thead><tr>")
        out.append(f'<th scope="col">{_e(loc(INDICATOR))}</th><th scope="col">{_e(loc(TARGET))}</th>')
        out.extend(f'<th scope="col">{y}</th>' for y in years)
        out.append(f'<th scope="col">{_e(loc(PROGRESS))}</th><th scope="col">{_e(loc(ASSESSMENT))}</th>')
        out.append("</tr></thead>\n<tbody>\n")
        for key, ind, st in rows:
            sub = (f'{_e(loc(W.unit))} {_sheet_words(unit_shown(ind["unit"], values_lang, loc), loc)} · '
                   f'{_e(loc(W.source))} {_sheet_words(source_shown(ind["source"], values_lang, loc), loc)}')
            out.append(f'<tr data-row="{ind["row"]}" data-indicator="{_e(key)}">'
                       f'<th scope="row">{_shown(ind["name"], loc)}<span class="sub">{sub}</span></th>')
            out.append(f'<td data-label="{_e(loc(TARGET))}" data-target="">{_target_html(ind["target"], loc)}</td>')
            for y in years:
                m = ind["values"].get(str(y))
                own = m.get("raw_sv") if m and loc.lang == "sv" else None  # the sheet's own Swedish twin
                text = _value_html(own or m["raw"], "sv" if own else values_lang, loc) if m else ""
                num = ' class="num"' if m and _PLAIN_NUMBER.fullmatch(m["raw"].strip()) else ""
                out.append(f'<td{num} data-year="{y}" data-label="{y}">{text}</td>')
            out.append(f'<td data-label="{_e(loc(PROGRESS))}" data-progress="">{_e(_progress_text(st, loc))}</td>')
            out.append(_light_cell(st.light, loc))
            out.append("</tr>\n")
        out.append("</tbody>\n</table>\n</div>\n")
        charts = [_trend(key, ind, st, loc) for key, ind, st in rows]
        charts = [c for c in charts if c]
        if charts:
            out.append(f'<div class="charts trends">\n{"".join(charts)}</div>\n')
    out.append(_how_progress(loc))
    out.append("</section>\n")
    return "".join(out)


def _trend(key: str, ind: dict, st: IndicatorProgress, loc: L10n) -> str:
    """An indicator's comparable values as columns with the target line; none if fewer than one."""
    points = [(int(y), m["value"], loc.number(m["value"])) for y, m in ind["values"].items()
              if st.comparable.get(int(y)) and m["value"] is not None]
    if not points:
        return ""
    name = Text(**ind["name"]).pick(loc.lang)
    target = ind["target"]["value"] if ind["target"]["kind"] in ("absolute", "percent") else None
    scale = _SCALE.match(ind["unit"] or "")
    low = float(scale.group(1).replace(",", ".")) if scale else 0.0
    target_label = loc(_("Target {value}"), value=loc.number(target)) if target is not None else ""
    title = loc(_("Trend of {name}"), name=name.text)
    desc = "; ".join(f"{y}: {t}" for y, _v, t in points) + "."
    if target is not None:
        desc += " " + target_label + "."
    caption = f'{_e(key)}: {_e(name.text) if not name.fallback else _shown(ind["name"], loc)}'
    return (f'<figure><figcaption>{caption}</figcaption>'
            f'{trend_chart(f"trend-{key.lower()}", title, desc, points, target, target_label, low)}</figure>\n')


def _how_progress(loc: L10n) -> str:
    items = (
        _("Progress is computed for the latest year that has a value. When that value cannot be compared "
          "with the target, there is no progress: an earlier year's progress never stands in for it."),
        _("A number target: the value divided by the target. On a scale such as 1–4, both are measured from "
          "the scale's low end: (value − 1) ÷ (target − 1)."),
        _("A percentage target: the value divided by the target; only values written as percentages count."),
        _("A growth target (for example +10 % a year): the year's growth over the year before, divided by "
          "the target growth."),
        _("Values in another unit than the target, values with words that qualify the number, text and "
          "qualitative targets get no progress; the trend charts show only values in the target's unit."),
        _("Assessment: on target at 100 % or more, progressing from 50 %, behind below 50 %."),
    )
    out = [f'<h3 id="how-progress">{_e(loc(W.how_progress))}</h3>\n<ul>\n']
    out.extend(f"<li>{_e(loc(text))}</li>\n" for text in items)
    out.append("</ul>\n")
    return "".join(out)


# ---- projects ------------------------------------------------------------------------------------

def _key(colour: str) -> str:
    return f'<span class="key" style="background:{colour}" aria-hidden="true"></span>'


def _projects_section(data: SiteData, loc: L10n, listed: list[dict], max_rows: int | None = None) -> str:
    stats = data.stats
    span = stats.status_span
    span_years = _years_span(span.years)
    out = [f'<section aria-labelledby="projects">\n<h2 id="projects">{_e(loc(PROJECTS))}</h2>\n']

    # By status, over the follow-up years.
    heading = loc(_("Projects by status {years}"), years=span_years)
    out.append(f'<h3 id="by-status">{_e(heading)}</h3>\n')
    bars = [(loc(STATUS_LABELS[s]), span.counts.get(s.value, 0), STATUS_COLOURS[s]) for s in STATUS_ORDER]
    desc = "; ".join(f"{lbl} {loc.integer(v)}" for lbl, v, _c in bars)
    desc += ". " + loc(_("Total {n}."), n=loc.integer(span.total))
    out.append('<div class="charts">\n<figure>')
    out.append(bar_chart("chart-status", heading, desc, bars, max(v for _l, v, _c in bars), loc.integer))
    out.append("</figure>\n<div>")
    out.append(_table_open(loc(_("Projects by status and roadmap year")), "table-status"))
    out.append(f'<thead><tr><th scope="col">{_e(loc(STATUS))}</th>')
    out.extend(f'<th scope="col">{y}</th>' for y in span.years)
    out.append(f'<th scope="col">{_e(span_years)}</th></tr></thead>\n<tbody>\n')
    for s in STATUS_ORDER:
        out.append(f'<tr data-status="{s.value}"><th scope="row">{_key(STATUS_COLOURS[s])}'
                   f"{_e(loc(STATUS_LABELS[s]))}</th>")
        out.extend(f'<td class="num">{_e(loc.integer(stats.status_by_year[y].get(s.value, 0)))}</td>'
                   for y in span.years)
        out.append(f'<td class="num">{_e(loc.integer(span.counts.get(s.value, 0)))}</td></tr>\n')
    out.append(f'</tbody>\n<tfoot><tr data-status="total"><th scope="row">{_e(loc(TOTAL))}</th>')
    out.extend(f'<td class="num">{_e(loc.integer(sum(stats.status_by_year[y].values())))}</td>'
               for y in span.years)
    out.append(f'<td class="num">{_e(loc.integer(span.total))}</td></tr></tfoot>\n')
    out.append("</table>\n</div>\n</div>\n</div>\n")

    # By goal, per roadmap year: one scale for every year's chart, so equal counts look equal.
    heading = loc(_("Projects by goal"))
    out.append(f'<h3 id="by-goal">{_e(heading)}</h3>\n<div class="charts">\n')
    years = stats.years
    peak = max((v for y in years for v in stats.goal_by_year.get(y, {}).values()), default=0)
    for y in years:
        counts = stats.goal_by_year.get(y, {})
        bars = [(f"{g.value}: {loc(GOAL_SHORT[g])}", counts.get(g.value, 0), GOAL_COLOURS[g]) for g in GOAL_ORDER]
        chart_title = loc(_("Roadmap {year}: projects by goal"), year=y)
        desc = "; ".join(f"{lbl} {loc.integer(v)}" for lbl, v, _c in bars)
        desc += ". " + loc(_("Total {n}."), n=loc.integer(stats.year_counts.get(y, 0)))
        # The visible caption names the year; the chart's own title and description are its text alternative.
        out.append(f"<figure><figcaption>{_e(chart_title)}</figcaption>"
                   f"{bar_chart(f'chart-goal-{y}', chart_title, desc, bars, peak, loc.integer)}</figure>\n")
    out.append("</div>\n")
    out.append(_table_open(loc(_("Projects by goal and roadmap year")), "table-goal"))
    out.append(f'<thead><tr><th scope="col">{_e(loc(GOAL))}</th>')
    out.extend(f'<th scope="col">{y}</th>' for y in years)
    out.append("</tr></thead>\n<tbody>\n")
    for g in GOAL_ORDER:
        out.append(f'<tr data-goal="{g.value}"><th scope="row">{_key(GOAL_COLOURS[g])}'
                   f"{_e(g.value)}: {_e(loc(GOAL_SHORT[g]))}</th>")
        out.extend(f'<td class="num">{_e(loc.integer(stats.goal_by_year.get(y, {}).get(g.value, 0)))}'
                   "</td>" for y in years)
        out.append("</tr>\n")
    out.append(f'</tbody>\n<tfoot><tr data-goal="total"><th scope="row">{_e(loc(TOTAL))}</th>')
    out.extend(f'<td class="num">{_e(loc.integer(stats.year_counts.get(y, 0)))}</td>' for y in years)
    out.append("</tr></tfoot>\n</table>\n</div>\n")

    out.append(_changes(data, loc, max_rows))
    out.append(_project_list(data, loc, listed))
    out.append("</section>\n")
    return "".join(out)


def _changes(data: SiteData, loc: L10n, max_rows: int | None = None) -> str:
    """The projects whose status changed since the latest snapshot; like the project list, at most
    `max_rows` of them, the rest counted and left to status_history.csv."""
    changes = data.stats.status_changes
    if not changes.label:
        return ""
    label_ = changes.label
    out = [f'<h3 id="changes">{_e(loc(W.changes_since, label=label_))}</h3>\n']
    out.append(f"<p>{_e(loc(W.changes_counts, changed=loc.integer(len(changes.changes)), unchanged=loc.integer(changes.unchanged), new=loc.integer(changes.new)))}</p>\n")  # noqa: E501
    if not changes.changes:
        return "".join(out)
    shown = changes.changes if max_rows is None else changes.changes[:max(max_rows, 0)]
    rows = {c.row for c in shown}
    names = {p["row"]: p for p in data.projects if p["row"] in rows}
    out.append(_table_open(loc(_("Projects whose status changed since {label}"), label=label_), "table-changes",
                           "stack"))
    heads = (_("Identifier"), _("Project"), W.status_then, _("Status now"))
    out.append("<thead><tr>" + "".join(f'<th scope="col">{_e(loc(h, label=label_))}</th>' for h in heads))
    out.append("</tr></thead>\n<tbody>\n")
    words = {s: _e(loc(STATUS_LABELS[s])) for s in Status}
    lbl_id, lbl_then, lbl_now = _e(loc(W.identifier)), _e(loc(W.status_then, label=label_)), _e(loc(W.status_now))
    for c in shown:
        p = names.get(c.row, {})
        out.append(f'<tr data-change="{_e(c.id)}"><td data-label="{lbl_id}">{_e(c.id)}</td>'
                   f'<th scope="row">{_shown(p.get("name"), loc)}</th>'
                   f'<td data-label="{lbl_then}">{words[c.before]}</td>'
                   f'<td data-label="{lbl_now}">{words[c.after]}</td></tr>\n')
    out.append("</tbody>\n</table>\n</div>\n")
    if len(shown) < len(changes.changes):
        note = loc(W.changes_more, shown=loc.integer(len(shown)), total=loc.integer(len(changes.changes)))
        out.append(f'<p id="changes-more">{_e(note)} <a href="../data/status_history.csv">'
                   f"{_e(loc(W.history_csv))}</a></p>\n")
    return "".join(out)


def _detail(p: dict, loc: L10n) -> str:
    """A project's problem, impact, owner and cost, opened from its name."""
    items = []
    for word, text in ((_("What problem it solves"), p["problem"]), (_("Impact"), p["impact"])):
        if text and (text.get("fi") or text.get("sv")):
            items.append((loc(word), _shown(text, loc)))
    if p.get("owner") and (p["owner"].get("fi") or p["owner"].get("sv")):
        items.append((loc(_("Responsible")), _shown(p["owner"], loc)))
    if p.get("cost_eur") is not None:
        cost = loc.money(p["cost_eur"])
        if p.get("cost_kind"):
            cost += " " + loc(COST_KIND_LABELS[CostKind(p["cost_kind"])])
        items.append((loc(_("Cost")), _e(cost)))
    if p.get("cost_class") or p.get("impact_class"):
        items.append((loc(_("Cost and impact class")),
                      _e(f"{p.get('cost_class') or '–'} / {p.get('impact_class') or '–'}")))
    if not items:
        return ""
    body = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in items)
    return f"<details><summary>{_e(loc(W.details))}</summary><dl>{body}</dl></details>"


def _project_list(data: SiteData, loc: L10n, listed: list[dict]) -> str:
    # A large roll-up lists only the first ones; the open data has them all.
    total = len(data.projects)
    hidden = total - len(listed)
    shown, all_ = loc.integer(len(listed)), loc.integer(total)
    heading = loc(FIRST_PROJECTS, shown=shown, total=all_) if hidden else loc(ALL_PROJECTS)
    out = [f'<h3 id="list">{_e(heading)}</h3>\n']
    out.append(_table_open(loc(_("Projects with goal, roadmap years and status")), "table-projects", "stack"))
    heads = (_("Identifier"), _("Project"), _("Goal"), _("Roadmap years"), STATUS)
    out.append("<thead><tr>" + "".join(f'<th scope="col">{_e(loc(h))}</th>' for h in heads))
    out.append("</tr></thead>\n<tbody>\n")
    statuses = {s.value: loc(STATUS_LABELS[s]) for s in Status}
    lbl_id, lbl_goal, lbl_years, lbl_status = (_e(loc(h)) for h in (heads[0], heads[2], heads[3], heads[4]))
    for p in listed:
        out.append(f'<tr data-project="{_e(p["id"])}"><td data-label="{lbl_id}">{_e(p["id"])}</td>'
                   f'<th scope="row">{_shown(p["name"], loc)}{_detail(p, loc)}</th>'
                   f'<td data-label="{lbl_goal}">{_e(p["goal"])}</td>'
                   f'<td data-label="{lbl_years}">{_e(", ".join(str(y) for y in p["years"]))}</td>'
                   f'<td data-label="{lbl_status}">{_e(statuses[p["status"]])}</td></tr>\n')
    out.append("</tbody>\n</table>\n</div>\n")
    if hidden:
        note = loc(MORE_PROJECTS, shown=shown, total=all_, n=loc.integer(hidden))
        out.append(f'<p id="list-more">{_e(note)} {_e(loc(WHERE_ALL_PROJECTS))}</p>\n<ul class="data">\n')
        out.extend(f'<li><a href="../data/{name}">{_e(loc(lbl))}</a></li>\n'
                   for name, lbl in (("projects.csv", PROJECTS_CSV), ("projects.json", PROJECTS_JSON)))
        out.append("</ul>\n")
    return "".join(out)


# ---- open data, contact --------------------------------------------------------------------------

def _open_data_section(data: SiteData, loc: L10n, web) -> str:
    title, url = LICENCES[web.licence]
    out = [f'<section aria-labelledby="open-data">\n<h2 id="open-data">{_e(loc(OPEN_DATA))}</h2>\n']
    out.append(f"<p>{_e(loc(W.open_data_intro, delimiter=DELIMITER))}</p>\n")  # noqa: E501
    out.append(f'<p>{_e(loc(W.licence))} <a href="{_e(url)}">{_e(title)} ({_e(web.licence)})</a>. '
               f"{_e(loc(W.publisher, publisher=_publisher(web, loc.lang)))}</p>\n")
    out.append('<ul class="data">\n')
    files = (("projects.csv", PROJECTS_CSV), ("projects.json", PROJECTS_JSON),
             ("indicators.csv", _("Indicators (CSV)")), ("indicators.json", _("Indicators (JSON)")),
             ("status_history.csv", W.history_csv),
             ("datapackage.json", _("Description of the data package (datapackage.json)")),
             ("fields.json", _("Field descriptions (JSON)")))
    out.extend(f'<li><a href="../data/{name}">{_e(loc(lbl))}</a></li>\n' for name, lbl in files)
    out.append(f'<li><a href="../../indicators-{loc.lang}.xlsx">{_e(loc(W.workbook))}</a></li>\n')
    out.append(f'<li><a href="../data/archive/{data.stats.as_of.isoformat()}/datapackage.json">'
               f'{_e(loc(W.this_release, date=_as_of(data, loc)))}</a></li>\n')
    out.append("</ul>\n")
    out.append(f"<p>{_e(loc(W.archive_note))}</p>\n")  # noqa: E501
    out.append("</section>\n")
    return "".join(out)


def _contact_section(data: SiteData, loc: L10n, web) -> str:
    out = [f'<section aria-labelledby="contact">\n<h2 id="contact">{_e(loc(W.contact_heading))}</h2>\n<ul>\n']
    if web.contact_email:
        who = f"{_e(web.contact_name)}, " if web.contact_name else ""
        out.append(f'<li>{_e(loc(W.contact))} {who}<a href="mailto:{_e(web.contact_email)}">'
                   f"{_e(web.contact_email)}</a></li>\n")
    out.append(f"<li>{_e(loc(W.frequency, frequency=loc(UPDATE_WORDS[web.update_frequency])))}</li>\n")  # noqa: E501
    if web.next_update:
        out.append(f"<li>{_e(loc(W.next_update, date=loc.date(web.next_update)))}</li>\n")
    out.append(f'<li><a href="{STATEMENT_PAGES[loc.lang]}">{_e(loc(STATEMENT))}</a></li>\n')
    out.append("</ul>\n</section>\n")
    return "".join(out)


# ---- accessibility statement ---------------------------------------------------------------------

def accessibility_page(data: SiteData, loc: L10n, languages: tuple[str, ...], web=None) -> str:
    """The accessibility statement required by law 306/2019, from the settings."""
    from digireport.settings import WebSettings

    web = web or WebSettings()
    publisher = _publisher(web, loc.lang)
    title = loc(STATEMENT)
    site_title = _title(data, loc)
    alternates = {lang: f"../{lang}/{STATEMENT_PAGES[lang]}" for lang in languages}
    description = loc(_("Accessibility statement of the web report {site}."), site=site_title)
    shortcomings = web.accessibility_shortcomings_sv if loc.lang == "sv" else web.accessibility_shortcomings_fi
    assessed = web.accessibility_assessed or data.stats.as_of
    contact = web.accessibility_contact
    out = [_head(loc, f"{title}: {site_title}", description, web, alternates, "../"), "<body>\n"]
    out.append(_header(loc, languages, "statement"))
    out.append(f'<main id="main" tabindex="-1">\n<h1>{_e(title)}</h1>\n')
    out.append(f"<p>{_e(loc(W.statement_intro, publisher=publisher, site=site_title))}</p>\n")  # noqa: E501
    out.append(f'<p><a href="index.html">{_e(site_title)}</a></p>\n')
    out.append(f'<h2>{_e(loc(W.compliance_status))}</h2>\n')
    if shortcomings:
        status = _("The web report partially meets the level A and AA requirements of WCAG 2.1.")
    else:
        status = _("The web report meets the level A and AA requirements of WCAG 2.1.")
    out.append(f"<p>{_e(loc(status))}</p>\n")
    out.append(f'<h2>{_e(loc(W.non_accessible_content))}</h2>\n')
    if shortcomings:
        out.append("<ul>\n" + "".join(f"<li>{_e(s)}</li>\n" for s in shortcomings) + "</ul>\n")
    else:
        out.append(f"<p>{_e(loc(W.no_shortcomings))}</p>\n")
    out.append(f'<h2>{_e(loc(W.assessed_heading))}</h2>\n')
    out.append(f"<p>{_e(loc(W.assessed, publisher=publisher, date=loc.date(assessed)))}</p>\n")  # noqa: E501
    out.append(f'<h2>{_e(loc(W.feedback))}</h2>\n')
    if contact:
        out.append(f"<p>{_e(loc(W.feedback_ask))} "  # noqa: E501
                   f'<a href="mailto:{_e(contact)}">{_e(contact)}</a>. '
                   f"{_e(loc(W.feedback_answer))}</p>\n")
    else:
        out.append(f"<p>{_e(loc(W.feedback_received, publisher=publisher))}</p>\n")  # noqa: E501
    out.append(f'<h2>{_e(loc(W.authority))}</h2>\n')
    out.append(f"<p>{_e(loc(W.authority_note))} "  # noqa: E501
               '<a href="https://www.saavutettavuusvaatimukset.fi/">saavutettavuusvaatimukset.fi</a></p>\n')
    out.append(f"<p>{_e(loc(W.statement_date, date=_as_of(data, loc)))}</p>\n")
    out.append("</main>\n")
    out.append(f'<footer>\n<p><a href="index.html">{_e(site_title)}</a> · {_e(publisher)}</p>\n</footer>\n')
    out.append("</body>\n</html>\n")
    return "".join(out)
