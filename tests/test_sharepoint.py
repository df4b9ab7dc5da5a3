"""The real office365 client against a local SharePoint REST server: ETags, uploads, recycling, conflicts, locks,
faults."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from jobfakes import labels_in, use_writeback
from sharepoint_server import TOKEN, Fault, SharePointServer

from digireport import SAMPLE_WORKBOOK
from digireport.errors import ConflictError, LockedError, StorageError
from digireport.i18n import l10n
from digireport.job import load_state, read_journal, run_once, summary
from digireport.settings import load_settings
from digireport.sharepoint import SharePointStorage

MASTER = "/sites/digi/Jaetut asiakirjat/tiekartta_v2.xlsx"
OUT = "/sites/digi/Jaetut asiakirjat/Raportit"
# What a Finnish-only run no longer publishes: the Swedish deck, page and accessibility statement.
SV_ONLY = ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html", "site/sv/tillganglighet.html")
AS_OF = dt.date(2025, 12, 2)


def clock():
    return dt.datetime(2025, 12, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def server():
    with SharePointServer("/sites/digi") as srv:
        srv.put_file(MASTER, SAMPLE_WORKBOOK.read_bytes())
        yield srv


def make(tmp_path, server, token=TOKEN, writeback=False, chunk_size=10 * 1024 * 1024, read_timeout=120,
         languages=("fi",), report=""):
    config = tmp_path / "sp.toml"
    config.write_text(f"""
[source]
kind = "sharepoint"
site_url = "{server.site_url}"
roadmap_path = "{MASTER}"
[output]
folder = "{OUT}"
[writeback]
enabled = {str(writeback).lower()}
[report]
languages = {json.dumps(list(languages))}
{report}
[job]
state_folder = "state"
[auth]
mode = "token"
[network]
retries = 3
chunk_size = {chunk_size}
read_timeout = {read_timeout}
""", encoding="utf-8")
    settings = load_settings(config, environ={"DIGIREPORT_ACCESS_TOKEN": token})
    sleeps: list[float] = []
    return settings, SharePointStorage(settings, sleep=sleeps.append), sleeps


def test_download_returns_bytes_and_etag(tmp_path, server):
    _, storage, _ = make(tmp_path, server)
    fetched = storage.download(MASTER)
    assert fetched.name == "tiekartta_v2.xlsx"
    assert fetched.data == SAMPLE_WORKBOOK.read_bytes()
    assert fetched.version == server.files[MASTER].etag
    assert fetched.version.startswith('"{') and fetched.version.endswith('},1"')
    assert all(h.get("Authorization") == f"Bearer {TOKEN}" for _, _, h in server.log)


def test_publish_small_and_chunked(tmp_path, server):
    _, storage, _ = make(tmp_path, server, chunk_size=16)
    base = tmp_path / "built"
    (base / "web").mkdir(parents=True)
    (base / "report.json").write_bytes(b'{"a": 1}')
    (base / "web" / "index.html").write_bytes(b"<html>" + b"x" * 40 + b"</html>")
    published = storage.publish(sorted(p for p in base.rglob("*") if p.is_file()), base)
    assert published == [f"{OUT}/report.json", f"{OUT}/web/index.html"]
    assert server.files[f"{OUT}/report.json"].data == b'{"a": 1}'
    assert server.files[f"{OUT}/web/index.html"].data == b"<html>" + b"x" * 40 + b"</html>"
    assert len(server.requests("POST", "startUpload")) == 1 and len(server.requests("POST", "continueUpload")) == 2
    assert server.requests("POST", "finishUpload")


def test_job_publishes_to_sharepoint_and_never_uploads_the_master_in_chunks(tmp_path, server, monkeypatch):
    use_writeback(monkeypatch)
    settings, storage, _ = make(tmp_path, server, writeback=True, chunk_size=1024)
    result = run_once(settings, AS_OF, clock=clock, storage=storage)
    assert result.status == "built" and result.writeback == "applied" and result.exit_code == 0
    report = json.loads(server.files[f"{OUT}/report.json"].data)
    assert len(report["projects"]) == 80
    assert labels_in(server.files[MASTER].data) == ["12/2025"]
    put = server.requests("POST", "/$value")
    assert len(put) == 1 and put[0][2]["X-HTTP-Method"] == "PUT"
    assert put[0][2]["If-Match"] == result.source_version
    assert not [r for r in server.log if "tiekartta_v2.xlsx" in r[1] and "upload" in r[1].lower()]
    assert not [r for r in server.log if "Files/add" in r[1] and "tiekartta" in r[1]]
    assert not server.requests(None, "contextinfo")  # no form digest is asked for with a bearer token


def test_master_changed_between_download_and_write_back_is_reread_and_retried(tmp_path, server, monkeypatch):
    use_writeback(monkeypatch)
    settings, storage, _ = make(tmp_path, server, writeback=True)
    from digireport import job

    # a person saves the master meanwhile (here: adds last month's snapshot)
    someone_else = job._apply_writeback()(SAMPLE_WORKBOOK.read_bytes(), "tiekartta_v2.xlsx", "11/2025").data
    server.before_put = lambda: server.put_file(MASTER, someone_else)
    result = run_once(settings, AS_OF, clock=clock, storage=storage)
    assert result.writeback == "applied"
    # the person's save is kept and the snapshot is applied on top of it, once
    assert labels_in(server.files[MASTER].data) == ["11/2025", "12/2025"]
    statuses = [r for r in server.requests("POST", "/$value")]
    assert len(statuses) == 2 and statuses[0][2]["If-Match"] != statuses[1][2]["If-Match"]


def test_overwrite_with_stale_etag_is_a_conflict(tmp_path, server):
    _, storage, _ = make(tmp_path, server)
    fetched = storage.download(MASTER)
    server.put_file(MASTER, b"newer")
    with pytest.raises(ConflictError) as err:
        storage.write_back(MASTER, b"mine", fetched.version)
    assert str(err.value) == f"{server.site_url}: {MASTER}: the file changed since it was read"
    assert server.files[MASTER].data == b"newer"


def test_locked_master_defers_the_write_back_to_the_next_run_once(tmp_path, server, monkeypatch):
    use_writeback(monkeypatch)
    settings, storage, _ = make(tmp_path, server, writeback=True)
    server.faults.append(Fault("POST", "/$value", 423, times=1,
                               body={"error": {"code": "-2147018894, Microsoft.SharePoint.SPFileLockException",
                                               "message": {"lang": "en-US", "value": "The file is locked for "
                                                           "shared use by Maija Meikäläinen [maija@porvoo.fi]."}}}))
    first = run_once(settings, AS_OF, clock=clock, storage=storage)
    assert (first.status, first.writeback, first.exit_code) == ("built", "pending", 4)
    assert labels_in(server.files[MASTER].data) == []
    assert load_state(settings.state_folder)["pending"] == [{"label": "12/2025",
                                                             "source_version": first.source_version}]
    second = run_once(settings, AS_OF, clock=clock, storage=storage)
    assert (second.status, second.writeback, second.exit_code) == ("unchanged", "applied", 0)
    assert labels_in(server.files[MASTER].data) == ["12/2025"]
    assert load_state(settings.state_folder)["pending"] == []
    third = run_once(settings, AS_OF, clock=clock, storage=storage)
    assert (third.status, third.writeback) == ("unchanged", "not needed")
    assert len(server.requests("POST", "/$value")) == 2  # the refused try and the one that applied
    assert [j["writeback"] for j in read_journal(settings.state_folder)] == ["pending", "applied", "not needed"]


def test_locked_error_names_the_file(tmp_path, server):
    _, storage, _ = make(tmp_path, server)
    fetched = storage.download(MASTER)
    server.faults.append(Fault("POST", "/$value", 423))
    with pytest.raises(LockedError) as err:
        storage.write_back(MASTER, b"x", fetched.version)
    assert str(err.value) == f"{server.site_url}: {MASTER}: the file is locked (open in Excel)"
    assert err.value.exit_code == 4


def test_throttling_honours_retry_after(tmp_path, server):
    _, storage, sleeps = make(tmp_path, server)
    server.faults.append(Fault("GET", "getFileByServerRelativePath", 429, headers={"Retry-After": "1"}, times=2))
    fetched = storage.download(MASTER)
    assert fetched.data == SAMPLE_WORKBOOK.read_bytes()
    assert sleeps == [1.0, 1.0]


def test_throttling_is_bounded(tmp_path, server):
    _, storage, sleeps = make(tmp_path, server)
    server.faults.append(Fault("GET", "getFileByServerRelativePath", 503, headers={"Retry-After": "0"}, times=9))
    with pytest.raises(StorageError) as err:
        storage.download(MASTER)
    assert sleeps == [0.0, 0.0]
    assert str(err.value) == f"{server.site_url}: {MASTER}: still throttled after 3 tries"


def test_unauthorized_is_one_line_naming_site_path_and_sign_in(tmp_path, server):
    _, storage, _ = make(tmp_path, server, token="expired")
    with pytest.raises(StorageError) as err:
        storage.download(MASTER)
    assert str(err.value) == f"{server.site_url}: {MASTER}: access denied (HTTP 401, sign-in: token)"
    assert err.value.status == 401 and "expired" not in str(err.value)


def test_missing_file_is_one_line(tmp_path, server):
    _, storage, _ = make(tmp_path, server)
    with pytest.raises(StorageError) as err:
        storage.download("/sites/digi/Jaetut asiakirjat/puuttuu.xlsx")
    assert str(err.value) == (f"{server.site_url}: /sites/digi/Jaetut asiakirjat/puuttuu.xlsx: "
                              "not found (sign-in: token)")
    assert err.value.status == 404


def test_read_timeout_is_one_line(tmp_path, server):
    _, storage, _ = make(tmp_path, server, read_timeout=0.2)
    server.faults.append(Fault("GET", "getFileByServerRelativePath", 200, hang=1.0))
    with pytest.raises(StorageError) as err:
        storage.download(MASTER)
    assert str(err.value) == f"{server.site_url}: {MASTER}: no connection (ReadTimeout)"


def test_job_recycles_outputs_it_no_longer_builds_after_every_upload(tmp_path, server):
    both, storage, _ = make(tmp_path, server, languages=("fi", "sv"))
    run_once(both, AS_OF, clock=clock, storage=storage)
    assert server.files[f"{OUT}/deck-sv.pptx"].data.startswith(b"PK")
    server.put_file(f"{OUT}/Hallituksen muistio.docx", b"kokous 12/2025")
    server.log.clear()

    fi_only, storage, _ = make(tmp_path, server, languages=("fi",))
    result = run_once(fi_only, AS_OF, clock=clock, storage=storage, force=True)
    assert (result.status, result.exit_code) == ("built", 0)
    assert result.removed == SV_ONLY
    stale = [f"{OUT}/{path}" for path in SV_ONLY]
    assert sorted(server.recycle_bin) == stale and not set(stale) & set(server.files)
    assert b"<html" in server.recycle_bin[f"{OUT}/site/sv/index.html"].data  # recoverable from the recycle bin
    assert server.files[f"{OUT}/Hallituksen muistio.docx"].data == b"kokous 12/2025"
    outputs = fi_only.state_folder / "outputs"
    assert server.files[f"{OUT}/deck-fi.pptx"].data == (outputs / "deck-fi.pptx").read_bytes()
    assert server.files[f"{OUT}/site/fi/index.html"].data == (outputs / "site" / "fi" / "index.html").read_bytes()

    recycles = [i for i, r in enumerate(server.log) if r[1].endswith("/Recycle")]
    uploads = [i for i, r in enumerate(server.log) if "Files/add" in r[1]]
    assert [server.log[i][1] for i in recycles] == [
        f"/sites/digi/_api/Web/getFileByServerRelativePath(DecodedUrl='{path}')/Recycle" for path in stale]
    assert len(uploads) == len(result.outputs) and max(uploads) < min(recycles)
    assert read_journal(fi_only.state_folder)[-1]["removed"] == list(SV_ONLY)
    assert load_state(fi_only.state_folder)["published"]["files"] == sorted(
        p.relative_to(outputs).as_posix() for p in outputs.rglob("*") if p.is_file())


def test_failed_publish_recycles_nothing(tmp_path, server):
    both, storage, _ = make(tmp_path, server, languages=("fi", "sv"))
    run_once(both, AS_OF, clock=clock, storage=storage)
    before = load_state(both.state_folder)["published"]
    fi_only, storage, _ = make(tmp_path, server, languages=("fi",))
    server.faults.append(Fault("POST", "url='deck-fi.pptx')", 500))
    with pytest.raises(StorageError) as err:
        run_once(fi_only, AS_OF, clock=clock, storage=storage, force=True)
    assert "SharePoint answered HTTP 500" in str(err.value)
    assert not server.requests("POST", "/Recycle") and not server.recycle_bin
    assert f"{OUT}/deck-sv.pptx" in server.files
    assert load_state(fi_only.state_folder)["published"] == before
    entry = read_journal(fi_only.state_folder)[-1]
    assert entry["error"] == str(err.value) and "removed" not in entry

    again = run_once(fi_only, AS_OF, clock=clock, storage=storage, force=True)
    assert again.removed == SV_ONLY and f"{OUT}/deck-sv.pptx" not in server.files


def test_a_locked_outdated_file_waits_for_the_next_run(tmp_path, server):
    both, storage, _ = make(tmp_path, server, languages=("fi", "sv"))
    run_once(both, AS_OF, clock=clock, storage=storage)
    fi_only, storage, _ = make(tmp_path, server, languages=("fi",))
    server.faults.append(Fault("POST", "deck-sv.pptx')/Recycle", 423))
    first = run_once(fi_only, AS_OF, clock=clock, storage=storage, force=True)
    assert (first.status, first.exit_code, first.removed) == ("built", 0, ())
    assert first.remove_error == f"{server.site_url}: {OUT}/deck-sv.pptx: the file is locked (open in Excel)"
    assert summary(first, l10n("fi")).endswith(" Vanhentuneita tiedostoja ei voitu poistaa; seuraava ajo yrittää "
                                               "uudelleen.")
    assert f"{OUT}/deck-sv.pptx" in server.files and f"{OUT}/site/sv/index.html" in server.files
    files = load_state(fi_only.state_folder)["published"]["files"]
    assert "deck-sv.pptx" in files and "site/sv/index.html" in files and "deck-fi.pptx" in files

    second = run_once(fi_only, AS_OF, clock=clock, storage=storage, force=True)
    assert second.removed == SV_ONLY and second.remove_error is None
    assert sorted(server.recycle_bin) == [f"{OUT}/{path}" for path in SV_ONLY]
    assert "deck-sv.pptx" not in load_state(fi_only.state_folder)["published"]["files"]


def test_remove_accepts_a_missing_file_waits_out_throttling_and_reports_refusals(tmp_path, server):
    _, storage, sleeps = make(tmp_path, server)
    server.put_file(f"{OUT}/vanha.pptx", b"old")
    server.faults.append(Fault("POST", "/Recycle", 429, headers={"Retry-After": "1"}))
    assert storage.remove(OUT, ["puuttuu.pptx", "vanha.pptx"]) == ["vanha.pptx"]
    assert sleeps == [1.0] and server.recycle_bin[f"{OUT}/vanha.pptx"].data == b"old"

    server.put_file(f"{OUT}/toinen.pptx", b"other")
    server.faults.append(Fault("POST", "/Recycle", 403))
    with pytest.raises(StorageError) as err:
        storage.remove(OUT, ["toinen.pptx"])
    assert str(err.value) == f"{server.site_url}: {OUT}/toinen.pptx: access denied (HTTP 403, sign-in: token)"
    assert server.files[f"{OUT}/toinen.pptx"].data == b"other"


def test_the_translations_workbook_beside_the_master_is_used(tmp_path, server):
    import openpyxl

    settings, storage, _ = make(tmp_path, server, languages=("fi", "sv"),
                                report='translations = "translations-sv.xlsx"')
    assert settings.translations == "/sites/digi/Jaetut asiakirjat/translations-sv.xlsx"
    # the job's own worklist, published beside the decks, filled in and saved beside the master
    with pytest.raises(StorageError, match="translations-sv.xlsx"):
        run_once(settings, AS_OF, clock=clock, storage=storage)
    plain, plain_storage, _ = make(tmp_path, server, languages=("fi", "sv"))
    run_once(plain, AS_OF, clock=clock, storage=plain_storage)
    book = openpyxl.load_workbook(io.BytesIO(server.files[f"{OUT}/translations-sv.xlsx"].data))
    book.active["G2"] = "Kontinuerlig nytta för kommuninvånare och personal."
    buf = io.BytesIO()
    book.save(buf)
    server.put_file(settings.translations, buf.getvalue())
    result = run_once(settings, AS_OF, clock=clock, storage=storage, force=True)
    assert result.status == "built" and result.findings["warning"] == 31
    report = json.loads(server.files[f"{OUT}/report.json"].data)
    a2 = next(p for p in report["projects"] if p["id"] == "A2")
    assert a2["impact"]["sv"] == "Kontinuerlig nytta för kommuninvånare och personal."


# ---- the real `digireport run` command against the server --------------------------------------------

import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def command(tmp_path, site_url, token=TOKEN, writeback=True, retries=3, connect_timeout=2):
    config = tmp_path / "sp.toml"
    config.write_text(f"""
[source]
kind = "sharepoint"
site_url = "{site_url}"
roadmap_path = "{MASTER}"
[output]
folder = "{OUT}"
[writeback]
enabled = {str(writeback).lower()}
[report]
languages = ["fi"]
[job]
state_folder = "state"
workers = 1
[auth]
mode = "token"
[network]
retries = {retries}
connect_timeout = {connect_timeout}
""", encoding="utf-8")
    env = {**os.environ, "DIGIREPORT_ACCESS_TOKEN": token, "DIGIREPORT_UI_LANG": "fi"}
    return [sys.executable, "-m", "digireport.cli", "run", "--config", str(config), "--as-of", "2025-12-02"], env


def test_a_wrong_token_is_exactly_one_line(tmp_path, server):
    args, env = command(tmp_path, server.site_url, token="wrong")
    done = subprocess.run([*args, "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == (f"digireport: {server.site_url}: {MASTER}: pääsy estetty (HTTP 401, kirjautuminen: "
                           "token)\n")
    assert "wrong" not in (tmp_path / "state" / "digireport.log").read_text(encoding="utf-8")


def test_a_refused_connection_is_exactly_one_line_within_the_tries(tmp_path):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args, env = command(tmp_path, f"http://127.0.0.1:{port}/sites/digi", retries=3, connect_timeout=2)
    started = time.monotonic()
    done = subprocess.run([*args, "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    took = time.monotonic() - started
    assert done.returncode == 2
    assert done.stderr == f"digireport: http://127.0.0.1:{port}/sites/digi: {MASTER}: ei yhteyttä (ConnectionError)\n"
    # 3 tries of at most connect_timeout (2 s) each, 1 + 2 s between them, and the program's start
    assert took < 3 * 2 + 1 + 2 + 5
    assert "Unhandled exception" not in (tmp_path / "state" / "digireport.log").read_text(encoding="utf-8")


def test_a_failed_write_back_is_applied_by_the_next_run_exactly_once(tmp_path, server):
    args, env = command(tmp_path, server.site_url)
    server.faults.append(Fault("POST", "/$value", 500, times=1))
    first = subprocess.run([*args, "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert first.returncode == 2
    assert first.stderr == f"digireport: {server.site_url}: {MASTER}: SharePoint vastasi HTTP 500\n"
    assert labels_in(server.files[MASTER].data) == [] and f"{OUT}/report.json" in server.files
    state = load_state(tmp_path / "state")
    assert [p["label"] for p in state["pending"]] == ["12/2025"]

    second = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    assert second.stderr.splitlines()[-1] == ("Ei muutoksia edellisen ajon jälkeen; mitään ei koostettu "
                                              "Tilasarake kirjoitettiin päätiedostoon.")
    assert labels_in(server.files[MASTER].data) == ["12/2025"]
    third = subprocess.run([*args, "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert third.returncode == 0 and labels_in(server.files[MASTER].data) == ["12/2025"]
    assert server.files[MASTER].version == 2  # the master was saved once: by the write-back that was applied
    journal = read_journal(tmp_path / "state")
    assert [(j["writeback" if "writeback" in j else "error"], j["exit_code"], j["pending"]) for j in journal] == [
        (f"{server.site_url}: {MASTER}: SharePoint answered HTTP 500", 2, ["12/2025"]),
        ("applied", 0, []), ("not needed", 0, [])]
    # the version kept in the file's history before the write-back
    assert journal[1]["backups"] == [f"{server.site_url}: {MASTER}: version 1.0"]


def test_a_stopped_run_leaves_its_write_back_pending_and_the_next_run_applies_it_once(tmp_path, server):
    args, env = command(tmp_path, server.site_url)
    server.faults.append(Fault("POST", "Files/add", 200, times=1, hang=2.0,
                               body={"d": {"__metadata": {"type": "SP.File"}, "Name": "x"}}))
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not server.requests("POST", "Files/add") and time.monotonic() < deadline:
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)  # while the first output is being uploaded
    err = proc.communicate(timeout=60)[1]
    assert proc.returncode == 143
    assert err.splitlines()[-1] == ("digireport: pysäytetty signaalilla SIGTERM; odottava takaisinkirjoitus tehdään "
                                    "seuraavassa ajossa")
    assert len(server.requests("POST", "Files/add")) == 1  # stopped after the upload under way
    assert labels_in(server.files[MASTER].data) == [] and not server.requests("POST", "/$value")
    (entry,) = read_journal(tmp_path / "state")
    assert (entry["exit_code"], entry["pending"]) == (143, ["12/2025"])

    again = subprocess.run([*args, "--quiet"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert (again.returncode, again.stderr) == (0, "")
    assert labels_in(server.files[MASTER].data) == ["12/2025"] and len(server.requests("POST", "/$value")) == 1
    assert read_journal(tmp_path / "state")[-1]["status"] == "built"
    assert load_state(tmp_path / "state")["pending"] == []
