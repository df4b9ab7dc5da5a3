"""One run of the job against local folders: build, skip when unchanged, force, dry run, write-back, journal,
removal of outputs a run no longer builds."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile

import pytest
from jobfakes import labels_in, use_writeback

from digireport import SAMPLE_WORKBOOK
from digireport.errors import ConflictError, DigireportError
from digireport.i18n import l10n
from digireport.job import BusyError, job_lock, load_state, outdated, read_journal, run_once, save_state, summary
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


def make_settings(tmp_path, writeback=False, master=None, languages=("fi",), folder="published"):
    master = master or SAMPLE_WORKBOOK
    config = tmp_path / "digireport.toml"
    config.write_text(f"""
[source]
kind = "local"
path = "{master}"
[output]
folder = "{folder}"
[writeback]
enabled = {str(writeback).lower()}
label_format = "%m/%Y"
[report]
languages = {json.dumps(list(languages))}
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


def published_files(folder) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def test_outputs_a_run_no_longer_builds_are_removed_after_it_publishes(tmp_path):
    out = tmp_path / "published"
    both = make_settings(tmp_path, languages=("fi", "sv"))
    first = run_once(both, AS_OF, clock=Clock())
    assert first.removed == ()
    with zipfile.ZipFile(out / "deck-sv.pptx") as zf:
        assert "ppt/presentation.xml" in zf.namelist()
    assert 'lang="sv' in (out / "site" / "sv" / "index.html").read_text(encoding="utf-8")
    # files people keep beside the outputs
    (out / "Hallituksen muistio.txt").write_text("kokous 12/2025", encoding="utf-8")
    (out / "site" / "oma.html").write_text("<p>oma sivu</p>", encoding="utf-8")

    fi_only = make_settings(tmp_path, languages=("fi",))
    second = run_once(fi_only, AS_OF, clock=Clock(), force=True)
    assert second.status == "built" and second.removed == ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html")
    state = load_state(fi_only.state_folder)
    built = published_files(fi_only.state_folder / "outputs")
    assert state["published"] == {"folder": fi_only.output_folder, "files": built}
    assert "deck-fi.pptx" in built and "site/fi/index.html" in built and "deck-sv.pptx" not in built
    assert published_files(out) == sorted([*built, "Hallituksen muistio.txt", "site/oma.html"])
    assert not (out / "site" / "sv").exists()  # the sub-folder only the removed page was in
    assert (out / "Hallituksen muistio.txt").read_text(encoding="utf-8") == "kokous 12/2025"
    assert (out / "site" / "oma.html").read_text(encoding="utf-8") == "<p>oma sivu</p>"
    assert (out / "deck-fi.pptx").read_bytes() == (fi_only.state_folder / "outputs" / "deck-fi.pptx").read_bytes()

    assert [j["removed"] for j in read_journal(fi_only.state_folder)] == [
        [], ["deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html"]]
    assert summary(second, l10n("fi")) == (f"Valmis: {len(built)} tiedostoa julkaistu; havainnot: 0 virhettä, "
                                           "0 varoitusta Vanhentuneita tiedostoja poistettu: 3.")
    assert summary(second, l10n("sv")).endswith(" Inaktuella filer borttagna: 3.")

    third = run_once(fi_only, AS_OF, clock=Clock(), force=True)
    assert third.removed == () and published_files(out) == sorted([*built, "Hallituksen muistio.txt",
                                                                   "site/oma.html"])


def test_dry_run_and_unchanged_runs_remove_nothing(tmp_path):
    out = tmp_path / "published"
    run_once(make_settings(tmp_path, languages=("fi", "sv")), AS_OF, clock=Clock())
    before = published_files(out)
    state = load_state(tmp_path / "state")["published"]
    fi_only = make_settings(tmp_path, languages=("fi",))
    dry = run_once(fi_only, AS_OF, clock=Clock(), dry_run=True)
    unchanged = run_once(fi_only, AS_OF, clock=Clock())
    assert (dry.status, dry.removed, unchanged.status, unchanged.removed) == ("dry-run", (), "unchanged", ())
    assert published_files(out) == before and "deck-sv.pptx" in before
    assert load_state(fi_only.state_folder)["published"] == state
    assert run_once(fi_only, AS_OF, clock=Clock(), force=True).removed == (
        "deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html")


def test_a_new_output_folder_removes_nothing_in_either_folder(tmp_path):
    run_once(make_settings(tmp_path, languages=("fi", "sv")), AS_OF, clock=Clock())
    elsewhere = tmp_path / "julkinen"
    elsewhere.mkdir()
    (elsewhere / "deck-sv.pptx").write_bytes(b"a deck someone put here")
    moved = make_settings(tmp_path, languages=("fi",), folder="julkinen")
    result = run_once(moved, AS_OF, clock=Clock(), force=True)
    assert result.removed == ()
    assert (elsewhere / "deck-sv.pptx").read_bytes() == b"a deck someone put here"
    assert "deck-sv.pptx" in published_files(tmp_path / "published")
    assert load_state(moved.state_folder)["published"]["folder"] == str(elsewhere)


def test_an_edited_state_never_removes_the_master_or_anything_outside_the_folder(tmp_path):
    out = tmp_path / "published"
    out.mkdir()
    master = out / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    (tmp_path / "keep.txt").write_text("keep", encoding="utf-8")
    settings = make_settings(tmp_path, master=master)
    run_once(settings, AS_OF, clock=Clock())
    state = load_state(settings.state_folder)
    state["published"]["files"] += ["tiekartta_v2.xlsx", "../keep.txt", str(tmp_path / "keep.txt")]
    save_state(settings.state_folder, state)
    result = run_once(settings, AS_OF, clock=Clock(), force=True)
    assert result.removed == ()
    assert master.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
    assert (tmp_path / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert "tiekartta_v2.xlsx" not in load_state(settings.state_folder)["published"]["files"]


def test_outdated_compares_ignoring_case_and_keeps_only_plain_relative_paths():
    previous = ["Deck-SV.pptx", "deck-fi.pptx", "site/sv/index.html", "../x.txt", "/etc/passwd", "site/../x",
                "./report.json", "a\\b.txt", "", 5]
    assert outdated(previous, ["DECK-FI.pptx", "deck-sv.pptx"]) == ["site/sv/index.html"]


def test_local_remove_keeps_folders_with_other_files_and_never_follows_links(tmp_path):
    base = tmp_path / "out"
    (base / "a" / "b").mkdir(parents=True)
    (base / "c").mkdir()
    (base / "a" / "b" / "x.json").write_text("{}", encoding="utf-8")
    (base / "a" / "oma.txt").write_text("oma", encoding="utf-8")
    (base / "c" / "y.json").write_text("{}", encoding="utf-8")
    (tmp_path / "outside.json").write_text("outside", encoding="utf-8")
    (base / "link.json").symlink_to(tmp_path / "outside.json")
    (base / "d.json").mkdir()
    removed = LocalStorage().remove(str(base), ["a/b/x.json", "c/y.json", "link.json", "d.json", "gone.json"])
    assert removed == ["a/b/x.json", "c/y.json"]
    assert published_files(base) == ["a/oma.txt", "link.json"]
    assert sorted(p.name for p in base.iterdir()) == ["a", "d.json", "link.json"]
    assert (tmp_path / "outside.json").read_text(encoding="utf-8") == "outside"


def test_cli_run_logs_the_removal_and_counts_it(tmp_path, capsys):
    from digireport.cli import main

    run_once(make_settings(tmp_path, languages=("fi", "sv")), AS_OF, clock=Clock())
    settings = make_settings(tmp_path, languages=("fi",))
    assert main(["--ui-lang", "sv", "run", "--config", str(settings.config_file), "--as-of", "2025-12-02",
                 "--force"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert f"Tog bort 3 inaktuella filer från {settings.output_folder}" in err
    assert err[-1].endswith("Inaktuella filer borttagna: 3.")
    (line,) = [x for x in settings.log_file.read_text(encoding="utf-8").splitlines() if "outdated" in x]
    assert line.split(" ", 2)[2] == (
        f'progress message="Removed {{count}} outdated files from {{folder}}" count=3 '
        f'folder={json.dumps(settings.output_folder)} files=["deck-sv.pptx", "indicators-sv.xlsx", '
        '"site/sv/index.html"] skipped=[]')


def test_a_failed_build_removes_nothing(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    run_once(make_settings(tmp_path, master=master, languages=("fi", "sv")), AS_OF, clock=Clock())
    out = tmp_path / "published"
    before = {name: (out / name).read_bytes() for name in published_files(out)}
    master.write_bytes(b"not a workbook")
    fi_only = make_settings(tmp_path, master=master, languages=("fi",))
    with pytest.raises(DigireportError):
        run_once(fi_only, AS_OF, clock=Clock())
    assert {name: (out / name).read_bytes() for name in published_files(out)} == before
    assert "deck-sv.pptx" in load_state(fi_only.state_folder)["published"]["files"]
    assert "removed" not in read_journal(fi_only.state_folder)[-1]
