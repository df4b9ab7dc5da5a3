"""The nightly job: runs `digireport run` once a day at the configured local time (Europe/Helsinki).

    python -m jobs.nightly --config /etc/digireport/digireport.toml

A run that fails is logged and the loop carries on to the next night; a run still going on when
the next one is due is never doubled (the job lock in the state folder). Every run appends one
line to the journal in the state folder; the log file gets one structured line per event.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import schedule

from digireport.cli import argparse_speaks, ui_lang_of
from digireport.errors import DigireportError
from digireport.i18n import _, l10n
from digireport.job import (
    EXIT_INTERNAL,
    BusyError,
    file_logger,
    log_line,
    logging_progress,
    run_once,
)
from digireport.settings import Settings, load_settings

Clock = Callable[[], dt.datetime]
MAX_IDLE = 60.0  # seconds; wake up at least this often so a changed clock or a stop request is noticed


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def nightly_run(settings: Settings, clock: Clock, logger: logging.Logger, run=run_once) -> int:
    """One scheduled run; never raises, so the schedule keeps going whatever happens tonight."""
    as_of = clock().astimezone(ZoneInfo(settings.timezone)).date()
    logger.info(log_line("run-start", as_of=as_of))
    try:
        result = run(settings, as_of, clock=clock, progress=logging_progress(logger))
    except BusyError as exc:
        logger.warning(log_line("run-skipped", reason=str(exc), exit_code=exc.exit_code))
        return exc.exit_code
    except DigireportError as exc:
        logger.error(log_line("run-failed", error=str(exc), exit_code=exc.exit_code))
        return exc.exit_code
    except Exception as exc:  # the one catch-all: a bug tonight must not stop tomorrow's run
        logger.exception(log_line("run-crashed", error=f"{type(exc).__name__}: {exc}", exit_code=EXIT_INTERNAL))
        return EXIT_INTERNAL
    logger.info(log_line("run-end", status=result.status, version=result.source_version,
                         outputs=len(result.outputs), writeback=result.writeback, exit_code=result.exit_code))
    return result.exit_code


def install(scheduler: schedule.Scheduler, settings: Settings, clock: Clock, logger: logging.Logger,
            run=run_once) -> schedule.Job:
    """Schedule the run daily at the configured time in the configured time zone."""
    return scheduler.every().day.at(settings.schedule_time, settings.timezone).do(
        nightly_run, settings, clock, logger, run)


def serve(scheduler: schedule.Scheduler, sleep: Callable[[float], None] = time.sleep,
          stop: Callable[[], bool] = lambda: False) -> None:
    """Run due jobs, then sleep until the next one is due (at most MAX_IDLE), until `stop()`."""
    while not stop():
        scheduler.run_pending()
        idle = scheduler.idle_seconds
        sleep(max(0.0, min(MAX_IDLE if idle is None else idle, MAX_IDLE)))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    loc = l10n(ui_lang_of(argv))
    with argparse_speaks(loc):
        parser = argparse.ArgumentParser(
            prog="digireport-nightly",
            description=loc(_("Runs `digireport run` once a day at the configured local time.")))
        parser.add_argument("--config", type=Path, required=True, metavar=loc(_("FILE")),
                            help=loc(_("settings file (TOML)")))
        parser.add_argument("--once", action="store_true",
                            help=loc(_("run once now and exit with the run's exit code")))
        parser.add_argument("--ui-lang", choices=("fi", "sv"), default=None,
                            help=loc(_("language of messages (default: DIGIREPORT_UI_LANG or fi)")))
        args = parser.parse_args(argv)
    try:
        settings = load_settings(args.config)
    except DigireportError as exc:
        print(f"digireport-nightly: {exc.localized(loc)}", file=sys.stderr)
        return exc.exit_code
    logger = file_logger(settings.log_file)
    if args.once:
        return nightly_run(settings, utc_now, logger)
    scheduler = schedule.Scheduler()
    job = install(scheduler, settings, utc_now, logger)
    logger.info(log_line("scheduler-start", time=settings.schedule_time, timezone=settings.timezone,
                         next_run=job.next_run.isoformat()))
    try:
        serve(scheduler)
    except KeyboardInterrupt:
        logger.info(log_line("scheduler-stop"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
