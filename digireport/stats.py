"""Roadmap → the follow-up statistics the board sees. Pure functions, no I/O.

`Stats` is a plain, JSON-ready structure (codes, not words) that the deck, the indicator
workbook and the web report all render from, so every output shows the same numbers.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable
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
    Indicator,
    Level,
    Project,
    Roadmap,
    SizeClass,
    Status,
    TargetKind,
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


def period(years: Iterable[int], as_of: dt.date) -> Period:
    years = sorted(set(years))
    followup = tuple(y for y in years if y <= as_of.year)
    nxt = as_of.year + 1 if as_of.year + 1 in years else None
    return Period(as_of=as_of, followup=followup, next_year=nxt)


def counts(projects: Iterable[Project], attr: str) -> dict[str, int]:
    """Counts per code in display order; codes with no projects are kept as 0, unknown last if any."""
    # Count the distinct values first (in C), then fold each into its code once.
    c: Counter[str] = Counter()
    for value, n in Counter(map(attrgetter(attr), projects)).items():
        if attr == "beneficiaries":
            if not value:
                c[UNKNOWN] += n
            for b in value:
                c[b.value] += n
            continue
        c[UNKNOWN if value is None else getattr(value, "value", value)] += n
    order = CATEGORIES.get(attr)
    if order is None:  # free text such as owner: most frequent first, then alphabetical
        return dict(sorted(c.items(), key=lambda kv: (kv[0] == UNKNOWN, -kv[1], kv[0])))
    result = {code: c.get(code, 0) for code in order}
    if c.get(UNKNOWN) and UNKNOWN not in result:
        result[UNKNOWN] = c[UNKNOWN]
    return result


def in_years(projects: Iterable[Project], years: Iterable[int]) -> list[Project]:
    ys = set(years)
    return [p for p in projects if ys.intersection(p.years)]


def compute_stats(roadmap: Roadmap, as_of: dt.date) -> dict[str, Any]:
    """All statistics of one roadmap at `as_of`, as a JSON-ready dict."""
    per = period(roadmap.years, as_of)
    projects = roadmap.projects
    by_year = {y: in_years(projects, [y]) for y in roadmap.years}

    def per_year(attr: str) -> dict[str, dict[str, int]]:
        return {str(y): counts(ps, attr) for y, ps in by_year.items()}

    span_projects = in_years(projects, per.followup)
    stats: dict[str, Any] = {
        "as_of": as_of.isoformat(),
        "years": list(roadmap.years),
        "followup_years": list(per.followup),
        "next_year": per.next_year,
        "project_count": len(projects),
        "year_counts": {str(y): len(ps) for y, ps in by_year.items()},
        "status_by_year": per_year("status"),
        "status_span": {
            "years": list(per.followup),
            "total": len(span_projects),
            "counts": counts(span_projects, "status"),
        },
    }
    for attr in ("goal", "level", "basis", "benefit", "beneficiaries", "model", "owner"):
        stats[f"{attr}_by_year"] = per_year(attr)
    stats["impact_cost_by_year"] = {str(y): impact_cost(ps) for y, ps in by_year.items()}
    stats["completed"] = completed(span_projects)
    stats["status_changes"] = status_changes(span_projects)
    stats["indicators"] = [indicator_progress(i) for i in roadmap.indicators]
    return stats


def impact_cost(projects: Iterable[Project]) -> dict[str, Any]:
    """Rows: impact class S/M/L; columns: cost class S/M/L; plus projects lacking either."""
    sizes = [s.value for s in SizeClass]
    grid = {i: {c: 0 for c in sizes} for i in sizes}
    unclassified = 0
    for p in projects:
        if p.impact_class is None or p.cost_class is None:
            unclassified += 1
        else:
            grid[p.impact_class.value][p.cost_class.value] += 1
    return {"impact_by_cost": grid, "unclassified": unclassified}


def completed(projects: Iterable[Project]) -> dict[str, Any]:
    done = [p for p in projects if p.status is Status.DONE]
    one_off = sum(p.cost_eur for p in done if p.cost_eur is not None and p.cost_kind is CostKind.ONE_OFF)
    yearly = sum(p.cost_eur for p in done if p.cost_eur is not None and p.cost_kind is CostKind.YEARLY)
    unspecified = sum(p.cost_eur for p in done if p.cost_eur is not None and p.cost_kind is None)
    return {
        "count": len(done),
        "ids": [p.id for p in done],
        "one_off_eur": round(one_off, 2),
        "yearly_eur": round(yearly, 2),
        "unspecified_eur": round(unspecified, 2),
        "without_cost": sum(1 for p in done if p.cost_eur is None),
    }


def _label_key(label: str) -> tuple[int, int]:
    """Sort key for snapshot labels such as '10/2024', '2024/10', 'Q3/2024'."""
    nums = [int(n) for n in re.findall(r"\d+", label)]
    year = next((n for n in nums if n > 31), 0)
    rest = next((n for n in nums if n != year), 0)
    if label.lower().startswith("q"):
        rest *= 3
    return year, rest


def status_changes(projects: Iterable[Project]) -> dict[str, Any]:
    """Changes between the latest snapshot column and the current status."""
    projects = list(projects)
    labels = {label for p in projects for label, _ in p.status_history}
    if not labels:
        return {"label": None, "changes": [], "unchanged": 0, "new": 0}
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
            changes.append({"id": p.id, "row": p.row, "from": before.value, "to": p.status.value})
    return {"label": latest, "changes": changes, "unchanged": unchanged, "new": new}


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


def indicator_progress(ind: Indicator) -> dict[str, Any]:
    """Progress per year toward the target where it honestly can be computed.

    Absolute targets: value / target, or on a scale such as '1-4' (value - low) / (target - low).
    Percent targets: only against values written as percentages.
    Relative targets (+10 % a year): the year's growth over the previous year / target growth.
    Qualitative targets, values that are text or several numbers: no progress.
    """
    target = ind.target
    per_year: dict[str, Any] = {}
    numeric = [(y, m) for y, m in ind.values if m.value is not None]
    for i, (year, measure) in enumerate(numeric):
        ratio: float | None = None
        basis = None
        if target.value is None or target.kind is TargetKind.QUALITATIVE:
            pass
        elif target.kind is TargetKind.ABSOLUTE and not measure.percent:
            low = 0.0
            scale = _SCALE.match(ind.unit or "")
            if scale:
                low = float(scale.group(1).replace(",", "."))
            if target.value - low > 0:
                ratio = (measure.value - low) / (target.value - low)
                basis = "scale" if scale else "absolute"
        elif target.kind is TargetKind.PERCENT and (measure.percent or (ind.unit or "").strip() == "%"):
            if target.value > 0:
                ratio = measure.value / target.value
                basis = "percent"
        elif target.kind is TargetKind.RELATIVE and i > 0:
            prev_year, prev = numeric[i - 1]
            if prev_year == year - 1 and prev.value:
                growth = measure.value / prev.value - 1
                ratio = growth / (target.value / 100) if target.value else None
                basis = "growth"
                per_year[str(year)] = {"ratio": _r(ratio), "growth": _r(growth), "basis": basis,
                                       "light": light(ratio)}
                continue
        if ratio is not None:
            per_year[str(year)] = {"ratio": _r(ratio), "basis": basis, "light": light(ratio)}
    latest_year = max((int(y) for y in per_year), default=None)
    latest = per_year[str(latest_year)] if latest_year is not None else None
    years = [y for y, _ in ind.values]
    change = None
    if len(numeric) >= 2 and numeric[-1][0] == numeric[-2][0] + 1:
        change = _r(numeric[-1][1].value - numeric[-2][1].value)
    return {
        "row": ind.row,
        "goal": ind.goal.value if ind.goal else None,
        "years": years,
        "by_year": per_year,
        "latest_year": latest_year,
        "ratio": latest["ratio"] if latest else None,
        "light": latest["light"] if latest else None,
        "change": change,
    }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)
