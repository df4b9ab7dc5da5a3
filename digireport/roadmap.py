"""Bytes of the master workbook → a `Roadmap`: header detection, vocabulary, coercion, findings.

Cell values are read with python-calamine (fast, no styles); raw cells never leave this module.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import repeat
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
from digireport.ooxml import column_letters
from digireport.package import check_package

HEADER_SCAN_ROWS = 20


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
    years_sv: dict[int, int] = field(default_factory=dict)  # year -> its Swedish twin column ("2025 (ruotsiksi)")
    snapshots: list[tuple[str, int]] = field(default_factory=list)  # (label, column index)
    texts: dict[int, str] = field(default_factory=dict)  # column index -> header as written
    ignored: list[int] = field(default_factory=list)
    remarks: int | None = None  # the write-back's remarks column: neither data nor a finding

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


# Free-text fields that may have a language twin column ("Vaikutukset (ruotsiksi)", "Effekter (fi)").
_BILINGUAL_FIELDS = {"name", "problem", "impact", "owner", "target"}


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
        twin = None if year else voc.YEAR_HEADER.match(voc.split_language(key)[0])
        if twin and role == "indicators":
            y = int(twin.group("year"))
            slot = header.years_sv if voc.split_language(key)[1] == "sv" else header.years
            if y not in slot:
                slot[y] = col
            continue
        if year:
            y = int(year.group("year"))
            if y not in header.years:
                header.years[y] = col
            continue
        if role == "roadmap" and key in voc.REMARKS_HEADERS and header.remarks is None:
            header.remarks = col
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


def find_list_header(sheet: str, rows: Sequence[Sequence[Any]]) -> Header | None:
    """A list sheet's header row that names owner titles in both languages (`Vastuutaho` beside
    `Vastuutaho (ruotsiksi)` or `Ansvarig`), or None."""
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        h = Header(sheet=sheet, row=i + 1, role="lists", language="fi")
        for col, raw in enumerate(row):
            hit = _match_header(raw, voc.ROADMAP_ALIASES)
            if hit and hit[0] == "owner" and f"owner.{hit[1]}" not in h.fields:
                h.fields[f"owner.{hit[1]}"] = col
                h.texts[col] = cell_text(raw)
        if len(h.fields) == 2:
            return h
    return None


def _list_pairs(h: Header, rows: Sequence[Sequence[Any]]) -> Iterator[tuple[str, str]]:
    fi, sv = h.fields["owner.fi"], h.fields["owner.sv"]
    for row in rows[h.row:]:
        a, b = _text(row, fi), _text(row, sv)
        if a and b:
            yield a, b


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
        col = column_letters(column + 1) if isinstance(column, int) else column
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


def read_sheets(data: bytes, name: str) -> list[tuple[str, list[list[Any]]]]:
    """Every sheet's cell values of a workbook other than the master (the translations workbook)."""
    import python_calamine

    check_package(data, name)
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        return [(s, book.get_sheet_by_name(s).to_python()) for s in book.sheet_names]
    except Exception as exc:  # calamine reports malformed XML with its own exception types
        raise SourceError(_("{name}: the workbook cannot be read ({detail})"), name=name, detail=_one_line(exc)) from None


def parse_roadmap(data: bytes, name: str) -> Roadmap:
    """Read the master workbook's bytes into a `Roadmap`, or raise `SourceError`."""
    package = check_package(data, name)
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
    del sheets
    findings = Findings()
    used = {roadmap_header.sheet, indicator_header.sheet if indicator_header else None}
    lists = [h for h in (find_list_header(s, rows) for s, rows in rows_by_sheet.items() if s not in used)
             if h is not None]
    owners = voc.OWNERS.with_pairs({k: v for h in lists for k, v in _list_pairs(h, rows_by_sheet[h.sheet])})
    project_rows, stray = _rows_to_last_project(roadmap_header, rows_by_sheet.pop(roadmap_header.sheet))
    projects = _read_projects(roadmap_header, project_rows, findings, owners)
    if stray is not None:
        findings.items.append(stray)
    indicators: list[Indicator] = []
    if indicator_header is not None:
        indicators = _read_indicators(indicator_header, rows_by_sheet[indicator_header.sheet], findings)
    else:
        findings.add(Severity.WARNING, "", None, None, None, "no_indicator_sheet")
    infos = tuple(_sheet_info(h) for h in (roadmap_header, indicator_header, *lists) if h is not None)
    source = SourceInfo(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data), sheets=infos)
    return Roadmap(source=source, projects=tuple(projects), indicators=tuple(indicators),
                   findings=tuple(findings.items))


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _sheet_info(h: Header) -> SheetInfo:
    cols = [(f, column_letters(c + 1), h.texts[c]) for f, c in h.fields.items()]
    cols += [(f"year.{y}", column_letters(c + 1), h.texts[c]) for y, c in h.years.items()]
    cols += [(f"year.{y}.sv", column_letters(c + 1), h.texts[c]) for y, c in h.years_sv.items()]
    cols += [(f"snapshot.{label}", column_letters(c + 1), h.texts[c]) for label, c in h.snapshots]
    if h.remarks is not None:
        cols.append(("remarks", column_letters(h.remarks + 1), h.texts[h.remarks]))
    cols.sort(key=lambda t: (len(t[1]), t[1]))
    return SheetInfo(name=h.sheet, role=h.role, header_row=h.row, language=h.language, columns=tuple(cols),
                     ignored=tuple((column_letters(c + 1), h.texts[c]) for c in h.ignored))


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


# Rows under the last project read one by one as before (a sum row, a note: a finding each); a longer
# tail is not read row by row.
TAIL_ROWS = 20


def _rows_to_last_project(h: Header, rows: list[list[Any]]) -> tuple[list[list[Any]], tuple | None]:
    """The sheet's rows that are read one by one: down to the last one with an id or a name, and
    the few rows with anything under it (sum rows, notes).

    A sheet may hold stray cells down to its last row, 1,048,576 (a column filled down by
    mistake). When more than `TAIL_ROWS` rows with anything on them follow the last project,
    none of them is read; the finding returned with the rows says which rows they are and where
    the first cell is."""
    keys = [c for c in (h.fields.get("id"), h.fields.get("name.fi"), h.fields.get("name.sv")) if c is not None]
    end = len(rows)
    while end > h.row and not any(_get(rows[end - 1], c) is not None for c in keys):
        end -= 1
    tail: list[int] = []
    for i in range(end, len(rows)):
        if any(v != "" for v in rows[i]):
            tail.append(i)
            if len(tail) > TAIL_ROWS:
                break
    if len(tail) <= TAIL_ROWS:
        return rows, None
    first = tail[0]
    last = next(i for i in range(len(rows) - 1, first - 1, -1) if any(v != "" for v in rows[i]))
    column = next(c for c, v in enumerate(rows[first]) if v != "")
    stray = Finding(Severity.WARNING, h.sheet, first + 1, column_letters(column + 1), cell_text(rows[first][column]),
                    "rows_below_projects", (("first", str(first + 1)), ("last", str(last + 1))))
    return rows[:end], stray


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
    """`cell_text` of every cell of a column, None for blank. A column of text only (most: the
    reader gives '' for an empty cell) has each distinct text stripped once and every cell looked
    up in C; other cells are converted one by one, as 1, 1.0 and True are one key but three texts."""
    if set(map(type, values)) <= {str}:
        text_of = {v: v.strip() or None for v in dict.fromkeys(values)}
        return list(map(text_of.__getitem__, values))
    return [(v.strip() or None) if v.__class__ is str else (cell_text(v) or None) for v in values]


def _column_values(values: Sequence[Any]) -> list[Any]:
    """Raw cells of a column, None for blank (the reader's '' for an empty cell)."""
    return [None if v == "" else v for v in values]


# ---- project fields -------------------------------------------------------------------------

Problem = tuple[str, Any, tuple[tuple[str, Any], ...]]  # finding code, value shown, message arguments
Parsed = tuple[Any, tuple[Problem, ...]]


@dataclass(frozen=True)
class FieldSpec:
    """How one project field is read: its column, parser, vocabulary, the severity of a value not
    understood, the finding for an empty cell, and whether it has a language twin column."""

    key: str
    parser: Callable[[Any, FieldSpec], Parsed]
    vocabulary: Any = None  # a {norm(text): code} table, or a function text -> code | None
    severity: Severity = Severity.WARNING
    missing: tuple[str, Severity] | None = None
    twin: bool = False
    unknown: str = "unknown_value"
    cells: str = "text"  # "text": the parser gets the cell's text; "value": the raw cell


def _parse_code(text: str, spec: FieldSpec) -> Parsed:
    table = spec.vocabulary
    value = table(text) if callable(table) else table.get(voc.norm(text))
    if value is not None:
        return value, ()
    args = (("field", spec.key),) if spec.unknown == "unknown_value" else ()
    return None, ((spec.unknown, text, args),)


def _parse_beneficiaries(text: str, spec: FieldSpec) -> Parsed:
    """The groups a 'Kuka hyötyy' cell names, once each in order; each part not understood is a problem."""
    found: list[Beneficiary] = []
    problems: list[Problem] = []
    for part in _BENEFICIARY_SPLIT.split(text):
        part = part.strip()
        if not part:
            continue
        b = spec.vocabulary.get(voc.norm(part))
        if b is None:
            problems.append(("unknown_value", part, (("field", spec.key),)))
        elif b not in found:
            found.append(b)
    return tuple(found), tuple(problems)


def _parse_cost(raw: Any, spec: FieldSpec) -> Parsed:
    eur, ok, implied = parse_cost(raw)
    return (eur, implied), (() if ok else (("unparseable_number", raw, ()),))


def _parse_text(text: str, spec: FieldSpec) -> Parsed:
    return text, ()


PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("goal", _parse_code, voc.lookup_goal, Severity.ERROR, ("missing_goal", Severity.ERROR),
              unknown="unknown_goal"),
    FieldSpec("name", _parse_text, twin=True),
    FieldSpec("problem", _parse_text, twin=True),
    FieldSpec("impact", _parse_text, twin=True),
    FieldSpec("status", _parse_code, voc.STATUSES, Severity.ERROR, ("missing_status", Severity.ERROR),
              unknown="unknown_status"),
    FieldSpec("level", _parse_code, voc.LEVELS),
    FieldSpec("basis", _parse_code, voc.BASES),
    FieldSpec("benefit", _parse_code, voc.BENEFITS),
    FieldSpec("beneficiaries", _parse_beneficiaries, voc.BENEFICIARIES),
    FieldSpec("cost_class", _parse_code, voc.SIZES),
    FieldSpec("impact_class", _parse_code, voc.SIZES),
    FieldSpec("model", _parse_code, voc.MODELS),
    FieldSpec("owner", _parse_text, voc.OWNERS, twin=True),
    FieldSpec("cost_eur", _parse_cost, cells="value"),
    FieldSpec("cost_kind", _parse_code, voc.COST_KINDS),
)
_PROJECT_ORDER = tuple(f.name for f in dataclasses.fields(Project))
_DEFAULTS = {"status": Status.UNKNOWN, "beneficiaries": (), "cost_eur": (None, None)}


def _read_projects(h: Header, rows: list[list[Any]], findings: Findings,
                   owners: voc.Bilingual = voc.OWNERS) -> list[Project]:
    sheet = h.sheet
    f = h.fields
    if "name.sv" not in f:
        findings.add(Severity.WARNING, sheet, h.row, None, None, "no_swedish_name_column")
    if "name.fi" not in f:
        findings.add(Severity.WARNING, sheet, h.row, None, None, "no_finnish_name_column")

    # Cells are converted a column at a time, each distinct cell once; the row loop only picks values.
    columns, width = _columns(rows, h.row)
    count = len(columns[0]) if columns else 0
    texts = [_column_texts(col) for col in columns]
    blank: list[Any] = [None] * count
    if h.remarks is not None and h.remarks < width:
        texts[h.remarks] = blank  # the write-back's own remarks say nothing about the row

    def text_column(col: int | None) -> list[str | None]:
        return texts[col] if col is not None and col < width else blank

    def value_column(col: int | None) -> list[Any]:
        return _column_values(columns[col]) if col is not None and col < width else blank

    begin = len(findings.items)  # this sheet's findings are put in row order at the end
    kept = _project_rows(h, texts, columns, width, count, findings)
    problems: list[tuple[int, int, int | None, Problem, Severity]] = []  # row index, field order, column, ...
    parsed: dict[str, list[Any]] = {}
    for order, spec in enumerate(PROJECT_FIELDS):
        if spec.twin:
            fi_col, sv_col = f.get(f"{spec.key}.fi"), f.get(f"{spec.key}.sv")
            parsed[spec.key] = _twin_column(text_column(fi_col), text_column(sv_col),
                                            spec.vocabulary if spec.key != "owner" else owners)
            continue
        col = f.get(spec.key)
        cells = text_column(col) if spec.cells == "text" else value_column(col)
        # Each distinct cell is parsed once and every cell looked up in C; only when a value has
        # problems, or an empty cell is one, are the rows visited one by one. Rows that are not
        # projects get values too, which nothing reads.
        meaning = {raw: spec.parser(raw, spec) for raw in dict.fromkeys(cells) if raw is not None}
        default = _DEFAULTS.get(spec.key)
        value_of = {raw: value for raw, (value, _found) in meaning.items() if value is not None}
        parsed[spec.key] = list(map(value_of.get, cells, repeat(default, len(cells))))
        troubled = {raw for raw, (_value, found) in meaning.items() if found}
        if troubled or (spec.missing and None in cells):
            for i in kept:
                raw = cells[i]
                if raw is None:
                    if spec.missing:
                        code, severity = spec.missing
                        problems.append((i, order, col, (code, None, ()), severity))
                elif raw in troubled:
                    problems.extend((i, order, col, problem, spec.severity) for problem in meaning[raw][1])

    ids = _read_ids(h, text_column(f.get("id")), kept, parsed["goal"], findings)
    years = _read_years(h, value_column(f.get("year")) if "year" in f else None, value_column, kept, findings)
    status_v = _Vocab(voc.STATUSES)
    snapshots = [(label, col, text_column(col)) for label, col in h.snapshots]
    names = parsed["name"]
    for i, _order, col, (code, value, args), severity in sorted(problems, key=lambda p: (p[0], p[1])):
        findings.add(severity, sheet, h.row + i + 1, col, value, code, **dict(args))
    for i in kept:
        name = names[i]
        if not name.fi and not name.sv:
            findings.add(Severity.ERROR, sheet, h.row + i + 1, f.get("name.fi", f.get("name.sv")), None,
                         "missing_name")
        elif "name.fi" in f and not name.fi:
            findings.add(Severity.WARNING, sheet, h.row + i + 1, f["name.fi"], None, "missing_finnish_name")

    histories: list[tuple[tuple[str, Status | None], ...]] = []
    for i in kept:
        history: list[tuple[str, Status | None]] = []
        for label, col, cells in snapshots:
            raw = cells[i]
            st = None if raw is None else status_v(raw)
            if raw is not None and st is None:
                findings.add(Severity.WARNING, sheet, h.row + i + 1, col, raw, "unknown_status")
            history.append((label, st))
        histories.append(tuple(history))
    # Projects are made positionally, field by field in the record's order, from the parsed columns.
    field_values = {spec.key: list(map(parsed[spec.key].__getitem__, kept)) for spec in PROJECT_FIELDS}
    costs = field_values.pop("cost_eur")
    field_values["cost_eur"] = [eur for eur, _kind in costs]
    field_values["cost_kind"] = [kind or implied for kind, (_eur, implied) in zip(field_values["cost_kind"], costs,
                                                                                  strict=True)]
    field_values.update(row=[h.row + i + 1 for i in kept], id=list(map(ids.__getitem__, kept)),
                        years=list(map(years.__getitem__, kept)), status_history=histories)
    projects = list(map(Project, *(field_values[name] for name in _PROJECT_ORDER)))
    mine = findings.items[begin:]
    findings.items[begin:] = sorted(mine, key=lambda x: x.row or 0)
    return projects


def _twin_column(fi: list[str | None], sv: list[str | None], vocabulary: voc.Bilingual | None) -> list[Text]:
    """A free-text field and its language twin as `Text`s; a bilingual vocabulary fills the missing side."""
    pairs = list(zip(fi, sv, strict=True))
    texts: dict[tuple[str | None, str | None], Text] = {}
    for pair in dict.fromkeys(pairs):
        a, b = pair
        if vocabulary is not None:
            a = a or (b and vocabulary.translate(b, "fi"))
            b = b or (a and vocabulary.translate(a, "sv"))
        texts[pair] = Text(a or None, b or None)
    return list(map(texts.__getitem__, pairs))


def _project_rows(h: Header, texts: list[list[str | None]], columns: list[Sequence[Any]], width: int,
                  count: int, findings: Findings) -> list[int]:
    """Indexes of the rows below the header that are projects; sum rows and notes are reported as info."""
    f = h.fields
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
    blank = [None] * count
    ids = texts[f["id"]] if f.get("id", width) < width else blank
    statuses = texts[f["status"]] if f.get("status", width) < width else blank
    year_cells = [texts[c] for c in h.years.values() if c < width]
    project_cols = sorted(c for c in set(f.values()) | set(h.years.values()) | {c for _, c in h.snapshots}
                          if c < width)
    kept = []
    for i in range(count):
        first_col = first[i]
        if first_col is None:
            continue
        rownum = h.row + i + 1
        if voc.SUM_ROW.match(voc.norm(texts[first_col][i])):
            findings.add(Severity.INFO, h.sheet, rownum, first_col, columns[first_col][i], "sum_row")
            continue
        if ids[i] is None and statuses[i] is None and all(cells[i] is None for cells in year_cells):
            if sum(1 for c in project_cols if texts[c][i] is not None) <= 1:
                findings.add(Severity.INFO, h.sheet, rownum, first_col, columns[first_col][i], "not_a_project")
                continue
        kept.append(i)
    return kept


def _read_ids(h: Header, cells: list[str | None], kept: list[int], goals: list[Goal | None],
              findings: Findings) -> list[str | None]:
    """Normalized ids (`a-17` → `A17`); a missing, unusual, duplicate or mismatched id is a finding."""
    col = h.fields.get("id")
    ids: list[str | None] = [None] * len(cells)
    seen: dict[str, int] = {}
    for i in kept:
        raw, rownum = cells[i], h.row + i + 1
        if raw is None:
            findings.add(Severity.ERROR, h.sheet, rownum, col, None, "missing_id")
            continue
        m = _ID.match(raw)
        pid = f"{m.group(1).upper()}{int(m.group(2))}{m.group(3)}" if m else raw
        if not m:
            findings.add(Severity.WARNING, h.sheet, rownum, col, raw, "unusual_id")
        if pid in seen:
            findings.add(Severity.ERROR, h.sheet, rownum, col, raw, "duplicate_id", other=seen[pid])
        else:
            seen[pid] = rownum
        goal = goals[i]
        if goal and m and pid[0] != goal.value:
            findings.add(Severity.WARNING, h.sheet, rownum, col, pid, "id_goal_mismatch", goal=goal.value)
        ids[i] = pid
    return ids


def _read_years(h: Header, year_cells: list[Any] | None, value_column: Callable[[int], list[Any]],
                kept: list[int], findings: Findings) -> list[tuple[int, ...]]:
    """Each row's roadmap years from its year columns' marks and a `Vuosi` column."""
    marks = []
    for year, col in h.years.items():
        cells = value_column(col)
        meaning = {raw: parse_year_mark(raw, year) for raw in set(cells)}
        marks.append((year, col, cells, list(map(meaning.__getitem__, cells))))
    out: list[tuple[int, ...]] = [()] * (len(year_cells) if year_cells is not None else
                                         len(marks[0][2]) if marks else 0)
    for i in kept:
        rownum = h.row + i + 1
        years: list[int] = []
        for year, col, cells, meaning in marks:
            if meaning[i]:
                years.append(year)
            elif meaning[i] is None:
                findings.add(Severity.WARNING, h.sheet, rownum, col, cells[i], "unknown_year_mark", year=year)
        raw = year_cells[i] if year_cells is not None else None
        if raw is not None:
            parsed = parse_years(raw)
            if parsed is None:
                findings.add(Severity.ERROR, h.sheet, rownum, h.fields.get("year"), raw, "unknown_year")
            else:
                years.extend(y for y in parsed if y not in years)
        if not years:
            col = h.fields["year"] if "year" in h.fields else next(iter(h.years.values()), None)
            findings.add(Severity.ERROR, h.sheet, rownum, col, None, "missing_year")
        out[i] = tuple(sorted(years))
    return out


_BENEFICIARY_SPLIT = re.compile(r"[,;/&+\n]|\s+ja\s+|\s+och\s+")


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
            measure = parse_measure(raw)
            twin = _text(row, h.years_sv.get(year))
            values.append((year, dataclasses.replace(measure, raw_sv=twin) if twin else measure))
        indicators.append(Indicator(
            row=rownum, goal=goal, name=name, target=target, values=tuple(values),
            unit=_text(row, f.get("unit")), source=_text(row, f.get("source")),
        ))
    return indicators
