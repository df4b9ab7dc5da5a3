"""report.json: written as its JSON Schema says, for the sample and for a findings-heavy roll-up."""

from __future__ import annotations

import copy
import datetime as dt
import json

import jsonschema
import pytest

from benchmarks.generate import generate
from digireport import model
from digireport.findings import MESSAGES
from digireport.report import schema


@pytest.fixture(scope="module")
def validator():
    jsonschema.Draft202012Validator.check_schema(schema())
    return jsonschema.Draft202012Validator(schema())


def _errors(validator, report) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(report)]


def test_the_sample_report_follows_the_schema(sample_build, validator):
    out, _ = sample_build
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert _errors(validator, report) == []
    assert len(report["projects"]) == 80 and report["stats"]["indicators"]


def test_the_stats_are_the_statistics_records_with_years_as_text(sample_build):
    """report.json's `stats` is `stats_record` of the build's statistics: the same keys in the same
    order, each year a text key whose counts are the record's for that integer year."""
    from digireport.report import progress_record, stats_record

    out, result = sample_build
    stats = json.loads((out / "report.json").read_text(encoding="utf-8"))["stats"]
    record = stats_record(result.stats)
    assert json.loads(json.dumps(record)) == stats and list(record) == list(stats)
    assert stats["status_by_year"]["2024"] == result.stats.status_by_year[2024]
    assert list(stats["year_counts"]) == ["2024", "2025", "2026"] and stats["as_of"] == "2025-12-02"
    growth = next(p for p in result.stats.indicators if p.by_year and p.by_year[max(p.by_year)].growth is not None)
    year = max(growth.by_year)
    assert list(progress_record(growth)["by_year"][str(year)]) == ["ratio", "growth", "basis", "light"]
    change = next(p for p in stats["indicators"] if p["change_detail"])
    assert list(change["change_detail"]) == ["from", "to", "value", "unit", "approx"]


def test_a_findings_heavy_roll_up_report_follows_the_schema(tmp_path, validator):
    from digireport.pipeline import BuildOptions, build

    source = tmp_path / "rollup.xlsx"
    manifest = generate(source, rows=1500, seed=5, indicators=12, prefixed=0.67)
    build(source.read_bytes(), source.name, tmp_path / "out", BuildOptions(as_of=dt.date(2025, 12, 2), languages=("sv",)))
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert _errors(validator, report) == []
    unusual = [f for f in report["findings"] if f["code"] == "unusual_id"]
    assert len(unusual) == manifest["messes"]["prefixed_id"] > 900
    assert all(f["message"] and f["message_sv"] and f["column"] == "B" for f in unusual)


@pytest.mark.parametrize(("path", "value"), [
    (("projects", 0, "status"), "valmis"),
    (("projects", 0, "years", 0), "2024"),
    (("stats", "status_by_year", "2024", "done"), -1),
    (("source", "sheets", 0, "role"), "summary"),
    (("stats", "indicators", 0, "missing"), "unknown"),
    (("stats", "indicators", 0, "light"), "yellow"),
    (("source", "sha256"), "not a digest"),
])
def test_the_schema_refuses_what_report_json_never_holds(sample_build, validator, path, value):
    out, _ = sample_build
    report = copy.deepcopy(json.loads((out / "report.json").read_text(encoding="utf-8")))
    node = report
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    assert _errors(validator, report), path


def test_an_unknown_field_is_refused(sample_build, validator):
    out, _ = sample_build
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    report["projects"][0]["colour"] = "red"
    assert any("colour" in e for e in _errors(validator, report))


def test_the_schema_lists_the_model_vocabularies():
    defs = schema()["$defs"]
    for name, enum in [("goal", model.Goal), ("status", model.Status), ("level", model.Level),
                       ("basis", model.Basis), ("benefit", model.Benefit), ("beneficiary", model.Beneficiary),
                       ("size", model.SizeClass), ("model", model.DevModel), ("cost_kind", model.CostKind),
                       ("target_kind", model.TargetKind), ("severity", model.Severity)]:
        assert defs[name]["enum"] == [m.value for m in enum], name
    pattern = defs["finding"]["properties"]["code"]["pattern"]
    assert all(jsonschema.Draft202012Validator({"pattern": pattern}).is_valid(code) for code in MESSAGES)
