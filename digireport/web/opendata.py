"""The open data of the web report (`site/data/`): a Frictionless data package.

CSV files are UTF-8 with a byte-order mark and separated by semicolons, with decimal commas: what
Finnish Excel's default import (a double-click) splits into the right columns with the right
characters and numbers. `datapackage.json` describes every file, field (in Finnish and Swedish),
key and allowed value, with the licence, publisher, contact and data date. The JSON files carry the
same records as report.json, made by report.py's record functions. Each release is also written under
`archive/YYYY-MM-DD/`.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import Any, TextIO

from digireport.i18n import _, l10n
from digireport.model import (
    GOAL_ORDER,
    STATUS_ORDER,
    Basis,
    Beneficiary,
    Benefit,
    CostKind,
    DevModel,
    Level,
    Roadmap,
    SizeClass,
    SourceInfo,
)
from digireport.report import indicator_records, json_line, progress_record, project_records
from digireport.stats import Stats

ARCHIVE = "archive"
DELIMITER = ";"
LIST_SEPARATOR = "|"
BOM = "\ufeff"

LICENCES = {
    "CC-BY-4.0": ("Creative Commons Attribution 4.0", "https://creativecommons.org/licenses/by/4.0/"),
    "CC0-1.0": ("Creative Commons Zero 1.0", "https://creativecommons.org/publicdomain/zero/1.0/"),
}
UPDATE_WORDS = {
    "weekly": _("weekly"),
    "monthly": _("monthly"),
    "bimonthly": _("every two months"),
    "quarterly": _("quarterly"),
    "yearly": _("yearly"),
}

_GOALS = [g.value for g in GOAL_ORDER]
_STATUSES = [s.value for s in STATUS_ORDER]
_YEARS = r"\d{4}(\|\d{4})*"


def _enum(values) -> dict:
    return {"enum": [v.value if hasattr(v, "value") else v for v in values]}


# name, Frictionless type, constraints, description
PROJECT_FIELDS = (
    ("id", "string", {}, _("Project identifier; its letter is the goal (A17, B1, C27, K11).")),
    ("goal", "string", {"enum": _GOALS}, _("Goal of the digital programme: A, B, C or K (capabilities).")),
    ("years", "string", {"pattern": _YEARS},
     _("Roadmap years the project belongs to, separated by a vertical bar (2024|2025).")),
    ("status", "string", {"required": True, "enum": _STATUSES},
     _("Status: planned, started, done, unknown or dropped.")),
    ("name_fi", "string", {}, _("Name of the project in Finnish.")),
    ("name_sv", "string", {}, _("Name of the project in Swedish.")),
    ("problem_fi", "string", {}, _("What problem the project solves, in Finnish.")),
    ("problem_sv", "string", {}, _("What problem the project solves, in Swedish.")),
    ("impact_fi", "string", {}, _("Impact of the project, in Finnish.")),
    ("impact_sv", "string", {}, _("Impact of the project, in Swedish.")),
    ("level", "string", _enum(Level), _("Level: foundation, shared, sector or data.")),
    ("basis", "string", _enum(Basis), _("Basis: law, strategy, end_of_support or political.")),
    ("benefit", "string", _enum(Benefit), _("Long-term benefit: renewal, human or sustainability.")),
    ("beneficiaries", "string", {"pattern": "({0})(\\|({0}))*".format("|".join(b.value for b in Beneficiary))},
     _("Beneficiaries (residents, companies, tourists, staff, climate), separated by a vertical bar.")),
    ("cost_class", "string", _enum(SizeClass), _("Cost class: S, M or L.")),
    ("impact_class", "string", _enum(SizeClass), _("Impact class: S, M or L.")),
    ("model", "string", _enum(DevModel), _("Development model: network or independent.")),
    ("owner", "string", {}, _("Responsible director as written in the roadmap.")),
    ("cost_eur", "number", {}, _("Cost in euros, a decimal number with a decimal comma.")),
    ("cost_kind", "string", _enum(CostKind), _("Kind of cost: one_off or yearly.")),
    ("row", "integer", {"required": True, "unique": True, "minimum": 1},
     _("Row of the project in the roadmap workbook; the key of this file.")),
)
INDICATOR_FIELDS = (
    ("indicator_id", "string", {"required": True, "pattern": "[ABCK][0-9]+"},
     _("Stable identifier of the indicator: the goal letter and its number within the goal, in the "
       "workbook's order.")),
    ("goal", "string", {"enum": _GOALS}, _("Goal of the digital programme: A, B, C or K (capabilities).")),
    ("name_fi", "string", {}, _("Name of the indicator in Finnish.")),
    ("name_sv", "string", {}, _("Name of the indicator in Swedish.")),
    ("target", "string", {}, _("Target as written, in Finnish.")),
    ("target_sv", "string", {}, _("Target as written, in Swedish.")),
    ("target_value", "number", {}, _("Number in the target, where there is one.")),
    ("target_kind", "string", {"enum": ["absolute", "percent", "relative", "qualitative"]},
     _("Kind of target: absolute, percent, relative or qualitative.")),
    ("unit", "string", {}, _("Unit of the values.")),
    ("source", "string", {}, _("Where the values come from.")),
    ("year", "integer", {"required": True}, _("Year of the value.")),
    ("value_raw", "string", {}, _("Value as written in the workbook.")),
    ("value", "number", {}, _("Number in the value, where there is one; a decimal number with a decimal comma.")),
    ("approx", "boolean", {}, _("true if the value is approximate.")),
    ("comparable", "boolean", {},
     _("true if the value is in the target's unit, so that it may be compared with the target.")),
    ("progress", "number", {},
     _("Progress towards the target as a ratio (1 = target reached), where it can be computed.")),
    ("light", "string", {"enum": ["green", "amber", "red"]},
     _("Traffic light: green, amber, red, or empty when progress cannot be assessed.")),
    ("row", "integer", {"required": True}, _("Row of the indicator in the indicator sheet.")),
)
SNAPSHOT_FIELDS = (
    ("row", "integer", {"required": True}, _("Row of the project in the roadmap workbook (projects.csv).")),
    ("id", "string", {}, _("Project identifier.")),
    ("snapshot", "string", {"required": True, "pattern": r"\d{4}-(0[1-9]|1[0-2]|Q[1-4])"},
     _("Follow-up the status was recorded at, as year and month (2024-10).")),
    ("status", "string", {"enum": _STATUSES},
     _("Status of the project at that follow-up; empty when none was recorded.")),
)

TITLES = {
    "projects": _("Projects of the digital roadmap"),
    "indicators": _("Indicators of the digital programme per year"),
    "status_history": _("Status of each project at earlier follow-ups"),
}
PACKAGE_TITLE = _("Digital programme of the City of Porvoo: follow-up")
PACKAGE_DESCRIPTION = _(
    "The roadmap projects of the digital programme with their status, and the programme's indicators with "
    "their values, targets and progress. CSV files: UTF-8 with a byte-order mark, separated by semicolons, "
    "decimal comma.")


@dataclass(frozen=True)
class SiteData:
    """What the web report shows: the statistics, the source, and the roadmap's projects and
    indicators as report.json's records."""

    stats: Stats
    source: SourceInfo
    projects: list[dict]
    indicators: list[dict]


def site_data(roadmap: Roadmap, stats: Stats) -> SiteData:
    """The web report's data of one roadmap and its statistics."""
    return SiteData(stats=stats, source=roadmap.source, projects=project_records(roadmap),
                    indicators=indicator_records(roadmap))


def indicator_ids(indicators: list[dict]) -> list[str]:
    """A stable id per indicator: its own `id` when the workbook has one, else the goal letter and its
    number within the goal in workbook row order (A1, A2, …, B1)."""
    seen: dict[str, int] = {}
    ids = []
    for ind in sorted(indicators, key=itemgetter("row")):
        goal = (ind.get("goal") or "").upper() or "X"
        seen[goal] = seen.get(goal, 0) + 1
        ids.append((ind["row"], ind.get("id") or f"{goal}{seen[goal]}"))
    by_row = dict(ids)
    return [by_row[ind["row"]] for ind in indicators]


_LABEL = re.compile(r"^\s*(\d{1,2})\s*/\s*(\d{4})\s*$|^\s*(\d{4})\s*[/-]\s*(\d{1,2})\s*$")
_QUARTER = re.compile(r"^\s*[Qq]([1-4])\s*/\s*(\d{4})\s*$")


def iso_label(label: str) -> str:
    """A snapshot label as ISO year-month: '10/2024' and '2024/10' → '2024-10', 'Q3/2024' → '2024-Q3';
    any other label as written."""
    m = _LABEL.match(label)
    if not m:
        q = _QUARTER.match(label)
        return f"{q.group(2)}-Q{q.group(1)}" if q else label
    month, year = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return f"{year}-{int(month):02d}" if 1 <= int(month) <= 12 else label


# ---- CSV -----------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def number(value: float | int | None) -> str:
    """A number with a decimal comma, as Finnish Excel reads it: 351463,68; 3000."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value).replace(".", ",")


class Num(str):
    """A number already written as text (`number`): never taken for a formula."""


def _csv_cell(value: object) -> str:
    if isinstance(value, Num):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        return number(value)
    text = str(value)
    # A text starting like a formula would run as one when the file is opened in a spreadsheet.
    if text[:1] in _FORMULA_START:
        return "'" + text
    return text


def _writer(fh) -> Any:
    return csv.writer(fh, delimiter=DELIMITER, lineterminator="\r\n")


def _write_csv(fh: TextIO, header: list[str], rows: Iterable[Iterable[object]]) -> None:
    writer = _writer(fh)
    writer.writerow(header)
    _write_rows(writer, rows)


def _write_rows(writer: Any, rows: Iterable[Iterable[object]]) -> None:
    # Most cells are text that cannot start a formula: those go to the writer as they are.
    writer.writerows([v if type(v) is str and v[:1] not in _FORMULA_START else _csv_cell(v) for v in row]
                     for row in rows)


# Positions of the workbook's free text in a projects.csv row: id, names, problems, impacts, owner.
_TEXT_CELLS = itemgetter(0, 4, 5, 6, 7, 8, 9, 17)
_FIRST = itemgetter(0)
_CSV_BATCH = 2000


class _Joined(dict):
    """A list of codes as `2024|2025`, made once for each combination."""

    def __missing__(self, key: tuple) -> str:
        text = self[key] = LIST_SEPARATOR.join(map(str, key))
        return text


def project_rows(data: SiteData) -> list[tuple]:
    """The rows of `projects.csv` as values, in the order of PROJECT_FIELDS."""
    # One pass over the records: each is touched once, which costs far less than a pass per field.
    joined = _Joined()
    return [
        (p["id"], p["goal"], joined[tuple(p["years"])], p["status"],
         n["fi"], n["sv"], pr["fi"], pr["sv"], im["fi"], im["sv"], p["level"], p["basis"], p["benefit"],
         joined[tuple(p["beneficiaries"])], p["cost_class"], p["impact_class"], p["model"], p["owner"]["fi"],
         Num(number(p["cost_eur"])), p["cost_kind"], p["row"])
        for p in data.projects for n, pr, im in ((p["name"], p["problem"], p["impact"]),)
    ]


def _projects_csv(fh: TextIO, data: SiteData) -> None:
    rows = project_rows(data)
    lines: list[str] = []
    writer = _writer(_Lines(lines))
    writer.writerow([f[0] for f in PROJECT_FIELDS])
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


class _Lines:
    """A file for csv.writer that keeps the lines it is given."""

    def __init__(self, lines: list[str]) -> None:
        self.write = lines.append


def indicator_rows(data: SiteData) -> list[list[object]]:
    rows = []
    ids = indicator_ids(data.indicators)
    for ident, ind, st in zip(ids, data.indicators, data.stats.indicators, strict=True):
        t = ind["target"]
        for year, m in ind["values"].items():
            by_year = st.by_year.get(int(year))
            rows.append([
                ident, (ind["goal"] or "").upper() or None, ind["name"]["fi"], ind["name"]["sv"],
                _raw(t["raw"]), _raw(t["raw_sv"]), t["value"], t["kind"], ind["unit"], ind["source"], int(year),
                _raw(m["raw"]), m["value"], m["approx"], st.comparable.get(int(year), False),
                by_year.ratio if by_year else None, by_year.light if by_year else None, ind["row"],
            ])
    return rows


_PLAIN_NUMBER = re.compile(r"-?\d+\.\d+")


def _raw(text: str | None) -> str | None:
    """A cell as written; a number cell with a decimal comma, which Finnish Excel does not take for a date."""
    return text.replace(".", ",") if text and _PLAIN_NUMBER.fullmatch(text) else text


class _Iso(dict):
    """Snapshot labels as ISO year-month, each label converted once."""

    def __missing__(self, label: str) -> str:
        iso = self[label] = iso_label(label)
        return iso


def snapshot_rows(data: SiteData) -> list[list[object]]:
    iso = _Iso()
    return [[p["row"], p["id"], iso[label], status]
            for p in data.projects for label, status in p["status_history"].items()]


def _snapshots_csv(fh: TextIO, data: SiteData) -> None:
    rows = snapshot_rows(data)
    writer = _writer(fh)
    writer.writerow([f[0] for f in SNAPSHOT_FIELDS])
    # Only the id is workbook text: when none starts like a formula the rows go to the writer as they are.
    firsts = {row[1][:1] for row in rows if type(row[1]) is str}
    if all(type(row[1]) in (str, type(None)) for row in rows) and firsts.isdisjoint(_FORMULA_START):
        writer.writerows(rows)
    else:
        _write_rows(writer, rows)


# ---- JSON ----------------------------------------------------------------------------------------

# Records go one per line so the files stay readable and diffable, and a large roll-up's text is
# never in memory whole.
_JSON_BATCH = 1000


def write_json_records(fh: TextIO, head: dict, key: str, records: list) -> None:
    """`{**head, key: records}` as JSON: the head on the first line, then one record per line."""
    encode = json_line
    fh.write(encode(head)[:-1] + ("," if head else "") + encode(key) + ":[")
    sep = "\n"
    for start in range(0, len(records), _JSON_BATCH):
        fh.write(sep + ",\n".join(map(encode, records[start:start + _JSON_BATCH])))
        sep = ",\n"
    fh.write("\n]}\n" if records else "]}\n")


def _project_records(data: SiteData) -> list[dict]:
    """report.json's project records, with snapshot labels as ISO year-month."""
    iso = _Iso()
    out = []
    for p in data.projects:
        history = p["status_history"]
        if history and any(iso[k] != k for k in history):
            p = {**p, "status_history": {iso[k]: v for k, v in history.items()}}
        out.append(p)
    return out


# ---- the package ---------------------------------------------------------------------------------

def _schema(fields: tuple, primary_key: list[str], foreign_keys: list | None = None) -> dict:
    fi, sv = l10n("fi"), l10n("sv")
    schema: dict[str, Any] = {"fields": [], "primaryKey": primary_key, "missingValues": [""]}
    for name, kind, constraints, description in fields:
        field: dict[str, Any] = {"name": name, "type": kind, "description": fi(description),
                                 "description_sv": sv(description)}
        if kind == "number":
            field["decimalChar"] = ","
        if constraints:
            field["constraints"] = dict(constraints)
        schema["fields"].append(field)
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema


def _resource(name: str, fields: tuple, primary_key: list[str], foreign_keys: list | None = None) -> dict:
    fi, sv = l10n("fi"), l10n("sv")
    return {
        "name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
        "mediatype": "text/csv", "encoding": "utf-8-sig", "title": fi(TITLES[name]), "title_sv": sv(TITLES[name]),
        "dialect": {"delimiter": DELIMITER, "header": True},
        "schema": _schema(fields, primary_key, foreign_keys),
    }


def datapackage(data: SiteData, web) -> dict:
    """`datapackage.json`: the files, their schemas, the licence, publisher, contact and data date."""
    fi, sv = l10n("fi"), l10n("sv")
    title, path = LICENCES[web.licence]
    publisher = {"title": web.publisher_fi, "title_sv": web.publisher_sv, "role": "publisher"}
    if web.contact_email:
        publisher["email"] = web.contact_email
    contributors = [publisher]
    if web.contact_name and web.contact_email:
        contributors.append({"title": web.contact_name, "email": web.contact_email, "role": "contact"})
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": "porvoo-digital-programme-follow-up",
        "title": fi(PACKAGE_TITLE), "title_sv": sv(PACKAGE_TITLE),
        "description": fi(PACKAGE_DESCRIPTION), "description_sv": sv(PACKAGE_DESCRIPTION),
        "version": data.stats.as_of.isoformat(),
        "created": data.stats.as_of.isoformat() + "T00:00:00Z",
        "data_date": data.stats.as_of.isoformat(),
        "update_frequency": web.update_frequency,
        "next_update": web.next_update.isoformat() if web.next_update else None,
        "licenses": [{"name": web.licence, "title": title, "path": path}],
        "contributors": contributors,
        "sources": [{"title": data.source.name, "sha256": data.source.sha256}],
        "resources": [
            _resource("projects", PROJECT_FIELDS, ["row"]),
            _resource("indicators", INDICATOR_FIELDS, ["indicator_id", "year"]),
            _resource("status_history", SNAPSHOT_FIELDS, ["row", "snapshot"],
                      [{"fields": "row", "reference": {"resource": "projects", "fields": "row"}}]),
        ],
    }
    if package["next_update"] is None:
        del package["next_update"]
    return package


def _open_data_files(data: SiteData, web) -> dict[str, Callable[[TextIO], None]]:
    """Each file of `site/data/` by name, as a function writing it into a text file."""
    meta = {"as_of": data.stats.as_of.isoformat(), "source": {"name": data.source.name,
                                                               "sha256": data.source.sha256},
            "licence": web.licence, "publisher": {"fi": web.publisher_fi, "sv": web.publisher_sv}}
    indicators = []
    ids = indicator_ids(data.indicators)
    for ident, ind, progress in zip(ids, data.indicators, data.stats.indicators, strict=True):
        st = progress_record(progress)
        indicators.append({"id": ident, **ind, "goal": (ind["goal"] or "").upper() or None,
                           "progress": {"ratio": st["ratio"], "light": st["light"], "year": st["year"],
                                        "method": st["method"], "missing": st["missing"],
                                        "comparable": st["comparable"], "by_year": st["by_year"]}})
    fi, sv = l10n("fi"), l10n("sv")
    fields = {
        "projects": {f[0]: {"fi": fi(f[3]), "sv": sv(f[3])} for f in PROJECT_FIELDS},
        "indicators": {f[0]: {"fi": fi(f[3]), "sv": sv(f[3])} for f in INDICATOR_FIELDS},
        "status_history": {f[0]: {"fi": fi(f[3]), "sv": sv(f[3])} for f in SNAPSHOT_FIELDS},
    }

    def indented(content: dict) -> Callable[[TextIO], None]:
        def write(fh: TextIO) -> None:
            # Small files meant to be read by people too: indented.
            json.dump(content, fh, ensure_ascii=False, indent=2)
            fh.write("\n")
        return write

    def with_bom(write: Callable[[TextIO], None]) -> Callable[[TextIO], None]:
        def bom_first(fh: TextIO) -> None:
            fh.write(BOM)
            write(fh)
        return bom_first

    return {
        "projects.csv": with_bom(lambda fh: _projects_csv(fh, data)),
        "indicators.csv": with_bom(lambda fh: _write_csv(fh, [f[0] for f in INDICATOR_FIELDS],
                                                         indicator_rows(data))),
        "status_history.csv": with_bom(lambda fh: _snapshots_csv(fh, data)),
        "projects.json": lambda fh: write_json_records(fh, meta, "projects", _project_records(data)),
        "indicators.json": lambda fh: write_json_records(fh, meta, "indicators", indicators),
        "fields.json": indented(fields),
        "datapackage.json": indented(datapackage(data, web)),
    }


def write_open_data(data: SiteData, folder: Path, web) -> None:
    """Write the files of `site/data/` into `folder`, each straight into its file, and the same files
    into `folder/archive/<data date>/`."""
    archive = folder / ARCHIVE / data.stats.as_of.isoformat()
    archive.mkdir(parents=True, exist_ok=True)
    for name, write in _open_data_files(data, web).items():
        # newline="" keeps the line ends as written on every platform: the files are byte-identical.
        with (folder / name).open("w", encoding="utf-8", newline="") as fh:
            write(fh)
        shutil.copyfile(folder / name, archive / name)


def open_data(data: SiteData, web=None) -> dict[str, str]:
    """The files of `site/data/` by name, as text."""
    from digireport.settings import WebSettings

    texts = {}
    for name, write in _open_data_files(data, web or WebSettings()).items():
        buf = io.StringIO(newline="")
        write(buf)
        texts[name] = buf.getvalue()
    return texts
