"""Lossless write-back of a status snapshot and data-quality remarks into the master workbook.

The roadmap sheet's XML is edited in place inside the package: new or changed cells are spliced
into the text of the sheet part and every other byte of that part, and every other part of the
package, is kept. Loading and saving the workbook with a spreadsheet library would drop what the
library cannot model (text boxes, sparklines, Excel 2010 data bars).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from defusedxml import ElementTree

from digireport.errors import ConflictError, DigireportError, LockedError, SourceError
from digireport.i18n import L10n, _, l10n
from digireport.labels import STATUS_LABELS
from digireport.model import Roadmap, SheetInfo, Status
from digireport.package import check_package
from digireport.roadmap import column_letter

SNAPSHOT_HEADER = _("Snapshot status {label}")
REMARKS_HEADER = _("Data check")

BAD_LABEL = _("{label}: not a snapshot label; expected MM/YYYY, e.g. 11/2025")
NO_SHEET = _("{name}: the roadmap sheet {sheet} was not found in the workbook")
NO_PART = _("{name}: the part {part} of sheet {sheet} is missing from the workbook")
OTHER_VERSION = _("{name}: the roadmap was read from another version of the workbook")
CHANGED_ON_DISK = _(
    "{name}: the file changed on disk after it was read; nothing was written, run the write-back again")
OPEN_IN_EXCEL = _("{name}: the workbook is open in Excel ({lock} exists); close it and run again")
UNREADABLE_SHEET = _("{name}: the sheet {sheet} cannot be edited ({detail})")
CHANGE_LINE = _("Row {row} {id} column {column}: {old} → {new}")
NO_CHANGES = _("{name}: already up to date for {label}; nothing was written")
# {count} is an i18n.Plural of cells
DRY_RUN_DONE = _("Dry run: {count} would change; nothing was written")
WRITTEN = _("{name}: {count} changed")
BACKUP_WRITTEN = _("Backup: {path}")
EMPTY = _("(empty)")

REMARK_SEPARATOR = "; "

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_LABEL = re.compile(r"^(0[1-9]|1[0-2])/(\d{4})$")
_HEADER_LABEL = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{2,4})")
_CELL_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


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


@dataclass(frozen=True)
class FileWriteback:
    """What `apply_writeback_file` did to a file on disk."""

    path: Path
    result: WritebackResult
    written: bool
    backup: Path | None


def check_label(label: str) -> str:
    """`label` if it is MM/YYYY, else a `DigireportError`."""
    if not _LABEL.match(label or ""):
        raise DigireportError(BAD_LABEL, label=label)
    return label


def column_index(letters: str) -> int:
    """'A' → 1, 'AB' → 28."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(index: int) -> str:
    """1 → 'A', 28 → 'AB'."""
    return column_letter(index - 1)


def status_word(status: Status, loc: L10n) -> str:
    return loc(STATUS_LABELS[status])


def apply_writeback(data: bytes, name: str, label: str, roadmap: Roadmap | None = None) -> WritebackResult:
    """Set the 'Tila MM/YYYY' snapshot and 'Tarkistus' remarks columns of the roadmap sheet."""
    check_label(label)
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
        changes = _plan(sheet, roadmap, info, label)
    except (ValueError, IndexError, KeyError) as exc:
        raise SourceError(UNREADABLE_SHEET, name=name, sheet=info.name, detail=str(exc)) from None
    if not changes:
        return WritebackResult(data=data, changes=[], changed=False)
    new_columns = {column_index(c.column) for c in changes if c.row == info.header_row and c.old is None}
    parts = {}
    widened = sheet.widen_filter(info.header_row, new_columns)
    if widened is not None:
        workbook = _widen_filter_name(package.read("xl/workbook.xml").decode("utf-8"), info.name, *widened)
        if workbook is not None:
            parts["xl/workbook.xml"] = workbook.encode("utf-8")
    parts[part] = sheet.render().encode("utf-8")
    new_data = _replace_parts(package, parts)
    from digireport.verify import verify_writeback

    verify_writeback(data, new_data, name, info.name, info.header_row, changes)
    return WritebackResult(data=new_data, changes=changes, changed=True)


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


def apply_writeback_file(path: Path, label: str, *, dry_run: bool = False,
                         backup_at: dt.datetime | None = None) -> FileWriteback:
    """Write back into the workbook at `path`: atomic, with a backup when `backup_at` is given.

    Refuses with `ConflictError` when the file changed on disk while the new version was made.
    """
    from digireport.source import fetch_local, write_atomic

    check_label(label)
    path = Path(path).resolve()  # a link is followed, not replaced by a plain file
    fetched = fetch_local(path)
    result = apply_writeback(fetched.data, fetched.name, label)
    if dry_run or not result.changed:
        return FileWriteback(path=path, result=result, written=False, backup=None)
    # Excel keeps "~$<name>" beside a workbook it has open; its later save would undo ours
    lock = path.with_name("~$" + path.name)
    if lock.exists():
        raise LockedError(OPEN_IN_EXCEL, name=fetched.name, lock=lock.name)
    if hashlib.sha256(path.read_bytes()).hexdigest() != fetched.version:
        raise ConflictError(CHANGED_ON_DISK, name=fetched.name)
    mode = path.stat().st_mode & 0o7777
    backup = None
    if backup_at is not None:
        backup = backup_path(path, backup_at)
        write_atomic(backup, fetched.data)
        backup.chmod(mode)
    write_atomic(path, result.data)
    path.chmod(mode)  # the temporary file was private; the workbook keeps who may read it
    return FileWriteback(path=path, result=result, written=True, backup=backup)


# ---- package --------------------------------------------------------------------------------------


def _sheet_part(package: zipfile.ZipFile, name: str, sheet: str) -> str:
    """The zip part holding the worksheet named `sheet`, through workbook.xml and its relationships."""
    workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
    rid = None
    for el in workbook.iter(f"{{{_MAIN_NS}}}sheet"):
        if el.get("name") == sheet:
            rid = el.get(f"{{{_REL_NS}}}id")
    if rid is None:
        raise SourceError(NO_SHEET, name=name, sheet=sheet)
    target = _relationship_target(package, "xl/workbook.xml", lambda rel: rel.get("Id") == rid)
    if target is None or target not in package.namelist():
        raise SourceError(NO_PART, name=name, part=target or rid, sheet=sheet)
    return target


def _relationship_target(package: zipfile.ZipFile, source: str, accept) -> str | None:
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in package.namelist():
        return None
    rels = ElementTree.fromstring(package.read(rels_name))
    for rel in rels.iter(f"{{{_PKG_REL_NS}}}Relationship"):
        if accept(rel):
            target = rel.get("Target", "")
            if target.startswith("/"):
                return target[1:]
            return posixpath.normpath(posixpath.join(folder, target))
    return None


def _shared_strings(package: zipfile.ZipFile) -> list[str]:
    part = _relationship_target(package, "xl/workbook.xml",
                                lambda rel: rel.get("Type", "").endswith("/sharedStrings"))
    if part is None or part not in package.namelist():
        return []
    root = ElementTree.fromstring(package.read(part))
    strings = []
    for si in root.iter(f"{{{_MAIN_NS}}}si"):
        # the text is the plain <t> or the runs' <t>; phonetic runs (rPh) are reading aids, not text
        texts = [el.text or "" for el in si.findall(f"{{{_MAIN_NS}}}t")]
        texts += [el.text or "" for el in si.findall(f"{{{_MAIN_NS}}}r/{{{_MAIN_NS}}}t")]
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


def _replace_parts(package: zipfile.ZipFile, parts: dict[str, bytes]) -> bytes:
    """The package with `parts` replaced; every other part keeps its content, order and zip metadata."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        out.comment = package.comment
        for old in package.infolist():
            info = zipfile.ZipInfo(old.filename, date_time=old.date_time)
            info.compress_type = old.compress_type
            info.comment = old.comment
            info.create_system = old.create_system
            info.external_attr = old.external_attr
            info.internal_attr = old.internal_attr
            out.writestr(info, parts[old.filename] if old.filename in parts else package.read(old.filename))
    return buf.getvalue()


# ---- the sheet as spliced text --------------------------------------------------------------------


class _Sheet:
    """The worksheet XML cut into the text before the rows, the rows, and the text after them.

    Rows and cells are kept as their original text; only rows that get a new or changed cell are
    rebuilt, and a rebuilt row keeps the text of every cell it does not change.
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
            body = ""
            self.tail = f"</{self.prefix}sheetData>" + xml[m.end():]
        else:
            end = xml.index(f"</{self.prefix}sheetData>", m.end())
            self.head = xml[:m.end()]
            body = xml[m.end():end]
            self.tail = xml[end:]
        self._row_re = re.compile(rf"<{p}row\b([^>]*?)(?:/>|>(.*?)</{p}row>)", re.S)
        self._cell_re = re.compile(rf"<{p}c\b([^>]*?)(?:/>|>(.*?)</{p}c>)", re.S)
        self.rows: list[_Row] = []
        self._by_number: dict[int, _Row] | None = None
        pos = 0
        last = 0
        for rm in self._row_re.finditer(body):
            if body[pos:rm.start()].strip():
                raise ValueError("unexpected content in sheetData")
            attrs = rm.group(1)
            r = _attr(attrs, "r")
            number = int(r) if r else last + 1
            last = number
            self.rows.append(_Row(number, rm.group(0), attrs, rm.group(2), self))
            pos = rm.end()
        if body[pos:].strip():
            raise ValueError("unexpected content in sheetData")
        merge_refs = re.findall(rf"<{p}mergeCell\b[^>]*?\bref=\"([^\"]+)\"", self.tail)
        self.merges = [_range(ref) for ref in merge_refs]

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
        if self._by_number is None:
            self._by_number = {row.number: row for row in self.rows}
        if number in self._by_number or not create:
            return self._by_number.get(number)
        new = _Row(number, f'<{self.prefix}row r="{number}"/>', f' r="{number}"', None, self)
        at = next((i for i, row in enumerate(self.rows) if row.number > number), len(self.rows))
        self.rows.insert(at, new)
        self._by_number[number] = new
        return new

    def widen_like_left(self, col: int) -> None:
        """Give a new column the width of its left neighbour when <cols> sets that width."""
        p = re.escape(self.prefix)
        m = re.search(rf"<{p}cols\b[^>]*>(.*?)</{p}cols>", self.head, re.S)
        if m is None:
            return
        neighbour = None
        for cm in re.finditer(rf"<{p}col\b([^>]*?)/>", m.group(1)):
            lo, hi = int(_attr(cm.group(1), "min") or 0), int(_attr(cm.group(1), "max") or 0)
            if lo <= col <= hi:
                return
            if hi == col - 1:
                neighbour = cm
        if neighbour is None:
            return
        attrs = _set_attr(_set_attr(neighbour.group(1), "min", str(col)), "max", str(col))
        at = m.start(1) + neighbour.end()
        self.head = self.head[:at] + f"<{self.prefix}col{attrs}/>" + self.head[at:]

    def used_columns(self) -> set[int]:
        cols = {c.col for row in self.rows for c in row.cells if c.has_content}
        for (c1, _r1), (c2, _r2) in self.merges:
            cols.update(range(c1, c2 + 1))
        return cols

    def render(self) -> str:
        cols = [c.col for row in self.rows for c in row.cells]
        rows = [row.number for row in self.rows if row.cells]
        head = self.head
        if cols:
            head = _extend_dimension(head, self.prefix, max(cols), max(rows))
        return head + "".join(row.render() for row in self.rows) + self.tail


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

    def set(self, col: int, text: str, header: bool = False) -> None:
        """Put `text` as an inline string into column `col`; an existing cell keeps its style."""
        if self._refless:
            raise ValueError(f"row {self.number} has cells without a reference")
        ref = f"{column_letters(col)}{self.number}"
        old = self.cell(col)
        if old is not None:
            style = old.style
        else:
            # the neighbour column's look, not that of some cell further left across a gap
            left = self.cell(col - 1)
            if left is None and header:
                left = max((c for c in self.cells if c.col < col), key=lambda c: c.col, default=None)
            style = left.style if left is not None else None
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
    return _XML_ILLEGAL.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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


def _plan(sheet: _Sheet, roadmap: Roadmap, info: SheetInfo, label: str) -> list[Change]:
    """Decide the two columns, set their cells in `sheet` and list what changes."""
    loc = l10n(info.language)
    header_row = sheet.row(info.header_row)
    if header_row is None:
        raise ValueError(f"header row {info.header_row} missing")
    key = _label_key(label)
    snapshot_cols = [column_index(letter) for field, letter, _t in info.columns
                     if field.startswith("snapshot.")]
    target = next((column_index(letter) for field, letter, _t in info.columns
                   if field.startswith("snapshot.") and _label_key(field.split(".", 1)[1]) == key), None)
    if target is None:
        # a header this write-back wrote itself, even where the reader does not take it as a snapshot
        own = {l10n(lang)(SNAPSHOT_HEADER, label=label).casefold() for lang in ("fi", "sv")}
        target = next((c.col for c in header_row.cells
                       if c.has_content and c.value(sheet.shared).strip().casefold() in own), None)
    used = sheet.used_columns()
    if target is None:
        target = _free_column(used, max(snapshot_cols) + 1 if snapshot_cols else None)
    used.add(target)
    remark_words = {l10n(lang)(REMARKS_HEADER).casefold() for lang in ("fi", "sv")}
    remarks = next((c.col for c in header_row.cells
                    if c.has_content and c.value(sheet.shared).strip().casefold() in remark_words), None)
    if remarks is None:
        remarks = _free_column(used, target + 1)

    ids = {p.row: p.id for p in roadmap.projects}
    wanted: dict[int, tuple[str, str]] = {}  # row -> (status word, remarks)
    for p in roadmap.projects:
        wanted[p.row] = (status_word(p.status, loc), "")
    from digireport.findings import describe

    for f in roadmap.findings:
        if f.sheet != info.name or f.row is None or f.row <= info.header_row:
            continue
        word, text = wanted.get(f.row, ("", ""))
        message = describe(f, loc)
        if message not in text.split(REMARK_SEPARATOR):
            text = message if not text else text + REMARK_SEPARATOR + message
        wanted[f.row] = (word, text)

    changes: list[Change] = []

    def put(rownum: int, col: int, text: str, pid: str | None) -> None:
        row = sheet.row(rownum, create=bool(text))
        old = row.value(col) if row is not None else ""
        if old == text:
            return
        row.set(col, text, header=rownum == info.header_row)
        changes.append(Change(row=rownum, id=pid, old=old or None, new=text or None,
                              column=column_letters(col)))
        if rownum == info.header_row and not old:
            sheet.widen_like_left(col)

    put(info.header_row, target, loc(SNAPSHOT_HEADER, label=label), None)
    put(info.header_row, remarks, loc(REMARKS_HEADER), None)
    for rownum in sorted(wanted):
        word, text = wanted[rownum]
        if word:
            put(rownum, target, word, ids.get(rownum))
        put(rownum, remarks, text, ids.get(rownum))
    # rows that carried remarks from an earlier run but have no findings now are cleared
    for row in list(sheet.rows):
        if row.number > info.header_row and row.number not in wanted and row.value(remarks):
            put(row.number, remarks, "", ids.get(row.number))
    changes.sort(key=lambda c: (c.row, column_index(c.column)))
    return changes


def _free_column(used: set[int], preferred: int | None) -> int:
    """`preferred` when nothing is in it, else the column after the last one in use."""
    if preferred is not None and preferred not in used:
        return preferred
    return max(used, default=0) + 1
