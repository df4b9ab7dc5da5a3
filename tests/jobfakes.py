"""A stand-in for the write-back stage, used only while `digireport.writeback` is not in this tree.

It records the snapshot label in the workbook's zip comment, so the workbook stays readable,
a second application of the same label changes nothing, and tests can see what was written.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class FakeWriteback:
    data: bytes
    changes: tuple
    changed: bool


BASELINE = {"10/2024"}  # the snapshot column the bundled sample already has


def labels_in(data: bytes) -> list[str]:
    """Snapshot labels written into `data` (by the real write-back or the fake), sorted."""
    from digireport.roadmap import parse_roadmap

    roadmap = parse_roadmap(data, "tiekartta_v2.xlsx")
    columns = {field.split(".", 1)[1] for sheet in roadmap.source.sheets for field, _c, _h in sheet.columns
               if field.startswith("snapshot.")}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        comment = {x for x in zf.comment.decode().split(";") if x}
    return sorted((columns - BASELINE) | comment)


def fake_apply_writeback(data: bytes, name: str, label: str, roadmap=None) -> FakeWriteback:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        labels = [x for x in zf.comment.decode().split(";") if x]
    if label in labels:
        return FakeWriteback(data=data, changes=(), changed=False)
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.comment = ";".join([*labels, label]).encode()
    return FakeWriteback(data=buf.getvalue(), changes=(("status", label),), changed=True)


def use_writeback(monkeypatch) -> None:
    """Use the real write-back stage if this tree has it, else the fake above."""
    from digireport import job

    try:
        import digireport.writeback  # noqa: F401
    except ImportError:
        monkeypatch.setattr(job, "_apply_writeback", lambda: fake_apply_writeback)
