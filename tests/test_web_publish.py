"""The web report as the city's web server sees it: published by the job into an output folder, served
over HTTP by a process running as another user, every page, file and link answers 200; earlier
releases of the open data stay in the archive."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from digireport import SAMPLE_WORKBOOK
from digireport.job import outdated, run_once
from digireport.settings import load_settings

SERVER_PYTHON = "/usr/bin/python3"  # readable by any user, unlike a virtual environment under /root


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2025, 12, 2, 2, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        self.now += dt.timedelta(seconds=1)
        return self.now


@pytest.fixture(scope="module")
def published():
    """The sample published twice by the job, at two follow-ups, with the umask of a normal login."""
    base = Path(tempfile.mkdtemp(prefix="digireport-web-", dir="/tmp"))
    base.chmod(0o755)  # the server's user must be able to reach the output folder
    umask = os.umask(0o022)
    try:
        shutil.copyfile(SAMPLE_WORKBOOK, base / "tiekartta_v2.xlsx")
        config = base / "digireport.toml"
        config.write_text(
            '[source]\npath = "tiekartta_v2.xlsx"\n[output]\nfolder = "out"\n[writeback]\nenabled = false\n'
            '[job]\nstate_folder = "state"\nworkers = 1\n'
            '[web]\ncontact_email = "digi@example.fi"\nnext_update = "2026-02-16"\n', encoding="utf-8")
        settings = load_settings(config, environ={})
        clock = Clock()
        run_once(settings, dt.date(2025, 10, 1), clock=clock)
        result = run_once(settings, dt.date(2025, 12, 2), clock=clock, force=True)
    finally:
        os.umask(umask)
    yield base / "out", result
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="module")
def server(published):
    """`python -m http.server` on the output folder, running as nobody."""
    out, _result = published
    if not Path(SERVER_PYTHON).exists() or shutil.which("setpriv") is None:
        pytest.skip("the server needs /usr/bin/python3 and setpriv")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", SERVER_PYTHON, "-m", "http.server",
         str(port), "--bind", "127.0.0.1", "--directory", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url, timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        yield url, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, b""


def test_server_runs_as_another_user(server):
    _url, proc = server
    status = Path(f"/proc/{proc.pid}/status").read_text()
    uid = int(re.search(r"^Uid:\s+(\d+)", status, re.M).group(1))
    assert uid != os.getuid() and uid == int(subprocess.check_output(["id", "-u", "nobody"]))


def test_every_published_file_answers_200(published, server):
    out, _result = published
    url, _proc = server
    files = sorted(p for p in out.rglob("*") if p.is_file())
    assert len(files) >= 30  # outputs, 5 pages, favicon, 7 data files and two releases of them
    for path in files:
        relative = path.relative_to(out).as_posix()
        status, body = _get(url + relative)
        assert status == 200, relative
        assert body == path.read_bytes(), relative


def test_every_link_of_every_page_answers_200(published, server):
    out, _result = published
    url, _proc = server
    pages = sorted(p.relative_to(out).as_posix() for p in (out / "site").rglob("*.html"))
    assert pages == ["site/fi/index.html", "site/fi/saavutettavuus.html", "site/index.html",
                     "site/sv/index.html", "site/sv/tillganglighet.html"]
    checked, workbooks = set(), []
    for page in pages:
        status, body = _get(url + page)
        assert status == 200, page
        html = body.decode("utf-8")
        for href in re.findall(r'<(?:a|link)\b[^>]*\bhref="([^"]+)"', html):
            if href.startswith(("mailto:", "https://", "http://", "#")):
                continue
            target = urljoin(url + page, href.split("#")[0])
            if target in checked:
                continue
            name = urlsplit(target).path.lstrip("/")
            if re.fullmatch(r"indicators-(fi|sv)\.xlsx", name):
                workbooks.append(name)  # the indicator workbook of each language, beside site/
            status, _body = _get(target)
            assert status == 200, f"{page}: {href}"
            checked.add(target)
    assert len(checked) >= 12
    # Each language's page links to its own workbook, published beside site/ and served too
    assert sorted(set(workbooks)) == ["indicators-fi.xlsx", "indicators-sv.xlsx"]


def test_earlier_releases_stay_in_the_archive(published, server):
    out, result = published
    url, _proc = server
    archive = out / "site" / "data" / "archive"
    assert sorted(p.name for p in archive.iterdir()) == ["2025-10-01", "2025-12-02"]
    for release in ("2025-10-01", "2025-12-02"):
        status, body = _get(f"{url}site/data/archive/{release}/datapackage.json")
        assert status == 200 and f'"data_date": "{release}"'.encode() in body
    assert result.removed == ()  # the second run removed nothing, the first release included
    assert outdated(["site/data/archive/2025-10-01/projects.csv", "site/old.html"], ["site/index.html"]) == [
        "site/old.html"]


def test_published_files_are_readable_by_others(published):
    out, _result = published
    modes = {oct(p.stat().st_mode & 0o777) for p in out.rglob("*") if p.is_file()}
    assert modes == {"0o644"}
