"""Office Open XML packages at the level of parts: relationships, column letters, XML text, zip entries.

The stages that edit a finished package in place (the indicator workbook's bulk rows, the deck's
dates, the write-back and its check) share these operations, each written once here.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import struct
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from xml.sax.saxutils import escape

from defusedxml import ElementTree

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK = "xl/workbook.xml"

_LETTERS = re.compile(r"[A-Z]{1,3}")


# ---- relationships --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Relationship:
    """One relationship of a part: its id, its type and the part it points to."""

    id: str
    type: str
    target: str  # a part name, resolved against the source part's folder; an external target as written
    external: bool = False  # TargetMode="External": the target is outside the package


def relationships(package: zipfile.ZipFile, source: str) -> Iterator[Relationship]:
    """Each relationship of the part `source`, read from its _rels part; none if it has none."""
    folder, base = posixpath.split(source)
    rels_name = posixpath.join(folder, "_rels", base + ".rels")
    if rels_name not in package.namelist():
        return
    rels = ElementTree.fromstring(package.read(rels_name))
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        target, external = rel.get("Target", ""), rel.get("TargetMode") == "External"
        if not external:
            target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        yield Relationship(id=rel.get("Id", ""), type=rel.get("Type", ""), target=target, external=external)


def related_part(package: zipfile.ZipFile, source: str, accept: Callable[[Relationship], bool]) -> str | None:
    """The target of the first relationship of `source` that `accept` takes, or None."""
    return next((rel.target for rel in relationships(package, source) if accept(rel)), None)


def sheet_id(package: zipfile.ZipFile, sheet: str) -> str | None:
    """The relationship id by which the workbook names the sheet `sheet`, or None if it has no such sheet."""
    book = ElementTree.fromstring(package.read(WORKBOOK))
    return next((el.get(f"{{{REL_NS}}}id") for el in book.iter(f"{{{MAIN_NS}}}sheet") if el.get("name") == sheet),
                None)


# ---- column letters ---------------------------------------------------------------------------------

# xlsxwriter's conversions, imported on first use so that commands which write no workbook do not
# load it; cached because the write-back and the reader ask for the same few columns per cell.


@cache
def column_letters(index: int) -> str:
    """1 → 'A', 28 → 'AB': a column's letters from its number, counted from 1 as in the XML."""
    from xlsxwriter.utility import xl_col_to_name

    if index < 1:
        raise ValueError(f"column number {index}")
    return xl_col_to_name(index - 1)


@cache
def column_index(letters: str) -> int:
    """'A' → 1, 'AB' → 28."""
    from xlsxwriter.utility import xl_cell_to_rowcol

    if _LETTERS.fullmatch(letters) is None:
        raise ValueError(f"column letters {letters!r}")
    return xl_cell_to_rowcol(f"{letters}1")[1] + 1


# ---- XML text -------------------------------------------------------------------------------------


def escape_text(text: str) -> str:
    """`text` as an element's content: &, < and > as entities."""
    return escape(text)


def escape_attribute(text: str) -> str:
    """`text` as a double-quoted attribute's value: &, <, > and " as entities."""
    return escape(text, {'"': "&quot;"})


# ---- the zip --------------------------------------------------------------------------------------


def rewrite(package: zipfile.ZipFile, replace: Callable[[str], bytes | Iterable[bytes] | None], *,
            order: Sequence[str] | None = None, compresslevel: int | None = None) -> bytes:
    """The package written again, part by part, in `order` (default: as it is).

    `replace(name)` gives a part's new content (bytes, or chunks written as they come, so a large
    part need not be held whole), or None to copy the part as it is; it is called as each part is
    written, in order. Without `compresslevel` every entry keeps its compression, date, comment
    and attributes; with it every entry is deflated at that level and dated 1980-01-01, as a new
    file of fixed bytes.
    """
    buf = io.BytesIO()
    if compresslevel is None:
        out = zipfile.ZipFile(buf, "w")
        out.comment = package.comment
    else:
        out = zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
    with out:
        for old in package.infolist() if order is None else map(package.getinfo, order):
            name = old.filename
            content = replace(name)
            if content is None:
                content = package.read(name)
            if compresslevel is None:
                entry = zipfile.ZipInfo(old.filename, date_time=old.date_time)
                entry.compress_type = old.compress_type
                entry.comment = old.comment
                entry.create_system = old.create_system
                entry.external_attr = old.external_attr
                entry.internal_attr = old.internal_attr
            else:
                entry = name  # a name, not an entry: the ZipFile's level and the fixed date
            if isinstance(content, bytes) and compresslevel is None:
                out.writestr(entry, content)
                continue
            with out.open(entry, "w") as fh:
                for chunk in [content] if isinstance(content, bytes) else content:
                    fh.write(chunk)
    return buf.getvalue()


def fixed_timestamps(data: bytes, moment: dt.datetime) -> bytes:
    """The zip `data` with every entry's modification time set to `moment`.

    The dates sit at fixed offsets of each local header and central directory entry (PKWARE
    APPNOTE 4.3.7, 4.3.12), so they are written in place instead of compressing every part a
    second time.
    """
    buf = bytearray(data)
    stamp = struct.pack(
        "<HH",
        (moment.hour << 11) | (moment.minute << 5) | (moment.second // 2),
        ((moment.year - 1980) << 9) | (moment.month << 5) | moment.day,
    )
    end = buf.rfind(b"PK\x05\x06")
    entries, _size, pos = struct.unpack_from("<HII", buf, end + 10)
    for _ in range(entries):
        if buf[pos : pos + 4] != b"PK\x01\x02":
            raise ValueError("not a zip central directory entry")
        buf[pos + 12 : pos + 16] = stamp
        name_len, extra_len, comment_len = struct.unpack_from("<HHH", buf, pos + 28)
        (local,) = struct.unpack_from("<I", buf, pos + 42)
        if buf[local : local + 4] != b"PK\x03\x04":
            raise ValueError("not a zip local header")
        buf[local + 10 : local + 14] = stamp
        pos += 46 + name_len + extra_len + comment_len
    return bytes(buf)
