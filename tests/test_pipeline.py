"""The build's stages: outputs rendered side by side in forked processes, and failures in them."""

from __future__ import annotations

import datetime as dt
import os
import signal
import time

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
    assert {"report.json", "deck-fi.pptx", "deck-sv.pptx", "indicators.xlsx"} <= set(one)
    assert one == two
    assert sorted(p.name for p in result.outputs) == sorted(p.name for p in (tmp_path / "two").iterdir())


def _fails(roadmap, stats, report, options, staging, progress):
    (staging / "partial.txt").write_text("half", encoding="utf-8")
    raise TemplateError("{name}: the template has no layout {layout}", name="x.pptx", layout="Otsikko")


def _writes(roadmap, stats, report, options, staging, progress):
    (staging / "fine.txt").write_text(str(len(roadmap.projects)), encoding="utf-8")


def _dies(roadmap, stats, report, options, staging, progress):
    os.kill(os.getpid(), signal.SIGKILL)


def _sleeps(roadmap, stats, report, options, staging, progress):
    (staging / "sleeper.pid").write_text(str(os.getpid()), encoding="utf-8")
    (staging.parent / "sleeper.pid").write_text(str(os.getpid()), encoding="utf-8")
    time.sleep(60)


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


def test_the_failure_of_a_child_carries_its_traceback(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "RENDERERS", [_writes, _fails])
    with pytest.raises(TemplateError) as caught:
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=2))
    assert any("in _fails" in note for note in caught.value.__notes__)


def test_a_child_killed_by_a_signal_fails_the_build(tmp_path, monkeypatch):
    monkeypatch.setattr(pipeline, "RENDERERS", [_writes, _dies])
    out = tmp_path / "out"
    _previous(out)
    with pytest.raises(RuntimeError, match="status -9"):
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", out, BuildOptions(as_of=AS_OF, workers=2))
    assert _files(out) == {"report.json": b"previous"}


def test_a_failure_here_stops_the_children_still_rendering(tmp_path, monkeypatch):
    def fails_once_the_sleeper_started(*args):
        staging = args[4]
        while not (staging / "sleeper.pid").exists():
            time.sleep(0.01)
        _fails(*args)

    monkeypatch.setattr(pipeline, "RENDERERS", [fails_once_the_sleeper_started, _sleeps])
    with pytest.raises(TemplateError):
        build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=2))
    sleeper = int((tmp_path / "sleeper.pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left running
        os.kill(sleeper, 0)


def _pid(name):
    def render(roadmap, stats, report, options, staging, progress):
        (staging / name).write_text(str(os.getpid()), encoding="utf-8")
    return render


@pytest.mark.parametrize("workers, here", [(1, ["a", "b", "c"]), (2, ["a", "c"]), (3, ["a"])])
def test_this_process_is_the_first_worker(tmp_path, monkeypatch, workers, here):
    monkeypatch.setattr(pipeline, "RENDERERS", [_pid("a"), _pid("b"), _pid("c")])
    build(SAMPLE_WORKBOOK.read_bytes(), "s.xlsx", tmp_path / "out", BuildOptions(as_of=AS_OF, workers=workers))
    pids = {name: int((tmp_path / "out" / name).read_text(encoding="utf-8")) for name in "abc"}
    assert sorted(name for name, pid in pids.items() if pid == os.getpid()) == here
    assert len(set(pids.values())) == min(workers, 3)
