"""One run of the job: fetch the master → build the outputs → publish them → write the snapshot back.

State lives in the configured state folder:
- `state.json`: what the last successful run was made from (the master's version and a fingerprint
  of everything else that shapes the outputs), write-backs still pending and the files the last
  publish wrote (so outputs a later run no longer makes can be removed);
- `journal.jsonl`: one JSON line per run (start, end, source version, outputs, findings, removed,
  pending write-backs, backups, error);
- `running.json`: the run in progress; found at the start of a run, it means the previous one was
  killed, and the journal gets that run's line then;
- `backups/`: copies of a local master taken before each write-back, the newest `keep_backups`;
- `job.lock`: held while a run is going on, so two runs never overlap.

A snapshot write-back is a promise: it is recorded as pending before anything is published and
cleared only once the master holds it. A run that fails or is stopped leaves it pending, and the
next run applies it (a label already in the master changes nothing, so it is applied once).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from digireport.errors import ConflictError, DigireportError, LockedError, StoppedError, StorageError
from digireport.i18n import Plural, _
from digireport.settings import Settings
from digireport.source import remove_stale_temporaries, write_atomic

Progress = Callable[[str, dict[str, Any]], None]
Clock = Callable[[], dt.datetime]

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_CONFLICT = 3
EXIT_LOCKED = 4
EXIT_BUSY = 5
EXIT_INTERNAL = 70
EXIT_STOPPED = StoppedError.exit_code

CONFLICT_TRIES = 3
STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "job.lock"
RUNNING_FILE = "running.json"
BACKUP_FOLDER = "backups"
# Earlier releases of the open data stay published: a later run never removes them.
KEPT = "site/data/archive/"


def _quiet(message: str, args: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class RunResult:
    """What one run did; `exit_code` is what the command line returns."""

    status: str  # built | unchanged | dry-run
    source_version: str
    outputs: tuple[str, ...] = ()
    findings: dict[str, int] = field(default_factory=dict)
    writeback: str = "off"  # off | not needed | applied | unchanged | pending
    exit_code: int = EXIT_OK
    removed: tuple[str, ...] = ()  # outdated outputs removed from the output folder (relative paths)
    remove_error: str | None = None  # why outdated outputs stay until the next run
    backups: tuple[str, ...] = ()  # where the master as it was before each write-back is kept


class BusyError(DigireportError):
    """Another run holds the job lock."""

    exit_code = EXIT_BUSY


def open_storage(settings: Settings):
    """The storage backend the settings name; SharePoint is imported only when it is used."""
    if settings.source_kind == "sharepoint":
        from digireport.sharepoint import SharePointStorage

        return SharePointStorage(settings)
    from digireport.source import LocalStorage

    return LocalStorage()


def master_path(settings: Settings) -> str:
    return str(settings.local_path) if settings.source_kind == "local" else settings.roadmap_path


@contextlib.contextmanager
def job_lock(state_folder: Path) -> Iterator[None]:
    """Hold an exclusive lock on the state folder's lock file, or raise BusyError at once."""
    state_folder.mkdir(parents=True, exist_ok=True)
    path = state_folder / LOCK_FILE
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(_("{file}: another run is in progress"), file=str(path)) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)


class Stop:
    """A request to stop (SIGTERM, SIGINT), honoured at the run's safe points.

    While the build runs it writes nothing but its own staging folder, so there the request stops
    it at once (the staging folder is removed on the way out). Elsewhere the run goes on to the
    next safe point: between uploads, before the write-back, between write-backs.
    """

    def __init__(self) -> None:
        self.signal: str | None = None
        self._anywhere = False

    def install(self, signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> None:
        for number in signals:
            signal.signal(number, self.request)

    def request(self, signum: int, frame=None) -> None:
        if self.signal is not None:
            return
        self.signal = signal.Signals(signum).name
        if self._anywhere:
            self._anywhere = False
            raise self._error()

    def _error(self) -> StoppedError:
        error = StoppedError(_("stopped by {signal}; a pending write-back is applied by the next run"),
                             signal=self.signal)
        error.exit_code = 128 + signal.Signals[self.signal].value
        return error

    def check(self) -> None:
        """Raise StoppedError if a stop was requested: called at the safe points."""
        if self.signal is not None:
            raise self._error()

    @contextlib.contextmanager
    def anywhere(self) -> Iterator[None]:
        """A stretch of work that may be stopped at any point."""
        self.check()
        self._anywhere = True
        try:
            yield
        finally:
            self._anywhere = False


def os_failure(exc: OSError, path: object = None) -> StorageError:
    """One line for a file or folder the run could not use: full disk, no permission, read-only."""
    where = str(path or exc.filename or "")
    detail = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return StorageError(_("{path}: cannot be written: the disk is full ({detail})"), path=where, detail=detail)
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return StorageError(_("{path}: cannot be written: permission denied ({detail})"), path=where,
                            detail=detail)
    return StorageError(_("{path}: cannot be used ({detail})"), path=where, detail=detail)


USER_ERRNOS = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOENT,
               errno.ENOTDIR, errno.EISDIR, errno.EEXIST)


def _expect(condition: bool, path: Path, detail: str) -> None:
    if not condition:
        raise StorageError(_("{file}: the job state is damaged ({detail}); see docs/operations.md"), file=str(path),
                           detail=detail)


def load_state(state_folder: Path) -> dict[str, Any]:
    path = state_folder / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        state = {}
    except (OSError, ValueError) as exc:
        raise StorageError(_("{file}: the job state cannot be read ({detail})"), file=str(path),
                           detail=str(exc)) from None
    _expect(isinstance(state, dict), path, "not an object")
    state.setdefault("last_success", None)
    state.setdefault("pending", [])
    state.setdefault("published", None)  # {"folder": ..., "files": [relative paths]}
    state.setdefault("applied", [])
    _expect(state["last_success"] is None or isinstance(state["last_success"], dict), path, "last_success")
    _expect(isinstance(state["pending"], list)
            and all(isinstance(p, dict) and isinstance(p.get("label"), str) for p in state["pending"]),
            path, "pending")
    _expect(state["published"] is None or (isinstance(state["published"], dict)
                                           and isinstance(state["published"].get("files", []), list)),
            path, "published")
    _expect(isinstance(state["applied"], list), path, "applied")
    return state


def save_state(state_folder: Path, state: dict[str, Any]) -> None:
    state_folder.mkdir(parents=True, exist_ok=True)
    write_atomic(state_folder / STATE_FILE, json.dumps(state, indent=2, sort_keys=True).encode())


def read_journal(state_folder: Path) -> list[dict[str, Any]]:
    path = state_folder / JOURNAL_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _append_journal(state_folder: Path, entry: dict[str, Any]) -> None:
    state_folder.mkdir(parents=True, exist_ok=True)
    with (state_folder / JOURNAL_FILE).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")


def _apply_writeback() -> Callable[..., Any]:
    """`digireport.writeback.apply_writeback(data, name, label, roadmap=None)`, loaded when a run writes back."""
    from digireport.writeback import apply_writeback

    return apply_writeback


def output_inputs(settings: Settings, as_of: dt.date) -> str:
    """A fingerprint of what shapes the outputs besides the master: the settings that do, the template's
    content, the report date's year and month (the snapshot label and the followed-up years come
    from it) and the program's version."""
    from digireport import __version__

    parts: dict[str, Any] = {"settings": dict(settings.shaping), "month": as_of.strftime("%Y-%m"),
                             "program": __version__}
    if settings.template is not None:
        try:
            parts["template"] = hashlib.sha256(settings.template.read_bytes()).hexdigest()
        except OSError:
            parts["template"] = None  # the build says what is wrong with it
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:16]


def _recover(settings: Settings) -> None:
    """Journal a run that never finished (killed) and remove the temporary files killed runs left."""
    folder = settings.state_folder
    marker = folder / RUNNING_FILE
    try:
        previous = json.loads(marker.read_text(encoding="utf-8"))
    except FileNotFoundError:
        previous = None
    except (OSError, ValueError):
        previous = {}
    if previous is not None:
        if not isinstance(previous, dict):
            previous = {}
        previous.update(status="killed", end=None, exit_code=None,
                        error="the run ended without finishing (killed, or the machine stopped)")
        _append_journal(folder, previous)
        marker.unlink(missing_ok=True)
    remove_stale_temporaries(folder)
    if settings.source_kind == "local":
        remove_stale_temporaries(Path(settings.output_folder), recursive=True)
        remove_stale_temporaries(settings.local_path.parent)


def run_once(settings: Settings, as_of: dt.date, *, clock: Clock, force: bool = False, dry_run: bool = False,
             progress: Progress = _quiet, storage=None, stop: Stop | None = None) -> RunResult:
    """Fetch, build, publish and write back once; every run, failed, stopped or not, appends one journal line."""
    state_folder = settings.state_folder
    stop = stop or Stop()
    started = clock()
    entry: dict[str, Any] = {"start": started.isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
                             "source": settings.source_label, "force": force, "dry_run": dry_run,
                             "pid": os.getpid()}
    try:
        lock = job_lock(state_folder)
        lock.__enter__()
    except DigireportError as exc:
        entry.update(error=str(exc), exit_code=exc.exit_code, end=clock().isoformat(timespec="seconds"))
        _append_journal(state_folder, entry)
        raise
    except OSError as exc:
        raise os_failure(exc, state_folder) from None
    where = [state_folder]  # what the run is writing, for a failure that does not name its file
    try:
        try:
            _recover(settings)
            write_atomic(state_folder / RUNNING_FILE, json.dumps(entry).encode())
            result = _run(settings, as_of, force, dry_run, progress,
                          storage if storage is not None else open_storage(settings), clock, stop, where, started)
        except OSError as exc:
            raise os_failure(exc, exc.filename or where[-1]) from None
        entry.update(asdict(result), error=None)
        return result
    except DigireportError as exc:
        entry.update(error=str(exc), exit_code=exc.exit_code)
        raise
    except KeyboardInterrupt:
        entry.update(error=f"stopped by {stop.signal or 'SIGINT'}", exit_code=130)
        raise
    except Exception as exc:
        entry.update(error=f"{type(exc).__name__}: {exc}", exit_code=EXIT_INTERNAL)
        raise
    finally:
        entry["end"] = clock().isoformat(timespec="seconds")
        with contextlib.suppress(DigireportError, OSError):
            entry["pending"] = [p["label"] for p in load_state(state_folder)["pending"]]
        try:
            _append_journal(state_folder, entry)
            (state_folder / RUNNING_FILE).unlink(missing_ok=True)
            # a build stopped the moment its staging folder was made may not have removed it itself
            with contextlib.suppress(OSError):
                remove_stale_temporaries(state_folder, own=True)
        finally:
            lock.__exit__(None, None, None)


def _run(settings: Settings, as_of: dt.date, force: bool, dry_run: bool, progress: Progress, storage,
         clock: Clock, stop: Stop, where: list, started: dt.datetime | None = None) -> RunResult:
    state = load_state(settings.state_folder)
    path = master_path(settings)
    stop.check()
    progress(_("Fetching {source}"), {"source": settings.source_label})
    fetched = storage.download(path)
    stop.check()
    last = state["last_success"] or {}
    label = as_of.strftime(settings.label_format)
    # the translations workbook beside the master: a new version of it is a reason to build, too
    translations = storage.download(settings.translations) if settings.translations else None
    translations_version = translations.version if translations else None
    inputs = output_inputs(settings, as_of)
    same = (fetched.version == last.get("version") and inputs == last.get("inputs")
            and translations_version == last.get("translations"))
    if same and not force and not dry_run:
        progress(_("Unchanged since the last run ({version}); nothing to build"), {"version": fetched.version})
        wb, exit_code, backups = "off" if not settings.writeback else "not needed", EXIT_OK, []
        if state["pending"] and settings.writeback:
            wb, exit_code, backups = _write_back(settings, storage, path, fetched, None, state, progress, clock,
                                                 stop)
        return RunResult(status="unchanged", source_version=fetched.version, writeback=wb, exit_code=exit_code,
                         backups=tuple(backups))

    if fetched.version == last.get("version") and not force and not dry_run:
        progress(_("The master is unchanged, but the settings, the template, the month or the program "
                   "changed: building again"), {})
    where.append(settings.state_folder / "outputs")
    with stop.anywhere():
        built = _build(settings, as_of, fetched, progress, translations, started)
    findings = {s: sum(1 for f in built.roadmap.findings if f.severity.value == s) for s in ("error", "warning",
                                                                                              "info")}
    if dry_run:
        progress(_("Dry run: nothing published or written back"), {})
        return RunResult(status="dry-run", source_version=fetched.version,
                         outputs=tuple(sorted(str(p) for p in built.files)), findings=findings)
    stop.check()
    if settings.writeback and not any(p["label"] == label for p in state["pending"]):
        # the promise is kept before anything is published: whatever stops this run, the next one keeps it
        state["pending"].append({"label": label, "source_version": fetched.version})
        save_state(settings.state_folder, state)
    progress(_("Publishing {count} to {folder}"),
             {"count": Plural("{n} file", "{n} files", len(built.files)), "folder": settings.output_folder})
    where.append(settings.output_folder)
    published = storage.publish(built.files, built.base, settings.output_folder, check=stop.check)
    state["last_success"] = {"version": fetched.version, "as_of": as_of.isoformat(), "inputs": inputs}
    if translations_version:
        state["last_success"]["translations"] = translations_version
    removed, remove_error = _remove_outdated(settings, storage, state,
                                             [f.relative_to(built.base).as_posix() for f in built.files], progress)
    wb, exit_code, backups = ("off" if not settings.writeback else "not needed"), EXIT_OK, []
    if settings.writeback:
        stop.check()
        where.append(path)
        wb, exit_code, backups = _write_back(settings, storage, path, fetched, built.roadmap, state, progress,
                                             clock, stop)
    return RunResult(status="built", source_version=fetched.version, outputs=tuple(published), findings=findings,
                     writeback=wb, exit_code=exit_code, removed=tuple(removed), remove_error=remove_error,
                     backups=tuple(backups))


def outdated(previous: list[str], current: list[str]) -> list[str]:
    """Files the previous publish wrote that this one did not, compared ignoring case; the open data's
    archive of earlier releases (KEPT) is never outdated.

    SharePoint (and Windows shares) treat `Deck.pptx` and `deck.pptx` as one file: removing the
    old spelling would remove the file just published.
    """
    keep = {c.casefold() for c in current}
    return sorted(p for p in set(previous)
                  if _is_relative(p) and p.casefold() not in keep and not p.startswith(KEPT))


def _is_relative(path: str) -> bool:
    """A plain relative path that stays inside the output folder (state.json may have been edited)."""
    if not isinstance(path, str):
        return False
    pure = PurePosixPath(path)
    return (bool(path) and "\\" not in path and not pure.is_absolute() and ".." not in pure.parts
            and str(pure) == path)


def _remove_outdated(settings: Settings, storage, state: dict, current: list[str],
                     progress: Progress) -> tuple[list[str], str | None]:
    """Remove what the previous publish wrote and this one did not; called only after a whole publish.

    Until the removal is done the state lists the outdated files with the new ones, so a run that
    stops or fails meanwhile leaves them to the next run instead of forgetting them.
    """
    folder = settings.output_folder
    previous = state["published"] or {}
    stale = []
    # files written into another folder (output.folder changed) are not ours to remove here
    if previous.get("folder") == folder:
        master = master_path(settings)
        stale = [p for p in outdated(previous.get("files", []), current)
                 if not _same_path(settings, f"{folder}/{p}", master)]
    state["published"] = {"folder": folder, "files": sorted({*current, *stale})}
    save_state(settings.state_folder, state)
    if not stale:
        return [], None
    try:
        removed = storage.remove(folder, stale)
    except DigireportError as exc:
        progress(_("Outdated files could not be removed from {folder} ({error}); the next run tries again"),
                 {"folder": folder, "error": str(exc), "files": stale})
        return [], str(exc)
    state["published"] = {"folder": folder, "files": sorted(current)}
    save_state(settings.state_folder, state)
    progress(_("Removed {count} from {folder}"),
             {"count": Plural("{n} outdated file", "{n} outdated files", len(removed)), "folder": folder, "files": removed,
              "skipped": sorted(set(stale) - set(removed))})
    return removed, None


def _same_path(settings: Settings, path: str, master: str) -> bool:
    if settings.source_kind == "local":
        return Path(path).resolve() == Path(master).resolve()
    return path.casefold() == master.casefold()


@dataclass
class _Built:
    base: Path
    files: list[Path]
    roadmap: Any


def _build(settings: Settings, as_of: dt.date, fetched, progress: Progress, translations=None,
           generated: dt.datetime | None = None) -> _Built:
    from digireport.pipeline import BuildOptions, build

    out = settings.state_folder / "outputs"
    if out.exists():
        shutil.rmtree(out)  # a fresh folder, so outputs a renderer no longer writes are not published
    options = BuildOptions(as_of=as_of, languages=settings.languages, template=settings.template,
                           max_list_rows=settings.max_list_rows, **settings.deck.build_options(),
                           workers=settings.workers, web=settings.web, generated=generated,
                           translations=(translations.name, translations.data) if translations else None)
    result = build(fetched.data, fetched.name, out, options, progress)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return _Built(base=out, files=files, roadmap=result.roadmap)


def _write_back(settings: Settings, storage, path: str, fetched, roadmap, state: dict, progress: Progress,
                clock: Clock, stop: Stop):
    """Apply every pending snapshot label to the master, oldest first; a lock leaves them pending.

    Before each change the master as it was is kept: locally a copy in the state folder, on
    SharePoint the version the file's version history keeps.
    """
    apply = _apply_writeback()
    wrote = False
    backups: list[str] = []
    for pending in list(state["pending"]):
        stop.check()
        label = pending["label"]
        current = fetched
        for attempt in range(CONFLICT_TRIES):
            stamp = clock().astimezone(dt.UTC).strftime("backup-%Y%m%d-%H%M%S")

            def keep(before, label=label, stamp=stamp) -> str:
                """The master as it was before this write-back, kept where the job keeps backups."""
                backup = storage.backup(path, before, settings.state_folder / BACKUP_FOLDER, stamp,
                                        settings.keep_backups)
                progress(_("The master before write-back {label} is kept: {backup}"), {"label": label, "backup": backup})
                return backup

            try:
                if settings.source_kind == "local":
                    # the same write-back as `digireport writeback`: under the master's lock from read to replace
                    from digireport.writeback import apply_writeback_file

                    done = apply_writeback_file(Path(path), label, roadmap=roadmap if current is fetched else None,
                                                keep=keep)
                    result, new_version = done.result, done.version
                    backup = str(done.backup) if done.backup is not None else None
                    current = type(current)(name=current.name, data=current.data, version=done.read_version)
                else:
                    result = apply(current.data, current.name, label, roadmap=roadmap if current is fetched else None)
                    backup = keep(current) if result.changed else None
                    new_version = (storage.write_back(path, result.data, current.version) if result.changed
                                   else current.version)
            except ConflictError:
                if attempt + 1 == CONFLICT_TRIES:
                    raise
                progress(_("The master changed meanwhile; reading it again"), {})
                current = storage.download(path)
                continue
            except LockedError:
                progress(_("The master is locked (open in Excel); write-back {label} waits for the next run"),
                         {"label": label})
                return "pending", EXIT_LOCKED, backups
            if backup is not None:
                backups.append(backup)
            if not result.changed:
                progress(_("Write-back {label}: the master is already up to date"), {"label": label})
                break
            progress(_("Wrote back {label} ({changes} changes)"), {"label": label, "changes": len(result.changes)})
            # our own save is not a new source: the next run should not rebuild because of it
            if state["last_success"] and state["last_success"].get("version") == current.version:
                state["last_success"]["version"] = new_version
            wrote = True
            fetched = current = type(fetched)(name=current.name, data=result.data, version=new_version)
            roadmap = None  # it describes the version before this write-back
            break
        state["pending"].remove(pending)
        # a record for people, two years' worth; a label applied again (a forced run) is not listed twice
        state["applied"] = [*(x for x in state.get("applied", []) if x != label), label][-24:]
        save_state(settings.state_folder, state)
    return ("applied" if wrote else "unchanged"), EXIT_OK, backups


def file_logger(log_file: Path) -> logging.Logger:
    """A logger writing one structured line per event to `log_file` (UTC time, level, event, fields)."""
    logger = logging.getLogger(f"digireport.job.{log_file}")
    if not logger.handlers:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, encoding="utf-8")
        formatter = logging.Formatter("%(asctime)s %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


LIBRARY_LOGGERS = ("office365", "msal", "urllib3")


def capture_library_logs(logger: logging.Logger) -> None:
    """Send what the SharePoint and sign-in libraries log to the job's log, never to the terminal."""
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.propagate = False
        for handler in logger.handlers:
            if handler not in library.handlers:
                library.addHandler(handler)


def log_line(event: str, **fields: Any) -> str:
    """`event key=value ...` with values JSON-quoted, so log lines split unambiguously."""
    return " ".join([event, *(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in fields.items())])


def logging_progress(logger: logging.Logger, also: Progress = _quiet) -> Progress:
    """A progress callback that logs each message id with its fields, then passes it on."""
    def progress(message: str, args: dict[str, Any]) -> None:
        logger.info(log_line("progress", message=message, **args))
        also(message, args)

    return progress


def summary(result: RunResult, loc) -> str:
    """One line for the terminal: what the run did."""
    if result.status == "unchanged":
        text = loc(_("Unchanged since the last run; nothing built"))
    elif result.status == "dry-run":
        text = loc(_("Dry run: {count} built, nothing published"),
                   count=Plural("{n} file", "{n} files", len(result.outputs)))
    else:
        from digireport.findings import count_phrase

        text = loc(_("Done: {files} published; findings: {counts}"),
                   files=loc.ngettext("{n} file", "{n} files", len(result.outputs)),
                   counts=count_phrase(result.findings.get("error", 0), result.findings.get("warning", 0), loc))
    if result.removed:
        text += " " + loc(_("Outdated files removed: {count}."), count=len(result.removed))
    if result.remove_error:
        text += " " + loc(_("Outdated files could not be removed; the next run tries again."))
    if result.writeback == "pending":
        text += " " + loc(_("The write-back is pending: the master is locked."))
    elif result.writeback == "applied":
        text += " " + loc(_("The snapshot was written back into the master."))
    return text
