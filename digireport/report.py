"""Roadmap + statistics → report.json, the stable contract other tools read.

The only place the statistics' records become JSON: the web report's open data takes its records
from here too, so both say the same."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, TextIO

import orjson

from digireport import __version__
from digireport.findings import describe_all
from digireport.i18n import l10n
from digireport.model import Indicator, Project, Roadmap
from digireport.stats import BY_YEAR, Change, IndicatorProgress, Stats, YearProgress

SCHEMA_VERSION = 1
SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """report.json's JSON Schema, shipped with the package."""
    return json.loads(resources.files("digireport").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _text(t) -> dict[str, str | None]:
    return {"fi": t.fi, "sv": t.sv}


def project_record(p: Project) -> dict[str, Any]:
    # The vocabularies are StrEnums: each member is its code as a `str`, written by the JSON and
    # CSV writers as that code, so the record holds it as it is (`.value` costs a descriptor call
    # per field, a tenth of the record's time at 30,000 projects).
    return {
        "id": p.id,
        "goal": p.goal,
        "years": list(p.years),
        "status": p.status,
        "name": {"fi": p.name.fi, "sv": p.name.sv},
        "problem": {"fi": p.problem.fi, "sv": p.problem.sv},
        "impact": {"fi": p.impact.fi, "sv": p.impact.sv},
        "level": p.level,
        "basis": p.basis,
        "benefit": p.benefit,
        "beneficiaries": list(p.beneficiaries),
        "cost_class": p.cost_class,
        "impact_class": p.impact_class,
        "model": p.model,
        "owner": {"fi": p.owner.fi, "sv": p.owner.sv},
        "cost_eur": p.cost_eur,
        "cost_kind": p.cost_kind,
        "status_history": dict(p.status_history),
        "row": p.row,
    }


def indicator_record(i: Indicator) -> dict[str, Any]:
    return {
        "goal": i.goal.value.lower() if i.goal else None,
        "name": _text(i.name),
        "target": {"raw": i.target.raw, "raw_sv": i.target.raw_sv, "value": i.target.value,
                   "kind": i.target.kind.value},
        "values": {str(y): {"raw": m.raw, "raw_sv": m.raw_sv, "value": m.value, "approx": m.approx,
                            "percent": m.percent}
                   for y, m in i.values},
        "unit": i.unit,
        "source": i.source,
        "row": i.row,
    }


def project_records(roadmap: Roadmap) -> list[dict[str, Any]]:
    """report.json's project records, in the roadmap's order."""
    return [project_record(p) for p in roadmap.projects]


def indicator_records(roadmap: Roadmap) -> list[dict[str, Any]]:
    """report.json's indicator records, in the roadmap's order."""
    return [indicator_record(i) for i in roadmap.indicators]


def _year_progress(y: YearProgress) -> dict[str, Any]:
    if y.growth is None:
        return {"ratio": y.ratio, "basis": y.basis, "light": y.light}
    return {"ratio": y.ratio, "growth": y.growth, "basis": y.basis, "light": y.light}


def _change(c: Change | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"from": c.start, "to": c.end, "value": c.value, "unit": c.unit, "approx": c.approx}


def progress_record(p: IndicatorProgress) -> dict[str, Any]:
    """An indicator's progress as report.json's `stats.indicators` holds it: years as text keys."""
    return {
        "row": p.row,
        "goal": p.goal,
        "years": list(p.years),
        "comparable": {str(y): f for y, f in p.comparable.items()},
        "by_year": {str(y): _year_progress(v) for y, v in p.by_year.items()},
        "year": p.year,
        "latest_year": p.year,
        "method": p.method,
        "ratio": p.ratio,
        "light": p.light,
        "missing": p.missing,
        "approx": p.approx,
        "change": p.change.value if p.change else None,
        "change_detail": _change(p.change),
    }


def _by_year(mapping: dict[int, Any]) -> dict[str, Any]:
    return {str(y): v for y, v in mapping.items()}


def stats_record(stats: Stats) -> dict[str, Any]:
    """The statistics as report.json's `stats`: codes, with years as text keys."""
    span, done, changes = stats.status_span, stats.completed, stats.status_changes
    return {
        "as_of": stats.as_of.isoformat(),
        "years": list(stats.years),
        "followup_years": list(stats.followup_years),
        "next_year": stats.next_year,
        "project_count": stats.project_count,
        "year_counts": _by_year(stats.year_counts),
        "status_by_year": _by_year(stats.status_by_year),
        "status_span": {"years": list(span.years), "total": span.total, "counts": span.counts},
        **{f"{dim}_by_year": _by_year(stats.by_year(dim)) for dim in BY_YEAR if dim != "status"},
        "owner_names": {key: _text(t) for key, t in stats.owner_names.items()},
        "impact_cost_by_year": {str(y): {"impact_by_cost": g.impact_by_cost, "unclassified": g.unclassified}
                                for y, g in stats.impact_cost_by_year.items()},
        "completed": {"count": done.count, "ids": list(done.ids), "one_off_eur": done.one_off_eur,
                      "yearly_eur": done.yearly_eur, "unspecified_eur": done.unspecified_eur,
                      "without_cost": done.without_cost},
        "status_changes": {
            "label": changes.label,
            "changes": [{"id": c.id, "row": c.row, "from": c.before.value, "to": c.after.value}
                        for c in changes.changes],
            "unchanged": changes.unchanged,
            "new": changes.new,
        },
        "indicators": [progress_record(p) for p in stats.indicators],
    }


def build_report(roadmap: Roadmap, stats: Stats) -> dict[str, Any]:
    """report.json's content."""
    fi, sv = l10n("fi"), l10n("sv")
    src = roadmap.source
    return {
        "schema": SCHEMA_VERSION,
        "generator": f"digireport {__version__}",
        "as_of": stats.as_of.isoformat(),
        "source": {
            "name": src.name,
            "sha256": src.sha256,
            "size": src.size,
            "sheets": [
                {"name": s.name, "role": s.role, "header_row": s.header_row, "language": s.language,
                 "columns": {field: {"column": col, "header": text} for field, col, text in s.columns},
                 "ignored": [{"column": c, "header": t} for c, t in s.ignored]}
                for s in src.sheets
            ],
        },
        "projects": project_records(roadmap),
        "indicators": indicator_records(roadmap),
        "stats": stats_record(stats),
        "findings": [
            {"severity": f.severity, "sheet": f.sheet, "row": f.row, "column": f.column,
             "value": f.value, "code": f.code, "message": message, "message_sv": message_sv}
            for f, message, message_sv in zip(roadmap.findings, describe_all(roadmap.findings, fi),
                                              describe_all(roadmap.findings, sv), strict=True)
        ],
    }


# Objects and lists are laid out over lines down to this depth; anything deeper is one line.
# One project, indicator or finding per line keeps the file readable and diffable.
_LINES_DEPTH = 2
_BATCH = 1000


def dump(report: dict[str, Any], fh: TextIO) -> None:
    """Write the report to `fh` piece by piece; a large roadmap's text never sits in memory whole."""
    _write(report, fh, 0)
    fh.write("\n")


def json_line(value: Any) -> str:
    """`value` as compact JSON on one line, non-ASCII letters as they are, keys that are numbers
    as text (as the standard library's encoder writes them), a number that is not finite as null
    (JSON has no text for it). orjson writes a roll-up's tens of thousands of records in a fifth
    of the standard encoder's time."""
    try:
        return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except TypeError:  # an integer past 64 bits, which no cell holds: the standard encoder has no limit
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _write(value: Any, fh: TextIO, depth: int) -> None:
    if depth >= _LINES_DEPTH or not isinstance(value, (dict, list)) or not value:
        fh.write(json_line(value))
        return
    pad = "  " * (depth + 1)
    dict_ = isinstance(value, dict)
    if not dict_ and depth + 1 == _LINES_DEPTH:
        # a list of records, a line each: written a batch of lines at a time
        for start in range(0, len(value), _BATCH):
            fh.write(("[\n" if not start else ",\n") + pad
                     + f",\n{pad}".join(map(json_line, value[start:start + _BATCH])))
        fh.write("\n" + "  " * depth + "]")
        return
    fh.write("{\n" if dict_ else "[\n")
    items = value.items() if dict_ else ((None, v) for v in value)
    for n, (key, item) in enumerate(items):
        fh.write(",\n" + pad if n else pad)
        if dict_:
            fh.write(json_line(key) + ": ")
        _write(item, fh, depth + 1)
    fh.write("\n" + "  " * depth + ("}" if dict_ else "]"))
