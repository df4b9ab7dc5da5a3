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


def labels_in(data: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return [x for x in zf.comment.decode().split(";") if x]


def fake_apply_writeback(data: bytes, name: str, label: str, roadmap=None) -> FakeWriteback:
    labels = labels_in(data)
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
