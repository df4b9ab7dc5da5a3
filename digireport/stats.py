"""Roadmap → the follow-up statistics the board sees. Pure functions, no I/O.

`Stats` is a frozen record of codes, not words, with roadmap years as integers: the deck, the
indicator workbook and the web report all render from it, so every output shows the same numbers.
Counts per code are dicts in display order; nothing changes them once computed. report.py alone
turns the records into JSON.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from digireport.model import (
    GOAL_ORDER,
    STATUS_ORDER,
    Basis,
    Beneficiary,
    Benefit,
    CostKind,
    DevModel,
    Goal,
    Indicator,
    Level,
    Measure,
    Project,
    Roadmap,
    SizeClass,
    Status,
    TargetKind,
    Text,
)

UNKNOWN = "unknown"

# Progress at or above MET is a green light, at or above PARTIAL amber, below it red.
MET = 1.0
PARTIAL = 0.5

CATEGORIES: dict[str, tuple[str, ...]] = {
    "status": tuple(s.value for s in STATUS_ORDER),
    "goal": tuple(g.value for g in GOAL_ORDER),
    "level": tuple(v.value for v in Level),
    "basis": tuple(v.value for v in Basis),
    "benefit": tuple(v.value for v in Benefit),
    "beneficiaries": tuple(v.value for v in Beneficiary),
    "model": tuple(v.value for v in DevModel),
    "cost_class": tuple(v.value for v in SizeClass),
    "impact_class": tuple(v.value for v in SizeClass),
}


@dataclass(frozen=True)
class Period:
    """Which roadmap years are followed up and which one is up for approval at `as_of`."""

    as_of: dt.date
    followup: tuple[int, ...]
    next_year: int | None


# Counts of projects per code of one dimension, in display order (`counts`).
Counts = dict[str, int]


@dataclass(frozen=True)
class StatusSpan:
    """The projects of the follow-up years, each counted once, by status."""

    years: tuple[int, ...]
    total: int
    counts: Counts


@dataclass(frozen=True)
class ImpactCost:
    """One year's projects by impact class (rows) and cost class (columns), and those lacking either."""

    impact_by_cost: dict[str, Counts]
    unclassified: int


@dataclass(frozen=True)
class Completed:
    """The projects done in the follow-up years and what they cost, by kind of cost."""

    count: int
    ids: tuple[str | None, ...]
    one_off_eur: float
    yearly_eur: float
    unspecified_eur: float
    without_cost: int


@dataclass(frozen=True)
class StatusChange:
    """A project whose status differs from the one of the latest snapshot."""

    id: str | None
    row: int
    before: Status
    after: Status


@dataclass(frozen=True)
class StatusChanges:
    """The changes since the latest snapshot column (`label`; None: the roadmap has none)."""

    label: str | None
    changes: tuple[StatusChange, ...]
    unchanged: int
    new: int


@dataclass(frozen=True)
class YearProgress:
    """Progress of an indicator in one year: the ratio, how it was computed and its light."""

    ratio: float
    basis: str  # "absolute" | "scale" | "percent" | "growth"
    light: str | None
    growth: float | None = None  # the year's growth over the year before, for growth targets


@dataclass(frozen=True)
class Change:
    """An indicator's change from one year's value to the next year's."""

    start: int
    end: int
    value: float | None
    unit: str  # "points" (percentage points) | "unit"
    approx: bool


@dataclass(frozen=True)
class IndicatorProgress:
    """Progress of one indicator toward its target (`indicator_progress`)."""

    row: int
    goal: str | None
    years: tuple[int, ...]
    comparable: dict[int, bool]
    by_year: dict[int, YearProgress]
    year: int | None  # the latest year with a written value, the one progress is of
    method: str | None
    ratio: float | None
    light: str | None
    missing: str | None  # why there is no progress: a key of the outputs' MISSING words
    approx: bool
    change: Change | None


@dataclass(frozen=True)
class Stats:
    """All statistics of one roadmap at `as_of`; mappings by year are keyed by the year as an int."""

    as_of: dt.date
    years: tuple[int, ...]
    followup_years: tuple[int, ...]
    next_year: int | None
    project_count: int
    year_counts: dict[int, int]
    status_by_year: dict[int, Counts]
    status_span: StatusSpan
    goal_by_year: dict[int, Counts]
    level_by_year: dict[int, Counts]
    basis_by_year: dict[int, Counts]
    benefit_by_year: dict[int, Counts]
    beneficiaries_by_year: dict[int, Counts]
    model_by_year: dict[int, Counts]
    owner_by_year: dict[int, Counts]
    # owner titles as counted (by their Finnish text), each with its text in both languages
    owner_names: dict[str, Text]
    impact_cost_by_year: dict[int, ImpactCost]
    completed: Completed
    status_changes: StatusChanges
    indicators: tuple[IndicatorProgress, ...]

    def by_year(self, dimension: str) -> dict[int, Counts]:
        """Counts per code of one of BY_YEAR's dimensions, per roadmap year."""
        return getattr(self, f"{dimension}_by_year")


# The dimensions counted per roadmap year, in the order of `Stats`' fields.
BY_YEAR = ("status", "goal", "level", "basis", "benefit", "beneficiaries", "model", "owner")


def period(years: Iterable[int], as_of: dt.date) -> Period:
    years = sorted(set(years))
    followup = tuple(y for y in years if y <= as_of.year)
    nxt = as_of.year + 1 if as_of.year + 1 in years else None
    return Period(as_of=as_of, followup=followup, next_year=nxt)


# Project attributes whose codes are counted: per roadmap year, or as classes of size.
DIMENSIONS = ("status", "goal", "level", "basis", "benefit", "model", "owner", "cost_class", "impact_class")


_CODES: dict[Any, str] = {None: UNKNOWN} | {
    member: member.value for kind in (Status, Goal, Level, Basis, Benefit, DevModel, SizeClass, CostKind) for member in kind}


def _codes(projects: Sequence[Project], attr: str) -> list[str]:
    """Each project's code of one dimension (UNKNOWN where the value is missing); owners by their
    Finnish title. map() with a dict's lookup runs in C: a column holds a handful of distinct values."""
    values = map(attrgetter(attr), projects)
    if attr == "owner":
        return [v.fi or v.sv or UNKNOWN for v in values]
    return list(map(_CODES.__getitem__, values))


def _ordered(tally: Mapping[str, int], attr: str) -> Counts:
    """Counts per code in display order; codes with no projects are kept as 0, unknown last if any.
    Free text such as owner: most frequent first, then alphabetical, unknown last."""
    found = {code: n for code, n in tally.items() if n}
    order = CATEGORIES.get(attr)
    if order is None:
        return dict(sorted(found.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))
    result = {code: found.get(code, 0) for code in order}
    if found.get(UNKNOWN) and UNKNOWN not in result:
        result[UNKNOWN] = found[UNKNOWN]
    return result


def _by_year(pairs: Counter, attr: str, years: Sequence[int]) -> dict[int, Counts]:
    """`pairs` counted per (year, code), as counts per code in display order for each year."""
    found: dict[int, dict[str, int]] = {y: {} for y in years}
    for (year, code), n in pairs.items():
        found.setdefault(year, {})[code] = n
    return {y: _ordered(found[y], attr) for y in years}


def compute_stats(roadmap: Roadmap, as_of: dt.date) -> Stats:
    """All statistics of one roadmap at `as_of`.

    A roll-up of a region can hold tens of thousands of projects. Each project is looked at once
    per dimension, and every count is a `Counter` over (year, code) pairs, one pair per project
    and roadmap year (a project may span several years)."""
    per = period(roadmap.years, as_of)
    projects = roadmap.projects
    years = list(roadmap.years)
    pairs = [(y, i) for i, p in enumerate(projects) for y in p.years]
    pair_years = [y for y, _i in pairs]
    pair_projects = [i for _y, i in pairs]
    codes = {attr: _codes(projects, attr) for attr in DIMENSIONS}
    by_year = {f"{attr}_by_year": _by_year(Counter(zip(pair_years, map(codes[attr].__getitem__, pair_projects),
                                                       strict=True)), attr, years)
               for attr in BY_YEAR if attr != "beneficiaries"}
    groups: dict[tuple[Beneficiary, ...], tuple[str, ...]] = {}
    beneficiaries = [groups.get(bs) or groups.setdefault(bs, tuple(b.value for b in bs) or (UNKNOWN,))
                     for bs in map(attrgetter("beneficiaries"), projects)]
    by_year["beneficiaries_by_year"] = _by_year(
        Counter((y, code) for y, i in pairs for code in beneficiaries[i]), "beneficiaries", years)
    followup = set(per.followup)
    span = [i for i, p in enumerate(projects) if not followup.isdisjoint(p.years)]
    year_counts = Counter(pair_years)
    return Stats(
        as_of=as_of,
        years=tuple(years),
        followup_years=per.followup,
        next_year=per.next_year,
        project_count=len(projects),
        year_counts={y: year_counts.get(y, 0) for y in years},
        status_span=StatusSpan(years=per.followup, total=len(span),
                               counts=_ordered(Counter(map(codes["status"].__getitem__, span)), "status")),
        **by_year,
        # owner titles are counted by their Finnish text; each with its text in both languages for the outputs
        owner_names={t.fi or t.sv: Text(fi=t.fi, sv=t.sv)
                     for t in sorted({p.owner for p in projects}, key=lambda t: (t.fi or "", t.sv or ""))
                     if t.fi or t.sv},
        impact_cost_by_year=impact_cost_by_year(pairs, codes["impact_class"], codes["cost_class"], years),
        completed=completed([projects[i] for i in span]),
        status_changes=status_changes([projects[i] for i in span]),
        indicators=tuple(indicator_progress(i) for i in roadmap.indicators),
    )


def impact_cost_by_year(pairs: Sequence[tuple[int, int]], impact: Sequence[str], cost: Sequence[str],
                        years: Sequence[int]) -> dict[int, ImpactCost]:
    """Per year, rows: impact class S/M/L; columns: cost class S/M/L; plus projects lacking either.
    `pairs` are (year, project) pairs, `impact` and `cost` each project's class codes."""
    sizes = [s.value for s in SizeClass]
    grid: Counter = Counter()
    unclassified: Counter = Counter()
    for y, i in pairs:
        if impact[i] in sizes and cost[i] in sizes:
            grid[y, impact[i], cost[i]] += 1
        else:
            unclassified[y] += 1
    return {y: ImpactCost(impact_by_cost={i: {c: grid[y, i, c] for c in sizes} for i in sizes},
                          unclassified=unclassified[y])
            for y in years}


def _has_cost(value: float | None) -> bool:
    return value is not None and not math.isnan(value)


def completed(span: Sequence[Project]) -> Completed:
    """The projects done among `span` (those of the follow-up years) and what they cost, by kind of cost."""
    done = [p for p in span if p.status is Status.DONE]
    # math.fsum is exactly rounded: the cents match a hand count whatever the number of projects.
    totals = {kind: math.fsum(p.cost_eur for p in done if p.cost_kind is kind and _has_cost(p.cost_eur))
              for kind in (CostKind.ONE_OFF, CostKind.YEARLY, None)}
    return Completed(
        count=len(done),
        ids=tuple(p.id for p in done),
        one_off_eur=round(totals[CostKind.ONE_OFF], 2),
        yearly_eur=round(totals[CostKind.YEARLY], 2),
        unspecified_eur=round(totals[None], 2),
        without_cost=sum(1 for p in done if not _has_cost(p.cost_eur)),
    )


def _label_key(label: str) -> tuple[int, int]:
    """Sort key for snapshot labels such as '10/2024', '2024/10', 'Q3/2024'."""
    nums = [int(n) for n in re.findall(r"\d+", label)]
    year = next((n for n in nums if n > 31), 0)
    rest = next((n for n in nums if n != year), 0)
    if label.lower().startswith("q"):
        rest *= 3
    return year, rest


def status_changes(projects: Iterable[Project]) -> StatusChanges:
    """Changes between the latest snapshot column and the current status."""
    projects = list(projects)
    labels = {label for p in projects for label, _ in p.status_history}
    if not labels:
        return StatusChanges(label=None, changes=(), unchanged=0, new=0)
    latest = max(labels, key=_label_key)
    changes = []
    unchanged = new = 0
    for p in projects:
        before = dict(p.status_history).get(latest)
        if before is None:
            new += 1
        elif before is p.status:
            unchanged += 1
        else:
            changes.append(StatusChange(id=p.id, row=p.row, before=before, after=p.status))
    return StatusChanges(label=latest, changes=tuple(changes), unchanged=unchanged, new=new)


_SCALE = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*[-–]\s*(\d+(?:[.,]\d+)?)\s*$")


def light(ratio: float | None) -> str | None:
    """'green' | 'amber' | 'red' for a progress ratio; None where progress cannot be computed."""
    if ratio is None:
        return None
    if ratio >= MET:
        return "green"
    if ratio >= PARTIAL:
        return "amber"
    return "red"


def comparable(ind: Indicator, measure: Measure) -> bool:
    """Whether `measure` is in the target's unit, so it may be compared with the target, given
    progress, plotted against a target line or put into a trend: the unit rule of every output.

    Percent targets take only values written as percentages (or in a `%` unit); absolute and growth
    targets take plain amounts, not percentages; a qualified number (`6264 (työasemat)`, `8400 e
    säästö …`) and a qualitative target take none.
    """
    target = ind.target
    if measure.value is None or measure.qualified or target.value is None or target.kind is TargetKind.QUALITATIVE:
        return False
    percent_unit = (ind.unit or "").strip() == "%"
    if target.kind is TargetKind.PERCENT:
        return measure.percent or percent_unit
    return not measure.percent or percent_unit


def indicator_progress(ind: Indicator) -> IndicatorProgress:
    """Progress toward the target of the latest year with a written value, and of each year before.

    Absolute targets: value / target, or on a scale such as '1-4' (value - low) / (target - low).
    Percent targets: value / target, values written as percentages only.
    Relative targets (+10 % a year): the year's growth over the previous year / target growth.
    Only values in the target's unit count (`comparable`). Progress is always of one named
    year, `year`: when that year's value cannot be compared, there is no progress and `missing`
    says why; an older year's progress never stands in for it.
    """
    target = ind.target
    per_year: dict[int, YearProgress] = {}
    fits = {year: comparable(ind, m) for year, m in ind.values}
    numeric = [(y, m) for y, m in ind.values if fits[y]]
    scale = _SCALE.match(ind.unit or "")
    for i, (year, measure) in enumerate(numeric):
        ratio: float | None = None
        if target.kind is TargetKind.ABSOLUTE:
            low = float(scale.group(1).replace(",", ".")) if scale else 0.0
            if target.value - low > 0:
                ratio = (measure.value - low) / (target.value - low)
                per_year[year] = YearProgress(ratio=_r(ratio), basis="scale" if scale else "absolute",
                                              light=light(ratio))
        elif target.kind is TargetKind.PERCENT:
            if target.value > 0:
                ratio = measure.value / target.value
                per_year[year] = YearProgress(ratio=_r(ratio), basis="percent", light=light(ratio))
        elif target.kind is TargetKind.RELATIVE and i > 0:
            prev_year, prev = numeric[i - 1]
            if prev_year == year - 1 and prev.value and target.value:
                growth = measure.value / prev.value - 1
                ratio = growth / (target.value / 100)
                per_year[year] = YearProgress(ratio=_r(ratio), basis="growth", light=light(ratio),
                                              growth=_r(growth))
    written = [y for y, m in ind.values if m.raw.strip()]
    year = max(written, default=None)
    latest = per_year.get(year) if year is not None else None
    missing = None
    if latest is None:
        if target.kind is TargetKind.QUALITATIVE or target.value is None:
            missing = "qualitative"
        elif year is None:
            missing = "no_value"
        elif not fits[year]:
            missing = "other_unit" if ind.value(year).value is not None else "text"
        else:
            missing = "no_previous_year"
    change = None
    if len(numeric) >= 2 and numeric[-1][0] == numeric[-2][0] + 1 and numeric[-1][0] == year:
        (y0, m0), (y1, m1) = numeric[-2], numeric[-1]
        points = target.kind is TargetKind.PERCENT
        change = Change(start=y0, end=y1, value=_r(m1.value - m0.value), unit="points" if points else "unit",
                        approx=m0.approx or m1.approx)
    return IndicatorProgress(
        row=ind.row,
        goal=ind.goal.value if ind.goal else None,
        years=tuple(y for y, _ in ind.values),
        comparable=fits,
        by_year=per_year,
        year=year,
        method=latest.basis if latest else None,
        ratio=latest.ratio if latest else None,
        light=latest.light if latest else None,
        missing=missing,
        approx=bool(year is not None and ind.value(year).approx),
        change=change,
    )


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


# --- Lists and decisions of the board deck: pure functions over projects -------------------------

_ID_PARTS = re.compile(r"(\d+)")


_PLAIN_ID = re.compile(r"(\D+)(\d+)")
_GOAL_RANK = {goal: n for n, goal in enumerate(GOAL_ORDER)}


def id_key(pid: str | None) -> tuple:
    """Natural order of project ids: A2 before A10; a missing id last."""
    if not pid:
        return ((2, ""),)
    plain = _PLAIN_ID.fullmatch(pid)  # most ids: letters (or a municipality and letters), then a number
    if plain is not None:
        return ((1, plain.group(1).lower()), (0, int(plain.group(2))))
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in _ID_PARTS.split(pid) if part)


def project_order(project: Project) -> tuple:
    """Every list's order: by goal (A, B, C, K, none last), then id in natural order, then row."""
    return _GOAL_RANK.get(project.goal, len(GOAL_ORDER)), id_key(project.id), project.row


def ordered_projects(projects: Iterable[Project]) -> list[Project]:
    """The projects in every list's order (`project_order`)."""
    return sorted(projects, key=project_order)


def status_in_years(project: Project, years: Sequence[int]) -> dict[int, Status | None]:
    """The project's status in each followed-up year of its roadmap (None: not in that year's).

    The project's last roadmap year among `years` shows its current status; an earlier year shows
    the latest snapshot column taken in that year (`Tila 10/2024` for 2024), or the current status
    when that year has no snapshot."""
    mine = [y for y in years if y in project.years]
    last = max(mine, default=None)
    history = sorted(((label, s) for label, s in project.status_history if s is not None),
                     key=lambda item: _label_key(item[0]))
    result: dict[int, Status | None] = {}
    for y in years:
        if y not in mine:
            result[y] = None
        elif y == last:
            result[y] = project.status
        else:
            taken = [s for label, s in history if _label_key(label)[0] == y]
            result[y] = taken[-1] if taken else project.status
    return result


def decision(projects: Sequence[Project], year: int) -> dict[str, Any]:
    """What the board is asked to approve: the roadmap of `year`, its projects per goal and those
    in cost class M or L, which need an addition to the budget or staff plan (programme ch. 5).
    `projects` in list order (`ordered_projects`); the lists keep it."""
    chosen = [p for p in projects if year in p.years]
    per_goal = {g.value: sum(1 for p in chosen if p.goal is g) for g in GOAL_ORDER}
    budget = [p for p in chosen if p.cost_class in (SizeClass.M, SizeClass.L)]
    return {
        "year": year,
        "count": len(chosen),
        "by_goal": per_goal,
        "budget": [{"id": p.id, "row": p.row, "cost_class": p.cost_class.value,
                    "impact_class": p.impact_class.value if p.impact_class else None} for p in budget],
    }


def impact_cost_ids(projects: Sequence[Project], year: int) -> dict[str, dict[str, list[str]]]:
    """Project ids per impact class (rows) and cost class (columns) of `year`'s roadmap, in the
    order of `projects` (`ordered_projects`)."""
    sizes = [s.value for s in SizeClass]
    grid: dict[str, dict[str, list[str]]] = {i: {c: [] for c in sizes} for i in sizes}
    for p in projects:
        if year in p.years and p.impact_class and p.cost_class:
            grid[p.impact_class.value][p.cost_class.value].append(p.id or "")
    return grid


def indicator_lights(progress: Sequence[IndicatorProgress]) -> dict[str, int]:
    """How many indicators have each traffic light, and how many none (`none`)."""
    tally = {"green": 0, "amber": 0, "red": 0, "none": 0}
    for item in progress:
        tally[item.light or "none"] += 1
    return tally
