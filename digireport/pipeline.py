"""The one place that calls all stages: fetch → parse → compute → render → promote."""

from __future__ import annotations

import datetime as dt
import gc
import multiprocessing
import shutil
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from digireport.i18n import LANGUAGES, Plural, _
from digireport.model import Roadmap, Translation
from digireport.options import BuildOptions, Progress, quiet

if TYPE_CHECKING:
    from digireport.stats import Stats

__all__ = ["BuildOptions", "BuildResult", "Progress", "build", "parse", "render_all"]


@dataclass
class BuildResult:
    roadmap: Roadmap
    stats: Stats
    outputs: list[Path] = field(default_factory=list)


def parse(data: bytes, name: str) -> Roadmap:
    from digireport.roadmap import parse_roadmap

    return parse_roadmap(data, name)


def translate(roadmap: Roadmap, translations: tuple[str, bytes] | None) -> Roadmap:
    """The roadmap with the translations workbook's Swedish texts, and a finding for each still missing."""
    from digireport.i18n import l10n
    from digireport.roadmap import read_sheets
    from digireport.translations import TranslationTable, apply_translations, parse_translations

    table = TranslationTable()
    if translations is not None:
        name, data = translations
        table = parse_translations(read_sheets(data, name), name, map(l10n, LANGUAGES))
    return apply_translations(roadmap, table)


def build(data: bytes, name: str, out: Path, options: BuildOptions, progress: Progress = quiet) -> BuildResult:
    """Build every output for one workbook into `out`; on any failure `out` is left as it was."""
    from digireport.source import promote, staging_dir
    from digireport.stats import compute_stats

    with _collector_waits():
        progress(_("Reading {name}"), {"name": name})
        roadmap = translate(parse(data, name), options.translations)
        progress(_("Read {projects} and {indicators}"),
                 {"projects": Plural("{n} project", "{n} projects", len(roadmap.projects)),
                  "indicators": Plural("{n} indicator", "{n} indicators", len(roadmap.indicators))})
        stats = compute_stats(roadmap, options.as_of)
        if options.workers > 1:
            # imported once here rather than once in every worker that renders with them
            import digireport.deck
            import digireport.web
            import digireport.workbook  # noqa: F401
        staging = staging_dir(out)
        try:
            render_all(RENDERERS, (roadmap, stats, options, staging, progress), options.workers)
            outputs = promote(staging, out)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return BuildResult(roadmap=roadmap, stats=stats, outputs=outputs)


@contextmanager
def _collector_waits():
    """The cyclic collector paused for one build, in its process and in the workers it forks.

    A build makes the roadmap's objects in one go and keeps them all to the end, and each output
    makes tens of thousands of records that live until it is written: every full collection on
    the way scans them all again and finds next to nothing to free. What a build leaves in cycles
    is collected once the collector runs again. Measured in docs/performance.md."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# Every output is written by one: (roadmap, statistics, options, staging folder, progress).
Renderer = Callable[[Roadmap, "Stats", BuildOptions, Path, Progress], None]


def _render_report(roadmap, stats, options, staging: Path, progress) -> None:
    from digireport.report import build_report, dump

    with (staging / "report.json").open("w", encoding="utf-8") as fh:
        dump(build_report(roadmap, stats), fh)
    progress(_("Wrote {file}"), {"file": "report.json"})


def _render_web(*args) -> None:
    from digireport.web import render_web

    render_web(*args)


def _per_language(kind: str, load: Callable[[], Callable], lang: str) -> Renderer:
    """The renderer of one language's `kind` (deck, workbook), run only when the build makes that
    language; `load` imports the module's render function when it first runs."""

    def render(roadmap, stats, options, staging: Path, progress) -> None:
        if lang in options.languages:
            load()(roadmap, stats, lang, options, staging, progress)

    render.__name__ = f"_render_{kind}_{lang}"
    return render


def _load_deck() -> Callable:
    from digireport.deck import render_deck_file

    return render_deck_file


def _load_workbook() -> Callable:
    from digireport.workbook import render_indicator_workbook

    return render_indicator_workbook


def _deck_renderer(lang: str) -> Renderer:
    return _per_language("deck", _load_deck, lang)


def _workbook_renderer(lang: str) -> Renderer:
    return _per_language("workbook", _load_workbook, lang)


def _render_worklist(roadmap, stats, options, staging: Path, progress) -> None:
    from digireport.i18n import l10n
    from digireport.translations import WORKLIST_NAME, bilingual_header, worklist
    from digireport.workbook import write_translation_worklist

    fi, sv = l10n("fi"), l10n("sv")
    todo, done = worklist(roadmap, (fi, sv))
    # a worklist row is the Translation's fields as they are (dataclasses.astuple would deep-copy each)
    row = attrgetter(*(f.name for f in fields(Translation)))
    write_translation_worklist(staging / WORKLIST_NAME, bilingual_header(fi, sv), list(map(row, todo)),
                               list(map(row, done)), dt.datetime.combine(options.as_of, dt.time(0, 0)))
    progress(_("Wrote {file}"), {"file": WORKLIST_NAME})


# Each output registers itself here. Side by side the workers take them in this order; at scale the
# first ones take longest, and the two decks, the longest for a small roadmap, can go side by side.
RENDERERS: list[Renderer] = [*map(_workbook_renderer, LANGUAGES), _render_web, _render_report,
                             *map(_deck_renderer, LANGUAGES), _render_worklist]


def render_all(renderers: list[Renderer], args: tuple, workers: int) -> None:
    """Run every renderer, in `workers` processes side by side, or one after another in this one.

    The workers are forked, so they share the parsed roadmap rather than receiving a copy: each is
    sent only the number of a renderer. Renderers only write files into the staging folder, so a
    worker sends back nothing but its failure, with its traceback as a note. A worker that dies
    fails the build too. After a failure the renderers not yet started are cancelled and the ones
    running are waited for, so nothing writes into the staging folder once it is removed."""
    workers = min(workers, len(renderers))
    # A fork copies only the thread that calls it: a lock another thread holds at that moment would
    # stay locked in the child for good. A process with other threads renders in itself.
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        for render in renderers:
            render(*args)
        return
    global _WORK
    _WORK = (renderers, args)
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            futures = [pool.submit(_render, number) for number in range(len(renderers))]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future.done() and not future.cancelled() and future.exception() is not None:
                    raise future.exception()
    finally:
        _WORK = None


# The renderers and their arguments while `render_all` runs: the forked workers find them here.
_WORK: tuple[list[Renderer], tuple] | None = None


def _render(number: int) -> None:
    renderers, args = _WORK
    try:
        renderers[number](*args)
    except BaseException as exc:
        exc.add_note(traceback.format_exc().rstrip())
        raise
