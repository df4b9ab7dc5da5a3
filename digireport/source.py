"""Where the master workbook's bytes come from and where outputs go: the local folder backend."""

from __future__ import annotations

import hashlib
import os
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


def staging_dir(out: Path) -> Path:
    """A fresh folder beside `out` (same file system, so the final moves are renames)."""
    out = Path(out).resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))


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


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        # mkstemp makes the file private; a published file is readable as the umask allows, like any new file
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LocalStorage:
    """The master workbook and the outputs in local folders; versions are sha256 of the content."""

    def download(self, path: str) -> Fetched:
        return fetch_local(Path(path))

    def version(self, path: str) -> str:
        return fetch_local(Path(path)).version

    def publish(self, files: list[Path], base: Path, folder: str) -> list[str]:
        """Copy `files` (paths under `base`) into `folder`, each through a temporary file and a rename."""
        done = []
        for file in sorted(files):
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
        mode = target.stat().st_mode & 0o7777
        write_atomic(target, data)
        target.chmod(mode)  # the temporary file was private; the workbook keeps who may read it
        return hashlib.sha256(data).hexdigest()
