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
