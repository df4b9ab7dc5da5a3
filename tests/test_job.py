"""One run of the job against local folders: build, skip when unchanged, force, dry run, write-back, journal,
removal of outputs a run no longer builds."""

from __future__ import annotations

import dataclasses
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


def make_settings(tmp_path, writeback=False, master=None, languages=("fi",), folder="published", report=""):
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
{report}
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
    assert first.findings == {"error": 0, "warning": 32, "info": 0}  # Swedish texts the sample lacks

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
    assert re.fullmatch(r"Valmis: \d+ tiedostoa julkaistu; havainnot: 0 virhettä, 32 varoitusta", err.splitlines()[-1])
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
    sv_only = ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html", "site/sv/tillganglighet.html")
    assert second.status == "built" and second.removed == sv_only
    state = load_state(fi_only.state_folder)
    built = published_files(fi_only.state_folder / "outputs")
    assert state["published"] == {"folder": fi_only.output_folder, "files": built}
    assert "deck-fi.pptx" in built and "site/fi/index.html" in built and "deck-sv.pptx" not in built
    assert published_files(out) == sorted([*built, "Hallituksen muistio.txt", "site/oma.html"])
    assert not (out / "site" / "sv").exists()  # the sub-folder only the removed page was in
    assert (out / "Hallituksen muistio.txt").read_text(encoding="utf-8") == "kokous 12/2025"
    assert (out / "site" / "oma.html").read_text(encoding="utf-8") == "<p>oma sivu</p>"
    assert (out / "deck-fi.pptx").read_bytes() == (fi_only.state_folder / "outputs" / "deck-fi.pptx").read_bytes()

    assert [j["removed"] for j in read_journal(fi_only.state_folder)] == [[], list(sv_only)]
    assert summary(second, l10n("fi")) == (f"Valmis: {len(built)} tiedostoa julkaistu; havainnot: 0 virhettä, "
                                           "32 varoitusta Vanhentuneita tiedostoja poistettu: 4.")
    assert summary(second, l10n("sv")).endswith(" Inaktuella filer borttagna: 4.")

    third = run_once(fi_only, AS_OF, clock=Clock(), force=True)
    assert third.removed == () and published_files(out) == sorted([*built, "Hallituksen muistio.txt",
                                                                   "site/oma.html"])


def test_dry_run_and_unchanged_runs_remove_nothing(tmp_path):
    out = tmp_path / "published"
    both = make_settings(tmp_path, languages=("fi", "sv"))
    run_once(both, AS_OF, clock=Clock())
    before = published_files(out)
    state = load_state(tmp_path / "state")["published"]
    fi_only = make_settings(tmp_path, languages=("fi",))
    dry = run_once(fi_only, AS_OF, clock=Clock(), dry_run=True)
    unchanged = run_once(both, AS_OF, clock=Clock())
    assert (dry.status, dry.removed, unchanged.status, unchanged.removed) == ("dry-run", (), "unchanged", ())
    assert published_files(out) == before and "deck-sv.pptx" in before
    assert load_state(fi_only.state_folder)["published"] == state
    # dropping a language shapes the outputs: the next run builds without --force
    dropped = run_once(fi_only, AS_OF, clock=Clock())
    assert (dropped.status, dropped.removed) == ("built", ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html",
                                                             "site/sv/tillganglighet.html"))


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
    assert f"Tog bort 4 inaktuella filer från {settings.output_folder}" in err
    assert err[-1].endswith("Inaktuella filer borttagna: 4.")
    (line,) = [x for x in settings.log_file.read_text(encoding="utf-8").splitlines() if "Removed" in x]
    assert line.split(" ", 2)[2] == (
        f'progress message="Removed {{count}} from {{folder}}" count=4 '
        f'folder={json.dumps(settings.output_folder)} files=["deck-sv.pptx", "indicators-sv.xlsx", '
        f'"site/sv/index.html", "site/sv/tillganglighet.html"] skipped=[]')


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


def test_the_translations_workbook_is_used_and_a_new_version_of_it_is_built(tmp_path):
    import openpyxl

    translations = tmp_path / "translations-sv.xlsx"
    settings = make_settings(tmp_path, report=f'translations = "{translations.name}"', languages=("fi", "sv"))
    assert settings.translations == str(translations)
    # the worklist of a first build, with one Swedish text filled in, is the translations workbook
    run_once(dataclasses.replace(settings, translations=None), AS_OF, clock=Clock(), dry_run=True)
    book = openpyxl.load_workbook(settings.state_folder / "outputs" / "translations-sv.xlsx")
    book.active["G2"] = "Kontinuerlig nytta för kommuninvånare och personal."
    book.save(translations)
    clock = Clock()
    first = run_once(settings, AS_OF, clock=clock)
    assert first.status == "built" and first.findings["warning"] == 31
    report = json.loads((tmp_path / "published" / "report.json").read_text(encoding="utf-8"))
    a2 = next(p for p in report["projects"] if p["id"] == "A2")
    assert a2["impact"]["sv"] == "Kontinuerlig nytta för kommuninvånare och personal."
    assert run_once(settings, AS_OF, clock=clock).status == "unchanged"
    book.active["G3"] = "Cybersäkerhet är en lagstadgad skyldighet."
    book.save(translations)
    again = run_once(settings, AS_OF, clock=clock)
    assert again.status == "built" and again.findings["warning"] == 30


# ---- real processes, real signals, real files ---------------------------------------------------------

import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def write_config(tmp_path, text: str, name="digireport.toml"):
    config = tmp_path / name
    config.write_text(text, encoding="utf-8")
    return config


def local_config(tmp_path, master, writeback=True, extra=""):
    return write_config(tmp_path, f"""
[source]
path = "{master}"
[output]
folder = "published"
[writeback]
enabled = {str(writeback).lower()}
{extra}
[report]
languages = ["fi"]
[job]
state_folder = "state"
workers = 1
""")


def digireport(*args, cwd=None, umask=None, limit=None, unprivileged=False, timeout=120, python_code=None):
    """Run the real `digireport` command in a process of its own; Finnish messages."""
    def prepare():
        if umask is not None:
            os.umask(umask)
        if limit is not None:  # a disk that fills up: writes past `limit` bytes fail with EFBIG
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "DIGIREPORT_UI_LANG": "fi", "HOME": str(cwd or ROOT)}
    command = [sys.executable, "-c", python_code, *args] if python_code else [sys.executable, "-m", "digireport.cli",
                                                                               *args]
    if unprivileged and os.geteuid() == 0:  # root without its capabilities: file modes apply to it as to anyone
        command = ["setpriv", "--bounding-set=-all", "--inh-caps=-all", "--", *command]
    return subprocess.run(command, cwd=cwd or ROOT, env=env, capture_output=True, text=True, timeout=timeout,
                          preexec_fn=prepare)


def test_outputs_follow_the_umask_and_the_master_keeps_its_mode(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    master.chmod(0o660)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(master, *owner)  # as root: the master belongs to someone else, and stays theirs
    config = local_config(tmp_path, master)
    done = digireport("run", "--config", str(config), "--as-of", "2025-12-02", "--quiet", umask=0o022)
    assert (done.returncode, done.stderr) == (0, "")
    out = tmp_path / "published"
    files = [p for p in out.rglob("*") if p.is_file()]
    folders = [p for p in out.rglob("*") if p.is_dir()] + [out]
    assert len(files) >= 8 and {stat.S_IMODE(p.stat().st_mode) for p in files} == {0o644}
    assert {stat.S_IMODE(p.stat().st_mode) for p in folders} == {0o755}
    assert labels_in(master.read_bytes()) == ["12/2025"]
    assert stat.S_IMODE(master.stat().st_mode) == 0o660  # the master's own mode, not the umask's
    assert (master.stat().st_uid, master.stat().st_gid) == owner

    stricter = digireport("run", "--config", str(config), "--as-of", "2025-12-02", "--force", "--quiet", umask=0o027)
    assert stricter.returncode == 0
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file()} == {0o640}


def test_a_backup_is_kept_before_each_write_back_and_only_the_newest_stay(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    config = local_config(tmp_path, master, extra="keep_backups = 2")
    before = []
    for as_of in ("2025-10-01", "2025-11-01", "2025-12-02"):
        before.append(master.read_bytes())
        done = digireport("run", "--config", str(config), "--as-of", as_of, "--quiet")
        assert (done.returncode, done.stderr) == (0, "")
        time.sleep(1.1)  # backups are named by the second
    assert labels_in(master.read_bytes()) == ["10/2025", "11/2025", "12/2025"]
    backups = sorted((tmp_path / "state" / "backups").iterdir())
    assert len(backups) == 2 and all(b.name.startswith("tiekartta_v2.backup-") for b in backups)
    # each is the master as it was just before that run's write-back
    assert [b.read_bytes() for b in backups] == before[1:]
    assert [labels_in(b.read_bytes()) for b in backups] == [["10/2025"], ["10/2025", "11/2025"]]
    journal = read_journal(tmp_path / "state")
    assert [j["writeback"] for j in journal] == ["applied"] * 3
    # the journal names each run's backup; the oldest was removed when the third was kept
    assert [j["backups"] for j in journal[1:]] == [[str(b)] for b in backups]
    (first,) = journal[0]["backups"]
    assert first.startswith(str(tmp_path / "state" / "backups" / "tiekartta_v2.backup-")) and not Path(first).exists()


def test_a_stopped_build_leaves_no_temporary_folder_and_a_journal_line(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    config = local_config(tmp_path, master)
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "digireport.cli", "run", "--config", str(config), "--as-of",
                             "2025-12-02"], cwd=ROOT, env={**os.environ, "DIGIREPORT_UI_LANG": "fi"},
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not list(state.glob(".outputs.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.005)
    assert list(state.glob(".outputs.*.tmp")), "the build never started"
    proc.send_signal(signal.SIGTERM)
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143
    assert err.splitlines()[-1] == ("digireport: pysäytetty signaalilla SIGTERM; odottava takaisinkirjoitus tehdään "
                                    "seuraavassa ajossa")
    assert not list(state.glob(".*.tmp")) and not (tmp_path / "published").exists()
    (entry,) = read_journal(state)
    assert (entry["error"], entry["exit_code"]) == (
        "stopped by SIGTERM; a pending write-back is applied by the next run", 143)
    assert labels_in(master.read_bytes()) == []
    again = digireport("run", "--config", str(config), "--as-of", "2025-12-02", "--quiet")
    assert (again.returncode, again.stderr) == (0, "")
    assert labels_in(master.read_bytes()) == ["12/2025"]


def test_a_killed_build_leaves_no_temporary_folder_after_the_next_run(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    config = local_config(tmp_path, master)
    state = tmp_path / "state"
    proc = subprocess.Popen([sys.executable, "-m", "digireport.cli", "run", "--config", str(config), "--as-of",
                             "2025-12-02", "--quiet"], cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.is_dir() and any(p.iterdir()) for p in state.glob(".outputs.*.tmp")) \
            and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = list(state.glob(".outputs.*.tmp"))
    assert left and any(left[0].iterdir()), "killed before or after the build"
    assert (state / "running.json").exists()

    again = digireport("run", "--config", str(config), "--as-of", "2025-12-02", "--quiet")
    assert (again.returncode, again.stderr) == (0, "")
    assert not list(state.glob(".*.tmp")) and not list((tmp_path / "published").rglob(".*.tmp"))
    killed, done = read_journal(state)
    assert killed["status"] == "killed" and killed["pid"] == proc.pid and killed["end"] is None
    assert killed["error"] == "the run ended without finishing (killed, or the machine stopped)"
    assert (done["status"], done["writeback"], done["error"]) == ("built", "applied", None)
    assert labels_in(master.read_bytes()) == ["12/2025"]
    assert not (state / "running.json").exists()


def test_an_internal_error_exits_70_with_one_line_and_the_traceback_in_the_log(tmp_path):
    config = local_config(tmp_path, SAMPLE_WORKBOOK, writeback=False)
    bug = ("import sys, digireport.stats\n"
           "def compute_stats(*args, **kwargs):\n"
           "    return {}['goal_by_year']\n"
           "digireport.stats.compute_stats = compute_stats\n"
           "from digireport.cli import main\n"
           "sys.exit(main(sys.argv[1:]))\n")
    done = digireport("run", "--config", str(config), "--quiet", python_code=bug)
    log = tmp_path / "state" / "digireport.log"
    assert done.returncode == 70
    assert done.stderr == (f"digireport: sisäinen virhe, ohjelmavirhe (KeyError: 'goal_by_year'); virheen jäljitys "
                           f"on lokissa {log}\n")
    text = log.read_text(encoding="utf-8")
    assert "Traceback (most recent call last):" in text and "in compute_stats" in text
    assert read_journal(tmp_path / "state")[-1]["exit_code"] == 70

    built = digireport("build", "--out", str(tmp_path / "o"), "--quiet", python_code=bug, cwd=tmp_path)
    assert built.returncode == 70 and len(built.stderr.splitlines()) == 1
    crash = tmp_path / ".local" / "state" / "digireport" / "digireport.log"
    assert str(crash) in built.stderr and "in compute_stats" in crash.read_text(encoding="utf-8")


def test_a_settings_typo_exits_2_naming_the_key_and_the_suggestion(tmp_path):
    config = local_config(tmp_path, SAMPLE_WORKBOOK, extra='labelformat = "%m/%Y"')
    done = digireport("run", "--config", str(config))
    assert done.returncode == 2
    assert done.stderr == (f"digireport: {config}: tuntematon avain writeback.labelformat; tarkoititko "
                           "writeback.label_format?\n")
    assert not (tmp_path / "state").exists()


@pytest.mark.parametrize("case", ["state-list", "bad-crc", "not-a-folder", "unwritable", "unwritable-log",
                                  "disk-full"])
def test_failures_a_user_can_act_on_are_one_line_with_exit_2(tmp_path, case):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    args, kwargs = None, {}
    if case == "state-list":
        config = local_config(tmp_path, master)
        (tmp_path / "state").mkdir()
        (tmp_path / "state" / "state.json").write_text("[]", encoding="utf-8")
        expected = f"{tmp_path / 'state' / 'state.json'}: ajon tila on vioittunut (not an object); katso docs/operations.md"
    elif case == "bad-crc":
        master.write_bytes(with_bad_crc(SAMPLE_WORKBOOK.read_bytes(), "docProps/app.xml"))
        config = local_config(tmp_path, master)
        expected = "tiekartta_v2.xlsx: tiedosto on katkennut tai vioittunut (docProps/app.xml: Bad CRC-32 for file "
        expected += "'docProps/app.xml')"
    elif case == "not-a-folder":
        (tmp_path / "published").write_text("a file", encoding="utf-8")
        config = local_config(tmp_path, master)
        expected = f"{config}: output.folder: {tmp_path / 'published'} ei ole kansio"
    elif case == "unwritable":
        (tmp_path / "published").mkdir(mode=0o555)
        config = local_config(tmp_path, SAMPLE_WORKBOOK, writeback=False)
        done = digireport("run", "--config", str(config), "--as-of", "2025-12-02", unprivileged=True)
        (tmp_path / "published").chmod(0o755)
        assert done.returncode == 2
        assert done.stderr == (f"digireport: {config}: output.folder: tämä käyttäjä ei voi kirjoittaa kansioon "
                               f"{tmp_path / 'published'}\n")
        return
    elif case == "unwritable-log":
        # a log left by a run as another user (root): the run would fail halfway, so it does not start
        config = local_config(tmp_path, SAMPLE_WORKBOOK, writeback=False)
        (tmp_path / "state").mkdir()
        log = tmp_path / "state" / "digireport.log"
        log.write_text("", encoding="utf-8")
        log.chmod(0o444)
        done = digireport("run", "--config", str(config), "--as-of", "2025-12-02", unprivileged=True)
        assert done.returncode == 2
        assert done.stderr == f"digireport: {config}: job.log_file: tämä käyttäjä ei voi kirjoittaa tiedostoon {log}\n"
        assert not (tmp_path / "published").exists()
        return
    else:
        config = local_config(tmp_path, master, writeback=False)
        args = ["build", "--source", str(master), "--out", str(tmp_path / "o"), "--quiet"]
        kwargs = {"limit": 20_000}
        expected = None
    done = digireport(*(args or ["run", "--config", str(config), "--as-of", "2025-12-02", "--quiet"]), **kwargs)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.splitlines()) == 1 and "Traceback" not in done.stderr
    if expected is None:  # the disk filled up while the outputs were written
        assert done.stderr == f"digireport: {tmp_path / 'o'}: ei voi kirjoittaa: levy on täynnä (File too large)\n"
        assert not list(tmp_path.glob(".o.*.tmp"))
    else:
        assert done.stderr == f"digireport: {expected}\n"


def with_bad_crc(data: bytes, part: str) -> bytes:
    """The package with a wrong CRC-32 recorded for `part`, as a damaged copy has."""
    import io
    import struct

    data = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(part)
    bad = (info.CRC ^ 0xFFFF).to_bytes(4, "little")
    data[info.header_offset + 14:info.header_offset + 18] = bad
    pos = 0
    while (pos := data.index(b"PK\x01\x02", pos)) >= 0:
        size = struct.unpack("<H", data[pos + 28:pos + 30])[0]
        if data[pos + 46:pos + 46 + size] == part.encode():
            data[pos + 16:pos + 20] = bad
            return bytes(data)
        pos += 4
    raise AssertionError(part)


def test_a_new_month_or_changed_settings_rebuild_without_force(tmp_path):
    settings = make_settings(tmp_path)
    assert run_once(settings, dt.date(2025, 11, 30), clock=Clock()).status == "built"
    assert run_once(settings, dt.date(2025, 11, 30), clock=Clock()).status == "unchanged"
    assert run_once(settings, dt.date(2025, 11, 12), clock=Clock()).status == "unchanged"  # same month
    assert run_once(settings, dt.date(2025, 12, 1), clock=Clock()).status == "built"  # a new month
    assert run_once(settings, dt.date(2026, 1, 2), clock=Clock()).status == "built"  # a new year
    config = settings.config_file
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[report]\n", '[report]\npresenter = "Digitalisaatio-ohjelma"\n'), encoding="utf-8")
    presenter = load_settings(config, environ={})
    assert presenter.presenter == "Digitalisaatio-ohjelma"
    assert run_once(presenter, dt.date(2026, 1, 2), clock=Clock()).status == "built"
    assert run_once(presenter, dt.date(2026, 1, 2), clock=Clock()).status == "unchanged"
    template = tmp_path / "template.pptx"
    template.write_bytes((ROOT / "digireport" / "templates" / "deck.pptx").read_bytes())
    config.write_text(config.read_text(encoding="utf-8").replace("[report]\n", f'[report]\ntemplate = "{template}"\n'),
                      encoding="utf-8")
    templated = load_settings(config, environ={})
    assert run_once(templated, dt.date(2026, 1, 2), clock=Clock()).status == "built"
    assert run_once(templated, dt.date(2026, 1, 2), clock=Clock()).status == "unchanged"
    template.write_bytes(template.read_bytes() + b"\0")  # the same file name, other content
    assert run_once(templated, dt.date(2026, 1, 2), clock=Clock()).status == "built"


def test_forced_runs_list_an_applied_label_once_and_the_journal_says_not_needed(tmp_path):
    master = tmp_path / "tiekartta_v2.xlsx"
    master.write_bytes(SAMPLE_WORKBOOK.read_bytes())
    settings = make_settings(tmp_path, writeback=True, master=master)
    assert run_once(settings, AS_OF, clock=Clock()).writeback == "applied"
    assert run_once(settings, AS_OF, clock=Clock(), force=True).writeback == "unchanged"
    assert run_once(settings, AS_OF, clock=Clock()).writeback == "not needed"
    assert load_state(settings.state_folder)["applied"] == ["12/2025"]
    assert [j["writeback"] for j in read_journal(settings.state_folder)] == ["applied", "unchanged", "not needed"]
    assert run_once(make_settings(tmp_path), AS_OF, clock=Clock(), force=True).writeback == "off"


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path):
    from digireport.source import remove_stale_temporaries, staging_dir

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    (tmp_path / f".out.{dead}.abc123.tmp").mkdir()
    (tmp_path / f".out.{dead}.abc123.tmp" / "deck-fi.pptx").write_bytes(b"half")
    (tmp_path / f".out.{os.getpid()}.zzz999.tmp").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / f".deck-fi.pptx.{dead}.q1w2e3.tmp").write_bytes(b"half")
    (tmp_path / ".oma.tmp").write_text("not ours", encoding="utf-8")
    fresh = staging_dir(tmp_path / "out")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out.")) == sorted(
        [f".out.{os.getpid()}.zzz999.tmp", fresh.name])
    assert remove_stale_temporaries(tmp_path, recursive=True) == [tmp_path / "sub" / f".deck-fi.pptx.{dead}.q1w2e3.tmp"]
    assert (tmp_path / ".oma.tmp").exists()


def test_a_killed_digireport_build_leaves_no_staging_folder_after_the_next_build(tmp_path):
    out = tmp_path / "o"
    args = [sys.executable, "-m", "digireport.cli", "build", "--out", str(out), "--as-of", "2025-12-02", "--workers",
            "1", "--quiet"]
    proc = subprocess.Popen(args, cwd=ROOT, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not any(p.is_dir() and any(p.iterdir()) for p in tmp_path.glob(".o.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    left = list(tmp_path.glob(".o.*.tmp"))
    assert left and left[0].name.startswith(f".o.{proc.pid}."), "killed before or after the build"
    again = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stderr) == (0, "")
    assert not list(tmp_path.glob(".o.*.tmp"))
    assert json.loads((out / "report.json").read_text(encoding="utf-8"))["source"]["name"] == "tiekartta_v2.xlsx"
