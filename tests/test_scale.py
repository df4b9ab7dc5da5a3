"""A generated roadmap of thousands of rows reads with the counts and findings it was written with."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections import Counter

import pytest

from benchmarks.generate import generate
from digireport.model import Goal, Severity

ROWS = 3000

# the generator's deliberately bad cells and the finding each one must produce
MESS_FINDINGS = {
    "unknown_status": ("unknown_status", "J"),
    "missing_status": ("missing_status", "J"),
    "unknown_level": ("unknown_value", "K"),
    "unparseable_cost": ("unparseable_number", "S"),
    "duplicate_id": ("duplicate_id", "B"),
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = tmp_path_factory.mktemp("scale") / "roadmap.xlsx"
    manifest = generate(path, rows=ROWS, seed=11, indicators=25)
    return path, manifest


@pytest.fixture(scope="module")
def roadmap(generated):
    from digireport.roadmap import parse_roadmap

    path, _ = generated
    return parse_roadmap(path.read_bytes(), path.name)


def test_every_generated_row_is_a_project(roadmap, generated):
    _, manifest = generated
    assert len(roadmap.projects) == ROWS
    assert [p.row for p in roadmap.projects] == list(range(4, 4 + ROWS))
    assert len(roadmap.indicators) == 25


def test_status_counts_match_what_was_written(roadmap, generated):
    _, manifest = generated
    counts = Counter(p.status.value for p in roadmap.projects)
    assert dict(counts) == manifest["status_counts"]


def test_goal_spellings_fold_to_four_goals(roadmap, generated):
    _, manifest = generated
    counts = Counter(p.goal.value for p in roadmap.projects)
    assert dict(counts) == manifest["goal_counts"]
    assert set(counts) == {g.value for g in Goal}


def test_each_injected_bad_cell_is_a_finding_on_its_row(roadmap, generated):
    _, manifest = generated
    by_code: dict[str, list[tuple[int, str]]] = {}
    for f in roadmap.findings:
        by_code.setdefault(f.code, []).append((f.row, f.column))
    assert set(manifest["mess_rows"]) >= set(MESS_FINDINGS)
    for mess, (code, column) in MESS_FINDINGS.items():
        assert by_code.pop(code) == [(row, column) for row in manifest["mess_rows"][mess]], mess
    year_marks = by_code.pop("unknown_year_mark")
    assert [row for row, _ in year_marks] == manifest["mess_rows"]["unknown_year_mark"]
    assert {column for _, column in year_marks} <= {"G", "H", "I"}
    assert by_code.pop("sum_row") == [(manifest["sum_row"], "A")]
    assert by_code.pop("not_a_project") == [(manifest["note_row"], "C")]
    assert by_code == {}, "findings the generator did not inject"


def test_bad_cells_are_errors_where_the_board_would_miscount(roadmap):
    severities = {f.code: f.severity for f in roadmap.findings}
    assert severities["unknown_status"] is Severity.ERROR
    assert severities["duplicate_id"] is Severity.ERROR
    assert severities["unknown_value"] is Severity.WARNING


def test_build_of_a_large_roadmap_writes_every_project(generated, tmp_path):
    from digireport.pipeline import BuildOptions, build

    path, manifest = generated
    out = tmp_path / "out"
    build(path.read_bytes(), path.name, out, BuildOptions(as_of=dt.date(2025, 12, 2)))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["projects"]) == ROWS
    assert Counter(p["status"] for p in report["projects"]) == Counter(manifest["status_counts"])
    assert report["projects"][0]["row"] == 4
    # Swedish texts the generated roadmap lacks are listed for translation, not counted as messes
    untranslated = [f for f in report["findings"] if f["code"] == "missing_translation"]
    assert all(f["severity"] == "warning" and f["value"] for f in untranslated)
    found = len(report["findings"]) - len(untranslated)
    assert found == sum(manifest["messes"].values()) + 2  # plus the sum row and the note


def test_generator_is_deterministic(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    assert generate(a, rows=200, seed=3) == generate(b, rows=200, seed=3)
    assert a.read_bytes() == b.read_bytes()


def test_help_imports_no_heavy_library():
    code = (
        "import sys\n"
        "from digireport.cli import main\n"
        "try:\n"
        "    main(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ('pandas', 'pptx', 'openpyxl', 'xlsxwriter', 'babel', 'python_calamine', 'numpy')\n"
        "print('loaded:' + ','.join(sorted(m for m in sys.modules if m.split('.')[0] in heavy)))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "käyttö: digireport" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "loaded:"


# ---- a column filled down to the sheet's last row by mistake ------------------------------------

ACCIDENT_SECONDS = 60
ACCIDENT_MB = 1536


@pytest.fixture(scope="module")
def accident(tmp_path_factory):
    from benchmarks.generate import LAST_ROW

    path = tmp_path_factory.mktemp("accident") / "tiekartta.xlsx"
    manifest = generate(path, rows=80, seed=11, indicators=10, stray_to=LAST_ROW)
    return path, manifest


def _run_measured(args):
    """Run the command line in a child; exit code, output, wall seconds, peak memory (MB) of its processes."""
    import time

    code = (
        "import resource, sys\n"
        "from digireport.cli import main\n"
        "try:\n"
        "    status = main(sys.argv[1:])\n"
        "finally:\n"
        "    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))\n"
        "    print(f'peak-kib {peak}', file=sys.stderr)\n"
        "sys.exit(status)\n"
    )
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - start
    peak_line = [line for line in result.stderr.splitlines() if line.startswith("peak-kib ")][-1]
    return result.returncode, result.stdout + result.stderr, seconds, int(peak_line.split()[1]) / 1024


def test_validate_reads_an_accident_down_to_row_1048576_as_one_finding(accident):
    path, manifest = accident
    first, last = manifest["stray_rows"]
    code, output, seconds, peak_mb = _run_measured(["validate", "--source", str(path)])
    assert code == (1 if {"duplicate_id", "unknown_status"} & set(manifest["messes"]) else 0), output
    assert seconds < ACCIDENT_SECONDS and peak_mb < ACCIDENT_MB, (seconds, peak_mb)
    stray = [line for line in output.splitlines() if "viimeisen toimenpiteen alapuolella" in line]
    assert len(stray) == 1
    assert f"Rivit {first}–1\u00a0048\u00a0576:" in stray[0] and f" {first} " in stray[0] and " W " in stray[0]
    # the generator's bad cells, its sum row and its note, each a finding of its own; the stray rows one
    # and each Finnish-only text the Swedish outputs would show, a missing translation
    missing = sum(1 for line in output.splitlines() if line.startswith("varoitus") and "translations-sv.xlsx" in line)
    assert f"{sum(manifest['messes'].values()) + 3 + missing} havaintoa" in output


def test_build_of_the_accident_stays_within_a_minute_and_its_memory(accident, tmp_path):
    path, manifest = accident
    out = tmp_path / "out"
    code, output, seconds, peak_mb = _run_measured(
        ["build", "--source", str(path), "--out", str(out), "--as-of", "2025-12-02", "--quiet"])
    assert code == 0, output
    assert seconds < ACCIDENT_SECONDS and peak_mb < ACCIDENT_MB, (seconds, peak_mb)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert len(report["projects"]) == 80
    stray = [f for f in report["findings"] if f["code"] == "rows_below_projects"]
    assert [(f["row"], f["column"], f["value"]) for f in stray] == [(manifest["stray_rows"][0], "W", ".")]
    assert stray[0]["message_sv"].startswith(f"Raderna {manifest['stray_rows'][0]}–1\u00a0048\u00a0576:")
