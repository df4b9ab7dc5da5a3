"""Safety checks on an .xlsx package before any parser inflates it.

A workbook from a shared folder is untrusted input: it may be a legacy or encrypted file, a
truncated download, a plain zip, a decompression bomb or XML with entity declarations. Each
of these becomes a `SourceError` with one line, before any sheet is parsed.
"""

from __future__ import annotations

import io
import zipfile
import zlib

from digireport.errors import SourceError
from digireport.i18n import _

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
ENCRYPTION_STREAM = "EncryptionInfo".encode("utf-16-le")

MAX_UNCOMPRESSED = 512 * 1024 * 1024  # all parts together
MAX_PART = 256 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, for parts over 1 MiB
_CHUNK = 1 << 20


def check_package(data: bytes, name: str) -> zipfile.ZipFile:
    """Return the opened package, or raise `SourceError` naming `name` and the problem."""
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTION_STREAM in data[:1 << 20] or ENCRYPTION_STREAM in data:
            raise SourceError(
                _("{name}: the workbook is password-protected (encrypted); save it without a password"), name=name
            )
        raise SourceError(_("{name}: legacy Excel 97-2003 (.xls) file; save it as .xlsx"), name=name)
    if not data.startswith(ZIP_MAGIC):
        raise SourceError(_("{name}: not an Excel workbook (.xlsx)"), name=name)
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise SourceError(
            _("{name}: the file is truncated or damaged ({detail})"), name=name, detail=exc
        ) from None
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names:
        raise SourceError(_("{name}: a zip archive but not an Excel workbook (no xl/workbook.xml)"), name=name)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_PART or total > MAX_UNCOMPRESSED:
            raise SourceError(
                _("{name}: refused, {part} would inflate to {size} bytes"),
                name=name, part=info.filename, size=info.file_size,
            )
        if info.file_size > _CHUNK and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SourceError(
                _("{name}: refused, {part} looks like a decompression bomb"), name=name, part=info.filename
            )
    for info in infos:
        if info.filename.endswith((".xml", ".rels", ".vml")):
            _scan_xml(package, info, name)
    return package


def _scan_xml(package: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Inflate one part in bounded chunks; refuse DTDs and parts larger than declared."""
    seen = 0
    tail = b""
    try:
        with package.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                seen += len(chunk)
                if seen > info.file_size:
                    raise SourceError(
                        _("{name}: refused, {part} is larger than its declared size"), name=name, part=info.filename
                    )
                window = tail + chunk
                if b"<!DOCTYPE" in window or b"<!ENTITY" in window:
                    raise SourceError(
                        _("{name}: refused, {part} declares XML entities (DTD)"), name=name, part=info.filename
                    )
                tail = chunk[-16:]
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise SourceError(
            _("{name}: the file is truncated or damaged ({detail})"), name=name, detail=f"{info.filename}: {exc}"
        ) from None
