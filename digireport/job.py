"""One run of the job: fetch the master → build the outputs → publish them → write the snapshot back.

State lives in the configured state folder:
- `state.json`: the source version of the last successful run, write-backs still pending and the
  files the last publish wrote (so outputs a later run no longer makes can be removed);
- `journal.jsonl`: one JSON line per run (start, end, source version, outputs, findings, removed, error);
- `job.lock`: held while a run is going on, so two runs never overlap.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from digireport.errors import ConflictError, DigireportError, LockedError, StorageError
from digireport.i18n import _
from digireport.settings import Settings
from digireport.source import write_atomic

Progress = Callable[[str, dict[str, Any]], None]
Clock = Callable[[], dt.datetime]

EXIT_OK = 0
EXIT_CONFIG = 2
EXIT_CONFLICT = 3
EXIT_LOCKED = 4
EXIT_BUSY = 5
EXIT_INTERNAL = 70

CONFLICT_TRIES = 3
STATE_FILE = "state.json"
JOURNAL_FILE = "journal.jsonl"
LOCK_FILE = "job.lock"


def _quiet(message: str, args: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class RunResult:
    """What one run did; `exit_code` is what the command line returns."""

    status: str  # built | unchanged | dry-run
    source_version: str
    outputs: tuple[str, ...] = ()
    findings: dict[str, int] = field(default_factory=dict)
    writeback: str = "off"  # off | applied | unchanged | pending | skipped
    exit_code: int = EXIT_OK
    removed: tuple[str, ...] = ()  # outdated outputs removed from the output folder (relative paths)
    remove_error: str | None = None  # why outdated outputs stay until the next run


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


def load_state(state_folder: Path) -> dict[str, Any]:
    path = state_folder / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        state = {}
    except (OSError, ValueError) as exc:
        raise StorageError(_("{file}: the job state cannot be read ({detail})"), file=str(path),
                           detail=str(exc)) from None
    state.setdefault("last_success", None)
    state.setdefault("pending", [])
    state.setdefault("published", None)  # {"folder": ..., "files": [relative paths]}
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
    """`digireport.writeback.apply_writeback(data, name, label, roadmap=None)`, if this installation has it."""
    try:
        from digireport.writeback import apply_writeback
    except ImportError:
        raise DigireportError(_("write-back is switched on but not available in this installation")) from None
    return apply_writeback


def run_once(settings: Settings, as_of: dt.date, *, clock: Clock, force: bool = False, dry_run: bool = False,
             progress: Progress = _quiet, storage=None) -> RunResult:
    """Fetch, build, publish and write back once; every run, failed or not, appends one journal line."""
    state_folder = settings.state_folder
    start = clock()
    entry: dict[str, Any] = {"start": start.isoformat(timespec="seconds"), "as_of": as_of.isoformat(),
                             "source": settings.source_label, "force": force, "dry_run": dry_run}
    try:
        with job_lock(state_folder):
            result = _run(settings, as_of, force, dry_run, progress,
                          storage if storage is not None else open_storage(settings), start)
        entry.update(asdict(result), error=None)
        return result
    except DigireportError as exc:
        entry.update(error=str(exc), exit_code=exc.exit_code)
        raise
    except Exception as exc:
        entry.update(error=f"{type(exc).__name__}: {exc}", exit_code=EXIT_INTERNAL)
        raise
    finally:
        entry["end"] = clock().isoformat(timespec="seconds")
        _append_journal(state_folder, entry)


def _run(settings: Settings, as_of: dt.date, force: bool, dry_run: bool, progress: Progress, storage,
         start: dt.datetime | None = None) -> RunResult:
    if settings.writeback and not dry_run:
        _apply_writeback()  # fail before fetching anything if this installation cannot write back
    state = load_state(settings.state_folder)
    path = master_path(settings)
    progress(_("Fetching {source}"), {"source": settings.source_label})
    fetched = storage.download(path)
    last = state["last_success"] or {}
    label = as_of.strftime(settings.label_format)
    if fetched.version == last.get("version") and not force and not dry_run:
        progress(_("Unchanged since the last run ({version}); nothing to build"), {"version": fetched.version})
        wb, exit_code = "off", EXIT_OK
        if state["pending"] and settings.writeback:
            wb, exit_code = _write_back(settings, storage, path, fetched, None, state, progress)
        return RunResult(status="unchanged", source_version=fetched.version, writeback=wb, exit_code=exit_code)

    built = _build(settings, as_of, fetched, progress, start)
    findings = {s: sum(1 for f in built.roadmap.findings if f.severity.value == s) for s in ("error", "warning",
                                                                                              "info")}
    if dry_run:
        progress(_("Dry run: nothing published or written back"), {})
        return RunResult(status="dry-run", source_version=fetched.version,
                         outputs=tuple(sorted(str(p) for p in built.files)), findings=findings)
    progress(_("Publishing {count} files to {folder}"), {"count": len(built.files), "folder": settings.output_folder})
    published = storage.publish(built.files, built.base, settings.output_folder)
    state["last_success"] = {"version": fetched.version, "as_of": as_of.isoformat()}
    removed, remove_error = _remove_outdated(settings, storage, state,
                                             [f.relative_to(built.base).as_posix() for f in built.files], progress)
    wb, exit_code = "off", EXIT_OK
    if settings.writeback:
        if not any(p["label"] == label for p in state["pending"]):
            state["pending"].append({"label": label, "source_version": fetched.version})
        wb, exit_code = _write_back(settings, storage, path, fetched, built.roadmap, state, progress)
    return RunResult(status="built", source_version=fetched.version, outputs=tuple(published), findings=findings,
                     writeback=wb, exit_code=exit_code, removed=tuple(removed), remove_error=remove_error)


def outdated(previous: list[str], current: list[str]) -> list[str]:
    """Files the previous publish wrote that this one did not, compared ignoring case.

    SharePoint (and Windows shares) treat `Deck.pptx` and `deck.pptx` as one file: removing the
    old spelling would remove the file just published.
    """
    keep = {c.casefold() for c in current}
    return sorted(p for p in set(previous) if _is_relative(p) and p.casefold() not in keep)


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
    progress(_("Removed {count} outdated files from {folder}"),
             {"count": len(removed), "folder": folder, "files": removed,
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


def _build(settings: Settings, as_of: dt.date, fetched, progress: Progress, start: dt.datetime | None) -> _Built:
    from digireport.pipeline import BuildOptions, build

    out = settings.state_folder / "outputs"
    if out.exists():
        shutil.rmtree(out)  # a fresh folder, so outputs a renderer no longer writes are not published
    options = BuildOptions(as_of=as_of, languages=settings.languages, template=settings.template,
                           presenter=settings.presenter, max_list_rows=settings.max_list_rows,
                           workers=settings.workers, generated=start)
    result = build(fetched.data, fetched.name, out, options, progress)
    files = sorted(p for p in out.rglob("*") if p.is_file())
    return _Built(base=out, files=files, roadmap=result.roadmap)


def _write_back(settings: Settings, storage, path: str, fetched, roadmap, state: dict, progress: Progress):
    """Apply every pending snapshot label to the master, oldest first; a lock leaves them pending."""
    apply = _apply_writeback()
    wrote = False
    for pending in list(state["pending"]):
        label = pending["label"]
        current = fetched
        for attempt in range(CONFLICT_TRIES):
            result = apply(current.data, current.name, label, roadmap=roadmap if current is fetched else None)
            if not result.changed:
                progress(_("Write-back {label}: the master is already up to date"), {"label": label})
                break
            try:
                new_version = storage.write_back(path, result.data, current.version)
            except ConflictError:
                if attempt + 1 == CONFLICT_TRIES:
                    save_state(settings.state_folder, state)
                    raise
                progress(_("The master changed meanwhile; reading it again"), {})
                current = storage.download(path)
                continue
            except LockedError:
                save_state(settings.state_folder, state)
                progress(_("The master is locked (open in Excel); write-back {label} waits for the next run"),
                         {"label": label})
                return "pending", EXIT_LOCKED
            progress(_("Wrote back {label} ({changes} changes)"), {"label": label, "changes": len(result.changes)})
            # our own save is not a new source: the next run should not rebuild because of it
            if state["last_success"] and state["last_success"].get("version") == current.version:
                state["last_success"]["version"] = new_version
            wrote = True
            fetched = current = type(fetched)(name=current.name, data=result.data, version=new_version)
            roadmap = None  # it describes the version before this write-back
            break
        state["pending"].remove(pending)
        state["applied"] = [*state.get("applied", []), label][-24:]  # a record for people, two years' worth
        save_state(settings.state_folder, state)
    return ("applied" if wrote else "unchanged"), EXIT_OK


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
        text = loc(_("Dry run: {count} files built, nothing published"), count=len(result.outputs))
    else:
        text = loc(_("Done: {count} files published; findings: {errors} errors, {warnings} warnings"),
                   count=len(result.outputs), errors=result.findings.get("error", 0),
                   warnings=result.findings.get("warning", 0))
    if result.removed:
        text += " " + loc(_("Outdated files removed: {count}."), count=len(result.removed))
    if result.remove_error:
        text += " " + loc(_("Outdated files could not be removed; the next run tries again."))
    if result.writeback == "pending":
        text += " " + loc(_("The write-back is pending: the master is locked."))
    return text
