"""One lock per master workbook, and the lock files Excel and LibreOffice leave beside a file they have open.

The lock is an OS lock (`flock`) on the workbook file itself, so it needs no file of its own and
every write-back of the same file, from any process, waits for the others. A write-back replaces
the file through a rename, which gives the path a new inode: a waiting process that then holds the
lock on the old inode sees that the path moved on and locks again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path

from digireport.errors import LockedError
from digireport.i18n import _

BUSY = _("{name}: another write-back of this workbook is going on; nothing was written, run again later")
OPEN_ELSEWHERE = _("{name}: the workbook is open in {app} ({lock} exists); nothing was written, "
                   "close it and run again")

POLL_SECONDS = 0.05


def office_lock(path: Path) -> tuple[str, Path] | None:
    """(application, lock file) when Excel's `~$name` or LibreOffice's `.~lock.name#` is beside `path`."""
    for app, lock in (("Excel", path.with_name("~$" + path.name)),
                      ("LibreOffice", path.with_name(f".~lock.{path.name}#"))):
        if lock.exists():
            return app, lock
    return None


def refuse_if_open(path: Path) -> None:
    """Raise `LockedError` (exit 4) when an office application has `path` open."""
    found = office_lock(path)
    if found is not None:
        app, lock = found
        raise LockedError(OPEN_ELSEWHERE, name=path.name, app=app, lock=lock.name)


@contextlib.contextmanager
def master_lock(path: Path, wait: float = 60.0) -> Iterator[None]:
    """Hold the exclusive lock of the workbook at `path` for the block; wait up to `wait` seconds.

    Raises `LockedError` (exit 4) when another write-back keeps it longer.
    """
    path = Path(path)
    deadline = time.monotonic() + wait
    while True:
        fd = os.open(path, os.O_RDONLY)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockedError(BUSY, name=path.name) from None
                    time.sleep(POLL_SECONDS)
            try:
                now = os.stat(path)
            except FileNotFoundError:
                now = None
            held = os.fstat(fd)
            if now is not None and (now.st_ino, now.st_dev) == (held.st_ino, held.st_dev):
                yield
                return
        finally:
            os.close(fd)  # closing the descriptor releases the lock
