"""The one place that calls all stages: fetch → parse → compute → render → promote."""

from __future__ import annotations

import datetime as dt
import gc
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digireport.i18n import LANGUAGES, _
from digireport.model import Roadmap

Progress = Callable[[str, dict[str, Any]], None]


def _quiet(message: str, args: dict[str, Any]) -> None:
    pass


@dataclass(frozen=True)
class BuildOptions:
    as_of: dt.date
    languages: tuple[str, ...] = LANGUAGES
    template: Path | None = None
    presenter: str | None = None
    pdf: bool = False
    max_list_rows: int = 200


@dataclass
class BuildResult:
    roadmap: Roadmap
    stats: dict[str, Any]
    report: dict[str, Any]
    outputs: list[Path] = field(default_factory=list)


def parse(data: bytes, name: str) -> Roadmap:
    from digireport.roadmap import parse_roadmap

    return parse_roadmap(data, name)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A build allocates millions of acyclic records for a large roll-up; the cyclic garbage
    collector's passes over them cost a tenth of the build and free nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def build(data: bytes, name: str, out: Path, options: BuildOptions, progress: Progress = _quiet) -> BuildResult:
    """Build every output for one workbook into `out`; on any failure `out` is left as it was."""
    with _collector_paused():
        return _build(data, name, out, options, progress)


def _build(data: bytes, name: str, out: Path, options: BuildOptions, progress: Progress) -> BuildResult:
    from digireport.report import build_report, dump
    from digireport.source import promote, staging_dir
    from digireport.stats import compute_stats

    progress(_("Reading {name}"), {"name": name})
    roadmap = parse(data, name)
    progress(_("Read {projects} projects and {indicators} indicators"),
             {"projects": len(roadmap.projects), "indicators": len(roadmap.indicators)})
    stats = compute_stats(roadmap, options.as_of)
    report = build_report(roadmap, stats)
    staging = staging_dir(out)
    try:
        with (staging / "report.json").open("w", encoding="utf-8") as fh:
            dump(report, fh)
        progress(_("Wrote {file}"), {"file": "report.json"})
        for render in RENDERERS:
            render(roadmap, stats, report, options, staging, progress)
        outputs = promote(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(roadmap=roadmap, stats=stats, report=report, outputs=outputs)


Renderer = Callable[[Roadmap, dict, dict, BuildOptions, Path, Progress], None]

# Each output stage registers itself here; the order is the order outputs are written.
def _render_web(*args) -> None:
    from digireport.web import render_web

    render_web(*args)


def _render_decks(*args) -> None:
    from digireport.deck import render_decks

    render_decks(*args)


def _render_workbook(*args) -> None:
    from digireport.workbook import render_indicator_workbook

    render_indicator_workbook(*args)


RENDERERS: list[Renderer] = [_render_decks, _render_workbook, _render_web]
