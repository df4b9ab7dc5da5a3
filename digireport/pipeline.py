"""The one place that calls all stages: fetch → parse → compute → render → promote."""

from __future__ import annotations

import datetime as dt
import os
import pickle
import select
import shutil
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from digireport.i18n import LANGUAGES, _
from digireport.model import Roadmap
from digireport.roadmap import collector_paused

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
    # Processes rendering outputs side by side (decks, workbook, web report). Each is forked from
    # the build, so the parsed roadmap is shared rather than copied; 1 renders one after another.
    workers: int = 1
    # When the build ran, shown on the indicator workbook's about sheet; None leaves it out.
    generated: dt.datetime | None = None


@dataclass
class BuildResult:
    roadmap: Roadmap
    stats: dict[str, Any]
    report: dict[str, Any]
    outputs: list[Path] = field(default_factory=list)


def parse(data: bytes, name: str) -> Roadmap:
    from digireport.roadmap import parse_roadmap

    return parse_roadmap(data, name)


def build(data: bytes, name: str, out: Path, options: BuildOptions, progress: Progress = _quiet) -> BuildResult:
    """Build every output for one workbook into `out`; on any failure `out` is left as it was."""
    with collector_paused():
        return _build(data, name, out, options, progress)


def _build(data: bytes, name: str, out: Path, options: BuildOptions, progress: Progress) -> BuildResult:
    from digireport.report import build_report
    from digireport.source import promote, staging_dir
    from digireport.stats import compute_stats

    progress(_("Reading {name}"), {"name": name})
    roadmap = parse(data, name)
    progress(_("Read {projects} projects and {indicators} indicators"),
             {"projects": len(roadmap.projects), "indicators": len(roadmap.indicators)})
    stats = compute_stats(roadmap, options.as_of)
    report = build_report(roadmap, stats)
    if options.workers > 1:
        # imported once here rather than once in every worker that renders with them
        import digireport.deck
        import digireport.web
        import digireport.workbook  # noqa: F401
    staging = staging_dir(out)
    try:
        render_all(RENDERERS, (roadmap, stats, report, options, staging, progress), options.workers)
        outputs = promote(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(roadmap=roadmap, stats=stats, report=report, outputs=outputs)


Renderer = Callable[[Roadmap, dict, dict, BuildOptions, Path, Progress], None]


def _render_report(roadmap, stats, report, options, staging: Path, progress) -> None:
    from digireport.report import dump

    with (staging / "report.json").open("w", encoding="utf-8") as fh:
        dump(report, fh)
    progress(_("Wrote {file}"), {"file": "report.json"})


def _render_web(*args) -> None:
    from digireport.web import render_web

    render_web(*args)


def _deck_renderer(lang: str) -> Renderer:
    def render(roadmap, stats, report, options, staging: Path, progress) -> None:
        if lang in options.languages:
            from digireport.deck import render_deck_file

            render_deck_file(roadmap, stats, lang, options, staging, progress)

    render.__name__ = f"_render_deck_{lang}"
    return render


def _workbook_renderer(lang: str) -> Renderer:
    def render(roadmap, stats, report, options, staging: Path, progress) -> None:
        if lang in options.languages:
            from digireport.workbook import render_indicator_workbook

            render_indicator_workbook(roadmap, stats, lang, options, staging, progress)

    render.__name__ = f"_render_workbook_{lang}"
    return render


# Each output registers itself here. Side by side the workers take them in this order; at scale the
# first ones take longest, and the two decks, the longest for a small roadmap, can go side by side.
RENDERERS: list[Renderer] = [*map(_workbook_renderer, LANGUAGES), _render_web, _render_report,
                             *map(_deck_renderer, LANGUAGES)]


def render_all(renderers: list[Renderer], args: tuple, workers: int) -> None:
    """Run every renderer, in `workers` processes side by side: this one and forked children.

    The renderers' numbers wait in a pipe; each process takes the next one when it is free (a
    one-byte read from a pipe is atomic), so whichever finishes first takes more. Renderers only
    write files into the staging folder, so a child sends back nothing but its failure, through a
    pipe of its own whose end also says the child is done. The first failure is raised once the
    children are stopped or done."""
    workers = min(workers, len(renderers))
    # A fork copies only the thread that calls it: a lock another thread holds at that moment would
    # stay locked in the child for good. A process with other threads renders in itself.
    if workers <= 1 or not hasattr(os, "fork") or threading.active_count() > 1:
        for render in renderers:
            render(*args)
        return
    queue, fill = os.pipe()
    os.write(fill, bytes(range(len(renderers))))
    os.close(fill)  # once the numbers are read, the next read says the work is done
    children: dict[int, tuple[int, bytearray]] = {}  # read end of a child's pipe → its pid, what it sent
    try:
        for _ in range(workers - 1):
            pid, fd = _fork(renderers, queue, args)
            children[fd] = (pid, bytearray())
        _take(renderers, queue, args)
        failure = None
        while children and failure is None:
            for fd in select.select(list(children), [], [])[0]:
                chunk = os.read(fd, 1 << 16)
                if chunk:
                    children[fd][1].extend(chunk)
                    continue
                pid, payload = children.pop(fd)
                os.close(fd)
                failure = failure or _failure(bytes(payload), os.waitpid(pid, 0)[1])
    finally:
        os.close(queue)
        for fd, (pid, _payload) in children.items():
            os.kill(pid, signal.SIGTERM)
            os.waitpid(pid, 0)
            os.close(fd)
    if failure is not None:
        raise failure


def _take(renderers: list[Renderer], queue: int, args: tuple) -> None:
    """Run renderers by the numbers read from `queue` until it is empty."""
    while number := os.read(queue, 1):
        renderers[number[0]](*args)


def _fork(renderers: list[Renderer], queue: int, args: tuple) -> tuple[int, int]:
    read, write = os.pipe()
    pid = os.fork()
    if pid:
        os.close(write)
        return pid, read
    # The child renders, reports a failure through the pipe and leaves with os._exit, so none of the
    # parent's clean-up (atexit handlers, removing the staging folder) runs twice.
    os.close(read)
    code = 0
    try:
        _take(renderers, queue, args)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        code = 1
        try:
            payload = pickle.dumps((exc, traceback.format_exc()))
        except Exception:  # noqa: BLE001 - an exception that cannot be pickled still reports its text
            payload = pickle.dumps((RuntimeError(f"{type(exc).__name__}: {exc}"), traceback.format_exc()))
        with os.fdopen(write, "wb") as pipe:
            pipe.write(payload)
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _failure(payload: bytes, status: int) -> BaseException | None:
    if payload:
        exc, trace = pickle.loads(payload)
        exc.add_note(trace.rstrip())
        return exc
    code = os.waitstatus_to_exitcode(status)
    return RuntimeError(f"a rendering process ended with status {code}") if code else None
