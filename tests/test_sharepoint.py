"""The real office365 client against a local SharePoint REST server: ETags, uploads, recycling, conflicts, locks,
faults."""

from __future__ import annotations

import datetime as dt
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
AS_OF = dt.date(2025, 12, 2)


def clock():
    return dt.datetime(2025, 12, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def server():
    with SharePointServer("/sites/digi") as srv:
        srv.put_file(MASTER, SAMPLE_WORKBOOK.read_bytes())
        yield srv


def make(tmp_path, server, token=TOKEN, writeback=False, chunk_size=10 * 1024 * 1024, read_timeout=120,
         languages=("fi",)):
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
    assert (third.status, third.writeback) == ("unchanged", "off")
    assert len(server.requests("POST", "/$value")) == 2  # the refused try and the one that applied
    assert [j["writeback"] for j in read_journal(settings.state_folder)] == ["pending", "applied", "off"]


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
    assert result.removed == ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html")
    stale = [f"{OUT}/deck-sv.pptx", f"{OUT}/indicators-sv.xlsx", f"{OUT}/site/sv/index.html"]
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
    assert read_journal(fi_only.state_folder)[-1]["removed"] == ["deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html"]
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
    assert again.removed == ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html")
    assert f"{OUT}/deck-sv.pptx" not in server.files


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
    assert second.removed == ("deck-sv.pptx", "indicators-sv.xlsx", "site/sv/index.html") and second.remove_error is None
    assert sorted(server.recycle_bin) == [f"{OUT}/deck-sv.pptx", f"{OUT}/indicators-sv.xlsx",
                                         f"{OUT}/site/sv/index.html"]
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
