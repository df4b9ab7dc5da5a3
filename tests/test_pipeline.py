"""The build's stages: outputs rendered side by side in worker processes, and failures in them."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time
from concurrent.futures.process import BrokenProcessPool

import pytest

from digireport import SAMPLE_WORKBOOK, pipeline
from digireport.errors import TemplateError
from digireport.pipeline import BuildOptions, build

AS_OF = dt.date(2025, 12, 2)


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_side_by_side_rendering_writes_the_same_bytes(tmp_path):
    data = SAMPLE_WORKBOOK.read_bytes()
    build(data, SAMPLE_WORKBOOK.name, tmp_path / "one", BuildOptions(as_of=AS_OF, workers=1))
    result = build(data, SAMPLE_WORKBOOK.name, tmp_path / "two", BuildOptions(as_of=AS_OF, workers=2))
    one, two = _files(tmp_path / "one"), _files(tmp_path / "two")
    assert {"report.json", "deck-fi.pptx", "deck-sv.pptx", "indicators-fi.xlsx",
            "indicators-sv.xlsx"} <= set(one)
    assert one == two
    assert sorted(p.name for p in result.outputs) == sorted(p.name for p in (tmp_path / "two").iterdir())


PARENT = os.getpid()


def _fails(roadmap, stats, options, staging, progress):
    (staging / "partial.txt").write_text("half", encoding="utf-8")
    raise TemplateError("{name}: the template has no layout {layout}", name="x.pptx", layout="Otsikko")


def _writes(roadmap, stats, options, staging, progress):
    (staging / f"fine-{os.getpid()}.txt").write_text(str(len(roadmap.projects)), encoding="utf-8")


def _dies_in_a_worker(*args):
    if os.getpid() != PARENT:
        os.kill(os.getpid(), signal.SIGKILL)
    _writes(*args)


def _fails_at_once(roadmap, stats, options, staging, progress):
    _fails(roadmap, stats, options, staging, progress)


def _writes_late(roadmap, stats, options, staging, progress):
    time.sleep(0.5)
    (staging / "site").mkdir(parents=True)  # as the web report makes its folder
    (staging / "site" / "late.txt").write_text("late", encoding="utf-8")


def _previous(out):
    out.mkdir()
    (out / "report.json").write_text("previous", encoding="utf-8")


@pytest.mark.parametrize("workers", [1, 2])
def test_a_failing_renderer_raises_its_own_error_and_keeps_the_previous_outputs(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "RENDERERS", [_writes, _fails, _writes])
    out = tmp_path / "out"
    _previous(out)
    with pytest.raises(TemplateError) as caught:
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", out, BuildOptions(as_of=AS_OF, workers=workers))
    assert str(caught.value) == "x.pptx: the template has no layout Otsikko"
    assert caught.value.params == {"name": "x.pptx", "layout": "Otsikko"}
    assert caught.value.exit_code == 2
    assert _files(out) == {"report.json": b"previous"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "staging folder left behind"


def test_the_failure_of_a_worker_carries_its_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "RENDERERS", [_writes, _fails])
    with pytest.raises(TemplateError) as caught:
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=2))
    assert any("in _fails" in note and "Traceback" in note for note in caught.value.__notes__)


def test_a_worker_killed_by_a_signal_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "RENDERERS", [_dies_in_a_worker, _dies_in_a_worker])
    out = tmp_path / "out"
    _previous(out)
    with pytest.raises(BrokenProcessPool):
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", out, BuildOptions(as_of=AS_OF, workers=2))
    assert _files(out) == {"report.json": b"previous"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "staging folder left behind"


def test_a_failure_waits_for_the_renderers_still_running_before_the_staging_folder_goes(tmp_path, monkeypatch):
    """A renderer still running when another fails must not write into a removed staging folder."""
    monkeypatch.setattr(pipeline, "RENDERERS", [_fails_at_once, _writes_late])
    out = tmp_path / "out"
    _previous(out)
    with pytest.raises(TemplateError):
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", out, BuildOptions(as_of=AS_OF, workers=2))
    time.sleep(0.7)  # had the late renderer outlived the build, it would have written by now
    assert [p.name for p in tmp_path.iterdir()] == ["out"], "staging folder left behind"
    assert _files(out) == {"report.json": b"previous"}


def _pid(name):
    def render(roadmap, stats, options, staging, progress):
        time.sleep(0.2)  # long enough for each process to take one
        (staging / name).write_text(str(os.getpid()), encoding="utf-8")
    return render


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_each_renderer_runs_once_in_one_of_the_workers(tmp_path, monkeypatch, workers):
    monkeypatch.setattr(pipeline, "RENDERERS", [_pid("a"), _pid("b"), _pid("c")])
    build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=workers))
    pids = {name: int((tmp_path / "out" / name).read_text(encoding="utf-8")) for name in "abc"}
    assert len(set(pids.values())) == workers
    assert (os.getpid() in pids.values()) == (workers == 1)


def test_decks_are_made_one_language_each(tmp_path):
    """The decks are two renderers, so two workers can make them side by side; one language, one deck."""
    build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out",
          BuildOptions(as_of=AS_OF, languages=("sv",), workers=2))
    assert sorted(p.name for p in (tmp_path / "out").glob("deck-*")) == ["deck-sv.pptx"]


def test_a_process_with_other_threads_renders_in_itself(tmp_path, monkeypatch):
    """Forking copies only the calling thread, so with another thread running nothing is forked."""
    import threading

    monkeypatch.setattr(pipeline, "RENDERERS", [_pid("a"), _pid("b")])
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=2))
    finally:
        stop.set()
        other.join()
    pids = {int((tmp_path / "out" / name).read_text(encoding="utf-8")) for name in "ab"}
    assert pids == {os.getpid()}
