"""Swedish texts the master workbook does not hold: the translations workbook, applying it, the worklist.

Every text of the workbook that a Swedish output shows and that has no Swedish version is a
`missing_translation` finding and a row of the worklist (`translations-sv.xlsx`). The worklist,
with its Swedish column filled in, is the translations workbook of the next build: each of its
rows names the text by sheet, id (an indicator by its row) and field, and carries the Finnish
text it translates, so a translation of a Finnish text that has changed since is not used but
reported as stale.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from digireport import vocabulary as voc
from digireport.errors import SourceError
from digireport.i18n import L10n, _
from digireport.model import Finding, Indicator, Project, Roadmap, Severity, Text, Translation

WORKLIST_NAME = "translations-sv.xlsx"

# The worklist's columns: (key, header message). The headers are written in both languages
# ("Ruotsiksi / På svenska") and recognized in either when the file comes back.
COLUMNS = (
    ("sheet", _("Sheet")),
    ("row", _("Row")),
    ("id", _("Id")),
    ("field", _("Field")),
    ("column", _("Column")),
    ("fi", _("In Finnish")),
    ("sv", _("In Swedish")),
    ("note", _("Note")),
)
REQUIRED = ("sheet", "field", "fi", "sv")
STALE_NOTE = _("The Finnish text has changed; earlier translation: {previous}")

PROJECT_TEXTS = ("name", "problem", "impact")
_LETTER = re.compile(r"[^\W\d_]")


def needs_words(text: str | None) -> bool:
    """Whether a text is words a reader of the other language needs translated (`100 %` is not)."""
    return bool(text) and _LETTER.search(text) is not None


def _same(a: str, b: str) -> bool:
    return voc.norm(a) == voc.norm(b)


# ---- the texts of a roadmap ----------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One text of the workbook that the Swedish outputs show: where it is and what it says."""

    sheet: str
    row: int
    key: str  # the project's id; '' for an indicator (keyed by its row) and for an owner title
    field: str  # name, problem, impact, owner, target, value.<year>
    column: str | None
    text: Text


def _columns(roadmap: Roadmap, role: str) -> tuple[str, dict[str, str]]:
    info = roadmap.sheet(role)
    if info is None:
        return "", {}
    return info.name, {field: col for field, col, _header in info.columns}


def slots(roadmap: Roadmap) -> Iterator[Slot]:
    """Every text of the roadmap the Swedish outputs show in Finnish for want of a Swedish one, in
    sheet and row order; an owner title once. A roll-up has tens of thousands of texts, nearly all
    translated: each is checked before a `Slot` is made for it."""
    words: dict[str, bool] = {}

    def lacking(text: Text) -> bool:
        fi = text.fi
        if not fi or text.sv:
            return False
        found = words.get(fi)
        if found is None:
            found = words[fi] = needs_words(fi)
        return found

    # a finding points at the Swedish twin column where the sheet has one, else at the Finnish text
    sheet, cols = _columns(roadmap, "roadmap")
    where = {field: cols.get(f"{field}.sv") or cols.get(f"{field}.fi") for field in (*PROJECT_TEXTS, "owner")}
    owners: set[str] = set()
    for p in roadmap.projects:
        for field, text in (("name", p.name), ("problem", p.problem), ("impact", p.impact)):
            if lacking(text):
                yield Slot(sheet, p.row, p.id or "", field, where[field], text)
        if lacking(p.owner) and voc.norm(p.owner.fi) not in owners:
            owners.add(voc.norm(p.owner.fi))
            yield Slot(sheet, p.row, "", "owner", where["owner"], p.owner)
    sheet, cols = _columns(roadmap, "indicators")
    for ind in roadmap.indicators:
        if lacking(ind.name):
            yield Slot(sheet, ind.row, "", "name", cols.get("name.sv") or cols.get("name.fi"), ind.name)
        if lacking(ind.target.text):
            yield Slot(sheet, ind.row, "", "target", cols.get("target.sv") or cols.get("target.fi"), ind.target.text)
        for year, m in ind.values:
            if lacking(m.text):
                column = cols.get(f"year.{year}.sv") or cols.get(f"year.{year}")
                yield Slot(sheet, ind.row, "", f"value.{year}", column, m.text)


# ---- the translations workbook ---------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One filled-in row of the translations workbook."""

    sheet: str
    row: int | None
    key: str
    field: str
    fi: str
    sv: str


@dataclass(frozen=True)
class TranslationTable:
    """The translations workbook's Swedish texts, looked up the way `apply_translations` needs them."""

    name: str = ""
    entries: tuple[Entry, ...] = ()

    def find(self, slot: Slot) -> Entry | None:
        return self._index().get(_slot_key(slot))

    def _index(self) -> dict[tuple, Entry]:
        index = self.__dict__.get("_cache")
        if index is None:
            index = {_entry_key(e): e for e in self.entries}
            object.__setattr__(self, "_cache", index)
        return index


def _slot_key(slot: Slot) -> tuple:
    if slot.field == "owner":
        return ("owner", voc.norm(slot.text.fi or ""))
    return (voc.norm(slot.sheet), slot.key or slot.row, slot.field)


def _entry_key(e: Entry) -> tuple:
    if e.field == "owner":
        return ("owner", voc.norm(e.fi))
    return (voc.norm(e.sheet), e.key or e.row, e.field)


def header_words(locs: Iterable[L10n]) -> dict[str, str]:
    """norm(header word) → column key, for every language's word and the bilingual header."""
    locs = list(locs)
    words: dict[str, str] = {}
    for key, msgid in COLUMNS:
        names = [loc(msgid) for loc in locs]
        for word in (msgid, *names, " / ".join(names)):
            words[voc.norm(word)] = key
    return words


def bilingual_header(*locs: L10n) -> list[str]:
    """The worklist's header row: each column named in every language ("Ruotsiksi / På svenska")."""
    return [" / ".join(loc(msgid) for loc in locs) for _key, msgid in COLUMNS]


def parse_translations(sheets: list[tuple[str, list[list]]], name: str, locs: Iterable[L10n]) -> TranslationTable:
    """The filled-in rows of the first sheet whose header row has the worklist's columns."""
    locs = list(locs)
    words = header_words(locs)
    for _sheet, rows in sheets:
        for index, row in enumerate(rows[:20]):
            found: dict[str, int] = {}
            for col, cell in enumerate(row):
                key = words.get(voc.norm(str(cell))) if isinstance(cell, str) else None
                if key and key not in found:
                    found[key] = col
            if all(k in found for k in REQUIRED):
                return TranslationTable(name, tuple(_entries(rows[index + 1:], found)))
    header = dict(zip((key for key, _msgid in COLUMNS), bilingual_header(*locs), strict=True))
    raise SourceError(_("{name}: not a translations workbook; expected a header row with the columns {columns}"),
                      name=name, columns=", ".join(f"'{header[key]}'" for key in REQUIRED))


def _cell(row: list, col: int | None) -> str:
    if col is None or col >= len(row):
        return ""
    value = row[col]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def _entries(rows: list[list], cols: dict[str, int]) -> Iterator[Entry]:
    for row in rows:
        sv, fi, field = _cell(row, cols["sv"]), _cell(row, cols["fi"]), _cell(row, cols["field"])
        if not (sv and fi and field):
            continue
        number = _cell(row, cols.get("row"))
        yield Entry(sheet=_cell(row, cols["sheet"]), row=int(number) if number.isdigit() else None,
                    key=_cell(row, cols.get("id")), field=field, fi=fi, sv=sv)


# ---- applying it -------------------------------------------------------------------------------------


def apply_translations(roadmap: Roadmap, table: TranslationTable = TranslationTable()) -> Roadmap:
    """The roadmap with the table's Swedish texts filled in where the master workbook has none.

    A translation whose Finnish text is no longer the workbook's is not used (`stale_translation`);
    every other text still without Swedish is a `missing_translation`. Both are warnings."""
    filled: dict[tuple[str, int, str], str] = {}  # (sheet, row, field) -> Swedish
    owners: dict[str, str] = {}
    findings: list[Finding] = []
    translated: list[Translation] = []
    for slot in slots(roadmap):
        fi = slot.text.fi or ""
        entry = table.find(slot)
        if entry is not None and _same(entry.fi, fi):
            if slot.field == "owner":
                owners[voc.norm(fi)] = entry.sv
            else:
                filled[(slot.sheet, slot.row, slot.field)] = entry.sv
            translated.append(Translation(sheet=slot.sheet, row=slot.row, key=slot.key, field=slot.field,
                                          column=slot.column, fi=fi, sv=entry.sv))
            continue
        args: dict[str, str] = {"field": slot.field, "id": slot.key}
        code = "missing_translation"
        if entry is not None:
            code, args["previous"] = "stale_translation", entry.sv
        findings.append(Finding(severity=Severity.WARNING, sheet=slot.sheet, row=slot.row, column=slot.column,
                                value=fi, code=code, args=tuple(args.items())))
    if not filled and not owners:
        return dataclasses.replace(roadmap, findings=roadmap.findings + tuple(findings))
    roadmap_sheet, _cols = _columns(roadmap, "roadmap")
    indicator_sheet, _cols = _columns(roadmap, "indicators")
    projects = tuple(_project(p, roadmap_sheet, filled, owners) for p in roadmap.projects)
    indicators = tuple(_indicator(i, indicator_sheet, filled) for i in roadmap.indicators)
    return dataclasses.replace(roadmap, projects=projects, indicators=indicators,
                               findings=roadmap.findings + tuple(findings), translated=tuple(translated))


def _with_sv(text: Text, sv: str | None) -> Text:
    return Text(text.fi, sv) if sv else text


def _project(p: Project, sheet: str, filled: dict, owners: dict[str, str]) -> Project:
    changes = {field: _with_sv(getattr(p, field), filled.get((sheet, p.row, field))) for field in PROJECT_TEXTS}
    if p.owner.fi and not p.owner.sv:
        changes["owner"] = _with_sv(p.owner, owners.get(voc.norm(p.owner.fi)))
    if all(changes[k] is getattr(p, k) for k in changes):
        return p
    return dataclasses.replace(p, **changes)


def _indicator(ind: Indicator, sheet: str, filled: dict) -> Indicator:
    name = _with_sv(ind.name, filled.get((sheet, ind.row, "name")))
    target_sv = filled.get((sheet, ind.row, "target"))
    target = dataclasses.replace(ind.target, raw_sv=target_sv) if target_sv else ind.target
    values = tuple((y, dataclasses.replace(m, raw_sv=sv) if (sv := filled.get((sheet, ind.row, f"value.{y}"))) else m)
                   for y, m in ind.values)
    if name is ind.name and target is ind.target and values == ind.values:
        return ind
    return dataclasses.replace(ind, name=name, target=target, values=values)


# ---- the worklist ------------------------------------------------------------------------------------


def worklist(roadmap: Roadmap, locs: Iterable[L10n]) -> tuple[list[Translation], list[Translation]]:
    """(texts to translate, texts already translated by the translations workbook) of a translated
    roadmap, as the worklist's rows: each column a letter and its header."""
    locs = list(locs)
    headers = {(info.name, col): text for info in roadmap.source.sheets for _f, col, text in info.columns}

    def column(sheet: str, letter: str | None) -> str | None:
        # the letter and, for the translator, the header as the master workbook writes it
        text = headers.get((sheet, letter))
        return f"{letter}: {text}" if letter and text else letter

    todo = []
    for f in roadmap.findings:
        if f.code not in ("missing_translation", "stale_translation"):
            continue
        args = dict(f.args)
        note = ""
        if f.code == "stale_translation":
            note = " / ".join(loc(STALE_NOTE, previous=args["previous"]) for loc in locs)
        todo.append(Translation(f.sheet, f.row, args.get("id", ""), args["field"], column(f.sheet, f.column),
                                f.value or "", "", note))
    done = [dataclasses.replace(t, column=column(t.sheet, t.column)) for t in roadmap.translated]
    return todo, done
