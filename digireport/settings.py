"""Settings: the only reader of configuration files and the environment."""

from __future__ import annotations

import datetime as dt
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digireport.errors import ConfigError
from digireport.i18n import _

SOURCE_KINDS = ("local", "sharepoint")
AUTH_MODES = ("certificate", "device", "token")
DEFAULT_TOKEN_ENV = "DIGIREPORT_ACCESS_TOKEN"


def available_cpus() -> int:
    """The CPUs this process may run on: the default number of rendering workers."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ui_language() -> str:
    """Language of command-line messages: DIGIREPORT_UI_LANG (fi or sv), else Finnish."""
    lang = os.environ.get("DIGIREPORT_UI_LANG", "fi").strip().lower()[:2]
    return lang if lang in ("fi", "sv") else "fi"


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
    """Only the deck's settings of a settings file, for `digireport build --config`."""
    return _deck_settings(_Reader(path, _read_toml(Path(path))))


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(_("{file}: file not found"), file=str(path)) from None
    except OSError as exc:
        raise ConfigError(_("{file}: cannot be read ({detail})"), file=str(path), detail=exc.strerror) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(_("{file}: not valid TOML ({detail})"), file=str(path), detail=str(exc)) from None


def _deck_settings(top: _Reader) -> DeckSettings:
    report, board = top.table("report"), top.table("board")
    meeting: tuple[tuple[str, str], ...] = ()
    meeting_date = None
    raw = report.data.get("meeting")
    if isinstance(raw, dt.date) and not isinstance(raw, dt.datetime):
        meeting_date = raw
    elif isinstance(raw, dict):
        table = report.table("meeting")
        texts = {lang: table.text(lang) for lang in ("fi", "sv")}
        if any(texts.values()):
            meeting = tuple((lang, texts[lang] or texts["fi"] or texts["sv"]) for lang in ("fi", "sv"))
    elif raw not in (None, ""):
        meeting, meeting_date = parse_meeting(report.text("meeting"))
    programme = board.date("programme_approved")
    roadmaps = board.table("roadmap_approved")
    approved = []
    for year in sorted(roadmaps.data):
        if not re.fullmatch(r"\d{4}", str(year)):
            raise ConfigError(_("{file}: {key} must be a year, got {value}"), file=str(top.file),
                              key=roadmaps.key(str(year)), value=str(year))
        approved.append((int(year), roadmaps.date(str(year), required=True)))
    return DeckSettings(presenter=report.text("presenter"), meeting=meeting, meeting_date=meeting_date,
                        programme_approved=programme, roadmap_approved=tuple(approved))


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
    workers: int = 1  # rendering processes; `workers = 0` in the file means one per available CPU
    deck: DeckSettings = DeckSettings()

    @property
    def source_label(self) -> str:
        """Where the master workbook lives, for messages and the journal."""
        if self.source_kind == "local":
            return str(self.local_path)
        return f"{self.site_url}{self.roadmap_path}"


class _Reader:
    """Typed access to one TOML table with errors that name the file and the dotted key."""

    def __init__(self, file: Path, data: Mapping[str, Any], prefix: str = ""):
        self.file, self.data, self.prefix = file, data, prefix

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def table(self, name: str) -> _Reader:
        value = self.data.get(name, {})
        if not isinstance(value, dict):
            raise ConfigError(_("{file}: {key} must be a table"), file=str(self.file), key=self.key(name))
        return _Reader(self.file, value, f"{self.prefix}{name}.")

    def text(self, name: str, default: str | None = None, required: bool = False) -> str | None:
        value = self.data.get(name, default)
        if value is None or value == "":
            if required:
                raise ConfigError(_("{file}: {key} is missing"), file=str(self.file), key=self.key(name))
            return None
        if not isinstance(value, str):
            raise ConfigError(_("{file}: {key} must be text"), file=str(self.file), key=self.key(name))
        return value.strip()

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.text(name, default, required=True)
        if value not in choices:
            raise ConfigError(_("{file}: {key} must be one of {choices}, got {value}"), file=str(self.file),
                              key=self.key(name), choices=", ".join(choices), value=value)
        return value

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise ConfigError(_("{file}: {key} must be true or false"), file=str(self.file), key=self.key(name))
        return value

    def number(self, name: str, default: float) -> float:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise ConfigError(_("{file}: {key} must be a positive number"), file=str(self.file),
                              key=self.key(name))
        return float(value)

    def count(self, name: str, default: int, minimum: int = 1) -> int:
        value = self.data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ConfigError(_("{file}: {key} must be a whole number of at least {minimum}"), file=str(self.file),
                              key=self.key(name), minimum=minimum)
        return value

    def date(self, name: str, required: bool = False) -> dt.date | None:
        value = self.data.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            raise ConfigError(_("{file}: {key} must be a date YYYY-MM-DD"), file=str(self.file),
                              key=self.key(name))
        return value

    def path(self, name: str, default: str | None = None, required: bool = False) -> Path | None:
        value = self.text(name, default, required)
        if value is None:
            return None
        path = Path(value).expanduser()
        # relative paths are relative to the configuration file, so the job runs the same from any folder
        return path if path.is_absolute() else (self.file.parent / path).resolve()


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate `path` (TOML); secrets come from the environment variables it names."""
    path = Path(path)
    env = os.environ if environ is None else environ
    raw = _read_toml(path)
    top = _Reader(path, raw)
    source, output, writeback = top.table("source"), top.table("output"), top.table("writeback")
    schedule, report, job, network = top.table("schedule"), top.table("report"), top.table("job"), top.table("network")

    kind = source.choice("kind", SOURCE_KINDS, "local")
    local_path = site_url = roadmap_path = None
    auth = None
    if kind == "local":
        local_path = source.path("path", required=True)
        folder = output.path("folder", required=True)
        output_folder = str(folder)
    else:
        site_url = source.text("site_url", required=True).rstrip("/")
        if not re.fullmatch(r"https?://[^\s/]+(/[^\s]*)?", site_url):
            raise ConfigError(_("{file}: {key} must be a web address, got {value}"), file=str(path),
                              key=source.key("site_url"), value=site_url)
        roadmap_path = _server_relative(source, "roadmap_path")
        output_folder = _server_relative(output, "folder")
        auth = _auth(top.table("auth"), env)

    label_format = writeback.text("label_format", "%m/%Y")
    # the write-back's snapshot columns are labelled MM/YYYY ("Tila 12/2025")
    if not re.fullmatch(r"12/2025", dt.date(2025, 12, 1).strftime(label_format)):
        raise ConfigError(_("{file}: {key} must be a date format such as %m/%Y, got {value}"), file=str(path),
                          key=writeback.key("label_format"), value=label_format)
    time = schedule.text("time", "02:00")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", time):
        raise ConfigError(_("{file}: {key} must be a time HH:MM, got {value}"), file=str(path),
                          key=schedule.key("time"), value=time)
    timezone = schedule.text("timezone", "Europe/Helsinki")
    _check_timezone(path, schedule.key("timezone"), timezone)
    languages = report.data.get("languages", ["fi", "sv"])
    if (not isinstance(languages, list) or not languages
            or any(lang not in ("fi", "sv") for lang in languages)):
        raise ConfigError(_("{file}: {key} must be one of {choices}, got {value}"), file=str(path),
                          key=report.key("languages"), choices="fi, sv", value=str(languages))
    state_folder = job.path("state_folder", "state")
    retries = network.number("retries", 5)
    if retries != int(retries):
        raise ConfigError(_("{file}: {key} must be a positive number"), file=str(path), key=network.key("retries"))
    return Settings(
        config_file=path.resolve(), source_kind=kind, local_path=local_path, site_url=site_url,
        roadmap_path=roadmap_path, output_folder=output_folder,
        writeback=writeback.flag("enabled", True), label_format=label_format,
        schedule_time=time, timezone=timezone, languages=tuple(languages),
        presenter=report.text("presenter"), template=report.path("template"),
        state_folder=state_folder, log_file=job.path("log_file") or state_folder / "digireport.log",
        auth=auth, connect_timeout=network.number("connect_timeout", 10),
        read_timeout=network.number("read_timeout", 120), retries=int(retries),
        chunk_size=int(network.number("chunk_size", 10 * 1024 * 1024)),
        max_list_rows=report.count("max_list_rows", 200),
        workers=job.count("workers", 0, minimum=0) or available_cpus(),
        deck=_deck_settings(top),
    )


def _server_relative(table: _Reader, name: str) -> str:
    value = table.text(name, required=True)
    if not value.startswith("/"):
        raise ConfigError(_("{file}: {key} must be a server-relative path starting with /, got {value}"),
                          file=str(table.file), key=table.key(name), value=value)
    return value.rstrip("/")


def _check_timezone(file: Path, key: str, name: str) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(_("{file}: {key} is not a time zone: {value}"), file=str(file), key=key,
                          value=name) from None


def _secret(table: _Reader, name: str, env: Mapping[str, str], default_env: str | None = None,
            required: bool = True) -> str | None:
    """The value of the environment variable whose NAME the configuration gives (never the secret itself)."""
    var = table.text(name, default_env)
    if var is None:
        return None
    value = env.get(var, "")
    if not value and required:
        raise ConfigError(_("{file}: environment variable {name} named by {key} is not set"),
                          file=str(table.file), name=var, key=table.key(name))
    return value or None


def _auth(table: _Reader, env: Mapping[str, str]) -> AuthSettings:
    mode = table.choice("mode", AUTH_MODES, "certificate")
    if mode == "token":
        return AuthSettings(mode=mode, token=_secret(table, "token_env", env, DEFAULT_TOKEN_ENV))
    tenant = table.text("tenant", required=True)
    client_id = table.text("client_id", required=True)
    authority = table.text("authority")
    if authority is not None:
        # the sign-in library only talks to an https authority; say so here rather than at 2 a.m.
        if not re.fullmatch(r"https://[^\s/?#@]+(/[^\s?#]*)?", authority):
            raise ConfigError(_("{file}: {key} must be an https:// sign-in address, got {value}"),
                              file=str(table.file), key=table.key("authority"), value=authority)
        authority = authority.rstrip("/")
    if mode == "device":
        return AuthSettings(mode=mode, tenant=tenant, client_id=client_id, authority=authority)
    cert_path = table.path("cert_path", required=True)
    if not cert_path.is_file():
        raise ConfigError(_("{file}: {key} names a missing file: {value}"), file=str(table.file),
                          key=table.key("cert_path"), value=str(cert_path))
    return AuthSettings(mode=mode, tenant=tenant, client_id=client_id,
                        thumbprint=table.text("thumbprint", required=True), cert_path=cert_path,
                        passphrase=_secret(table, "passphrase_env", env, required=False), authority=authority)
