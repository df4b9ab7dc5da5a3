"""The deck's slides in order: one builder per slide kind.

`SLIDES` is the deck: each builder adds its slides (none, one, or a paginated run) to the deck
being built. Pagination is decided from both languages' texts, so the Finnish and the Swedish
deck always have the same slides in the same order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pptx.util import Inches

from digireport import stats as st
from digireport.colours import GOAL_COLOURS, LIGHT_COLOURS, MUTED, SERIES, STATUS_COLOURS
from digireport.deck.slides import (
    BOTTOM,
    MARKER,
    NBSP,
    SUBTITLE_HEIGHT,
    TOP,
    Cell,
    Deck,
    Run,
    cell,
    column_widths,
    count_share,
    paginate,
    row_height,
    whole_percent,
)
from digireport.i18n import LANGUAGES, _, l10n
from digireport.labels import FALLBACK_NOTE, GOAL_LONG, label
from digireport.model import GOAL_ORDER, SizeClass, Status, Text


@dataclass
class Context:
    """What every builder reads: the deck in its language, the roadmap, its statistics, options."""

    deck: Deck
    roadmap: Any
    stats: st.Stats
    options: Any

    @property
    def loc(self):
        return self.deck.loc

    @functools.cached_property
    def decision(self) -> dict[str, Any] | None:
        """What the board is asked to approve (None without a next year's roadmap)."""
        return st.decision(self.projects, self.next_year) if self.next_year is not None else None

    @functools.cached_property
    def projects(self) -> list:
        """Every project in the lists' order: by goal, then id in natural order; sorted once."""
        return st.ordered_projects(self.roadmap.projects)

    @property
    def followup(self) -> tuple[int, ...]:
        return self.stats.followup_years

    @property
    def next_year(self) -> int | None:
        return self.stats.next_year

    @property
    def span(self) -> str:
        return span(self.followup)


def span(years) -> str:
    years = list(years)
    if not years:
        return ""
    return str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"


def paged(title: str, page: int, pages: int) -> str:
    return f"{title} ({page}/{pages})" if pages > 1 else title


def shown(loc, text: Text) -> tuple[Run, ...]:
    """A workbook text in `loc`'s language, or in the other one marked as such ("… (på finska)")."""
    picked = text.pick(loc.lang)
    if not picked.fallback:
        return (Run(picked.text, picked.lang),)
    return (Run(picked.text, picked.lang), Run(" " + loc(FALLBACK_NOTE[picked.lang])))


def status_runs(loc, status: Status | None) -> tuple[Run, ...]:
    if status is None:
        return (Run("–"),)
    return (Run(MARKER + NBSP, colour=STATUS_COLOURS[status]), Run(label(loc, "status", status.value)))


def goal_name(loc, goal: str) -> str:
    return f"{label(loc, 'goal', goal)} ({goal})" if goal != "K" else label(loc, "goal", goal)


# --- tables over as many slides as they need ------------------------------------------------------


def table_slides(
    ctx: Context,
    title: str | Callable[[Any], str],
    header: Callable[[Any], Sequence[str]],
    items: Sequence[Any],
    row: Callable[[Any, Any], Sequence[Cell]],
    weights: Sequence[float],
    talk: Callable[[Any, int], Sequence[str]],
    subtitle: Callable[[Any], str | Sequence[Run]] | None = None,
    continued: Callable[[Any], str] | None = None,
    page_subtitle: Callable[[Any, int], str] | None = None,
    subtitle_lines: int = 1,
) -> None:
    """A table of `row(loc, item)` over as many slides as the taller of its two languages'
    renderings needs, pages as even as they can be, at most `max_list_rows` rows, then a note.

    `title`, `header`, `subtitle`, `continued` and `talk` take an L10n; only the rows shown are
    made, so a roll-up's size does not reach the deck."""
    deck, loc = ctx.deck, ctx.loc
    hidden = max(0, len(items) - ctx.options.max_list_rows)
    items = list(items[: ctx.options.max_list_rows])
    widths = column_widths(weights)
    locs = [l10n(lang) for lang in LANGUAGES]
    mine = None
    heights = [0] * len(items)
    head = 0
    for other in locs:
        cells = [row(other, item) for item in items]
        if other.lang == loc.lang:
            mine = cells
        head = max(head, row_height(header(other), widths, bold=True))
        for i, r in enumerate(cells):
            heights[i] = max(heights[i], row_height([c.text for c in r], widths))
    has_subtitle = subtitle is not None or page_subtitle is not None
    top = TOP + (SUBTITLE_HEIGHT * subtitle_lines if has_subtitle else 0)
    pages = paginate(heights, head, BOTTOM - top) or [[]]
    name = title(loc) if callable(title) else title
    # Each header cell is aligned as its column is: numbers and euros to the right.
    hdr = [Cell((Run(h),), first.align) for h, first in
           zip(header(loc), mine[0] if mine else [cell("")] * len(weights), strict=True)]
    for n, page in enumerate(pages, start=1):
        base = continued(loc) if continued and n > 1 else name
        slide = deck.slide("table", paged(base, n, len(pages)))
        if page_subtitle is not None:
            deck.subtitle(slide, page_subtitle(loc, n - 1), lines=subtitle_lines)
        elif subtitle is not None:
            deck.subtitle(slide, subtitle(loc), lines=subtitle_lines)
        rows = [mine[i] for i in page]
        alt = loc(
            _("{title}: a table of {n} rows, from {first} to {last}."),
            title=paged(base, n, len(pages)),
            n=len(rows),
            first=rows[0][0].text if rows else "",
            last=rows[-1][0].text if rows else "",
        )
        deck.table(slide, hdr, rows, widths, top, alt, [head, *(heights[i] for i in page)])
        data = [" · ".join(h.text for h in hdr)] + [" · ".join(c.text for c in r if c.text) for r in rows]
        deck.notes(slide, talk(loc, len(items)) if n == 1 else [alt], data)
    if hidden:
        more_rows(ctx, name, hidden)


def more_rows(ctx: Context, title: str, hidden: int) -> None:
    """The closing note of a list cut at `max_list_rows`."""
    loc = ctx.loc
    slide = ctx.deck.slide("content", loc(_("{title}: {n} more rows"), title=title, n=hidden), keep=("body",))
    text = loc(_("{n} more rows are not shown in the deck; the indicator workbook lists them all."), n=hidden)
    ctx.deck.bullets(slide, [(0, text)])
    ctx.deck.notes(slide, [text])


# --- the slides -----------------------------------------------------------------------------------


def deck_title(ctx: Context) -> str:
    loc = ctx.loc
    programme = span(ctx.stats.years)
    if ctx.next_year is not None:
        return loc(
            _(
                "Follow-up of the Digital Programme {programme} and the roadmap {span} and approval of "
                "the Digital Roadmap {next}"
            ),
            programme=programme,
            span=ctx.span,
            next=ctx.next_year,
        )
    return loc(_("Follow-up of the Digital Programme {programme} and the roadmap {span}"),
               programme=programme, span=ctx.span)


def title_slide(ctx: Context) -> None:
    loc, opts = ctx.loc, ctx.options
    slide = ctx.deck.slide("title", deck_title(ctx), keep=("subtitle",), number=False, footer=False)
    meeting = meeting_name(loc, opts)
    lines = [meeting or loc.date(opts.as_of)]
    if opts.presenter:
        lines.append(opts.presenter)
    ctx.deck.bullets(slide, [(0, line) for line in lines], name="subtitle", size=24)
    ctx.deck.notes(slide, [deck_title(ctx) + ".", *( [loc(_("Meeting: {meeting}."), meeting=meeting)] if meeting else [])])


def meeting_name(loc, opts) -> str | None:
    """The meeting in the deck's language ("Kaupunginhallitus 2.12.2025"), or None when not given."""
    if opts.meeting:
        return dict(opts.meeting).get(loc.lang)
    if opts.meeting_date is not None:
        return loc(_("City board {date}"), date=loc.date(opts.meeting_date))
    return None


def agenda_items(ctx: Context) -> list[tuple[int, str]]:
    loc = ctx.loc
    items = [
        (0, loc(_("Background: the Digital Programme and the Digital Roadmap"))),
        (0, loc(_("1. Follow-up of the Digital Programme"))),
        (0, loc(_("2. Follow-up of the Digital Roadmap {span}"), span=ctx.span)),
        (1, loc(_("a) Projects started and their progress"))),
        (1, loc(_("b) Follow-up of the Digital Roadmap {span} – impacts and costs"), span=ctx.span)),
    ]
    if ctx.next_year is not None:
        items.append((0, loc(_("3. Digital Roadmap {year} – projects, impacts and costs"), year=ctx.next_year)))
    return items


def agenda_slide(ctx: Context) -> None:
    loc = ctx.loc
    slide = ctx.deck.slide("content", loc(_("Agenda")), keep=("body",))
    ctx.deck.bullets(slide, agenda_items(ctx), size=24)
    ctx.deck.notes(slide, [loc(_("The presentation follows the agenda items; each begins with a divider slide."))])


def summary_slide(ctx: Context) -> None:
    """The executive summary: where the roadmap stands, the indicators, the costs, the decision."""
    loc, stats = ctx.loc, ctx.stats
    status = stats.status_span
    counts = status.counts
    parts = ", ".join(
        f"{label(loc, 'status', code).lower()} {loc.integer(n)}"
        for code, n in sorted(counts.items(), key=lambda kv: -kv[1]) if n
    )
    lines: list[tuple[int, str]] = [
        (0, loc(_("Digital Roadmap {span}: {n} projects, of them {parts}."), span=ctx.span,
                n=loc.integer(status.total), parts=parts)),
    ]
    lights = st.indicator_lights(stats.indicators)
    measured = lights["green"] + lights["amber"] + lights["red"]
    lines.append((0, loc(
        _("Indicators: {green} of the {measured} measurable ones on target, {amber} progressing, {red} behind; "
          "{none} without a measure of progress."),
        green=lights["green"], measured=measured, amber=lights["amber"], red=lights["red"], none=lights["none"])))
    comp = stats.completed
    lines.append((0, loc(
        _("Completed projects {n}: one-off costs {one_off}, yearly costs {yearly}"),
        n=comp.count, one_off=loc.money(comp.one_off_eur), yearly=loc.money(comp.yearly_eur)) + "."))
    changes = stats.status_changes
    if changes.label:
        done = sum(1 for c in changes.changes if c.after is Status.DONE)
        lines.append((0, loc(_("Since the status of {label}: {n} projects changed status, {done} of them to done."),
                             label=changes.label, n=len(changes.changes), done=done)))
    if ctx.next_year is not None:
        dec = ctx.decision
        lines.append((0, loc(
            _("For decision: the Digital Roadmap {year} with {n} projects, {budget} of them in cost class M or L."),
            year=ctx.next_year, n=dec["count"], budget=len(dec["budget"]))))
    slide = ctx.deck.slide("content", loc(_("Summary")), keep=("body",))
    ctx.deck.bullets(slide, lines, size=20)
    ctx.deck.notes(slide, [text for _level, text in lines[:4]])


def divider(key: str) -> Callable[[Context], None]:
    """A section divider slide for an agenda item, which also starts a PowerPoint section."""

    def build(ctx: Context) -> None:
        loc = ctx.loc
        items = dict(_divider_titles(ctx))
        if key not in items:
            return
        title, sub = items[key]
        ctx.deck.section(title)
        slide = ctx.deck.slide("section", title, keep=("body",) if sub else ())
        if sub:
            ctx.deck.bullets(slide, [(0, sub)], size=20)
        ctx.deck.notes(slide, [loc(_("Next: {item}."), item=title)])

    build.__name__ = f"divider_{key}"
    return build


def _divider_titles(ctx: Context):
    loc = ctx.loc
    second = loc(_("2. Follow-up of the Digital Roadmap {span}"), span=ctx.span)
    yield "background", (loc(_("Background: the Digital Programme and the Digital Roadmap")), None)
    yield "1", (loc(_("1. Follow-up of the Digital Programme")), loc(_("Indicators by goal")))
    yield "2a", (loc(_("2a. Projects started and their progress")), second)
    yield "2b", (loc(_("2b. Impacts and costs")), second)
    if ctx.next_year is not None:
        yield "3", (loc(_("3. Digital Roadmap {year} – projects, impacts and costs"), year=ctx.next_year),
                    loc(_("For decision")))


def background_slide(ctx: Context) -> None:
    loc, opts = ctx.loc, ctx.options
    programme = span(ctx.stats.years)
    lines: list[tuple[int, str]] = [(0, loc(
        _(
            "Porvoo's Digital Programme {programme} is based on the city strategy and on the shared digital "
            "plans of the EU, the state and the municipalities. The programme's three main themes are:"
        ),
        programme=programme,
    ))]
    for i, goal in enumerate(GOAL_ORDER[:3], start=1):
        lines.append((1, f"{i}) {loc(GOAL_LONG[goal])}"))
    lines.append((0, loc(_("In addition, the capabilities needed to carry the programme through have been identified."))))
    if opts.programme_approved is not None:
        lines.append((0, loc(_("The city board approved the Digital Programme with its appendices on {date}."),
                             date=loc.date(opts.programme_approved))))
    for year, date in sorted(opts.roadmap_approved):
        if date <= opts.as_of:
            lines.append((1, loc(_("The roadmap for {year} was approved on {date}."), year=year, date=loc.date(date))))
    slide = ctx.deck.slide("content", loc(_("Background and goals of the programme and the roadmap")), keep=("body",))
    ctx.deck.bullets(slide, lines, size=18)
    talk = [loc(_("The programme's three goals and the capabilities frame every yearly roadmap."))]
    if len(lines) > 5:
        talk.append(lines[-1][1])
    ctx.deck.notes(slide, talk)


def goal_split_slides(ctx: Context) -> None:
    for year in ctx.followup:
        goal_split(ctx, year, ctx.loc(_("Digital Roadmap {year}"), year=year))


def goal_split(ctx: Context, year: int, title: str) -> None:
    loc = ctx.loc
    counts = ctx.stats.goal_by_year[year]
    total = ctx.stats.year_counts[year]
    slide = ctx.deck.slide("chart", title)
    goals = list(counts)
    _frame, shown_, _t = ctx.deck.chart(
        slide, "doughnut", loc(_("Projects by goal {year}"), year=year),
        [goal_name(loc, g) for g in goals], [counts[g] for g in goals],
        [GOAL_COLOURS.get(g, MUTED) for g in goals],
        (Inches(0.6), TOP, Inches(5.5), BOTTOM - TOP), total=total,
    )
    top = max(shown_, key=lambda kv: kv[1]) if shown_ else ("", 0)
    ctx.deck.notes(slide, [
        loc(_("The roadmap {year} has {n} projects."), year=year, n=loc.integer(total)),
        loc(_("The most are under {goal}: {count}."), goal=top[0], count=count_share(loc, top[1], total)),
    ], [f"{lab}: {count_share(loc, v, total)}" for lab, v in shown_])


LIGHT_WORDS = {
    "green": _("On target"),
    "amber": _("Progressing"),
    "red": _("Behind"),
}
MISSING_WORDS = {
    "qualitative": _("qualitative target"),
    "text": _("value in words"),
    "other_unit": _("not in the target's unit"),
    "no_previous_year": _("no previous year to compare"),
    "no_value": _("no value yet"),
}


def indicator_slides(ctx: Context) -> None:
    """Indicators under their goal heading: target, latest value and its year, progress, light."""
    roadmap = ctx.roadmap
    progress = {p.row: p for p in ctx.stats.indicators}
    for goal in GOAL_ORDER:
        inds = [i for i in roadmap.indicators if i.goal is goal]
        if not inds:
            continue
        table_slides(
            ctx,
            lambda lc, g=goal: lc(_("1. Indicators: {goal}"), goal=goal_name(lc, g.value)),
            lambda lc: [lc(_("Indicator")), lc(_("Target")), lc(_("Latest value")), lc(_("Year")),
                        lc(_("Progress")), lc(_("Traffic light"))],
            inds,
            lambda lc, ind: indicator_row(lc, ind, progress[ind.row]),
            [3.4, 3.0, 2.6, 0.8, 1.3, 1.7],
            lambda lc, n, g=goal, group=inds: indicator_talk(lc, g, [progress[i.row] for i in group]),
        )


def indicator_row(loc, ind, prog) -> list[Cell]:
    year = prog.year
    value = ind.value(year) if year is not None else None
    target = Text(ind.target.raw or None, ind.target.raw_sv or None)
    if prog.ratio is not None:
        progress = whole_percent(loc, prog.ratio)
        light = prog.light
        mark = (Run(MARKER + NBSP, colour=LIGHT_COLOURS[light]), Run(loc(LIGHT_WORDS[light])))
    else:
        progress = loc(MISSING_WORDS[prog.missing]) if prog.missing else "–"
        mark = (Run("–"),)
    return [
        Cell(shown(loc, ind.name)),
        Cell(value_runs(loc, target.fi or "", target.sv, ind.target.value)),
        Cell(value_runs(loc, value.raw if value else "", value.raw_sv if value else None,
                        value.value if value else None), "r"),
        cell(str(year) if year is not None else "–", "r"),
        Cell((Run(progress),), "r"),
        Cell(mark),
    ]


_BARE = re.compile(r"\s*-?\d[\d\s]*([.,]\d+)?\s*")


def _bare(raw: str) -> bool:
    return bool(_BARE.fullmatch(raw or ""))


def value_runs(loc, raw_fi: str, raw_sv: str | None, value: float | None) -> tuple[Run, ...]:
    """A value or target: a bare number in the locale's format, words as written (Finnish words
    in the Swedish deck marked as such)."""
    if value is not None and _bare(raw_fi):
        return (Run(loc.number(value)),)
    if not raw_fi and not raw_sv:
        return (Run("–"),)
    if not any(ch.isalpha() for ch in (raw_fi or raw_sv or "")):
        # numbers and signs only (`100 %`, `0,73 / 0,69 / 0,33`): the same in every language
        return (Run((raw_fi or raw_sv).replace(" %", NBSP + "%")),)
    return shown(loc, Text(raw_fi or None, raw_sv or None))


def indicator_talk(loc, goal, progress) -> list[str]:
    lights = st.indicator_lights(progress)
    return [
        loc(_("{goal}: {n} indicators."), goal=goal_name(loc, goal.value), n=len(progress)),
        loc(_("{green} on target, {amber} progressing, {red} behind, {none} without a measure of progress."),
            **lights),
    ]


def status_slide(ctx: Context) -> None:
    loc = ctx.loc
    status = ctx.stats.status_span
    counts = status.counts
    order = [s for s in (Status.DONE, Status.STARTED, Status.PLANNED, Status.UNKNOWN, Status.DROPPED)]
    slide = ctx.deck.slide("chart", loc(_("2a. Digital Roadmap {span} – projects by status"), span=ctx.span))
    _f, shown_, total = ctx.deck.chart(
        slide, "doughnut", loc(_("Projects by status")),
        [label(loc, "status", s.value) for s in order], [counts.get(s.value, 0) for s in order],
        [STATUS_COLOURS[s] for s in order], (Inches(0.6), TOP, Inches(5.5), BOTTOM - TOP), total=status.total,
    )
    done = counts.get(Status.DONE.value, 0)
    started = counts.get(Status.STARTED.value, 0)
    ctx.deck.notes(slide, [
        loc(_("The roadmaps {span} hold {n} projects."), span=ctx.span, n=loc.integer(total)),
        loc(_("{done} are done and {started} started."), done=count_share(loc, done, total),
            started=count_share(loc, started, total)),
    ], [f"{lab}: {count_share(loc, v, total)}" for lab, v in shown_])


def changes_slides(ctx: Context) -> None:
    """Every project whose status changed since the latest snapshot column, from → to."""
    changes = ctx.stats.status_changes
    if not changes.label:
        return
    before = {c.row: c.before for c in changes.changes}
    items = [p for p in ctx.projects if p.row in before]
    stamp = changes.label
    done = sum(1 for p in items if p.status is Status.DONE)
    table_slides(
        ctx,
        lambda lc: lc(_("2a. Changes since {label}"), label=stamp),
        lambda lc: [lc(_("Id")), lc(_("Project")), lc(_("Status in {label}"), label=stamp), lc(_("Status now"))],
        items,
        lambda lc, p: [cell(p.id or ""), Cell(shown(lc, p.name)), Cell(status_runs(lc, before[p.row])),
                       Cell(status_runs(lc, p.status))],
        [1.3, 6.7, 2.2, 2.2],
        lambda lc, n: [
            lc(_("Since the status of {label}: {n} projects changed status, {done} of them to done."),
               label=stamp, n=n, done=done),
        ],
    )


def project_list_slides(ctx: Context) -> None:
    """The followed-up projects with one status column per followed-up year."""
    years = ctx.followup
    span_years = frozenset(years)
    followed = [p for p in ctx.projects if not span_years.isdisjoint(p.years)]
    table_slides(
        ctx,
        lambda lc: lc(_("2a. Digital Roadmap {span} – projects and their status"), span=ctx.span),
        lambda lc: [lc(_("Id")), lc(_("Project")), *(lc(_("Status in {label}"), label=y) for y in years)],
        followed,
        lambda lc, p: [cell(p.id or ""), Cell(shown(lc, p.name)),
                       *(Cell(status_runs(lc, s)) for s in st.status_in_years(p, years).values())],
        [1.3, 7.2, *([2.0] * len(years))],
        lambda lc, n: [
            lc(_("The roadmaps {span} hold {n} projects, sorted by goal and id."), span=ctx.span, n=n),
            lc(_("A year's column shows the project's status in that year's roadmap; a dash: not in it.")),
        ],
    )


def completed_slides(ctx: Context) -> None:
    years = set(ctx.followup)
    done = [p for p in ctx.projects if p.status is Status.DONE and not years.isdisjoint(p.years)]
    comp = ctx.stats.completed

    def summary(lc) -> str:
        return lc(_("Completed projects {n}: one-off costs {one_off}, yearly costs {yearly}"),
                  n=comp.count, one_off=lc.money(comp.one_off_eur), yearly=lc.money(comp.yearly_eur))

    def money(lc, p, kind) -> Cell:
        ok = p.cost_eur is not None and p.cost_kind is not None and p.cost_kind.value == kind
        return cell(lc.money(p.cost_eur) if ok else "", "r")

    table_slides(
        ctx,
        lambda lc: lc(_("2b. Digital Roadmap {span} – completed projects"), span=ctx.span),
        lambda lc: [lc(_("Id")), lc(_("Project")), lc(_("Impact")), lc(_("One-off cost")), lc(_("Yearly cost"))],
        done,
        lambda lc, p: [cell(p.id or ""), Cell(shown(lc, p.name)), Cell(shown(lc, p.impact)),
                       money(lc, p, "one_off"), money(lc, p, "yearly")],
        [1.3, 4.0, 4.8, 1.7, 1.7],
        lambda lc, n: [summary(lc) + ".", lc(_("The impact column says what each project changed."))],
        subtitle=summary,
    )


def decision_slide(ctx: Context) -> None:
    """What the board is asked to approve: the next roadmap and its projects that need budget."""
    if ctx.next_year is None:
        return
    loc, year = ctx.loc, ctx.next_year
    dec = ctx.decision
    by_row = {p.row: p for p in ctx.roadmap.projects}
    per_goal = ", ".join(f"{g}: {loc.integer(n)}" for g, n in dec["by_goal"].items() if n)
    budget = [by_row[b["row"]] for b in dec["budget"]]

    def sub(lc) -> str:
        return lc(_("Proposal: the city board approves the Digital Roadmap {year}: {n} projects ({goals})."),
                  year=year, n=dec["count"], goals=per_goal)

    table_slides(
        ctx,
        lambda lc: lc(_("3. Digital Roadmap {year} – proposal for decision"), year=year),
        lambda lc: [lc(_("Id")), lc(_("Project")), lc(_("Cost class")), lc(_("Impact class"))],
        budget,
        lambda lc, p: [cell(p.id or ""), Cell(shown(lc, p.name)),
                       cell(p.cost_class.value if p.cost_class else "–"),
                       cell(p.impact_class.value if p.impact_class else "–")],
        [1.3, 7.7, 1.6, 1.6],
        lambda lc, n: [sub(lc), lc(_("{n} projects in cost class M or L need an addition to the budget or the "
                                     "staff plan; the table lists them."), n=n)],
        page_subtitle=lambda lc, i: sub(lc) + "\n" + lc(_("In cost class M or L (budget needed):")),
        subtitle_lines=2,
    )


def next_goal_slide(ctx: Context) -> None:
    if ctx.next_year is not None:
        goal_split(ctx, ctx.next_year, ctx.loc(_("Digital Roadmap {year} – projects by goal"), year=ctx.next_year))


def next_list_slides(ctx: Context) -> None:
    year = ctx.next_year
    if year is None:
        return
    items = [p for p in ctx.projects if year in p.years]
    table_slides(
        ctx,
        lambda lc: lc(_("Digital Roadmap {year} – projects"), year=year),
        lambda lc: [lc(_("Id")), lc(_("Project")), lc(_("What problem does the project solve"))],
        items,
        lambda lc, p: [cell(p.id or ""), Cell(shown(lc, p.name)), Cell(shown(lc, p.problem))],
        [1.3, 5.0, 6.3],
        lambda lc, n: [lc(_("The roadmap {year} proposes {n} projects, sorted by goal and id."), year=year, n=n)],
        continued=lambda lc: lc(_("Digital Roadmap {year} – projects continue"), year=year),
    )


def matrix_slide(ctx: Context) -> None:
    """Impact × cost: the count in each cell, the ids where the cost is M or L; S/M/L explained."""
    year = ctx.next_year
    if year is None:
        return
    loc, deck = ctx.loc, ctx.deck
    grid = ctx.stats.impact_cost_by_year[year]
    ids = st.impact_cost_ids(ctx.projects, year)
    sizes = [s.value for s in SizeClass]
    slide = deck.slide("table", loc(_("Digital Roadmap {year} – impact and cost"), year=year))
    header = [Cell((Run(loc(_("Impact \\ cost"))),))] + [
        Cell((Run(loc(_("Cost {size}"), size=c)),), "r") for c in sizes]
    rows = []
    for i in sizes:
        cells = [Cell((Run(loc(_("Impact {size}"), size=i)),), "l")]
        for c in sizes:
            n = grid.impact_by_cost[i][c]
            text = loc.integer(n) + (f" ({', '.join(ids[i][c])})" if c != "S" and ids[i][c] else "")
            cells.append(cell(text, "r"))
        rows.append(cells)
    widths = column_widths([2.5, 3, 3, 3])
    heights = [row_height([c.text for c in r], widths, bold=k == 0) for k, r in enumerate([header, *rows])]
    heights = [max(h, int(Inches(0.6))) for h in heights]
    alt = loc(_("Projects of the roadmap {year} by impact and cost class: {n} classified, {m} without a class."),
              year=year, n=sum(sum(r.values()) for r in grid.impact_by_cost.values()), m=grid.unclassified)
    deck.table(slide, header, rows, widths, TOP, alt, heights)
    explain = [
        loc(_("Cost class: S can be done with current resources; M needs a temporary addition to the budget "
              "and/or staff plan; L a lasting one.")),
        loc(_("Impact class: S a one-off impact or an impact on few people; M a lasting impact on few or a one-off "
              "impact on many; L a lasting impact on many.")),
    ]
    if grid.unclassified:
        explain.append(loc(_("{n} projects have no impact or cost class."), n=grid.unclassified))
    deck.text_box(slide, Inches(0.5), TOP + sum(heights) + Inches(0.3), Inches(12.33), Inches(1.6),
                  explain, "explanation", size=14)
    data = [" · ".join(c.text for c in r) for r in [header, *rows]]
    deck.notes(slide, [alt, explain[0]], data)


def benefit_basis_slide(ctx: Context) -> None:
    year = ctx.next_year
    if year is None:
        return
    loc = ctx.loc
    slide = ctx.deck.slide("two charts", loc(_("Digital Roadmap {year} – long-term benefit and basis"), year=year))
    data = []
    for field, name, left in (
        ("benefit", _("Projects by long-term benefit {year}"), Inches(0.5)),
        ("basis", _("Projects by basis {year}"), Inches(6.83)),
    ):
        _frame, shown_, total = bar(ctx, slide, field, loc(name, year=year), year, (left, TOP, Inches(6.0), BOTTOM - TOP))
        data += [loc(name, year=year)] + [f"{lab}: {count_share(loc, v, total)}" for lab, v in shown_]
    ctx.deck.notes(slide, [loc(_("Long-term benefit and basis of the {n} projects proposed for {year}."),
                               n=ctx.stats.year_counts[year], year=year)], data)


# Categories whose order means something are shown in it; the others by size.
NATURAL = {"level"}


def bar(ctx: Context, slide, field: str, name: str, year: int, box):
    loc = ctx.loc
    counts = ctx.stats.by_year(field)[year]
    items = [(k, v) for k, v in counts.items() if v]
    if field not in NATURAL:
        items.sort(key=lambda kv: (kv[0] == st.UNKNOWN, -kv[1], label(loc, field, kv[0])))
    total = ctx.stats.year_counts[year]
    frame, shown_, total = ctx.deck.chart(
        slide, "bar", name, [category(loc, field, k) for k, _v in items], [v for _k, v in items],
        [SERIES] * len(items), box, total=total)
    return frame, shown_, total


def category(loc, field: str, code: str) -> str:
    """A category's word; an owner the catalogs do not translate is workbook text in Finnish,
    marked as such in the Swedish deck."""
    word = label(loc, field, code)
    if field == "owner" and word == code:
        picked = Text(fi=code).pick(loc.lang)
        if picked.fallback:
            return f"{picked.text} {loc(FALLBACK_NOTE[picked.lang])}"
    return word


def category_slides(ctx: Context) -> None:
    year = ctx.next_year
    if year is None:
        return
    loc = ctx.loc
    for field, name, heading in (
        ("beneficiaries", _("Projects by beneficiary {year}"), _("Digital Roadmap {year} – beneficiaries")),
        ("level", _("Projects by level {year}"), _("Digital Roadmap {year} – level")),
        ("owner", _("Projects by responsible owner {year}"), _("Digital Roadmap {year} – responsible owner")),
    ):
        slide = ctx.deck.slide("chart", loc(heading, year=year))
        box = (Inches(0.5), TOP, Inches(12.3), BOTTOM - TOP)
        _f, shown_, total = bar(ctx, slide, field, loc(name, year=year), year, box)
        top = shown_[0] if field != "level" and shown_ else max(shown_, key=lambda kv: kv[1], default=("", 0))
        talk = [loc(name, year=year) + "."]
        if shown_:
            talk.append(loc(_("The largest group: {name}, {count}."), name=top[0], count=count_share(loc, top[1], total)))
        if field == "beneficiaries":
            talk.append(loc(_("A project may have several beneficiaries; shares are of the {n} projects."), n=total))
        ctx.deck.notes(slide, talk, [f"{lab}: {count_share(loc, v, total)}" for lab, v in shown_])


def years_slide(ctx: Context) -> None:
    loc = ctx.loc
    counts = ctx.stats.year_counts
    slide = ctx.deck.slide("chart", loc(_("Projects by roadmap year")))
    _f, shown_, total = ctx.deck.chart(
        slide, "column", loc(_("Projects per roadmap year")), list(map(str, counts)), list(counts.values()),
        [SERIES] * len(counts), (Inches(0.5), TOP, Inches(12.3), BOTTOM - TOP), shares=False)
    ctx.deck.notes(slide, [
        loc(_("Projects in each year's roadmap; a project may be in several years."), ),
        loc(_("The roadmap {year} has {n} projects."), year=shown_[-1][0], n=shown_[-1][1]) if shown_ else "",
    ], [f"{lab}: {loc.integer(v)}" for lab, v in shown_])


# The deck, in order. Adding or moving a slide is one line here.
SLIDES: list[Callable[[Context], None]] = [
    title_slide,
    agenda_slide,
    summary_slide,
    divider("background"),
    background_slide,
    goal_split_slides,
    divider("1"),
    indicator_slides,
    divider("2a"),
    status_slide,
    changes_slides,
    project_list_slides,
    divider("2b"),
    completed_slides,
    divider("3"),
    decision_slide,
    next_goal_slide,
    next_list_slides,
    matrix_slide,
    benefit_basis_slide,
    category_slides,
    years_slide,
]
