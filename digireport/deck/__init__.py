"""Statistics → the board deck (.pptx) in Finnish and Swedish."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digireport.deck.check import check_deck, tag_language
from digireport.deck.package import count_partnames, fixed_timestamps
from digireport.deck.slides import BOTTOM, SUBTITLE_HEIGHT, TOP, Deck, Inches, paginate
from digireport.deck.template import open_template, placeholder
from digireport.errors import DigireportError
from digireport.i18n import _, l10n
from digireport.labels import COST_KIND_LABELS, GOAL_LONG, label
from digireport.model import Goal, Status

# Dates the city board approved the programme and each year's roadmap; they are decisions
# recorded in the minutes, not in the master workbook, so they live here.
PROGRAMME_APPROVED = dt.date(2024, 1, 22)
ROADMAP_APPROVED = {2024: dt.date(2024, 1, 22), 2025: dt.date(2025, 1, 13)}


def span(years) -> str:
    years = list(years)
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def paged(title: str, page: int, pages: int) -> str:
    return f"{title} ({page}/{pages})" if pages > 1 else title


@dataclass(frozen=True)
class ProjectLists:
    """The projects each list of the deck shows, in order; the same in every language."""

    followed: list  # in a followed-up roadmap year
    done: list  # of those, completed
    next_year: list  # in the next year's roadmap, by goal then workbook row


def project_lists(roadmap, stats) -> ProjectLists:
    """The projects of the deck's three lists: one pass over a roll-up of any size."""
    span_years = frozenset(stats["followup_years"])
    followed = [p for p in roadmap.projects if not span_years.isdisjoint(p.years)]
    nxt = stats["next_year"]
    upcoming = [p for p in roadmap.projects if nxt in p.years] if nxt is not None else []
    order = {g: i for i, g in enumerate(Goal)}
    upcoming.sort(key=lambda p: (order.get(p.goal, 9), p.row))
    return ProjectLists(followed, [p for p in followed if p.status is Status.DONE], upcoming)


def render_deck(roadmap, stats, lang: str, options, progress=None) -> bytes:
    """The deck in `lang` as .pptx bytes; identical bytes for the same input and `as_of`."""
    lists = project_lists(roadmap, stats)
    loc = l10n(lang)
    prs = open_template(options.template)
    count_partnames(prs)
    as_of = options.as_of
    footer = {"date": loc.date(as_of), "presenter": options.presenter, "city": None}
    moment = dt.datetime(as_of.year, as_of.month, as_of.day)
    deck = Deck(prs, loc, footer, created=moment)
    followup = stats["followup_years"]
    nxt = stats["next_year"]
    s_span = span(followup)
    programme = span(stats["years"])

    if nxt is not None:
        title = loc(
            _(
                "Follow-up of the Digital Programme {programme} and the roadmap {span} and approval of "
                "the Digital Roadmap {next}"
            ),
            programme=programme,
            span=s_span,
            next=nxt,
        )
    else:
        title = loc(
            _("Follow-up of the Digital Programme {programme} and the roadmap {span}"),
            programme=programme,
            span=s_span,
        )
    slide = deck.slide("title", title, keep=("subtitle",))
    sub = loc.date(as_of) + (f"\n{options.presenter}" if options.presenter else "")
    placeholder(slide, "subtitle").text_frame.text = sub

    agenda = [
        (0, loc(_("Background: the Digital Programme and the Digital Roadmap"))),
        (0, loc(_("1. Follow-up of the Digital Programme"))),
        (0, loc(_("2. Follow-up of the Digital Roadmap {span}"), span=s_span)),
        (1, loc(_("a) Projects started and their progress"))),
        (1, loc(_("b) Follow-up of the Digital Roadmap {span} – impacts and costs"), span=s_span)),
    ]
    if nxt is not None:
        agenda.append((0, loc(_("3. Digital Roadmap {year} – projects, impacts and costs"), year=nxt)))
    deck.bullets("content", loc(_("Agenda")), agenda)

    background = [
        (
            0,
            loc(
                _(
                    "Porvoo's Digital Programme {programme} is based on the city strategy and on the "
                    "shared digital plans of the EU, the state and the municipalities. The programme's "
                    "three main themes are:"
                ),
                programme=programme,
            ),
        )
    ]
    for i, goal in enumerate((Goal.A, Goal.B, Goal.C), start=1):
        background.append((1, f"{i}) {loc(GOAL_LONG[goal])}"))
    background.append(
        (
            0,
            loc(
                _("In addition, the capabilities needed to carry the programme through have been identified.")
            ),
        )
    )
    background.append(
        (
            0,
            loc(
                _("The city board approved the Digital Programme with its appendices on {date}."),
                date=loc.date(PROGRAMME_APPROVED),
            ),
        )
    )
    for year, date in sorted(ROADMAP_APPROVED.items()):
        if date <= as_of:
            background.append(
                (1, loc(_("The roadmap for {year} was approved on {date}."), year=year, date=loc.date(date)))
            )
    deck.bullets("content", loc(_("Background and goals of the programme and the roadmap")), background)

    for year in followup:
        goal_split(deck, stats, year)

    indicator_slides(deck, roadmap, stats)

    counts = stats["status_span"]["counts"]
    slide = deck.slide("chart", loc(_("2a. Digital Roadmap {span} – follow-up"), span=s_span))
    deck.chart(
        slide,
        "pie",
        loc(_("Projects by status")),
        [label(loc, "status", c) for c in counts],
        list(counts.values()),
        box=(Inches(0.5), TOP, Inches(8.5), BOTTOM - TOP),
        total_text=loc(_("Projects in total {n}"), n=stats["status_span"]["total"]),
    )

    span_years = frozenset(followup)
    in_span = lists.followed
    list_slides(
        deck,
        options,
        loc(_("2a. Digital Roadmap {span} – projects and their status"), span=s_span),
        [loc(_("Id")), loc(_("Project")), loc(_("Roadmap")), loc(_("Project status"))],
        in_span,
        lambda p: [
            p.id or "",
            p.name.get(lang),
            ", ".join(str(y) for y in p.years if y in span_years),
            label(loc, "status", p.status.value),
        ],
        [1, 8, 1.6, 1.8],
    )

    done = lists.done
    comp = stats["completed"]

    def completed_row(p):
        cost = ""
        if p.cost_eur is not None:
            cost = loc.money(p.cost_eur)
            if p.cost_kind is not None:
                cost += f" ({loc(COST_KIND_LABELS[p.cost_kind])})"
        return [p.id or "", p.name.get(lang), p.impact.get(lang), cost]

    summary = loc(
        _("Completed projects {n}: one-off costs {one_off}, yearly costs {yearly}"),
        n=comp["count"],
        one_off=loc.money(comp["one_off_eur"]),
        yearly=loc.money(comp["yearly_eur"]),
    )
    list_slides(
        deck,
        options,
        loc(_("2b. Digital Roadmap {span} – completed projects"), span=s_span),
        [loc(_("Id")), loc(_("Project")), loc(_("Impact")), loc(_("Cost"))],
        done,
        completed_row,
        [1, 4.5, 5, 2.2],
        subtitle=summary,
    )

    if nxt is not None:
        next_year_slides(deck, lists.next_year, stats, options, nxt)

    tag_language(prs, loc.tag)
    props = prs.core_properties
    props.title = title
    props.language = loc.tag
    props.author = props.last_modified_by = "digireport"
    props.created = props.modified = moment
    props.last_printed = moment
    props.revision = 1
    problems = check_deck(prs)
    for message, args in problems:
        if progress:
            progress(message, args)
    if any(m != _("Slide {slide}: a chart or table has no alt text") for m, _a in problems):
        message, args = problems[0]
        raise DigireportError(message, **args)
    buf = io.BytesIO()
    prs.save(buf)
    return fixed_timestamps(buf.getvalue(), moment)


def goal_split(deck, stats, year, title=None) -> None:
    loc = deck.loc
    counts = stats["goal_by_year"][str(year)]
    slide = deck.slide("chart", title or loc(_("Digital Roadmap {year}"), year=year))
    labels = [f"{label(loc, 'goal', g)} ({g})" if g != "K" else label(loc, "goal", g) for g in counts]
    deck.chart(
        slide,
        "doughnut",
        loc(_("Projects by goal {year}"), year=year),
        labels,
        list(counts.values()),
        box=(Inches(0.5), TOP, Inches(8.5), BOTTOM - TOP),
        total_text=loc(_("Projects in total {n}"), n=stats["year_counts"][str(year)]),
    )


def indicator_slides(deck, roadmap, stats) -> None:
    loc = deck.loc
    years = sorted({y for ind in roadmap.indicators for y, _m in ind.values if y in stats["followup_years"]})
    header = [loc(_("Indicator")), loc(_("Target")), *(loc(_("Actual {year}"), year=y) for y in years)]
    widths = [3.2, 3.0, *([3.0] * len(years))]
    available = BOTTOM - TOP - SUBTITLE_HEIGHT
    groups = []
    for goal in Goal:
        inds = [i for i in roadmap.indicators if i.goal is goal]
        if not inds:
            continue
        rows = []
        for ind in inds:
            target = ind.target.raw_sv if deck.loc.lang == "sv" and ind.target.raw_sv else ind.target.raw
            rows.append(
                [
                    ind.name.get(loc.lang),
                    plain(loc, target, ind.target.value),
                    *(measure(loc, ind.value(y)) for y in years),
                ]
            )
        for page in paginate(header, rows, widths, available):
            groups.append((goal, page))
    base = loc(_("1. Follow-up of the Digital Programme – indicators"))
    for n, (goal, rows) in enumerate(groups, start=1):
        slide = deck.slide("table", paged(base, n, len(groups)))
        name = f"{label(loc, 'goal', goal.value)} ({goal.value})"
        deck.subtitle(slide, name)
        alt = loc(_("Indicators: {goal}"), goal=name) + ": " + "; ".join(" · ".join(r) for r in rows)
        deck.table(slide, header, rows, widths, TOP + SUBTITLE_HEIGHT, alt)


def measure(loc, m) -> str:
    return "" if m is None else plain(loc, m.text.get(loc.lang), m.value)


def plain(loc, raw: str, value: float | None) -> str:
    """A bare number in the locale's format (`2,37`, `15 000`); anything else as written."""
    if value is not None and re.fullmatch(r"-?\d+([.,]\d+)?", raw.strip()):
        return loc.number(value)
    return raw


def list_slides(deck, options, title, header, items, row, widths, subtitle=None, continued=None) -> None:
    """A table of `row(item)` over as many slides as it needs, at most `max_list_rows` rows, then a
    closing note; only the rows shown are made, so a roll-up's size does not reach the deck."""
    shown = [row(item) for item in items[: options.max_list_rows]]
    hidden = len(items) - len(shown)
    top = TOP + (SUBTITLE_HEIGHT if subtitle else 0)
    pages = paginate(header, shown, widths, BOTTOM - top) or [[]]
    for n, page in enumerate(pages, start=1):
        base = continued if continued and n > 1 else title
        slide = deck.slide("table", paged(base, n, len(pages)))
        if subtitle:
            deck.subtitle(slide, subtitle)
        alt = title + ": " + "; ".join(" · ".join(c for c in r if c) for r in page)
        deck.table(slide, header, page, widths, top, alt)
    if hidden:
        more_rows(deck, title, hidden)


def more_rows(deck, title: str, hidden: int) -> None:
    """The closing note of a list cut at `max_list_rows`."""
    loc = deck.loc
    deck.bullets(
        "content",
        loc(_("{title}: {n} more rows"), title=title, n=hidden),
        [
            (
                0,
                loc(
                    _("{n} more rows are not shown in the deck; the indicator workbook lists them all."),
                    n=hidden,
                ),
            )
        ],
    )


def next_year_slides(deck, projects, stats, options, year) -> None:
    loc = deck.loc
    lang = loc.lang
    goal_split(deck, stats, year, title=loc(_("Digital Roadmap {year} – projects by goal"), year=year))
    list_slides(
        deck,
        options,
        loc(_("Digital Roadmap {year} – projects"), year=year),
        [loc(_("Goal")), loc(_("Id")), loc(_("Project")), loc(_("What problem does the project solve"))],
        projects,
        lambda p: [p.goal.value if p.goal else "", p.id or "", p.name.get(lang), p.problem.get(lang)],
        [0.9, 1, 5.5, 5.5],
        continued=loc(_("Digital Roadmap {year} – projects continue"), year=year),
    )

    y = str(year)
    grid = stats["impact_cost_by_year"][y]["impact_by_cost"]
    sizes = list(grid)
    slide = deck.slide("chart", loc(_("Digital Roadmap {year} – impact and cost"), year=year))
    deck.chart(
        slide,
        "column",
        loc(_("Projects by impact and cost {year}"), year=year),
        [loc(_("Cost {size}"), size=c) for c in sizes],
        [],
        series=[(loc(_("Impact {size}"), size=i), [grid[i][c] for c in sizes]) for i in sizes],
        box=(Inches(0.5), TOP, Inches(12.3), BOTTOM - TOP),
    )

    def codes(field):
        return stats[f"{field}_by_year"][y]

    slide = deck.slide(
        "two charts", loc(_("Digital Roadmap {year} – long-term benefit and basis"), year=year)
    )
    height = BOTTOM - TOP
    for field, name, left in (
        ("benefit", _("Projects by long-term benefit {year}"), Inches(0.5)),
        ("basis", _("Projects by basis {year}"), Inches(6.83)),
    ):
        c = codes(field)
        deck.chart(
            slide,
            "pie",
            loc(name, year=year),
            [label(loc, field, k) for k in c],
            list(c.values()),
            box=(left, TOP, Inches(6.0), height),
        )

    for field, name, heading in (
        ("beneficiaries", _("Projects by beneficiary {year}"), _("Digital Roadmap {year} – beneficiaries")),
        ("level", _("Projects by level {year}"), _("Digital Roadmap {year} – level")),
        ("owner", _("Projects by responsible owner {year}"), _("Digital Roadmap {year} – responsible owner")),
    ):
        c = codes(field)
        slide = deck.slide("chart", loc(heading, year=year))
        kind = "pie" if field == "level" else "bar"
        owners = stats.get("owner_names", {})
        deck.chart(
            slide,
            kind,
            loc(name, year=year),
            [(owners[k].get(loc.lang) if field == "owner" and k in owners else None) or label(loc, field, k)
             for k in c],
            list(c.values()),
            box=(Inches(0.5), TOP, Inches(12.3), BOTTOM - TOP),
        )

    counts = stats["year_counts"]
    slide = deck.slide("chart", loc(_("Projects by roadmap year")))
    deck.chart(
        slide,
        "pie",
        loc(_("Projects by roadmap year")),
        list(counts),
        list(counts.values()),
        box=(Inches(0.5), TOP, Inches(8.5), BOTTOM - TOP),
        total_text=loc(_("Projects in total {n}"), n=stats["project_count"]),
    )


def render_deck_file(roadmap, stats, lang: str, options, staging: Path, progress) -> None:
    """Pipeline stage: deck-<lang>.pptx, and its PDF when asked."""
    path = staging / f"deck-{lang}.pptx"
    path.write_bytes(render_deck(roadmap, stats, lang, options, progress))
    progress(_("Wrote {file}"), {"file": path.name})
    if options.pdf:
        convert_pdf([path], staging, progress)


def has_calibri_metrics() -> bool:
    """Whether LibreOffice will draw Calibri with Calibri's widths (Calibri or Carlito installed),
    the widths the table rows are sized by; unknown (no fontconfig) counts as yes."""
    exe = shutil.which("fc-match")
    if exe is None:
        return True
    found = subprocess.run([exe, "Calibri"], capture_output=True, text=True, timeout=30).stdout
    return "Carlito" in found or "Calibri" in found


def convert_pdf(paths, outdir: Path, progress) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        progress(_("LibreOffice (soffice) is not installed; PDF decks were not written"), {})
        return
    if not has_calibri_metrics():
        progress(
            _(
                "The Carlito font is not installed: LibreOffice draws the decks' Calibri text wider, "
                "so long tables in the PDF decks may run past the slide"
            ),
            {},
        )
    with tempfile.TemporaryDirectory() as profile:
        for path in paths:
            subprocess.run(
                [
                    exe,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    str(path),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            progress(_("Wrote {file}"), {"file": path.with_suffix(".pdf").name})
