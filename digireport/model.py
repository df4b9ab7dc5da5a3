"""Typed, frozen records of the roadmap: projects, indicators, findings. No I/O."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Goal(StrEnum):
    A = "A"
    B = "B"
    C = "C"
    K = "K"


class Status(StrEnum):
    PLANNED = "planned"
    STARTED = "started"
    DONE = "done"
    UNKNOWN = "unknown"
    DROPPED = "dropped"


class Level(StrEnum):
    FOUNDATION = "foundation"
    SHARED = "shared"
    SECTOR = "sector"
    DATA = "data"


class Basis(StrEnum):
    LAW = "law"
    STRATEGY = "strategy"
    END_OF_SUPPORT = "end_of_support"
    POLITICAL = "political"


class Benefit(StrEnum):
    RENEWAL = "renewal"
    HUMAN = "human"
    SUSTAINABILITY = "sustainability"


class Beneficiary(StrEnum):
    RESIDENTS = "residents"
    COMPANIES = "companies"
    TOURISTS = "tourists"
    STAFF = "staff"
    CLIMATE = "climate"


class SizeClass(StrEnum):
    S = "S"
    M = "M"
    L = "L"


class DevModel(StrEnum):
    NETWORK = "network"
    INDEPENDENT = "independent"


class CostKind(StrEnum):
    ONE_OFF = "one_off"
    YEARLY = "yearly"


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class TargetKind(StrEnum):
    ABSOLUTE = "absolute"
    PERCENT = "percent"
    RELATIVE = "relative"
    QUALITATIVE = "qualitative"


# Display order of each vocabulary, as the seed decks list them.
STATUS_ORDER = (Status.STARTED, Status.DONE, Status.UNKNOWN, Status.PLANNED, Status.DROPPED)
GOAL_ORDER = (Goal.A, Goal.B, Goal.C, Goal.K)


@dataclass(frozen=True, slots=True)
class Text:
    """A text in both official languages; either may be missing."""

    fi: str | None = None
    sv: str | None = None

    def get(self, lang: str) -> str:
        """The text in `lang`, falling back to the other language, or ''."""
        first, second = (self.fi, self.sv) if lang == "fi" else (self.sv, self.fi)
        return first or second or ""

    def pick(self, lang: str) -> Shown:
        """The text to show in `lang`'s outputs and the language it is really in.

        When `lang`'s text is missing the other language's text is shown, and `Shown.lang` says
        so: every output tags it with that language and marks it (`labels.FALLBACK_NOTE`).
        """
        other = "sv" if lang == "fi" else "fi"
        own, theirs = (self.fi, self.sv) if lang == "fi" else (self.sv, self.fi)
        if own:
            return Shown(own, lang, False)
        if theirs:
            return Shown(theirs, other, True)
        return Shown("", lang, False)


@dataclass(frozen=True, slots=True)
class Shown:
    """A text as shown in one language's output: `lang` is the language it is written in;
    `fallback` is true when it stands in for a missing text of the output's language."""

    text: str
    lang: str
    fallback: bool


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem in the source: where it is, what was there and what is wrong.

    `code` names the message in the catalogs; `args` fill its placeholders.
    """

    severity: Severity
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    args: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Project:
    """One roadmap action (toimenpide / åtgärd) as normalized from one sheet row."""

    row: int
    id: str | None
    goal: Goal | None
    years: tuple[int, ...]
    status: Status
    name: Text
    problem: Text = Text()
    impact: Text = Text()
    level: Level | None = None
    basis: Basis | None = None
    benefit: Benefit | None = None
    beneficiaries: tuple[Beneficiary, ...] = ()
    cost_class: SizeClass | None = None
    impact_class: SizeClass | None = None
    model: DevModel | None = None
    owner: Text = Text()
    cost_eur: float | None = None
    cost_kind: CostKind | None = None
    status_history: tuple[tuple[str, Status | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Measure:
    """A value as written in the sheet, and the number in it where there honestly is one."""

    raw: str
    value: float | None = None
    approx: bool = False
    percent: bool = False
    # The number comes with words that say it counts something else than a bare amount
    # ("6264 (työasemat)", "8400 e säästö …"): shown as written, never compared with the target.
    qualified: bool = False
    raw_sv: str | None = None  # the value as written in Swedish, where it is words

    @property
    def text(self) -> Text:
        return Text(self.raw or None, self.raw_sv)


@dataclass(frozen=True, slots=True)
class Target:
    """An indicator's target as written (fi, sv) and classified."""

    raw: str
    kind: TargetKind
    value: float | None = None
    raw_sv: str | None = None

    @property
    def text(self) -> Text:
        return Text(self.raw or None, self.raw_sv)


@dataclass(frozen=True, slots=True)
class Indicator:
    """One programme indicator (mittari / indikator) with its yearly values."""

    row: int
    goal: Goal | None
    name: Text
    target: Target
    values: tuple[tuple[int, Measure], ...]
    unit: str | None = None
    source: str | None = None

    def value(self, year: int) -> Measure | None:
        for y, m in self.values:
            if y == year:
                return m
        return None


@dataclass(frozen=True, slots=True)
class Translation:
    """A Finnish text of the workbook and its Swedish translation: one taken from the translations
    workbook, or a row of the translator's worklist (`sv` empty while there is none).

    `key` is the project's id or, for an indicator, its row; owner titles are keyed by their text.
    """

    sheet: str
    row: int | None
    key: str
    field: str
    column: str | None
    fi: str
    sv: str
    note: str = ""  # for the translator, on the worklist


@dataclass(frozen=True, slots=True)
class SheetInfo:
    """Which sheet served which role, where its header row was and which columns it used."""

    name: str
    role: str  # "roadmap" | "indicators"
    header_row: int
    language: str  # the language of the sheet's headers: "fi" | "sv"
    columns: tuple[tuple[str, str, str], ...]  # (field, column letter, header text)
    ignored: tuple[tuple[str, str], ...] = ()  # (column letter, header text)


@dataclass(frozen=True, slots=True)
class SourceInfo:
    name: str
    sha256: str
    size: int
    sheets: tuple[SheetInfo, ...]
    # when the workbook was last saved, from its document properties (UTC), if it says
    modified: dt.datetime | None = None

    def language(self, role: str) -> str | None:
        """The language of the headers of the sheet that served `role`, if one did."""
        return next((s.language for s in self.sheets if s.role == role), None)


@dataclass(frozen=True, slots=True)
class Roadmap:
    """Everything read from the master workbook."""

    source: SourceInfo
    projects: tuple[Project, ...]
    indicators: tuple[Indicator, ...]
    findings: tuple[Finding, ...] = field(default=())
    # Swedish texts the translations workbook supplied (the master workbook's own are in the records)
    translated: tuple[Translation, ...] = field(default=())

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted({y for p in self.projects for y in p.years}))

    def sheet(self, role: str) -> SheetInfo | None:
        return next((s for s in self.source.sheets if s.role == role), None)

    def findings_for_row(self, sheet: str, row: int) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.sheet == sheet and f.row == row)
