"""Settings: the only reader of configuration files and the environment.

Every key the configuration file may hold is one line of `SCHEMA`: its kind (which says what a
value must look like, with an example), its default, the `Settings` field it fills, and whether
it shapes the outputs (a change to such a key makes the next run build again). The file is
checked whole before anything runs: an unknown section or key is refused with the nearest known
one as a suggestion, a value of the wrong kind with an example of the right one, and every folder
the run will write must be writable.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import os
import posixpath
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from digireport.errors import ConfigError
from digireport.i18n import _

SOURCE_KINDS = ("local", "sharepoint")
AUTH_MODES = ("certificate", "device", "token")
LANGUAGE_CODES = ("fi", "sv")
DEFAULT_TOKEN_ENV = "DIGIREPORT_ACCESS_TOKEN"


def available_cpus() -> int:
    """The CPUs this process may run on: the default number of rendering workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ui_language(environ: Mapping[str, str] | None = None) -> str:
    """Language of command-line messages: DIGIREPORT_UI_LANG (fi or sv), else the locale's language
    (LC_ALL, LC_MESSAGES, LANG: `sv_FI.UTF-8` is Swedish) when it is Finnish or Swedish, else Finnish."""
    env = os.environ if environ is None else environ
    for name in ("DIGIREPORT_UI_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        lang = env.get(name, "").strip().lower()[:2]
        if lang in ("fi", "sv"):
            return lang
        if name == "DIGIREPORT_UI_LANG" and lang:
            break  # set to something else: the default, not the locale
        if name != "DIGIREPORT_UI_LANG" and env.get(name):
            break  # the first locale variable set decides, as for every program
    return "fi"


@dataclass(frozen=True)
class AuthSettings:
    """How the job signs in to SharePoint; secrets are read here and never shown in `repr`."""

    mode: str
    tenant: str | None = None
    client_id: str | None = None
    thumbprint: str | None = None
    cert_path: Path | None = None
    passphrase: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    authority: str | None = None  # sign-in address; None is login.microsoftonline.com/<tenant>


LICENCES = ("CC-BY-4.0", "CC0-1.0")
UPDATE_FREQUENCIES = ("weekly", "monthly", "bimonthly", "quarterly", "yearly")


@dataclass(frozen=True)
class WebSettings:
    """What the public web report and its open data say about who publishes them and how."""

    publisher_fi: str = "Porvoon kaupunki"
    publisher_sv: str = "Borgå stad"
    contact_name: str | None = None
    contact_email: str | None = None
    licence: str = "CC-BY-4.0"
    update_frequency: str = "bimonthly"
    next_update: dt.date | None = None
    programme_url_fi: str | None = None
    programme_url_sv: str | None = None
    accessibility_contact: str | None = None  # None: contact_email
    accessibility_assessed: dt.date | None = None  # None: the data date of the build
    accessibility_shortcomings_fi: tuple[str, ...] = ()
    accessibility_shortcomings_sv: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeckSettings:
    """What the board decks say about the meeting and the board's decisions (`[report]`, `[board]`).

    `meeting` is the meeting per language ((lang, text), …), or `meeting_date` the date of a city
    board meeting, named in each language by the deck; approval dates are the board's decisions
    the background slide cites, so a new roadmap year needs a line in the settings, not code."""

    presenter: str | None = None
    meeting: tuple[tuple[str, str], ...] = ()
    meeting_date: dt.date | None = None
    programme_approved: dt.date | None = None
    roadmap_approved: tuple[tuple[int, dt.date], ...] = ()

    def build_options(self) -> dict[str, Any]:
        """The `BuildOptions` keywords these settings give."""
        return {"presenter": self.presenter, "meeting": self.meeting, "meeting_date": self.meeting_date,
                "programme_approved": self.programme_approved, "roadmap_approved": self.roadmap_approved}


def parse_meeting(value: str) -> tuple[tuple[tuple[str, str], ...], dt.date | None]:
    """A meeting as given on the command line: a date (YYYY-MM-DD) of a city board meeting, or its
    name as `Finnish | Swedish` (one text alone is used in both decks)."""
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return (), dt.date.fromisoformat(value)
        except ValueError:
            pass
    parts = [part.strip() for part in value.split("|")]
    if len(parts) == 2 and all(parts):
        return (("fi", parts[0]), ("sv", parts[1])), None
    return (("fi", value), ("sv", value)), None


def load_deck_settings(path: Path) -> DeckSettings:
    """Only the deck's settings of a settings file, for `digireport build --config`: the file is
    checked whole for unknown keys and wrong values, but needs no source or output of its own."""
    path = Path(path)
    raw = _read_toml(path)
    _unknown(path, raw)
    return _deck_settings(_Values(path, raw))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(_("{file}: file not found"), file=str(path)) from None
    except OSError as exc:
        raise ConfigError(_("{file}: cannot be read ({detail})"), file=str(path), detail=exc.strerror) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(_("{file}: not valid TOML ({detail})"), file=str(path), detail=str(exc)) from None


def _deck_settings(values: _Values) -> DeckSettings:
    meeting, meeting_date = values["report.meeting"] or ((), None)
    return DeckSettings(presenter=values["report.presenter"], meeting=meeting, meeting_date=meeting_date,
                        programme_approved=values["board.programme_approved"],
                        roadmap_approved=values["board.roadmap_approved"] or ())


@dataclass(frozen=True)
class Settings:
    """Everything one run of the job needs, validated when loaded."""

    config_file: Path
    source_kind: str
    local_path: Path | None
    site_url: str | None
    roadmap_path: str | None
    output_folder: str
    writeback: bool
    label_format: str
    schedule_time: str
    timezone: str
    languages: tuple[str, ...]
    presenter: str | None
    template: Path | None
    state_folder: Path
    log_file: Path
    auth: AuthSettings | None
    connect_timeout: float = 10.0
    read_timeout: float = 120.0
    retries: int = 5
    chunk_size: int = 10 * 1024 * 1024
    max_list_rows: int = 200
    # The translations workbook: a local path, or on SharePoint a server-relative path (a bare file
    # name is beside the master workbook). None: no translations beyond the master's own.
    translations: str | None = None
    workers: int = 1  # rendering processes; `workers = 0` in the file means one per available CPU
    keep_backups: int = 10  # backups of the master kept in the state folder before write-backs
    # the values of the keys that shape the outputs, as (key, JSON) pairs: part of the "unchanged" check
    shaping: tuple[tuple[str, str], ...] = ()
    web: WebSettings = field(default_factory=WebSettings)
    deck: DeckSettings = DeckSettings()

    @property
    def source_label(self) -> str:
        """Where the master workbook lives, for messages and the journal."""
        if self.source_kind == "local":
            return str(self.local_path)
        # roadmap_path is server-relative: it already starts with the site's path
        parts = urlsplit(self.site_url)
        return f"{parts.scheme}://{parts.netloc}{self.roadmap_path}"


# ---- the schema -----------------------------------------------------------------------------------

Check = Callable[[Any, "Key", str, Path], Any]


@dataclass(frozen=True)
class Kind:
    """What a value must be: `check(value, key, name, file)` returns it converted or raises ConfigError."""

    check: Check


@dataclass(frozen=True)
class Key:
    """One key of the configuration file."""

    kind: Kind
    default: Any = None
    field: str | None = None  # the Settings field it fills, if any
    outputs: bool = False  # a change makes the next run build again
    example: str = ""  # shown when a value is of the wrong kind
    choices: tuple[str, ...] = ()
    minimum: int = 1


def _wrong(message: str, key: str, file: Path, value: Any, **args: Any) -> ConfigError:
    shown = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return ConfigError(message, file=str(file), key=key, value=shown, **args)


def _text(value: Any, key: Key, name: str, file: Path) -> str | None:
    if not isinstance(value, str):
        raise _wrong(_("{file}: {key} must be text in quotes, e.g. {example}; got {value}"), name, file, value,
                     example=key.example or '"…"')
    return value.strip() or None


def _check_text(value, key, name, file):
    return _text(value, key, name, file)


def _check_choice(value, key, name, file):
    text = _text(value, key, name, file)
    if text not in key.choices:
        raise ConfigError(_("{file}: {key} must be one of {choices}, got {value}"), file=str(file), key=name,
                          choices=", ".join(key.choices), value=str(text or ""))
    return text


def _check_flag(value, key, name, file):
    if not isinstance(value, bool):
        raise _wrong(_("{file}: {key} must be true or false (without quotes); got {value}"), name, file, value)
    return value


def _check_number(value, key, name, file):
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise _wrong(_("{file}: {key} must be a positive number, e.g. {example}; got {value}"), name, file, value,
                     example=key.example or "10")
    return float(value)


def _check_count(value, key, name, file):
    if isinstance(value, bool) or not isinstance(value, int) or value < key.minimum:
        raise _wrong(_("{file}: {key} must be a whole number of at least {minimum}, without quotes; got {value}"),
                     name, file, value, minimum=key.minimum)
    return value


def _check_path(value, key, name, file):
    text = _text(value, key, name, file)
    if text is None:
        return None
    path = Path(text).expanduser()
    # relative paths are relative to the configuration file, so the job runs the same from any folder
    return path if path.is_absolute() else (file.parent / path).resolve()


def _check_languages(value, key, name, file):
    if (not isinstance(value, list) or not value or any(v not in LANGUAGE_CODES for v in value)
            or len(set(value)) != len(value)):
        raise _wrong(_("{file}: {key} must be a list of fi and sv, e.g. {example}; got {value}"), name, file, value,
                     example='["fi", "sv"]')
    return tuple(value)


def _check_time(value, key, name, file):
    text = _text(value, key, name, file) or ""
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", text):
        raise ConfigError(_("{file}: {key} must be a time HH:MM, got {value}"), file=str(file), key=name, value=text)
    return text


def _check_timezone(value, key, name, file):
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _text(value, key, name, file) or ""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(_("{file}: {key} is not a time zone: {value}"), file=str(file), key=name,
                          value=text) from None
    return text


def _check_label(value, key, name, file):
    text = _text(value, key, name, file) or ""
    # the write-back's snapshot columns are labelled MM/YYYY ("Tila 12/2025")
    if not re.fullmatch(r"12/2025", dt.date(2025, 12, 1).strftime(text)):
        raise ConfigError(_("{file}: {key} must be a date format such as %m/%Y, got {value}"), file=str(file),
                          key=name, value=text)
    return text


def _check_web(value, key, name, file):
    text = (_text(value, key, name, file) or "").rstrip("/")
    if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", text):
        raise ConfigError(_("{file}: {key} must be a web address, got {value}"), file=str(file), key=name,
                          value=text)
    return text


def _check_email(value, key, name, file):
    text = _text(value, key, name, file)
    if text is not None and not re.fullmatch(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\"]+", text):
        raise ConfigError(_("{file}: {key} must be an e-mail address, got {value}"), file=str(file), key=name,
                          value=text)
    return text


def _check_date(value, key, name, file):
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(_("{file}: {key} must be a date YYYY-MM-DD, got {value}"), file=str(file), key=name,
                      value=str(value))


def _check_texts(value, key, name, file):
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(_("{file}: {key} must be a list of texts"), file=str(file), key=name)
    return tuple(v.strip() for v in value if v.strip())


def _check_meeting(value, key, name, file):
    """A city board meeting's date, its name (`"Finnish | Swedish"`), or a table `{ fi, sv }`."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return (), value
    if isinstance(value, dict):
        unknown = set(value) - {"fi", "sv"}
        texts = {lang: value.get(lang) for lang in ("fi", "sv")}
        if unknown or not all(t is None or isinstance(t, str) for t in texts.values()) or not any(texts.values()):
            raise ConfigError(_("{file}: {key} must be a date, a text or a table of fi and sv, e.g. {example}; got {value}"),
                              file=str(file), key=name, example=key.example, value=str(value))
        return tuple((lang, (texts[lang] or texts["fi"] or texts["sv"]).strip()) for lang in ("fi", "sv")), None
    text = _text(value, key, name, file)
    return parse_meeting(text) if text else ((), None)


def _check_approvals(value, key, name, file):
    """A table of roadmap years and the dates the board approved them: `{ 2026 = 2026-01-12 }`."""
    if not isinstance(value, dict):
        raise ConfigError(_("{file}: {key} must be a table of years and dates, e.g. {example}; got {value}"),
                          file=str(file), key=name, example=key.example, value=str(value))
    approved = []
    for year, date in sorted(value.items()):
        if not re.fullmatch(r"\d{4}", str(year)):
            raise ConfigError(_("{file}: {key} must be a table of years and dates, e.g. {example}; got {value}"),
                              file=str(file), key=name, example=key.example, value=f"{year} = {date}")
        if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
            raise ConfigError(_("{file}: {key} must be a date YYYY-MM-DD, got {value}"), file=str(file),
                              key=f"{name}.{year}", value=str(date))
        approved.append((int(year), date))
    return tuple(approved)


def _check_sign_in(value, key, name, file):
    text = _text(value, key, name, file)
    if text is None:
        return None
    # the sign-in library only talks to an https authority; say so here rather than at 2 a.m.
    if not re.fullmatch(r"https://[^\s/?#@]+(/[^\s?#]*)?", text):
        raise ConfigError(_("{file}: {key} must be an https:// sign-in address, got {value}"), file=str(file),
                          key=name, value=text)
    return text.rstrip("/")


def _check_env_name(value, key, name, file):
    text = _text(value, key, name, file)
    if text is not None and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text):
        raise ConfigError(_("{file}: {key} must be the NAME of an environment variable, e.g. {example}; got "
                            "{value}"), file=str(file), key=name, value=text, example=key.example)
    return text


TEXT, CHOICE, FLAG, NUMBER, COUNT, PATH = map(Kind, (_check_text, _check_choice, _check_flag, _check_number,
                                                     _check_count, _check_path))
LANGUAGES, TIME, TIMEZONE, LABEL, WEB, SIGN_IN, ENV_NAME = map(Kind, (
    _check_languages, _check_time, _check_timezone, _check_label, _check_web, _check_sign_in, _check_env_name))
EMAIL, DATE, TEXTS, MEETING, APPROVALS = map(Kind, (_check_email, _check_date, _check_texts, _check_meeting,
                                                    _check_approvals))
FOLDER = TEXT  # a local path or a server-relative SharePoint path, read by `source.kind`

# One line per key. A new key: its kind, default, the Settings field it fills, `outputs=True` if a
# change to it should make the next run build again, and a row in docs/operations.md.

SCHEMA: dict[str, Key] = {
    "source.kind": Key(CHOICE, "local", "source_kind", choices=SOURCE_KINDS),
    "source.path": Key(PATH, None, "local_path"),
    "source.site_url": Key(WEB),
    "source.roadmap_path": Key(TEXT, example='"/sites/digiohjelma/Jaetut asiakirjat/tiekartta_v2.xlsx"'),
    "output.folder": Key(FOLDER, example='"../out"'),
    "writeback.enabled": Key(FLAG, True, "writeback"),
    "writeback.label_format": Key(LABEL, "%m/%Y", "label_format", outputs=True),
    "writeback.keep_backups": Key(COUNT, 10, "keep_backups"),
    "schedule.time": Key(TIME, "02:00", "schedule_time"),
    "schedule.timezone": Key(TIMEZONE, "Europe/Helsinki", "timezone"),
    "report.languages": Key(LANGUAGES, ["fi", "sv"], "languages", outputs=True),
    "report.presenter": Key(TEXT, None, "presenter", outputs=True, example='"Digitalisaatio-ohjelma"'),
    "report.template": Key(PATH, None, "template", outputs=True, example='"templates/porvoo.pptx"'),
    "report.max_list_rows": Key(COUNT, 200, "max_list_rows", outputs=True),
    "report.translations": Key(TEXT, None, outputs=True, example='"kaannokset-sv.xlsx"'),
    "report.meeting": Key(MEETING, None, outputs=True, example='"Kaupunginhallitus 2.12.2025 | Stadsstyrelsen 2.12.2025"'),
    "board.programme_approved": Key(DATE, None, outputs=True, example="2023-12-11"),
    "board.roadmap_approved": Key(APPROVALS, None, outputs=True, example="{ 2026 = 2026-01-12 }"),
    "job.state_folder": Key(PATH, "state", "state_folder", example='"/var/lib/digireport"'),
    "job.log_file": Key(PATH, None, example='"/var/log/digireport/digireport.log"'),
    "job.workers": Key(COUNT, 0, minimum=0),
    "auth.mode": Key(CHOICE, "certificate", choices=AUTH_MODES),
    "auth.tenant": Key(TEXT, example='"porvoo.onmicrosoft.com"'),
    "auth.client_id": Key(TEXT, example='"00000000-0000-0000-0000-000000000000"'),
    "auth.thumbprint": Key(TEXT),
    "auth.cert_path": Key(PATH, example='"/etc/digireport/digireport-app.pem"'),
    "auth.passphrase_env": Key(ENV_NAME, example="DIGIREPORT_CERT_PASSPHRASE"),
    "auth.token_env": Key(ENV_NAME, DEFAULT_TOKEN_ENV, example=DEFAULT_TOKEN_ENV),
    "auth.authority": Key(SIGN_IN),
    "network.connect_timeout": Key(NUMBER, 10, "connect_timeout"),
    "network.read_timeout": Key(NUMBER, 120, "read_timeout", example="120"),
    "network.retries": Key(COUNT, 5, "retries"),
    "network.chunk_size": Key(COUNT, 10 * 1024 * 1024, "chunk_size"),
    "web.publisher_fi": Key(TEXT, None, outputs=True, example='"Porvoon kaupunki"'),
    "web.publisher_sv": Key(TEXT, None, outputs=True, example='"Borgå stad"'),
    "web.contact_name": Key(TEXT, None, outputs=True, example='"Digitalisaatio-ohjelma"'),
    "web.contact_email": Key(EMAIL, None, outputs=True, example='"digi@porvoo.fi"'),
    "web.licence": Key(CHOICE, "CC-BY-4.0", outputs=True, choices=LICENCES),
    "web.update_frequency": Key(CHOICE, "bimonthly", outputs=True, choices=UPDATE_FREQUENCIES),
    "web.next_update": Key(DATE, None, outputs=True, example="2026-02-03"),
    "web.programme_url_fi": Key(WEB, None, outputs=True, example='"https://www.porvoo.fi/digiohjelma"'),
    "web.programme_url_sv": Key(WEB, None, outputs=True, example='"https://www.borga.fi/digiprogram"'),
    "web.accessibility_contact": Key(EMAIL, None, outputs=True, example='"saavutettavuus@porvoo.fi"'),
    "web.accessibility_assessed": Key(DATE, None, outputs=True, example="2025-11-20"),
    "web.accessibility_shortcomings_fi": Key(TEXTS, None, outputs=True, example='["…"]'),
    "web.accessibility_shortcomings_sv": Key(TEXTS, None, outputs=True, example='["…"]'),
}
SECTIONS = tuple(dict.fromkeys(name.split(".")[0] for name in SCHEMA))


def _suggest(word: str, known: list[str]) -> str | None:
    close = difflib.get_close_matches(word, known, n=1, cutoff=0.6)
    return close[0] if close else None


def _unknown(file: Path, raw: Mapping[str, Any]) -> None:
    """Refuse a section or key the schema does not know, suggesting the nearest known one."""
    for section, table in raw.items():
        if section not in SECTIONS or not isinstance(table, dict):
            if section in SECTIONS:
                raise ConfigError(_("{file}: [{section}] must be a section of keys, e.g. [{section}] on a line of "
                                    "its own"), file=str(file), section=section)
            keys = [name.split(".")[1] for name in SCHEMA]
            nearest = _suggest(section, list(SECTIONS)) if isinstance(table, dict) else None
            if nearest is not None:
                raise ConfigError(_("{file}: unknown section [{name}]; did you mean [{suggestion}]?"), file=str(file),
                                  name=section, suggestion=nearest)
            nearest_key = _suggest(section, keys)
            if nearest_key is not None and not isinstance(table, dict):
                full = next(name for name in SCHEMA if name.endswith("." + nearest_key))
                raise ConfigError(_("{file}: unknown key {name}; did you mean {suggestion}?"), file=str(file),
                                  name=section, suggestion=full)
            raise ConfigError(_("{file}: unknown section [{name}]; the sections are {known}"), file=str(file),
                              name=section, known=", ".join(SECTIONS))
        known = [name.split(".", 1)[1] for name in SCHEMA if name.startswith(section + ".")]
        for key in table:
            if key not in known:
                nearest = _suggest(key, known)
                if nearest is not None:
                    raise ConfigError(_("{file}: unknown key {name}; did you mean {suggestion}?"), file=str(file),
                                      name=f"{section}.{key}", suggestion=f"{section}.{nearest}")
                raise ConfigError(_("{file}: unknown key {name}; [{section}] has {known}"), file=str(file),
                                  name=f"{section}.{key}", section=section, known=", ".join(known))


class _Values:
    """The checked value of every schema key, defaults filled in."""

    def __init__(self, file: Path, raw: Mapping[str, Any]):
        self.file, self.raw = file, raw
        self.values: dict[str, Any] = {}
        for name, key in SCHEMA.items():
            section, _dot, leaf = name.partition(".")
            value = raw.get(section, {}).get(leaf, key.default)
            self.values[name] = None if value is None else key.kind.check(value, key, name, file)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def required(self, name: str) -> Any:
        value = self.values[name]
        if value is None:
            raise ConfigError(_("{file}: {key} is missing"), file=str(self.file), key=name)
        return value

    def server_relative(self, name: str) -> str:
        value = self.required(name)
        if not value.startswith("/"):
            raise ConfigError(_("{file}: {key} must be a server-relative path starting with /, got {value}"),
                              file=str(self.file), key=name, value=value)
        return value.rstrip("/")


def load_settings(path: Path, environ: Mapping[str, str] | None = None, check_folders: bool = True) -> Settings:
    """Read and check `path` (TOML) whole; secrets come from the environment variables it names.

    With `check_folders`, every folder the run will write must be writable (see `check_writable`).
    """
    path = Path(path)
    env = os.environ if environ is None else environ
    raw = _read_toml(path)
    _unknown(path, raw)
    values = _Values(path, raw)
    fields = {key.field: values[name] for name, key in SCHEMA.items() if key.field is not None}
    kind = values["source.kind"]
    auth = None
    if kind == "local":
        fields["local_path"] = values.required("source.path")
        folder = values.required("output.folder")
        fields["output_folder"] = str(PATH.check(folder, SCHEMA["output.folder"], "output.folder", path))
        fields["site_url"] = fields["roadmap_path"] = None
    else:
        fields["site_url"] = values.required("source.site_url")
        fields["roadmap_path"] = values.server_relative("source.roadmap_path")
        fields["output_folder"] = values.server_relative("output.folder")
        fields["local_path"] = None
        auth = _auth(path, values, env)
    state_folder = fields["state_folder"]
    shaping = tuple((name, json.dumps(values[name] if not isinstance(values[name], Path) else str(values[name]),
                                      ensure_ascii=False, sort_keys=True, default=str))
                    for name, key in SCHEMA.items() if key.outputs)
    settings = Settings(
        config_file=path.resolve(), auth=auth, shaping=shaping,
        log_file=values["job.log_file"] or state_folder / "digireport.log",
        workers=values["job.workers"] or available_cpus(),
        translations=_translations(path, kind, values["report.translations"], fields["roadmap_path"]),
        web=_web(values), deck=_deck_settings(values),
        **fields,
    )
    if check_folders:
        check_writable(settings)
    return settings


def _web(values: _Values) -> WebSettings:
    """The `[web]` table: publisher, contact, licence, update frequency and accessibility statement."""
    default = WebSettings()
    contact = values["web.contact_email"]
    return WebSettings(
        publisher_fi=values["web.publisher_fi"] or default.publisher_fi,
        publisher_sv=values["web.publisher_sv"] or default.publisher_sv,
        contact_name=values["web.contact_name"], contact_email=contact,
        licence=values["web.licence"], update_frequency=values["web.update_frequency"],
        next_update=values["web.next_update"],
        programme_url_fi=values["web.programme_url_fi"], programme_url_sv=values["web.programme_url_sv"],
        accessibility_contact=values["web.accessibility_contact"] or contact,
        accessibility_assessed=values["web.accessibility_assessed"],
        accessibility_shortcomings_fi=tuple(values["web.accessibility_shortcomings_fi"] or ()),
        accessibility_shortcomings_sv=tuple(values["web.accessibility_shortcomings_sv"] or ()),
    )


def _translations(file: Path, kind: str, value: str | None, roadmap_path: str | None) -> str | None:
    """`report.translations`: relative to the settings file locally, beside the master on SharePoint."""
    if value is None:
        return None
    if kind == "local":
        local = Path(value).expanduser()
        return str(local if local.is_absolute() else (file.parent / local).resolve())
    if value.startswith("/"):
        return value
    return posixpath.join(posixpath.dirname(roadmap_path or "/"), value)


def _secret(file: Path, values: _Values, name: str, env: Mapping[str, str], required: bool = True) -> str | None:
    """The value of the environment variable whose NAME the configuration gives (never the secret itself)."""
    var = values[name]
    if var is None:
        return None
    value = env.get(var, "")
    if not value and required:
        raise ConfigError(_("{file}: environment variable {name} named by {key} is not set"),
                          file=str(file), name=var, key=name)
    return value or None


def _auth(file: Path, values: _Values, env: Mapping[str, str]) -> AuthSettings:
    mode = values["auth.mode"]
    if mode == "token":
        return AuthSettings(mode=mode, token=_secret(file, values, "auth.token_env", env))
    tenant, client_id = values.required("auth.tenant"), values.required("auth.client_id")
    authority = values["auth.authority"]
    if mode == "device":
        return AuthSettings(mode=mode, tenant=tenant, client_id=client_id, authority=authority)
    cert_path = values.required("auth.cert_path")
    if not cert_path.is_file():
        raise ConfigError(_("{file}: {key} names a missing file: {value}"), file=str(file), key="auth.cert_path",
                          value=str(cert_path))
    return AuthSettings(mode=mode, tenant=tenant, client_id=client_id,
                        thumbprint=values.required("auth.thumbprint"), cert_path=cert_path,
                        passphrase=_secret(file, values, "auth.passphrase_env", env, required=False),
                        authority=authority)


def written_folders(settings: Settings) -> list[tuple[str, Path]]:
    """The local folders a run writes, each with the key that names it."""
    folders = [("job.state_folder", settings.state_folder), ("job.log_file", settings.log_file.parent)]
    if settings.source_kind == "local":
        folders.append(("output.folder", Path(settings.output_folder)))
        if settings.writeback:
            folders.append(("source.path", settings.local_path.parent))
    return folders


def check_writable(settings: Settings) -> None:
    """Refuse settings whose folders this user cannot write, before anything runs.

    A folder that does not exist yet is made by the run, so its nearest existing parent must be
    writable. Run as root, a state folder that belongs to the service's user is refused: files
    root made there would stop the service from writing its own state.
    """
    file = str(settings.config_file)
    for key, folder in written_folders(settings):
        existing = folder
        while not existing.exists() and existing.parent != existing:
            existing = existing.parent
        if not existing.is_dir():
            raise ConfigError(_("{file}: {key}: {folder} is not a folder"), file=file, key=key, folder=str(existing))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ConfigError(_("{file}: {key}: the folder {folder} cannot be written by this user"), file=file,
                              key=key, folder=str(existing))
    state = settings.state_folder
    # files a run appends to: one left by a run as another user (root) would fail the run halfway
    for key, path in (("job.log_file", settings.log_file), ("job.state_folder", state / "journal.jsonl"),
                      ("job.state_folder", state / "job.lock")):
        if path.exists() and not os.access(path, os.W_OK):
            raise ConfigError(_("{file}: {key}: {path} cannot be written by this user"), file=file, key=key,
                              path=str(path))
    if hasattr(os, "geteuid") and os.geteuid() == 0 and state.exists() and state.stat().st_uid != 0:
        import pwd

        try:
            owner = pwd.getpwuid(state.stat().st_uid).pw_name
        except KeyError:
            owner = str(state.stat().st_uid)
        raise ConfigError(_("{file}: job.state_folder {folder} belongs to {user}: run as that user, e.g. "
                            "sudo -u {user} digireport run --config {file}"), file=file, folder=str(state), user=owner)
