"""Where the master workbook's bytes come from and where outputs go: the local folder backend."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from digireport.errors import SourceError, StorageError
from digireport.i18n import _

MAX_SOURCE_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Fetched:
    """The bytes of one version of the master workbook and what identifies that version."""

    name: str
    data: bytes
    version: str  # sha256 locally, the ETag on SharePoint


def fetch_local(path: Path) -> Fetched:
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise SourceError(_("{name}: file not found"), name=str(path)) from None
    except OSError as exc:
        raise SourceError(_("{name}: cannot be read ({detail})"), name=str(path), detail=exc.strerror) from None
    if path.is_dir():
        raise SourceError(_("{name}: is a folder, not a workbook"), name=str(path))
    if size > MAX_SOURCE_BYTES:
        raise SourceError(_("{name}: refused, the file is {size} bytes"), name=str(path), size=size)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(_("{name}: cannot be read ({detail})"), name=str(path), detail=exc.strerror) from None
    return Fetched(name=path.name, data=data, version=hashlib.sha256(data).hexdigest())


# Temporary files and folders carry the id of the process that made them, so one left behind by a
# process that was killed can be told from one in use: ".deck-fi.pptx.4711.k2j3h4.tmp".
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.[a-z0-9_]+\.tmp$")


def _temporary_prefix(name: str) -> str:
    return f".{name}.{os.getpid()}."


def current_umask() -> int:
    """The process's file mode creation mask, read without changing it where the system allows."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_stale_temporaries(folder: Path, recursive: bool = False, own: bool = False) -> list[Path]:
    """Remove temporary files and folders left in `folder` by processes that no longer run.

    With `own`, also this process's: for a caller that knows none of them is in use any more.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return []
    removed = []
    walk = os.walk(folder) if recursive else [(str(folder), [], [])]
    for root, _dirs, _files in walk:
        for entry in os.scandir(root):
            match = _TEMPORARY.match(entry.name)
            if match is None or (_alive(int(match.group(1))) and not (own and int(match.group(1)) == os.getpid())):
                continue
            path = Path(entry.path)
            try:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                continue
            removed.append(path)
    return removed


def staging_dir(out: Path) -> Path:
    """A fresh folder beside `out` (same file system, so the final moves are renames).

    Staging folders that a killed build left beside `out` are removed first.
    """
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{glob_escape(out.name)}.*.tmp"):
        match = _TEMPORARY.match(stale.name)
        if match is not None and not _alive(int(match.group(1))) and stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=_temporary_prefix(out.name), suffix=".tmp", dir=out.parent))


def glob_escape(name: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", name)


def promote(staging: Path, out: Path) -> list[Path]:
    """Move every output from `staging` into `out`, replacing older ones; then remove `staging`."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    moved = []
    for item in sorted(staging.iterdir()):
        target = out / item.name
        if item.is_dir():
            old = None
            if target.exists():
                old = staging / f".old-{item.name}"
                os.replace(target, old)
            os.replace(item, target)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(item, target)
        moved.append(target)
    shutil.rmtree(staging, ignore_errors=True)
    return moved


def write_atomic(path: Path, data: bytes, like: os.stat_result | None = None) -> None:
    """Write `data` to `path` through a temporary file and a rename.

    The file gets the mode any program would give a new file (0644 under umask 022), or with `like`
    the mode, owner and group of that file (as far as this user may set them).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=_temporary_prefix(path.name), suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; a published file is readable as the umask allows, like any new file
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if like is None:
                os.fchmod(fh.fileno(), 0o666 & ~current_umask())
            else:
                _take_over(fh.fileno(), like)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _take_over(fd: int, like: os.stat_result) -> None:
    """Give the file behind `fd` the owner, group and mode of `like` (the owner only as root)."""
    for uid, gid in ((like.st_uid, like.st_gid), (-1, like.st_gid)):
        try:
            os.fchown(fd, uid, gid)
            break
        except PermissionError:
            continue
    os.fchmod(fd, like.st_mode & 0o7777)


class LocalStorage:
    """The master workbook and the outputs in local folders; versions are sha256 of the content."""

    def download(self, path: str) -> Fetched:
        return fetch_local(Path(path))

    def version(self, path: str) -> str:
        return fetch_local(Path(path)).version

    def publish(self, files: list[Path], base: Path, folder: str, check=lambda: None) -> list[str]:
        """Copy `files` (paths under `base`) into `folder`, each through a temporary file and a rename.

        `check` is called before each file and may raise to stop between files.
        """
        done = []
        for file in sorted(files):
            check()
            target = Path(folder) / file.relative_to(base)
            target.parent.mkdir(parents=True, exist_ok=True)
            if file.resolve() != target.resolve():
                write_atomic(target, file.read_bytes())
            done.append(str(target))
        return done

    def remove(self, folder: str, relative_paths: list[str]) -> list[str]:
        """Delete these files under `folder`, and sub-folders they leave empty; return those deleted.

        A file already gone is fine. Only plain files inside `folder` are touched: a symbolic link or
        a folder at such a path was put there by someone else.
        """
        base = Path(folder).resolve()
        removed = []
        for relative in sorted(relative_paths):
            target = base / relative
            if not target.resolve().is_relative_to(base) or target.is_symlink() or not target.is_file():
                continue
            try:
                target.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise StorageError(_("{path}: cannot be removed ({detail})"), path=str(target),
                                   detail=exc.strerror) from None
            removed.append(relative)
            parent = target.parent
            while parent != base and parent.is_relative_to(base):
                try:
                    parent.rmdir()  # only succeeds when nothing else is left in it
                except OSError:
                    break
                parent = parent.parent
        return removed

    def write_back(self, path: str, data: bytes, version: str) -> str:
        """Replace the master only if its content on disk is still `version`; return the new version."""
        from digireport.errors import ConflictError, LockedError

        target = Path(path).resolve()
        # Excel keeps "~$<name>" beside a workbook it has open; its later save would undo ours
        lock = target.with_name("~$" + target.name)
        if lock.exists():
            raise LockedError(_("{name}: the workbook is open in Excel ({lock} exists); the write-back waits "
                                "for the next run"), name=str(path), lock=lock.name)
        if self.version(path) != version:
            raise ConflictError(_("{name}: the file changed since it was read"), status=412, name=str(path))
        # the workbook keeps its mode, owner and group: who may read and save it is not ours to change
        write_atomic(target, data, like=target.stat())
        return hashlib.sha256(data).hexdigest()

    def backup(self, path: str, fetched: Fetched, folder: Path, stamp: str, keep: int) -> str:
        """Copy the master as it was before a write-back into `folder`, keeping the newest `keep` copies."""
        source = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{source.stem}.{stamp}{source.suffix}"
        write_atomic(target, fetched.data, like=source.stat())
        copies = sorted(folder.glob(f"{glob_escape(source.stem)}.*{glob_escape(source.suffix)}"))
        for old in copies[:-keep] if keep else copies:
            old.unlink(missing_ok=True)
        return str(target)
