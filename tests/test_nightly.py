"""The nightly schedule with schedule's real Scheduler and a controlled clock (no sleeping)."""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
import schedule

from digireport.errors import SourceError
from digireport.job import RunResult, job_lock, read_journal
from digireport.nightly import install, nightly_run, serve
from digireport.settings import load_settings

HELSINKI = ZoneInfo("Europe/Helsinki")


class FakeClock:
    """One instant shared by the job and by `schedule`, which reads `datetime.datetime.now` itself."""

    def __init__(self, utc: dt.datetime):
        self.now = utc

    def __call__(self) -> dt.datetime:
        return self.now

    def datetime_class(self):
        clock = self

        class FrozenDatetime(dt.datetime):
            @classmethod
            def now(cls, tz=None):
                if tz is None:
                    return clock.now.astimezone().replace(tzinfo=None)
                return clock.now.astimezone(tz)

        return FrozenDatetime


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock(dt.datetime(2025, 12, 1, 12, 0, tzinfo=dt.UTC))

    class Module:
        datetime = clock.datetime_class()
        timedelta = dt.timedelta
        time = dt.time
        date = dt.date

    monkeypatch.setattr(schedule, "datetime", Module)
    return clock


@pytest.fixture
def settings(tmp_path):
    from digireport import SAMPLE_WORKBOOK

    config = tmp_path / "c.toml"
    config.write_text(f"""
[source]
path = "{SAMPLE_WORKBOOK}"
[output]
folder = "out"
[writeback]
enabled = false
[schedule]
time = "02:00"
timezone = "Europe/Helsinki"
[report]
languages = ["fi"]
[job]
state_folder = "state"
""", encoding="utf-8")
    return load_settings(config, environ={})


def _logger(tmp_path):
    logger = logging.getLogger(f"test-nightly-{tmp_path.name}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger


def as_utc(naive_local: dt.datetime) -> dt.datetime:
    return naive_local.astimezone(dt.UTC)


def test_runs_daily_at_two_in_helsinki_in_winter_and_summer(clock, settings, tmp_path):
    calls = []

    def run(settings, as_of, clock, progress):
        calls.append((as_of, clock()))
        return RunResult(status="built", source_version="v")

    scheduler = schedule.Scheduler()
    job = install(scheduler, settings, clock, _logger(tmp_path), run=run)
    # 02:00 EET is 00:00 UTC
    assert as_utc(job.next_run) == dt.datetime(2025, 12, 2, 0, 0, tzinfo=dt.UTC)
    clock.now = dt.datetime(2025, 12, 1, 23, 59, 59, tzinfo=dt.UTC)
    scheduler.run_pending()
    assert calls == []
    clock.now = dt.datetime(2025, 12, 2, 0, 0, 1, tzinfo=dt.UTC)
    scheduler.run_pending()
    assert calls == [(dt.date(2025, 12, 2), clock.now)]
    assert as_utc(job.next_run) == dt.datetime(2025, 12, 3, 0, 0, tzinfo=dt.UTC)

    # in summer 02:00 EEST is 23:00 UTC the day before
    clock.now = dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)
    scheduler.run_pending()  # overdue: runs once and reschedules from now
    assert as_utc(job.next_run) == dt.datetime(2026, 6, 30, 23, 0, tzinfo=dt.UTC)
    assert len(calls) == 2


def test_a_failed_run_is_logged_and_the_loop_carries_on(clock, settings, tmp_path):
    log_file = tmp_path / "nightly.log"
    logger = _logger(tmp_path)
    handler = logging.FileHandler(log_file, encoding="utf-8")
    logger.addHandler(handler)
    outcomes = iter([SourceError("{name}: file not found", name="t.xlsx"), RuntimeError("boom"), None])
    seen, said = [], []

    def run(settings, as_of, clock, progress):
        seen.append(as_of)
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome
        return RunResult(status="built", source_version="v")

    scheduler = schedule.Scheduler()
    job = install(scheduler, settings, clock, logger, run=run, say=said.append)
    nights = iter([dt.datetime(2025, 12, d, 0, 0, 5, tzinfo=dt.UTC) for d in (2, 3, 4)])
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        clock.now = next(nights, clock.now)

    announced = []
    serve(scheduler, sleep=sleep, stop=lambda: len(sleeps) >= 4, announce=lambda: announced.append(job.next_run))
    handler.close()
    # at the start and after each of the three nights, the next run's time
    assert [as_utc(n) for n in announced] == [dt.datetime(2025, 12, d, 0, 0, tzinfo=dt.UTC) for d in (2, 3, 4, 5)]
    assert seen == [dt.date(2025, 12, 2), dt.date(2025, 12, 3), dt.date(2025, 12, 4)]
    assert as_utc(job.next_run) == dt.datetime(2025, 12, 5, 0, 0, tzinfo=dt.UTC)
    assert sleeps[0] == 60.0  # wakes at least once a minute
    lines = log_file.read_text(encoding="utf-8").splitlines()
    events = [line.split()[0] for line in lines if line.startswith("run-")]
    assert events == ["run-start", "run-failed", "run-start", "run-crashed", "run-start", "run-end"]
    assert any(line.startswith('run-failed error="t.xlsx: file not found" exit_code=2') for line in lines)
    assert any(line.startswith('run-crashed error="RuntimeError: boom" exit_code=70') for line in lines)
    assert any(line.startswith('run-end status="built"') for line in lines)
    # and one line per night for journald
    assert said == ["t.xlsx: tiedostoa ei löydy",
                    f"sisäinen virhe, ohjelmavirhe (RuntimeError: boom); virheen jäljitys on lokissa {settings.log_file}",
                    "Valmis: 0 tiedostoa julkaistu; havainnot: 0 virhettä, 0 varoitusta"]


def test_a_run_never_overlaps_a_running_one(clock, settings, tmp_path):
    logger = _logger(tmp_path)
    with job_lock(settings.state_folder):
        code = nightly_run(settings, clock, logger)
    assert code == 5
    (entry,) = read_journal(settings.state_folder)
    assert "another run is in progress" in entry["error"] and entry["exit_code"] == 5
    assert nightly_run(settings, clock, logger) == 0
    assert read_journal(settings.state_folder)[-1]["status"] == "built"


def test_once_runs_now_and_a_bad_config_is_one_line(settings, tmp_path, capsys):
    from digireport.nightly import main

    assert main(["--config", str(settings.config_file), "--once"]) == 0
    assert capsys.readouterr().err.startswith("digireport-nightly: Valmis: ")
    (entry,) = read_journal(settings.state_folder)
    assert entry["status"] == "built" and entry["error"] is None
    log = settings.log_file.read_text(encoding="utf-8")
    assert " INFO run-start as_of=" in log and ' INFO run-end status="built"' in log
    bad = tmp_path / "bad.toml"
    bad.write_text('[schedule]\ntime = "25:00"\n', encoding="utf-8")
    assert main(["--config", str(bad), "--once"]) == 2
    assert capsys.readouterr().err == f"digireport-nightly: {bad}: schedule.time on oltava kellonaika HH:MM; nyt 25:00\n"


def test_the_console_script_works_from_any_folder_and_tells_journald_what_happens(settings, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = Path(sys.executable).parent / "digireport-nightly"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "DIGIREPORT_UI_LANG": "fi", "PYTHONPATH": ""}
    once = subprocess.run([str(script), "--config", str(settings.config_file), "--once"], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=120)
    assert once.returncode == 0
    import re

    assert re.fullmatch(r"digireport-nightly: Valmis: \d+ tiedostoa julkaistu; havainnot: 0 virhettä, 32 varoitusta\n",
                        once.stderr)
    again = subprocess.run([str(script), "--config", str(settings.config_file), "--once", "--ui-lang", "sv"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert again.stderr == "digireport-nightly: Oförändrad sedan föregående körning; inget byggdes\n"

    loop = subprocess.Popen([str(script), "--config", str(settings.config_file)], cwd=elsewhere, env=env,
                            stderr=subprocess.PIPE, text=True)
    first = loop.stderr.readline()
    started = time.monotonic()
    loop.send_signal(signal.SIGTERM)
    rest = loop.communicate(timeout=30)[1]
    assert loop.returncode == 0 and time.monotonic() - started < 5  # not a minute's nap later
    now = dt.datetime.now(HELSINKI)
    nxt = (now if now.time() < dt.time(2, 0) else now + dt.timedelta(days=1)).replace(hour=2, minute=0)
    assert first == f"digireport-nightly: Seuraava ajo: {nxt:%Y-%m-%d} 02:00 {nxt.tzname()} (Europe/Helsinki)\n"
    assert rest == "digireport-nightly: Pysäytetty (SIGTERM)\n"
    log = settings.log_file.read_text(encoding="utf-8")
    assert 'scheduler-stop signal="SIGTERM"' in log


def test_a_failed_night_says_so_in_one_line(settings, tmp_path, capsys):
    from digireport.nightly import main

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    config = settings.config_file
    config.write_text(config.read_text(encoding="utf-8").replace(str(settings.local_path), str(bad)),
                      encoding="utf-8")
    assert main(["--config", str(config), "--once"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"digireport-nightly: {bad.name}: ") and len(err.splitlines()) == 1
    assert read_journal(settings.state_folder)[-1]["exit_code"] == 2


def test_the_systemd_unit_runs_the_console_script_hardened_with_a_normal_umask():
    import configparser
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str
    unit.read(root / "config" / "digireport.service", encoding="utf-8")
    service = unit["Service"]
    scripts = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts["digireport-nightly"] == "digireport.nightly:entry"
    assert service["ExecStart"].split()[0].endswith("/.venv/bin/digireport-nightly")
    assert (service["UMask"], service["User"]) == ("0022", "digireport")
    for key, value in {"PrivateDevices": "yes", "ProtectKernelTunables": "yes", "ProtectKernelModules": "yes",
                       "ProtectKernelLogs": "yes", "CapabilityBoundingSet": "", "NoNewPrivileges": "yes",
                       "SystemCallFilter": "@system-service", "ProtectSystem": "strict",
                       "RestrictAddressFamilies": "AF_UNIX AF_INET AF_INET6"}.items():
        assert service[key] == value, key
    assert "/var/lib/digireport" in service["ReadWritePaths"].split()
