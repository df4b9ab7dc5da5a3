"""Bytes of the master workbook → a `Roadmap`: header detection, vocabulary, coercion, findings.

Cell values are read with python-calamine (fast, no styles); raw cells never leave this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from digireport import vocabulary as voc
from digireport.errors import SourceError
from digireport.i18n import _
from digireport.model import (
    Beneficiary,
    CostKind,
    Finding,
    Goal,
    Indicator,
    Measure,
    Project,
    Roadmap,
    Severity,
    SheetInfo,
    SourceInfo,
    Status,
    Target,
    TargetKind,
    Text,
)
from digireport.package import check_package

HEADER_SCAN_ROWS = 20


def column_letter(index: int) -> str:
    """0 → 'A', 27 → 'AB'."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell as the text a person sees: numbers without a needless '.0'."""
    if value.__class__ is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


# ---- header detection -----------------------------------------------------------------------


@dataclass
class Header:
    """What one sheet's header row says: where each field is."""

    sheet: str
    row: int  # 1-based
    role: str
    language: str
    fields: dict[str, int] = field(default_factory=dict)  # "name.fi" -> column index
    years: dict[int, int] = field(default_factory=dict)  # year -> column index
    snapshots: list[tuple[str, int]] = field(default_factory=list)  # (label, column index)
    texts: dict[int, str] = field(default_factory=dict)  # column index -> header as written
    ignored: list[int] = field(default_factory=list)

    @property
    def score(self) -> int:
        base = {k.split(".")[0] for k in self.fields}
        if self.years:
            base.add("year")
        return len(base)

    def has(self, name: str) -> bool:
        if name == "year":
            return bool(self.years) or "year" in self.fields
        return any(k.split(".")[0] == name for k in self.fields)

    def column(self, name: str) -> int | None:
        return self.fields.get(name)


_BILINGUAL_FIELDS = {"name", "problem", "impact", "target"}


def _match_header(raw: Any, aliases: dict[str, tuple[str, str]]) -> tuple[str, str | None] | None:
    """(field, language) for one header cell, trying each side of 'Tila / Status'."""
    text = voc.norm(cell_text(raw))
    if not text:
        return None
    candidates = [text] + ([p.strip() for p in text.split("/")] if " / " in text else [])
    for candidate in candidates:
        base, suffix_lang = voc.split_language(candidate)
        hit = aliases.get(base)
        if hit:
            field_name, lang = hit
            return field_name, suffix_lang or lang
    return None


def _read_header(sheet: str, rownum: int, row: Sequence[Any], role: str) -> Header:
    aliases = voc.ROADMAP_ALIASES if role == "roadmap" else voc.INDICATOR_ALIASES
    header = Header(sheet=sheet, row=rownum, role=role, language="fi")
    votes = {"fi": 0, "sv": 0}
    explicit: dict[str, str] = {}  # field -> language whose column carries no suffix
    for col, raw in enumerate(row):
        text = cell_text(raw)
        if not text:
            continue
        key = voc.norm(text)
        header.texts[col] = text
        year = voc.YEAR_HEADER.match(key)
        if year:
            y = int(year.group("year"))
            if y not in header.years:
                header.years[y] = col
            continue
        snap = voc.SNAPSHOT_HEADER.match(key)
        if snap and role == "roadmap":
            label = re.sub(r"\s+", "", snap.group("label"))
            header.snapshots.append((label, col))
            votes["sv" if snap.group("word") == "status" else "fi"] += 1
            continue
        hit = _match_header(raw, aliases)
        if not hit:
            header.ignored.append(col)
            continue
        name, lang = hit
        base_text, suffix = voc.split_language(key)
        if name in _BILINGUAL_FIELDS:
            slot = f"{name}.{lang}"
        else:
            slot = name
        if slot in header.fields:
            header.ignored.append(col)
            continue
        header.fields[slot] = col
        if suffix is None:
            explicit[name] = lang
            if name not in ("status",):  # "Status" is also used in Finnish sheets
                votes[lang] += 1
    header.language = "sv" if votes["sv"] > votes["fi"] else "fi"
    return header


def find_header(sheet: str, rows: Sequence[Sequence[Any]], role: str) -> Header | None:
    best: Header | None = None
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        h = _read_header(sheet, i + 1, row, role)
        if best is None or h.score > best.score:
            best = h
    return best if best and best.score >= 2 else None


# ---- findings -------------------------------------------------------------------------------


class Findings:
    """Collects findings for one sheet."""

    def __init__(self) -> None:
        self.items: list[Finding] = []

    def add(self, severity: Severity, sheet: str, row: int | None, column: int | str | None,
            value: Any, code: str, **args: Any) -> None:
        col = column_letter(column) if isinstance(column, int) else column
        self.items.append(Finding(
            severity=severity, sheet=sheet, row=row, column=col,
            value=None if value is None else cell_text(value),
            code=code, args=tuple((k, str(v)) for k, v in args.items()),
        ))


# ---- value coercion -------------------------------------------------------------------------

_NUMBER = re.compile(
    r"^(?P<sign>[-+−])?(?P<num>\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
)
_APPROX = re.compile(r"^(noin|n\.|ca\.?|cirka|circa|runsas|yli|över|alle|under|~|≈)\s*", re.IGNORECASE)
_PERCENT = re.compile(r"^\s*(%|prosenttia|prosentti|procent)", re.IGNORECASE)
_CURRENCY = re.compile(r"\s*(€|eur|euroa|euro|e)(?![a-zåäö])\.?\s*(/\s*(v|vuosi|år|a))?\s*$", re.IGNORECASE)


def parse_number(text: str) -> tuple[float | None, str]:
    """Leading number of `text` in Finnish or English notation, and the rest."""
    s = text.strip()
    m = _NUMBER.match(s)
    if not m:
        return None, s
    num = re.sub(r"[ \u00a0\u202f]", "", m.group("num")).replace(",", ".")
    value = float(num)
    if m.group("sign") in ("-", "−"):
        value = -value
    return value, s[m.end():].strip()


def parse_measure(raw: Any) -> Measure:
    """A yearly indicator value: kept as written, with its number where there honestly is one."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Measure(raw=cell_text(raw), value=float(raw))
    text = cell_text(raw)
    s = text
    approx = False
    m = _APPROX.match(s)
    if m:
        approx = True
        s = s[m.end():]
    value, rest = parse_number(s)
    if value is None:
        return Measure(raw=text)
    percent = bool(_PERCENT.match(rest))
    if rest and not percent:
        # "0,73 / 0,69 / 0,33" is three numbers, "2024–2025" a span: no single value
        if rest[0] in "/–-—;:+*x×" or re.match(r"^\d", rest):
            return Measure(raw=text)
    return Measure(raw=text, value=value, approx=approx, percent=percent, qualified=_qualified(rest, percent))


_MONTHS = frozenset(
    "tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu marraskuu joulukuu "
    "januari februari mars april maj juni juli augusti september oktober november december".split())


def _qualified(rest: str, percent: bool) -> bool:
    """Whether the words after a value's number make it something else than an amount in the unit.

    A unit word or currency (`50 käyttäjää`, `3000 €`), a percent sign, or a month in brackets
    (`201 (marraskuu)`, the value's date) leave it an amount; anything more (`6264 (työasemat)`,
    `8400 e säästö lisenssien optimoinnilla`) qualifies it.
    """
    words = voc.norm(rest).strip(" .").split()
    if percent:
        words = words[1:]
    if not words:
        return False
    if len(words) == 1 and words[0][0] == "(" and words[0].strip("()") in _MONTHS:
        return False
    if _CURRENCY.fullmatch(" " + " ".join(words)):
        return False
    return not (len(words) == 1 and words[0].isalpha())


_RELATIVE = re.compile(
    r"(lisääntyy|kasvaa|nousee|ökar|växer|stiger|increase|grow).*?(\d+(?:[.,]\d+)?)\s*(%|prosent\w*|procent)"
    r"|(\d+(?:[.,]\d+)?)\s*(%|prosent\w*|procent).*?(vuosittain|vuodessa|per år|/år|årligen|i året|per year)",
    re.IGNORECASE,
)
_ANY_PERCENT = re.compile(r"(\d+(?:[.,]\d+)?)\s*(%|prosenttia|procent)", re.IGNORECASE)


def classify_target(raw: Any, raw_sv: Any = None) -> Target:
    text = cell_text(raw)
    sv = cell_text(raw_sv) or None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return Target(raw=text, kind=TargetKind.ABSOLUTE, value=float(raw), raw_sv=sv)
    for candidate in (text, sv or ""):
        rel = _RELATIVE.search(candidate)
        if rel:
            num = rel.group(2) or rel.group(4)
            return Target(raw=text, kind=TargetKind.RELATIVE, value=float(num.replace(",", ".")), raw_sv=sv)
    pct = _ANY_PERCENT.search(text)
    if pct:
        return Target(raw=text, kind=TargetKind.PERCENT, value=float(pct.group(1).replace(",", ".")), raw_sv=sv)
    for candidate in (text, sv or ""):
        measure = parse_measure(candidate)
        if measure.value is not None:
            return Target(raw=text, kind=TargetKind.ABSOLUTE, value=measure.value, raw_sv=sv)
        first = voc.norm(candidate).split(" ", 1)[0] if candidate else ""
        if first in voc.NUMBER_WORDS:
            return Target(raw=text, kind=TargetKind.ABSOLUTE, value=float(voc.NUMBER_WORDS[first]), raw_sv=sv)
    return Target(raw=text, kind=TargetKind.QUALITATIVE, raw_sv=sv)


def parse_cost(raw: Any) -> tuple[float | None, bool, CostKind | None]:
    """(euros, understood, kind implied by '€/v') for a cost cell such as 3000, '12 400 €', '3000 e'."""
    if raw is None or raw == "":
        return None, True, None
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        return float(raw), True, None
    text = cell_text(raw)
    value, rest = parse_number(text)
    if value is None:
        return None, False, None
    rest_n = voc.norm(rest)
    kind = CostKind.YEARLY if re.search(r"/\s*(v|vuosi|år|a)$", rest_n) else None
    if rest_n and not _CURRENCY.fullmatch(" " + rest_n):
        return None, False, None
    return value, True, kind


def parse_year_mark(raw: Any, year: int) -> bool | None:
    """True/False for an 'x'-style mark in a year column; None when it cannot be understood."""
    if raw is None:
        return False
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, (int, float)):
        if raw == 0:
            return False
        return True if raw in (1, year) else None
    key = voc.norm(str(raw))
    if key in voc.YEAR_MARKS_FALSE:
        return False
    if key in voc.YEAR_MARKS_TRUE or key == str(year):
        return True
    return None


def parse_years(raw: Any) -> tuple[int, ...] | None:
    """'2025', 2025, '2024, 2025', '2024–2026' → years; None when not understood."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        y = int(raw)
        return (y,) if 1990 <= y <= 2100 and float(raw).is_integer() else None
    text = cell_text(raw)
    span = re.fullmatch(r"\s*((?:19|20|21)\d{2})\s*[-–—]\s*((?:19|20|21)\d{2})\s*", text)
    if span:
        a, b = int(span.group(1)), int(span.group(2))
        return tuple(range(a, b + 1)) if a <= b else None
    parts = [p for p in re.split(r"[,;/\s]+|\bja\b|\boch\b", text) if p]
    if parts and all(re.fullmatch(r"(?:19|20|21)\d{2}", p) for p in parts):
        return tuple(sorted({int(p) for p in parts}))
    return None


# ---- the reader -----------------------------------------------------------------------------


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and building allocate millions of acyclic records for a large roll-up, so the cyclic
    garbage collector's repeated passes over the growing heap cost a tenth of the time and free
    nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_roadmap(data: bytes, name: str) -> Roadmap:
    """Read the master workbook's bytes into a `Roadmap`, or raise `SourceError`."""
    package = check_package(data, name)
    with collector_paused():
        roadmap = _parse(data, name)
    return dataclasses.replace(roadmap, source=dataclasses.replace(roadmap.source, modified=_modified(package)))


def _modified(package) -> dt.datetime | None:
    """The master's own update stamp (dcterms:modified of docProps/core.xml), in UTC; None if absent."""
    from defusedxml.ElementTree import fromstring

    try:
        stamp = fromstring(package.read("docProps/core.xml")).findtext("{http://purl.org/dc/terms/}modified")
        moment = dt.datetime.fromisoformat((stamp or "").strip().replace("Z", "+00:00"))
    except (KeyError, ValueError, SyntaxError):
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _parse(data: bytes, name: str) -> Roadmap:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [(s, book.get_sheet_by_name(s).to_python(skip_empty_area=False)) for s in book.sheet_names]
    except Exception as exc:  # calamine reports malformed XML with its own exception types
        raise SourceError(_("{name}: the workbook cannot be read ({detail})"), name=name, detail=_one_line(exc)) from None

    roadmap_header, indicator_header = _choose_sheets(sheets, name)
    rows_by_sheet = dict(sheets)
    findings = Findings()
    projects = _read_projects(roadmap_header, rows_by_sheet[roadmap_header.sheet], findings)
    indicators: list[Indicator] = []
    if indicator_header is not None:
        indicators = _read_indicators(indicator_header, rows_by_sheet[indicator_header.sheet], findings)
    else:
        findings.add(Severity.WARNING, "", None, None, None, "no_indicator_sheet")
    infos = tuple(_sheet_info(h) for h in (roadmap_header, indicator_header) if h is not None)
    source = SourceInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), sheets=infos)
    return Roadmap(source=source, projects=tuple(projects), indicators=tuple(indicators),
                   findings=tuple(findings.items))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _sheet_info(h: Header) -> SheetInfo:
    cols = [(f, column_letter(c), h.texts[c]) for f, c in h.fields.items()]
    cols += [(f"year.{y}", column_letter(c), h.texts[c]) for y, c in h.years.items()]
    cols += [(f"snapshot.{label}", column_letter(c), h.texts[c]) for label, c in h.snapshots]
    cols.sort(key=lambda t: (len(t[1]), t[1]))
    return SheetInfo(name=h.sheet, role=h.role, header_row=h.row, language=h.language, columns=tuple(cols),
                     ignored=tuple((column_letter(c), h.texts[c]) for c in h.ignored))


_ROADMAP_ONLY = {"status", "id", "level", "basis", "benefit", "beneficiaries", "cost_class", "owner"}


def _choose_sheets(sheets: list[tuple[str, list[list[Any]]]], name: str) -> tuple[Header, Header | None]:
    roadmap_candidates: list[Header] = []
    indicator_candidates: list[Header] = []
    for sheet, rows in sheets:
        r = find_header(sheet, rows, "roadmap")
        if r is not None and any(r.has(f) for f in _ROADMAP_ONLY):
            roadmap_candidates.append(r)
        i = find_header(sheet, rows, "indicators")
        if i is not None and i.has("name") and i.has("target"):
            indicator_candidates.append(i)
    complete = [h for h in roadmap_candidates if all(h.has(f) for f in voc.ROADMAP_REQUIRED)]
    if not complete:
        if roadmap_candidates:
            best = max(roadmap_candidates, key=lambda h: h.score)
            missing = [f for f in voc.ROADMAP_REQUIRED if not best.has(f)]
            found = ", ".join(best.texts[c] for c in sorted(best.texts)) or "nothing"
            expected = "; ".join(_expected(f) for f in missing)
            raise SourceError(
                _("{name}: sheet '{sheet}' (header row {row}) lacks required columns: {expected}. Found: {found}"),
                name=name, sheet=best.sheet, row=best.row, expected=expected, found=found,
            )
        names = ", ".join(s for s, _ in sheets) or "none"
        raise SourceError(
            _("{name}: no roadmap sheet found (sheets: {sheets}); expected a header row with "
              "Tavoite/Mål, Tunnus/Åtgärd, Toimenpiteen nimi/Åtgärdens namn, Tila/Status and years"),
            name=name, sheets=names,
        )
    roadmap = max(complete, key=lambda h: h.score)
    indicator = max((h for h in indicator_candidates if h.sheet != roadmap.sheet),
                    key=lambda h: h.score, default=None)
    return roadmap, indicator


def _expected(field_name: str) -> str:
    if field_name == "year":
        return "2024, 2025, … / Vuosi/År"
    fi = voc.ROADMAP_HEADERS[field_name]["fi"][0]
    sv = voc.ROADMAP_HEADERS[field_name]["sv"][0]
    return f"{fi.capitalize()}/{sv.capitalize()}"


def _get(row: Sequence[Any], col: int | None) -> Any:
    if col is None or col >= len(row):
        return None
    value = row[col]
    return None if value == "" else value


def _text(row: Sequence[Any], col: int | None) -> str | None:
    value = _get(row, col)
    text = cell_text(value) if value is not None else ""
    return text or None


class _Vocab:
    """Caches vocabulary lookups per distinct cell value: a column repeats few values."""

    def __init__(self, table: dict[str, Any]):
        self.table = table
        self.cache: dict[str, Any] = {}

    def __call__(self, text: str) -> Any:
        try:
            return self.cache[text]
        except KeyError:
            value = self.table.get(voc.norm(text))
            self.cache[text] = value
            return value


_ID = re.compile(r"^([A-Za-zÅÄÖåäö]{1,3})\s*[-.]?\s*(\d{1,4})([a-z]?)$")


def _columns(rows: list[list[Any]], start: int) -> tuple[list[Sequence[Any]], int]:
    """The rows below the header turned into columns, padded to one width."""
    body = rows[start:]
    width = max(map(len, body), default=0)
    if any(len(r) != width for r in body):
        body = [list(r) + [""] * (width - len(r)) for r in body]
    return list(zip(*body, strict=True)), width


def _column_texts(values: Sequence[Any]) -> list[str | None]:
    """`cell_text` of every cell of a column, None for blank; plain strings (most cells) inline."""
    return [(v.strip() or None) if v.__class__ is str else (cell_text(v) or None) for v in values]


def _column_values(values: Sequence[Any]) -> list[Any]:
    """Raw cells of a column, None for blank (the reader's '' for an empty cell)."""
    return [None if v == "" else v for v in values]


def _read_projects(h: Header, rows: list[list[Any]], findings: Findings) -> list[Project]:
    sheet = h.sheet
    f = h.fields
    status_v = _Vocab(voc.STATUSES)
    level_v, basis_v, benefit_v = _Vocab(voc.LEVELS), _Vocab(voc.BASES), _Vocab(voc.BENEFITS)
    size_v, model_v, kind_v = _Vocab(voc.SIZES), _Vocab(voc.MODELS), _Vocab(voc.COST_KINDS)
    bene_v = _Vocab(voc.BENEFICIARIES)
    goal_cache: dict[str, Goal | None] = {}
    bene_cache: dict[str, tuple[tuple[Beneficiary, ...], list[str]]] = {}

    if "name.sv" not in f:
        findings.add(Severity.WARNING, sheet, h.row, None, None, "no_swedish_name_column")
    if "name.fi" not in f:
        findings.add(Severity.WARNING, sheet, h.row, None, None, "no_finnish_name_column")

    # Cells are converted a column at a time; the row loop below only picks ready values.
    columns, width = _columns(rows, h.row)
    count = len(columns[0]) if columns else 0
    blank: list[Any] = [None] * count
    texts = [_column_texts(col) for col in columns]

    def text_column(col: int | None) -> list[str | None]:
        return texts[col] if col is not None and col < width else blank

    def value_column(col: int | None) -> list[Any]:
        return _column_values(columns[col]) if col is not None and col < width else blank

    # the first non-blank column of each row: most rows are settled by the first column
    first: list[int | None] = [None] * count
    pending = range(count)
    for col in range(width):
        cells = texts[col]
        for i in pending:
            if cells[i] is not None:
                first[i] = col
        pending = [i for i in pending if first[i] is None]
        if not pending:
            break

    ids, statuses, goals = text_column(f.get("id")), text_column(f.get("status")), text_column(f.get("goal"))
    names_fi, names_sv = text_column(f.get("name.fi")), text_column(f.get("name.sv"))
    problems_fi, problems_sv = text_column(f.get("problem.fi")), text_column(f.get("problem.sv"))
    impacts_fi, impacts_sv = text_column(f.get("impact.fi")), text_column(f.get("impact.sv"))
    owners, beneficiaries_col = text_column(f.get("owner")), text_column(f.get("beneficiaries"))
    # a year column holds a handful of distinct marks: each is understood once
    year_marks = []
    for year, col in h.years.items():
        cells = value_column(col)
        meaning = {raw: parse_year_mark(raw, year) for raw in set(cells)}
        year_marks.append((year, col, cells, list(map(meaning.__getitem__, cells))))
    year_cells = value_column(f.get("year")) if "year" in f else None
    costs = value_column(f.get("cost_eur"))
    snapshots = [(label, col, text_column(col)) for label, col in h.snapshots]
    vocab_columns = [
        (key, lookup, text_column(f.get(key)))
        for key, lookup in (("level", level_v), ("basis", basis_v), ("benefit", benefit_v),
                            ("cost_class", size_v), ("impact_class", size_v), ("model", model_v),
                            ("cost_kind", kind_v))
    ]
    project_cols = sorted(c for c in set(f.values()) | set(h.years.values()) | {c for _, c in h.snapshots}
                          if c < width)

    projects: list[Project] = []
    seen_ids: dict[str, int] = {}
    for i in range(count):
        first_col = first[i]
        if first_col is None:
            continue
        rownum = h.row + i + 1
        first_text = voc.norm(texts[first_col][i])
        if voc.SUM_ROW.match(first_text):
            findings.add(Severity.INFO, sheet, rownum, first_col, columns[first_col][i], "sum_row")
            continue
        pid_raw = ids[i]
        status_raw = statuses[i]
        if pid_raw is None and status_raw is None and all(cells[i] is None for _, _, cells, _ in year_marks):
            in_project_cols = sum(1 for c in project_cols if texts[c][i] is not None)
            if in_project_cols <= 1:
                findings.add(Severity.INFO, sheet, rownum, first_col, columns[first_col][i], "not_a_project")
                continue

        def warn(col_key: str, value: Any, code: str, severity: Severity = Severity.WARNING, row: int = rownum,
                 **args: Any) -> None:
            col = f.get(col_key) if isinstance(col_key, str) else col_key
            findings.add(severity, sheet, row, col, value, code, **args)

        # id
        pid: str | None = None
        if pid_raw is None:
            warn("id", None, "missing_id", Severity.ERROR)
        else:
            m = _ID.match(pid_raw.strip())
            if m:
                pid = f"{m.group(1).upper()}{int(m.group(2))}{m.group(3)}"
            else:
                pid = pid_raw.strip()
                warn("id", pid_raw, "unusual_id")
            if pid in seen_ids:
                warn("id", pid_raw, "duplicate_id", Severity.ERROR, other=seen_ids[pid])
            else:
                seen_ids[pid] = rownum

        # goal
        goal_raw = goals[i]
        goal: Goal | None = None
        if goal_raw is None:
            warn("goal", None, "missing_goal", Severity.ERROR)
        else:
            if goal_raw not in goal_cache:
                goal_cache[goal_raw] = voc.lookup_goal(goal_raw)
            goal = goal_cache[goal_raw]
            if goal is None:
                warn("goal", goal_raw, "unknown_goal", Severity.ERROR)
        if pid and goal and _ID.match(pid) and pid[0] != goal.value:
            warn("id", pid, "id_goal_mismatch", goal=goal.value)

        # names and texts
        name = Text(names_fi[i], names_sv[i])
        if not name.fi and not name.sv:
            warn("name.fi" if "name.fi" in f else "name.sv", None, "missing_name", Severity.ERROR)
        elif "name.sv" in f and not name.sv:
            warn("name.sv", None, "missing_swedish_name")
        elif "name.fi" in f and not name.fi:
            warn("name.fi", None, "missing_finnish_name")
        problem = Text(problems_fi[i], problems_sv[i])
        impact = Text(impacts_fi[i], impacts_sv[i])

        # years
        years: list[int] = []
        for year, col, cells, marks in year_marks:
            mark = marks[i]
            if mark:
                years.append(year)
            elif mark is None:
                findings.add(Severity.WARNING, sheet, rownum, col, cells[i], "unknown_year_mark", year=year)
        if year_cells is not None:
            raw = year_cells[i]
            if raw is not None:
                parsed = parse_years(raw)
                if parsed is None:
                    warn("year", raw, "unknown_year", Severity.ERROR)
                else:
                    years.extend(y for y in parsed if y not in years)
        if not years:
            warn("year" if "year" in f else next(iter(h.years.values()), None), None, "missing_year",
                 Severity.ERROR)

        # status
        status = Status.UNKNOWN
        if status_raw is None:
            warn("status", None, "missing_status", Severity.ERROR)
        else:
            found = status_v(status_raw)
            if found is None:
                warn("status", status_raw, "unknown_status", Severity.ERROR)
            else:
                status = found

        classes: dict[str, Any] = {}
        for key, lookup, cells in vocab_columns:
            raw = cells[i]
            value = None
            if raw is not None:
                value = lookup(raw)
                if value is None:
                    warn(key, raw, "unknown_value", field=key)
            classes[key] = value
        cost_kind = classes["cost_kind"]

        beneficiaries: tuple[Beneficiary, ...] = ()
        bene_raw = beneficiaries_col[i]
        if bene_raw:
            if bene_raw not in bene_cache:
                bene_cache[bene_raw] = _beneficiaries(bene_raw, bene_v)
            beneficiaries, unknown_parts = bene_cache[bene_raw]
            for part in unknown_parts:
                warn("beneficiaries", part, "unknown_value", field="beneficiaries")

        cost_raw = costs[i]
        cost_eur, ok, implied_kind = parse_cost(cost_raw)
        if not ok:
            warn("cost_eur", cost_raw, "unparseable_number")
        if cost_kind is None and implied_kind is not None:
            cost_kind = implied_kind

        history: list[tuple[str, Status | None]] = []
        for label, col, cells in snapshots:
            raw = cells[i]
            if raw is None:
                history.append((label, None))
                continue
            st = status_v(raw)
            if st is None:
                findings.add(Severity.WARNING, sheet, rownum, col, raw, "unknown_status")
            history.append((label, st))

        projects.append(Project(
            row=rownum, id=pid, goal=goal, years=tuple(sorted(years)), status=status, name=name,
            problem=problem, impact=impact, level=classes["level"], basis=classes["basis"],
            benefit=classes["benefit"], beneficiaries=beneficiaries, cost_class=classes["cost_class"],
            impact_class=classes["impact_class"], model=classes["model"], owner=owners[i], cost_eur=cost_eur,
            cost_kind=cost_kind, status_history=tuple(history),
        ))
    return projects


_BENEFICIARY_SPLIT = re.compile(r"[,;/&+\n]|\s+ja\s+|\s+och\s+")


def _beneficiaries(raw: str, lookup: _Vocab) -> tuple[tuple[Beneficiary, ...], list[str]]:
    """The groups a 'Kuka hyötyy' cell names, once each in order, and the parts not understood."""
    found: list[Beneficiary] = []
    unknown: list[str] = []
    for part in _BENEFICIARY_SPLIT.split(raw):
        part = part.strip()
        if not part:
            continue
        b = lookup(part)
        if b is None:
            unknown.append(part)
        elif b not in found:
            found.append(b)
    return tuple(found), unknown


def _read_indicators(h: Header, rows: list[list[Any]], findings: Findings) -> list[Indicator]:
    sheet = h.sheet
    f = h.fields
    target_fi = f.get("target.fi")
    target_sv = f.get("target.sv")
    if target_fi is None and target_sv is not None and h.language == "sv":
        target_fi, target_sv = target_sv, None
    indicators: list[Indicator] = []
    for index in range(h.row, len(rows)):
        row = rows[index]
        rownum = index + 1
        nonblank = [(c, v) for c, v in enumerate(row) if cell_text(v) != ""]
        if not nonblank:
            continue
        name = Text(_text(row, f.get("name.fi")), _text(row, f.get("name.sv")))
        if not name.fi and not name.sv:
            findings.add(Severity.INFO, sheet, rownum, nonblank[0][0], nonblank[0][1], "not_an_indicator")
            continue
        goal_raw = _text(row, f.get("goal"))
        goal = voc.lookup_goal(goal_raw) if goal_raw else None
        if goal_raw and goal is None:
            findings.add(Severity.WARNING, sheet, rownum, f.get("goal"), goal_raw, "unknown_goal")
        elif goal_raw is None:
            findings.add(Severity.WARNING, sheet, rownum, f.get("goal"), None, "missing_goal")
        raw_target = _get(row, target_fi) if target_fi is not None else _get(row, target_sv)
        target = classify_target(raw_target, _get(row, target_sv) if target_fi is not None else None)
        values = []
        for year, col in sorted(h.years.items()):
            raw = _get(row, col)
            if raw is None:
                continue
            values.append((year, parse_measure(raw)))
        indicators.append(Indicator(
            row=rownum, goal=goal, name=name, target=target, values=tuple(values),
            unit=_text(row, f.get("unit")), source=_text(row, f.get("source")),
        ))
    return indicators
