"""Lossless write-back of a status snapshot and data-quality remarks into the master workbook.

The roadmap sheet's XML is edited in place inside the package: new or changed cells are spliced
into the text of the sheet part and every other byte of that part, and every other part of the
package, is kept. Loading and saving the workbook with a spreadsheet library would drop what the
library cannot model (text boxes, sparklines, Excel 2010 data bars).
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import hashlib
import html
import os
import re
import tempfile
import zipfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from defusedxml import ElementTree

from digireport.errors import ConflictError, DigireportError, SourceError, StorageError
from digireport.i18n import L10n, _, l10n
from digireport.labels import STATUS_LABELS
from digireport.model import Roadmap, SheetInfo, Status
from digireport.ooxml import (
    MAIN_NS,
    WORKBOOK,
    column_index,
    column_letters,
    escape_attribute,
    escape_text,
    related_part,
    relationships,
    rewrite,
    sheet_id,
)

if TYPE_CHECKING:
    from digireport.source import Fetched
from digireport.package import check_package

SNAPSHOT_HEADER = _("Snapshot status {label}")
REMARKS_HEADER = _("Data check")

BAD_LABEL = _("{label}: not a snapshot label; expected MM/YYYY with a month 01–12 and a year 2000–2099, "
              "e.g. 11/2025")
NO_SHEET = _("{name}: the roadmap sheet {sheet} was not found in the workbook")
NO_PART = _("{name}: the part {part} of sheet {sheet} is missing from the workbook")
NO_ROOM = _("{name}: sheet {sheet} has no free column left before XFD, Excel's last column, for the {what}; "
            "nothing was written")
WHAT_SNAPSHOT = _("snapshot")
WHAT_REMARKS = _("remarks")
OTHER_VERSION = _("{name}: the roadmap was read from another version of the workbook")
CHANGED_ON_DISK = _(
    "{name}: the file changed on disk after it was read; nothing was written, run the write-back again")
READ_ONLY = _("{name}: the workbook is read-only (mode {mode}); nothing was written (--force writes it anyway)")
CANNOT_WRITE = _("{name}: the workbook cannot be written ({detail}); nothing was written")
UNREADABLE_SHEET = _("{name}: the sheet {sheet} cannot be edited ({detail})")
CHANGE_LINE = _("Row {row} {id} column {column}: {old} → {new}")
NO_CHANGES = _("{name}: already up to date for {label}; nothing was written")
# {count} is an i18n.Plural of cells
DRY_RUN_DONE = _("Dry run: {count} would change; nothing was written")
WRITTEN = _("{name}: {count} changed")
BACKUP_WRITTEN = _("Backup: {path}")
UNHIDDEN = _("Columns {columns} were hidden; the written ones were made visible")
EMPTY = _("(empty)")

REMARK_SEPARATOR = "; "
LAST_COLUMN = 16384  # XFD
LOCK_WAIT_SECONDS = 60.0

_LABEL = re.compile(r"(0?[1-9]|1[0-2])/(20[0-9][0-9])", re.ASCII)
_HEADER_LABEL = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{2,4})")
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_FORMULA = re.compile(rb"<(?:\w+:)?c\b[^>]*>\s*<(?:\w+:)?f[\s>/]")  # a cell's formula


@dataclass(frozen=True)
class Change:
    """One cell the write-back sets: its row, the project id on that row, the old and new text."""

    row: int
    id: str | None
    old: str | None
    new: str | None
    column: str = ""


@dataclass(frozen=True)
class WritebackResult:
    data: bytes
    changes: list[Change]
    changed: bool
    unhidden: tuple[str, ...] = ()  # written columns that were hidden and were made visible


@dataclass(frozen=True)
class FileWriteback:
    """What `apply_writeback_file` did to a file on disk."""

    path: Path
    result: WritebackResult
    written: bool
    backup: Path | None
    version: str = ""  # sha256 of the file as it is now
    read_version: str = ""  # sha256 of the file the write-back was computed from


def check_label(label: str) -> str:
    """`label` as MM/YYYY (`1/2026` → `01/2026`), or a `DigireportError`.

    Only ASCII digits, a month 01–12 and a year 2000–2099: the label becomes a column header."""
    m = _LABEL.fullmatch(label or "") if isinstance(label, str) else None
    if m is None:
        raise DigireportError(BAD_LABEL, label=repr(label) if isinstance(label, str) and label != label.strip()
                              else label)
    return f"{int(m.group(1)):02d}/{m.group(2)}"


def status_word(status: Status, loc: L10n) -> str:
    return loc(STATUS_LABELS[status])


def apply_writeback(data: bytes, name: str, label: str, roadmap: Roadmap | None = None) -> WritebackResult:
    """Set the 'Tila MM/YYYY' snapshot and 'Tarkistus' remarks columns of the roadmap sheet."""
    label = check_label(label)
    if roadmap is None:
        from digireport.roadmap import parse_roadmap

        roadmap = parse_roadmap(data, name)
    elif roadmap.source.sha256 != hashlib.sha256(data).hexdigest():
        raise DigireportError(OTHER_VERSION, name=name)
    package = check_package(data, name)
    info = roadmap.sheet("roadmap")
    if info is None:
        raise SourceError(NO_SHEET, name=name, sheet="")
    part = _sheet_part(package, name, info.name)
    try:
        sheet = _Sheet(package.read(part).decode("utf-8"), lambda: _shared_strings(package))
        plan = _plan(sheet, roadmap, info, label, name)
    except (ValueError, IndexError, KeyError) as exc:
        raise SourceError(UNREADABLE_SHEET, name=name, sheet=info.name, detail=str(exc)) from None
    changes = plan.changes
    if not changes:
        return WritebackResult(data=data, changes=[], changed=False)
    new_headers = {column_index(c.column): c.new for c in changes if c.row == info.header_row and c.old is None}
    parts = {}
    workbook = package.read(WORKBOOK).decode("utf-8")
    widened = sheet.widen_filter(info.header_row, set(new_headers))
    if widened is not None:
        workbook = _widen_filter_name(workbook, info.name, *widened) or workbook
    if _has_formulas(package):
        workbook = _calculate_on_load(workbook)
    if workbook.encode("utf-8") != package.read(WORKBOOK):
        parts[WORKBOOK] = workbook.encode("utf-8")
    parts.update(_rename_table_columns(package, part, info.header_row, new_headers))
    parts[part] = sheet.render().encode("utf-8")
    new_data = rewrite(package, parts.get)
    from digireport.verify import Edit, verify_writeback

    verify_writeback(data, new_data, name, Edit(sheet=info.name, part=part, header_row=info.header_row,
                                                changes=tuple(changes), looks=plan.looks,
                                                rows=frozenset(sheet.touched_rows()), parts=frozenset(parts)))
    return WritebackResult(data=new_data, changes=changes, changed=True, unhidden=tuple(plan.unhidden))


def backup_path(path: Path, stamp: dt.datetime) -> Path:
    """A free name beside `path` carrying `stamp`: tiekartta_v2.backup-20251202-141500.xlsx."""
    path = Path(path)
    base = f"{path.stem}.backup-{stamp:%Y%m%d-%H%M%S}"
    candidate = path.with_name(base + path.suffix)
    n = 1
    while candidate.exists():
        candidate = path.with_name(f"{base}-{n}{path.suffix}")
        n += 1
    return candidate


def apply_writeback_file(path: Path, label: str, *, dry_run: bool = False, backup_at: dt.datetime | None = None,
                         force: bool = False, roadmap: Roadmap | None = None,
                         wait: float = LOCK_WAIT_SECONDS, keep: Callable[[Fetched], str] | None = None) -> FileWriteback:
    """Write back into the workbook at `path`: the one write-back of a local master, for the
    `writeback` command and the job alike.

    Holds the master's lock from the read to the replace; refuses when Excel or LibreOffice has the
    file open (`LockedError`), when it is read-only without `force`, and when it changed on disk
    meanwhile (`ConflictError`). The file keeps its owner, group, mode and ACLs. `roadmap`, when it
    was read from the same bytes, saves reading the workbook twice. `keep`, when the master is about
    to change, is given the master as it was, still under the lock (the job's backup).
    """
    from digireport.lock import master_lock, refuse_if_open
    from digireport.source import fetch_local

    label = check_label(label)
    path = Path(path).resolve()  # a symbolic link is followed, not replaced by a plain file
    fetched = fetch_local(path)  # a missing or unreadable file is refused here with its own message
    if dry_run:
        result = apply_writeback(fetched.data, fetched.name, label, _same(roadmap, fetched.version))
        return FileWriteback(path=path, result=result, written=False, backup=None, version=fetched.version,
                             read_version=fetched.version)
    with master_lock(path, wait):
        refuse_if_open(path)
        fetched = fetch_local(path)
        result = apply_writeback(fetched.data, fetched.name, label, _same(roadmap, fetched.version))
        if not result.changed:
            return FileWriteback(path=path, result=result, written=False, backup=None, version=fetched.version,
                                 read_version=fetched.version)
        st = path.stat()
        if not force and not st.st_mode & 0o222:
            raise SourceError(READ_ONLY, name=fetched.name, mode=f"{st.st_mode & 0o777:o}")
        backup = None
        if backup_at is not None:
            backup = backup_path(path, backup_at)
            _write_new(backup, fetched.data, st)
        kept = keep(fetched) if keep is not None else None
        # Excel does not honour the lock: look again right before replacing
        refuse_if_open(path)
        if hashlib.sha256(path.read_bytes()).hexdigest() != fetched.version:
            if backup is not None:
                backup.unlink(missing_ok=True)
            raise ConflictError(CHANGED_ON_DISK, name=fetched.name)
        _replace(path, result.data, st, force)
    return FileWriteback(path=path, result=result, written=True, backup=backup if kept is None else Path(kept),
                         version=hashlib.sha256(result.data).hexdigest(), read_version=fetched.version)


def _same(roadmap: Roadmap | None, version: str) -> Roadmap | None:
    return roadmap if roadmap is not None and roadmap.source.sha256 == version else None


# ---- replacing the file, keeping who owns it ------------------------------------------------------


def _replace(path: Path, data: bytes, st: os.stat_result, force: bool) -> None:
    """Put `data` into `path` keeping its owner, group, mode, ACLs and hard links.

    A new file renamed over the old one is atomic: a crash leaves the old or the new version. It is
    used whenever the new file can carry the old one's owner, group and ACLs; otherwise (another
    user's file in a shared folder, a hard-linked file, a folder we may not write) the file is
    rewritten in place, under the lock and after the backup.
    """
    if st.st_nlink == 1:
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        except OSError:
            fd = None
        if fd is not None:
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    if _carry_over(fh.fileno(), path, st):
                        os.fsync(fh.fileno())
                        os.replace(tmp, path)
                        _sync_folder(path.parent)
                        return
            except OSError as exc:
                raise StorageError(CANNOT_WRITE, name=path.name, detail=exc.strerror or str(exc)) from None
            finally:
                Path(tmp).unlink(missing_ok=True)
    try:
        if force and not st.st_mode & 0o200:
            os.chmod(path, st.st_mode & 0o7777 | 0o200)
        try:
            with open(path, "r+b") as fh:
                fh.write(data)
                fh.truncate()
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            if force and not st.st_mode & 0o200:
                os.chmod(path, st.st_mode & 0o7777)
    except OSError as exc:
        raise StorageError(CANNOT_WRITE, name=path.name, detail=exc.strerror or str(exc)) from None


def _carry_over(fd: int, original: Path, st: os.stat_result) -> bool:
    """Give the new file at `fd` the original's owner, group, mode and extended attributes (ACLs);
    False when it cannot carry all of them."""
    try:
        if (st.st_uid, st.st_gid) != (os.fstat(fd).st_uid, os.fstat(fd).st_gid):
            os.fchown(fd, st.st_uid, st.st_gid)
        os.fchmod(fd, st.st_mode & 0o7777)
        for attr in _xattrs(original):
            if attr.startswith("security."):
                continue  # labels a security module sets itself
            os.setxattr(fd, attr, os.getxattr(original, attr))
    except OSError:
        return False
    return True


def _xattrs(path: Path) -> list[str]:
    try:
        return os.listxattr(path)
    except OSError:
        return []


def _write_new(target: Path, data: bytes, st: os.stat_result) -> None:
    """A new file (the backup) with `data`, the original's mode and, where allowed, its owner."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            with contextlib.suppress(OSError):
                os.fchown(fh.fileno(), st.st_uid, st.st_gid)
            os.fchmod(fh.fileno(), st.st_mode & 0o7777)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        target.unlink(missing_ok=True)
        raise StorageError(CANNOT_WRITE, name=target.name, detail=exc.strerror or str(exc)) from None


def _sync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# ---- package --------------------------------------------------------------------------------------


def _sheet_part(package: zipfile.ZipFile, name: str, sheet: str) -> str:
    """The zip part holding the worksheet named `sheet`, through workbook.xml and its relationships."""
    rid = sheet_id(package, sheet)
    if rid is None:
        raise SourceError(NO_SHEET, name=name, sheet=sheet)
    target = related_part(package, WORKBOOK, lambda rel: rel.id == rid)
    if target is None or target not in package.namelist():
        raise SourceError(NO_PART, name=name, part=target or rid, sheet=sheet)
    return target


def _shared_strings(package: zipfile.ZipFile) -> list[str]:
    part = related_part(package, WORKBOOK, lambda rel: rel.type.endswith("/sharedStrings"))
    if part is None or part not in package.namelist():
        return []
    root = ElementTree.fromstring(package.read(part))
    strings = []
    for si in root.iter(f"{{{MAIN_NS}}}si"):
        # the text is the plain <t> or the runs' <t>; phonetic runs (rPh) are reading aids, not text
        texts = [el.text or "" for el in si.findall(f"{{{MAIN_NS}}}t")]
        texts += [el.text or "" for el in si.findall(f"{{{MAIN_NS}}}r/{{{MAIN_NS}}}t")]
        strings.append("".join(texts))
    return strings


def _widen_filter_name(workbook: str, sheet: str, old: str, new: str) -> str | None:
    """workbook.xml with Excel's hidden `_xlnm._FilterDatabase` name of `sheet` moved from the
    filter range `old` to `new`, as Excel keeps it; None when there is no such name to move."""
    tags = re.findall(r"<(?:\w+:)?sheet\b[^>]*>", workbook)
    index = next((i for i, tag in enumerate(tags) if html.unescape(_attr(tag, "name") or "") == sheet), None)
    if index is None:
        return None
    (c1, r1), (c2, r2) = _range(new)
    moved = False

    def move(m: re.Match) -> str:
        nonlocal moved
        tag, text, end = m.groups()
        where, bang, ref = text.rpartition("!")
        if (_attr(tag, "name") != "_xlnm._FilterDatabase" or _attr(tag, "localSheetId") != str(index)
                or ref.replace("$", "") != old):
            return m.group(0)
        moved = True
        return f"{tag}{where}{bang}${column_letters(c1)}${r1}:${column_letters(c2)}${r2}{end}"

    result = re.sub(r"(<(?:\w+:)?definedName\b[^>]*>)([^<]*)(</)", move, workbook)
    return result if moved else None


def _has_formulas(package: zipfile.ZipFile) -> bool:
    return any(_FORMULA.search(package.read(n)) for n in package.namelist()
               if n.startswith("xl/worksheets/") and n.endswith(".xml"))


_CALC_AFTER = ("oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
               "fileRecoveryPr", "webPublishObjects", "extLst")


def _calculate_on_load(workbook: str) -> str:
    """workbook.xml asking Excel and LibreOffice to recalculate every formula when the file is opened,
    so formulas that read the written cells do not show their stale cached values."""
    m = re.search(r"<((?:\w+:)?)calcPr\b([^>]*?)(/?)>", workbook)
    if m is not None:
        attrs = m.group(2)
        if _attr(attrs, "fullCalcOnLoad") in ("1", "true"):
            return workbook
        attrs = (_set_attr(attrs, "fullCalcOnLoad", "1") if _attr(attrs, "fullCalcOnLoad") is not None
                 else attrs + ' fullCalcOnLoad="1"')
        return workbook[:m.start()] + f"<{m.group(1)}calcPr{attrs}{m.group(3)}>" + workbook[m.end():]
    prefix = re.match(r"(?s).*?<((?:\w+:)?)workbook\b", workbook).group(1)
    names = "|".join(_CALC_AFTER)
    at = re.search(rf"<{re.escape(prefix)}(?:{names})\b|</{re.escape(prefix)}workbook>", workbook)
    return workbook[:at.start()] + f'<{prefix}calcPr fullCalcOnLoad="1"/>' + workbook[at.start():]


def _rename_table_columns(package: zipfile.ZipFile, part: str, header_row: int,
                          headers: dict[int, str]) -> dict[str, bytes]:
    """Table parts whose header row gets one of the new `headers`: the table column takes the
    header's text, as Excel requires (a table whose column names differ from its header cells is
    "repaired" by dropping the table)."""
    parts: dict[str, bytes] = {}
    if not headers:
        return parts
    for rel in relationships(package, part):
        name = rel.target
        if not rel.type.endswith("/table") or rel.external:
            continue
        if name not in package.namelist():
            continue
        xml = package.read(name).decode("utf-8")
        m = re.search(r"<(?:\w+:)?table\b[^>]*?\sref=\"([^\"]+)\"", xml)
        if m is None or _attr(m.group(0), "headerRowCount") == "0":
            continue
        (c1, r1), (c2, _r2) = _range(m.group(1))
        if r1 != header_row:
            continue
        columns = list(re.finditer(r"<(?:\w+:)?tableColumn\b([^>]*?)(/?>)", xml))
        edited = xml
        for col, text in sorted(headers.items(), reverse=True):
            if c1 <= col <= c2 and col - c1 < len(columns):
                tc = columns[col - c1]
                attrs = _set_attr(tc.group(1), "name", escape_attribute(_XML_ILLEGAL.sub("", text)))
                edited = edited[:tc.start(1)] + attrs + edited[tc.end(1):]
        if edited != xml:
            parts[name] = edited.encode("utf-8")
    return parts


# ---- the sheet as spliced text --------------------------------------------------------------------


class _Sheet:
    """The worksheet XML cut into the text before the rows, the rows, and the text after them.

    Rows are kept as their original text and only located (number and place) when the sheet is
    read: a row is parsed into cells only when the write-back looks at it, so a sheet that reaches
    Excel's last row costs one scan, not a million row objects. Only rows that get a new or changed
    cell are rebuilt, and a rebuilt row keeps the text of every cell it does not change.
    """

    def __init__(self, xml: str, shared_strings):
        self._shared_strings_source = shared_strings
        self._shared: list[str] | None = None
        m = re.search(r"<(\w+:)?sheetData\b[^>]*?(/>|>)", xml)
        if m is None:
            raise ValueError("no sheetData")
        self.prefix = m.group(1) or ""
        p = re.escape(self.prefix)
        if m.group(2) == "/>":
            self.head = xml[:m.start()] + f"<{self.prefix}sheetData>"
            self.body = ""
            self.tail = f"</{self.prefix}sheetData>" + xml[m.end():]
        else:
            end = xml.index(f"</{self.prefix}sheetData>", m.end())
            self.head = xml[:m.end()]
            self.body = xml[m.end():end]
            self.tail = xml[end:]
        self._row_re = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S)
        self._cell_re = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
        self.numbers = array("l")
        self.starts = array("q")
        opening = re.compile(rf"<{p}row\b[^>]*?\sr=\"(\d+)\"")
        self.numbers.extend(map(int, opening.findall(self.body)))
        self.starts.extend(m.start() for m in opening.finditer(self.body))
        pre = self.prefix
        if len(self.numbers) != sum(self.body.count(f"<{pre}row{c}") for c in (" ", ">", "/", "\n", "\t", "\r")):
            self._number_rows()  # rows without a number: count them as Excel does
        if any(a >= b for a, b in zip(self.numbers, self.numbers[1:], strict=False)):
            raise ValueError("rows out of order")
        self._rows: dict[int, _Row] = {}  # parsed rows by number, existing and new
        merge_refs = re.findall(rf"<{p}mergeCell\b[^>]*?\bref=\"([^\"]+)\"", self.tail)
        self.merges = [_range(ref) for ref in merge_refs]
        self._has_refless: bool | None = None

    def _number_rows(self) -> None:
        self.numbers, self.starts = array("l"), array("q")
        last = 0
        for rm in self._row_re.finditer(self.body):
            r = _attr(rm.group(1), "r")
            last = int(r) if r else last + 1
            self.numbers.append(last)
            self.starts.append(rm.start())

    def widen_filter(self, header_row: int, new_columns: set[int]) -> tuple[str, str] | None:
        """Stretch the sheet's autofilter over `new_columns` when it starts on the header row and
        they continue it without a gap; (old ref, new ref), or None when it stays as it was."""
        p = re.escape(self.prefix)
        m = re.search(rf"<{p}autoFilter\b[^>]*?\bref=\"([^\"]+)\"", self.tail)
        if m is None or not new_columns:
            return None
        (c1, r1), (c2, r2) = _range(m.group(1))
        end = c2
        while end + 1 in new_columns:
            end += 1
        if r1 != header_row or end == c2:
            return None
        ref = f"{column_letters(c1)}{r1}:{column_letters(end)}{r2}"
        self.tail = self.tail[:m.start(1)] + ref + self.tail[m.end(1):]
        return m.group(1), ref

    @property
    def shared(self) -> list[str]:
        if self._shared is None:
            self._shared = self._shared_strings_source()
        return self._shared

    def row(self, number: int, create: bool = False) -> _Row | None:
        if number in self._rows:
            return self._rows[number]
        i = bisect.bisect_left(self.numbers, number)
        if i < len(self.numbers) and self.numbers[i] == number:
            rm = self._row_re.match(self.body, self.starts[i])
            if rm is None:
                raise ValueError(f"row {number}")
            row = _Row(number, rm.group(0), rm.group(1), rm.group(2), self)
            row.span = rm.span()
        elif create:
            row = _Row(number, f'<{self.prefix}row r="{number}"/>', f' r="{number}"', None, self)
            at = self.starts[i] if i < len(self.numbers) else len(self.body)
            row.span = (at, at)
        else:
            return None
        self._rows[number] = row
        return row

    def touched_rows(self) -> list[int]:
        return sorted(n for n, row in self._rows.items() if row.dirty)

    def _start_of(self, row: int) -> int:
        """Where the first row numbered `row` or more begins in the text."""
        i = bisect.bisect_left(self.numbers, row)
        return self.starts[i] if i < len(self.numbers) else len(self.body)

    def _refless(self) -> bool:
        if self._has_refless is None:
            refless = re.compile(rf"<{re.escape(self.prefix)}c(?=[\s/>])(?![^>]*\br=)")
            self._has_refless = refless.search(self.body) is not None
        return self._has_refless

    def _value_cells(self, letters: str) -> re.Pattern:
        p = re.escape(self.prefix)
        return re.compile(rf"<{p}c\b[^>]*?\br=\"\$?({letters})\$?(\d+)\"[^>]*>\s*<(?:{p})?(?:v|is|f)\b")

    def used_columns(self, from_row: int) -> set[int]:
        """Columns with a value or a merged cell on `from_row` or below (a title merged across the
        top rows does not take the columns below it)."""
        if self._refless():
            # cells without a reference: only a parse of every row knows their place
            cols = {c.col for n in self.numbers if n >= from_row for c in self.row(n).cells if c.has_content}
        else:
            found = self._value_cells("[A-Z]{1,3}").findall(self.body, self._start_of(from_row))
            cols = {column_index(letters) for letters in {f[0] for f in found}}
        for (c1, _r1), (c2, r2) in self.merges:
            if r2 >= from_row:
                cols.update(range(c1, c2 + 1))
        return cols

    def rows_with_values_in(self, col: int, from_row: int) -> list[int]:
        if self._refless():
            return [n for n in self.numbers if n >= from_row and (c := self.row(n).cell(col)) and c.has_content]
        found = self._value_cells(column_letters(col)).findall(self.body, self._start_of(from_row))
        return sorted({int(r) for _letters, r in found})

    # ---- column widths and visibility --------------------------------------------------------

    def _col_entries(self) -> tuple[re.Match | None, list[tuple[int, int, str]]]:
        p = re.escape(self.prefix)
        m = re.search(rf"<{p}cols\b[^>]*>(.*?)</{p}cols>", self.head, re.S)
        if m is None:
            return None, []
        found = list(re.finditer(rf"<{p}col\b([^>]*?)/>", m.group(1)))
        if "".join(c.group(0) for c in found) != m.group(1):
            return None, []  # written in a way this splice does not rebuild: left as it is
        entries = [(int(_attr(c.group(1), "min") or 0), int(_attr(c.group(1), "max") or 0), c.group(1))
                   for c in found]
        return m, entries

    def fit_column(self, col: int) -> bool:
        """Make a new column visible and as wide as its visible left neighbour; True when it was hidden."""
        m, entries = self._col_entries()
        if m is None:
            return False
        covering = next((e for e in entries if e[0] <= col <= e[1]), None)
        left = next((e for e in entries if e[0] <= col - 1 <= e[1]), None)
        if covering is not None and not _hidden(covering[2]):
            return False
        if covering is None and (left is None or _hidden(left[2])):
            return False
        if left is not None and not _hidden(left[2]):
            attrs = left[2]
        else:
            attrs = re.sub(r'\s(width|customWidth|hidden)="[^"]*"', "", covering[2])
        attrs = _set_attr(_set_attr(attrs, "min", str(col)), "max", str(col))
        new = []
        for lo, hi, a in entries:
            if (lo, hi, a) == covering:
                if lo < col:
                    new.append((lo, col - 1, _set_attr(a, "max", str(col - 1))))
                new.append((col, col, attrs))
                if col < hi:
                    new.append((col + 1, hi, _set_attr(a, "min", str(col + 1))))
            else:
                new.append((lo, hi, a))
        if covering is None:
            new.append((col, col, attrs))
            new.sort(key=lambda e: e[0])
        text = "".join(f"<{self.prefix}col{a}/>" for _lo, _hi, a in new)
        self.head = self.head[:m.start(1)] + text + self.head[m.end(1):]
        return covering is not None

    def render(self) -> str:
        pieces = []
        pos = 0
        max_col = max_row = 0
        for number, row in sorted(self._rows.items()):
            if not row.dirty:
                continue
            max_col = max(max_col, max(c.col for c in row.cells))
            max_row = max(max_row, number)
            start, end = row.span
            pieces.append(self.body[pos:start])
            pieces.append(row.render())
            pos = end
        pieces.append(self.body[pos:])
        head = self.head
        if max_col:
            head = _extend_dimension(head, self.prefix, max_col, max_row)
        return head + "".join(pieces) + self.tail


def _hidden(attrs: str) -> bool:
    return _attr(attrs, "hidden") in ("1", "true") or _attr(attrs, "width") in ("0", "0.0")


class _Cell:
    def __init__(self, col: int, text: str, attrs: str, inner: str | None):
        self.col = col
        self.text = text
        self.attrs = attrs
        self.inner = inner or ""

    @property
    def style(self) -> str | None:
        return _attr(self.attrs, "s")

    @property
    def has_content(self) -> bool:
        return bool(re.search(r"<(\w+:)?(v|is|f)\b", self.inner))

    def value(self, shared: list[str]) -> str:
        kind = _attr(self.attrs, "t")
        if kind == "inlineStr":
            is_m = re.search(r"<(\w+:)?is\b[^>]*>(.*?)</(\w+:)?is>", self.inner, re.S)
            if not is_m:
                return ""
            inner = re.sub(r"<(\w+:)?rPh\b.*?</(\w+:)?rPh>", "", is_m.group(2), flags=re.S)
            texts = re.findall(r"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", inner, re.S)
            return "".join(html.unescape(t) for t in texts)
        v = re.search(r"<(\w+:)?v\b[^>]*>(.*?)</(\w+:)?v>", self.inner, re.S)
        if v is None:
            return ""
        text = html.unescape(v.group(2))
        if kind == "s":
            return shared[int(text)]
        return text


class _Row:
    def __init__(self, number: int, text: str, attrs: str, inner: str | None, sheet: _Sheet):
        self.number = number
        self.text = text
        self.attrs = attrs
        self.sheet = sheet
        self.dirty = False
        self.span = (0, 0)  # where the row's text is in the sheet's rows
        self.cells: list[_Cell] = []
        last = 0
        for cm in sheet._cell_re.finditer(inner or ""):
            ref = _attr(cm.group(1), "r")
            if ref:
                m = _CELL_REF.match(ref)
                if m is None:
                    raise ValueError(f"cell reference {ref!r}")
                col = column_index(m.group(1))
            else:
                col = last + 1
            last = col
            self.cells.append(_Cell(col, cm.group(0), cm.group(1), cm.group(2)))
        self._refless = any(_attr(c.attrs, "r") is None for c in self.cells)

    def cell(self, col: int) -> _Cell | None:
        return next((c for c in self.cells if c.col == col), None)

    def value(self, col: int) -> str:
        cell = self.cell(col)
        return "" if cell is None else cell.value(self.sheet.shared)

    def set(self, col: int, text: str, header: bool = False) -> int | None:
        """Put `text` as an inline string into column `col`; an existing cell keeps its style.

        Returns where the look came from: None for the cell's own, else the column whose look it
        took (0: none, the default look)."""
        if self._refless:
            raise ValueError(f"row {self.number} has cells without a reference")
        ref = f"{column_letters(col)}{self.number}"
        old = self.cell(col)
        look = None
        if old is not None and (old.has_content or old.style not in (None, "0")):
            style = old.style  # a cell that was there keeps its look
        else:
            # an empty cell without a style (one that only carries a note) is written like a missing one:
            # the neighbour column's look, not that of some cell further left across a gap
            left = self.cell(col - 1)
            if left is None and header:
                left = max((c for c in self.cells if c.col < col), key=lambda c: c.col, default=None)
            style = left.style if left is not None else None
            look = left.col if left is not None else 0
        p = self.sheet.prefix
        s = f' s="{style}"' if style is not None else ""
        if text:
            space = ' xml:space="preserve"' if text != text.strip() else ""
            xml = (f'<{p}c r="{ref}"{s} t="inlineStr">'
                   f'<{p}is><{p}t{space}>{_escape(text)}</{p}t></{p}is></{p}c>')
        else:
            xml = f'<{p}c r="{ref}"{s}/>'
        new = _Cell(col, xml, f' r="{ref}"{s}', None)
        if old is not None:
            self.cells[self.cells.index(old)] = new
        else:
            at = next((i for i, c in enumerate(self.cells) if c.col > col), len(self.cells))
            self.cells.insert(at, new)
        self.dirty = True
        return look

    def render(self) -> str:
        if not self.dirty:
            return self.text
        p = self.sheet.prefix
        attrs = self.attrs
        spans = _attr(attrs, "spans")
        if spans:
            last = max(c.col for c in self.cells)
            ranges = spans.split()
            lo, hi = ranges[-1].split(":")
            if last > int(hi):
                ranges[-1] = f"{lo}:{last}"
                attrs = _set_attr(attrs, "spans", " ".join(ranges))
        return f"<{p}row{attrs}>" + "".join(c.text for c in self.cells) + f"</{p}row>"


def _attr(attrs: str, name: str) -> str | None:
    m = re.search(rf"(?:^|\s){name}\s*=\s*(\"([^\"]*)\"|'([^']*)')", attrs)
    if m is None:
        return None
    return html.unescape(m.group(2) if m.group(2) is not None else m.group(3))


def _set_attr(attrs: str, name: str, value: str) -> str:
    return re.sub(rf"((?:^|\s){name}\s*=\s*)(\"[^\"]*\"|'[^']*')", lambda m: f'{m.group(1)}"{value}"', attrs,
                  count=1)


def _escape(text: str) -> str:
    return escape_text(_XML_ILLEGAL.sub("", text))


def _range(ref: str) -> tuple[tuple[int, int], tuple[int, int]]:
    parts = ref.split(":")
    ends = []
    for part in (parts[0], parts[-1]):
        m = _CELL_REF.match(part)
        if m is None:
            raise ValueError(f"range {ref!r}")
        ends.append((column_index(m.group(1)), int(m.group(2))))
    return ends[0], ends[1]


def _extend_dimension(head: str, prefix: str, max_col: int, max_row: int) -> str:
    """Grow <dimension ref> to cover (max_col, max_row); never shrink it."""
    p = re.escape(prefix)
    m = re.search(rf"<{p}dimension\b[^>]*?\bref=\"([^\"]+)\"", head)
    if m is None:
        return head
    ref = m.group(1)
    try:
        (c1, r1), (c2, r2) = _range(ref)
    except ValueError:
        return head
    c2, r2 = max(c2, max_col), max(r2, max_row)
    new = f"{column_letters(c1)}{r1}:{column_letters(c2)}{r2}"
    if new == ref:
        return head
    return head[:m.start(1)] + new + head[m.end(1):]


# ---- what to write --------------------------------------------------------------------------------


def _label_key(text: str) -> tuple[int, int] | None:
    m = _HEADER_LABEL.fullmatch(text.strip())
    if m is None:
        return None
    month, year = int(m.group(1)), int(m.group(2))
    if year < 100:
        year += 2000
    return month, year


@dataclass
class _Plan:
    changes: list[Change]
    looks: dict[tuple[int, int], int | None]  # (row, column) -> where the written cell's look came from
    unhidden: list[str]


def _plan(sheet: _Sheet, roadmap: Roadmap, info: SheetInfo, label: str, name: str) -> _Plan:
    """Decide the two columns, set their cells in `sheet` and list what changes.

    Only project rows get a status and remarks. The remarks are the reader's findings for the row
    as it will be after the write: a finding about this month's snapshot cell is gone once the cell
    holds the normalized status, so the same label written twice gives the same file.
    """
    loc = l10n(info.language)
    header_row = sheet.row(info.header_row)
    if header_row is None:
        raise ValueError(f"header row {info.header_row} missing")
    key = _label_key(label)
    by_field = {field: column_index(letter) for field, letter, _t in info.columns}
    snapshot_cols = [col for field, col in by_field.items() if field.startswith("snapshot.")]
    target = next((col for field, col in by_field.items()
                   if field.startswith("snapshot.") and _label_key(field.split(".", 1)[1]) == key), None)
    if target is None:
        # a header this write-back wrote itself, even where the reader does not take it as a snapshot
        own = {l10n(lang)(SNAPSHOT_HEADER, label=label).casefold() for lang in ("fi", "sv")}
        target = next((c.col for c in header_row.cells
                       if c.has_content and c.value(sheet.shared).strip().casefold() in own), None)
    used = sheet.used_columns(info.header_row)
    if target is None:
        target = _free_column(used, max(snapshot_cols) + 1 if snapshot_cols else None)
        if target > LAST_COLUMN:
            raise SourceError(NO_ROOM, name=name, sheet=info.name, what=loc(WHAT_SNAPSHOT))
    used.add(target)
    remarks = by_field.get("remarks")
    if remarks is None:
        remarks = _free_column(used, target + 1)
        if remarks > LAST_COLUMN:
            raise SourceError(NO_ROOM, name=name, sheet=info.name, what=loc(WHAT_REMARKS))

    projects = {p.row: p for p in roadmap.projects}
    wanted: dict[int, tuple[str, str]] = {row: (status_word(p.status, loc), "") for row, p in projects.items()}
    from digireport.findings import describe

    target_letter = column_letters(target)
    # a row with neither id nor name is no project to remark on, whatever else it holds
    nameless = {row for row, p in projects.items() if p.id is None and not p.name.fi and not p.name.sv}
    for f in roadmap.findings:
        if f.sheet != info.name or f.row not in wanted or f.row in nameless or f.column == target_letter:
            continue  # not a project row, or about the snapshot cell this write-back sets
        word, text = wanted[f.row]
        message = describe(f, loc)
        if message not in text.split(REMARK_SEPARATOR):
            text = message if not text else text + REMARK_SEPARATOR + message
        wanted[f.row] = (word, text)

    changes: list[Change] = []
    looks: dict[tuple[int, int], int | None] = {}
    unhidden: list[str] = []

    def put(rownum: int, col: int, text: str, pid: str | None) -> None:
        row = sheet.row(rownum, create=bool(text))
        old = row.value(col) if row is not None else ""
        if old == text:
            return
        looks[(rownum, col)] = row.set(col, text, header=rownum == info.header_row)
        changes.append(Change(row=rownum, id=pid, old=old or None, new=text or None,
                              column=column_letters(col)))

    # a header the keeper wrote is never renamed: only an empty header cell gets the tool's words
    for col, text in ((target, loc(SNAPSHOT_HEADER, label=label)), (remarks, loc(REMARKS_HEADER))):
        if not header_row.value(col).strip():
            put(info.header_row, col, text, None)
            if sheet.fit_column(col):
                unhidden.append(column_letters(col))
    for rownum in sorted(wanted):
        word, text = wanted[rownum]
        pid = projects[rownum].id
        put(rownum, target, word, pid)
        put(rownum, remarks, text, pid)
    # the remarks column is the write-back's own: a remark on a row that is no project (any more) goes
    for rownum in sheet.rows_with_values_in(remarks, info.header_row + 1):
        if rownum not in wanted:
            put(rownum, remarks, "", None)
    changes.sort(key=lambda c: (c.row, column_index(c.column)))
    return _Plan(changes=changes, looks=looks, unhidden=unhidden)


def _free_column(used: set[int], preferred: int | None) -> int:
    """`preferred` when nothing is in it, else the column after the last one in use."""
    if preferred is not None and preferred not in used:
        return preferred
    return max(used, default=0) + 1
