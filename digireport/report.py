"""Roadmap + statistics → report.json, the stable contract other tools read."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any, TextIO

from digireport import __version__
from digireport.findings import describe
from digireport.i18n import l10n
from digireport.model import Indicator, Project, Roadmap

SCHEMA_VERSION = 1
SCHEMA_FILE = "report.schema.json"


def schema() -> dict[str, Any]:
    """report.json's JSON Schema, shipped with the package."""
    return json.loads(resources.files("digireport").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def _text(t) -> dict[str, str | None]:
    return {"fi": t.fi, "sv": t.sv}


def project_record(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "goal": p.goal.value if p.goal else None,
        "years": list(p.years),
        "status": p.status.value,
        "name": _text(p.name),
        "problem": _text(p.problem),
        "impact": _text(p.impact),
        "level": p.level.value if p.level else None,
        "basis": p.basis.value if p.basis else None,
        "benefit": p.benefit.value if p.benefit else None,
        "beneficiaries": [b.value for b in p.beneficiaries],
        "cost_class": p.cost_class.value if p.cost_class else None,
        "impact_class": p.impact_class.value if p.impact_class else None,
        "model": p.model.value if p.model else None,
        "owner": _text(p.owner),
        "cost_eur": p.cost_eur,
        "cost_kind": p.cost_kind.value if p.cost_kind else None,
        "status_history": {label: (s.value if s else None) for label, s in p.status_history},
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


def build_report(roadmap: Roadmap, stats: dict[str, Any]) -> dict[str, Any]:
    fi, sv = l10n("fi"), l10n("sv")
    src = roadmap.source
    return {
        "schema": SCHEMA_VERSION,
        "generator": f"digireport {__version__}",
        "as_of": stats["as_of"],
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
        "projects": [project_record(p) for p in roadmap.projects],
        "indicators": [indicator_record(i) for i in roadmap.indicators],
        "stats": stats,
        "findings": [
            {"severity": f.severity.value, "sheet": f.sheet, "row": f.row, "column": f.column,
             "value": f.value, "code": f.code, "message": describe(f, fi), "message_sv": describe(f, sv)}
            for f in roadmap.findings
        ],
    }


# Objects and lists are laid out over lines down to this depth; anything deeper is one line.
# One project, indicator or finding per line keeps the file readable and diffable, and lets the
# C encoder write each record: Python's JSON encoder has no fast path for indented output.
_LINES_DEPTH = 2


def dump(report: dict[str, Any], fh: TextIO) -> None:
    """Write the report to `fh` piece by piece; a large roadmap's text never sits in memory whole."""
    _write(report, fh, 0)
    fh.write("\n")


def _write(value: Any, fh: TextIO, depth: int) -> None:
    if depth >= _LINES_DEPTH or not isinstance(value, (dict, list)) or not value:
        fh.write(json.dumps(value, ensure_ascii=False))
        return
    pad = "  " * (depth + 1)
    dict_ = isinstance(value, dict)
    fh.write("{\n" if dict_ else "[\n")
    items = value.items() if dict_ else ((None, v) for v in value)
    for n, (key, item) in enumerate(items):
        fh.write(",\n" + pad if n else pad)
        if dict_:
            fh.write(json.dumps(key, ensure_ascii=False) + ": ")
        _write(item, fh, depth + 1)
    fh.write("\n" + "  " * depth + ("}" if dict_ else "]"))
