"""One run of the job against local folders: build, skip when unchanged, force, dry run, write-back, journal."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from jobfakes import labels_in, use_writeback

from digireport import SAMPLE_WORKBOOK
from digireport.errors import ConflictError
from digireport.job import BusyError, job_lock, load_state, read_journal, run_once
from digireport.settings import load_settings
from digireport.source import LocalStorage

AS_OF = dt.date(2025, 12, 2)
SAMPLE_SHA = hashlib.sha256(SAMPLE_WORKBOOK.read_bytes()).hexdigest()


class Clock:
    def __init__(self):
        self.now = dt.datetime(2025, 12, 2, 0, 0, tzinfo=dt.UTC)

    def __call__(self):
        self.now += dt.timedelta(seconds=30)
        return self.now


def make_settings(tmp_path, writeback=False, master=None):
    master = master or SAMPLE_WORKBOOK
    config = tmp_path / "digireport.toml"
    config.write_text(f"""
[source]
kind = "local"
path = "{master}"
[output]
folder = "published"
[writeback]
enabled = {str(writeback).lower()}
label_format = "%m/%Y"
[report]
languages = ["fi"]
[job]
state_folder = "state"
""", encoding="utf-8")
    return load_settings(config, environ={})


def test_first_run_builds_and_publishes_then_skips_unchanged(tmp_path):
    settings = make_settings(tmp_path)
    clock = Clock()
    first = run_once(settings, AS_OF, clock=clock)
    assert first.status == "built" and first.source_version == SAMPLE_SHA
    report = json.loads((tmp_path / "published" / "report.json").read_text(encoding="utf-8"))
    assert len(report["projects"]) == 80 and len(report["indicators"]) == 17
    assert str(tmp_path / "published" / "report.json") in first.outputs
    assert first.findings == {"error": 0, "warning": 0, "info": 0}

    second = run_once(settings, AS_OF, clock=clock)
    assert (second.status, second.outputs, second.exit_code) == ("unchanged", (), 0)

    forced = run_once(settings, AS_OF, clock=clock, force=True)
    assert forced.status == "built" and forced.outputs == first.outputs

    journal = read_journal(settings.state_folder)
    assert [j["status"] for j in journal] == ["built", "unchanged", "built"]
    assert journal[0]["start"] == "2025-12-02T00:00:30+00:00" and journal[0]["end"] == "2025-12-02T00:01:00+00:00"
    assert all(j["source_version"] == SAMPLE_SHA and j["error"] is None for j in journal)
    assert journal[2]["force"] is True


def test_dry_run_publishes_nothing(tmp_path):
    settings = make_settings(tmp_path)
    result = run_once(settings, AS_OF, clock=Clock(), dry_run=True)
    assert result.status == "dry-run" and any(o.endswith("report.json") for o in result.outputs)
    assert not (tmp_path / "published").exists()
    assert load_state(settings.state_folder)["last_success"] is None


def test_failed_run_is_journaled_with_its_error(tmp_path):
    settings = make_settings(tmp_path, master=tmp_path / "missing.xlsx")
    with pytest.raises(Exception) as err:
        run_once(settings, AS_OF, clock=Clock())
    (entry,) = read_journal(settings.state_folder)
    assert entry["error"] == str(err.value) and "missing.xlsx: file not found" in entry["error"]
    assert entry["exit_code"] == 2


def test_write_back_into_local_master_once(tmp_path, monkeypatch):
    use_writeback(monkeypatch)
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    settings = make_settings(tmp_path, writeback=True, master=master)
    result = run_once(settings, AS_OF, clock=Clock())
    assert result.writeback == "applied"
    assert labels_in(master.read_bytes()) == ["12/2025"]
    state = load_state(settings.state_folder)
    # our own save does not count as a new source version
    assert state["last_success"]["version"] == hashlib.sha256(master.read_bytes()).hexdigest()
    assert state["pending"] == []
    again = run_once(settings, AS_OF, clock=Clock())
    assert again.status == "unchanged" and labels_in(master.read_bytes()) == ["12/2025"]


def test_local_write_back_refuses_a_changed_file(tmp_path):
    master = tmp_path / "m.xlsx"
    master.write_bytes(b"one")
    storage = LocalStorage()
    fetched = storage.download(str(master))
    master.write_bytes(b"two")
    with pytest.raises(ConflictError) as err:
        storage.write_back(str(master), b"three", fetched.version)
    assert str(err.value) == f"{master}: the file changed since it was read"
    assert master.read_bytes() == b"two"


def test_never_two_runs_at_once(tmp_path):
    settings = make_settings(tmp_path)
    with job_lock(settings.state_folder):
        with pytest.raises(BusyError) as err:
            run_once(settings, AS_OF, clock=Clock())
    assert err.value.exit_code == 5 and "another run is in progress" in str(err.value)
    assert not (tmp_path / "published").exists()


def test_cli_run_prints_progress_and_maps_errors_to_exit_codes(tmp_path, capsys):
    from digireport.cli import main

    settings = make_settings(tmp_path)
    config = str(settings.config_file)
    assert main(["--ui-lang", "fi", "run", "--config", config, "--as-of", "2025-12-02"]) == 0
    err = capsys.readouterr().err
    assert "Luetaan tiekartta_v2.xlsx" in err
    assert re.fullmatch(r"Valmis: \d+ tiedostoa julkaistu; havainnot: 0 virhettä, 0 varoitusta", err.splitlines()[-1])
    assert main(["--ui-lang", "sv", "run", "--config", config, "--as-of", "2025-12-02"]) == 0
    assert capsys.readouterr().err.splitlines()[-1] == "Oförändrad sedan föregående körning; inget byggdes"
    log = settings.log_file.read_text(encoding="utf-8").splitlines()
    assert [line.split()[2] for line in log if line.split()[2].startswith("run-")] == [
        "run-start", "run-end", "run-start", "run-end"]
    assert any('status="unchanged"' in line for line in log)

    with job_lock(settings.state_folder):
        assert main(["run", "--config", config]) == 5
    assert capsys.readouterr().err.startswith("digireport: ")
    missing = tmp_path / "nope.toml"
    assert main(["--ui-lang", "fi", "run", "--config", str(missing)]) == 2
    assert capsys.readouterr().err == f"digireport: {missing}: tiedostoa ei löydy\n"


def test_local_master_open_in_excel_defers_the_write_back(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    lock = tmp_path / "~$tiekartta_v2.xlsx"
    lock.write_bytes(b"owner")
    settings = make_settings(tmp_path, writeback=True, master=master)
    first = run_once(settings, AS_OF, clock=Clock())
    assert (first.writeback, first.exit_code) == ("pending", 4)
    assert master.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    assert [p["label"] for p in load_state(settings.state_folder)["pending"]] == ["12/2025"]
    lock.unlink()
    second = run_once(settings, AS_OF, clock=Clock())
    assert (second.status, second.writeback, second.exit_code) == ("unchanged", "applied", 0)
    assert labels_in(master.read_bytes()) == ["12/2025"]
    assert load_state(settings.state_folder)["pending"] == []


def test_two_pending_months_are_applied_in_order_once(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    lock = tmp_path / "~$tiekartta_v2.xlsx"
    lock.write_bytes(b"owner")
    settings = make_settings(tmp_path, writeback=True, master=master)
    assert run_once(settings, dt.date(2025, 11, 30), clock=Clock()).writeback == "pending"
    assert run_once(settings, AS_OF, clock=Clock(), force=True).writeback == "pending"
    assert [p["label"] for p in load_state(settings.state_folder)["pending"]] == ["11/2025", "12/2025"]
    lock.unlink()
    assert run_once(settings, AS_OF, clock=Clock()).writeback == "applied"
    assert labels_in(master.read_bytes()) == ["11/2025", "12/2025"]
    state = load_state(settings.state_folder)
    assert state["pending"] == [] and state["applied"] == ["11/2025", "12/2025"]
