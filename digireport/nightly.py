"""The nightly job: runs `digireport run` once a day at the configured local time (Europe/Helsinki).

    digireport-nightly --config /etc/digireport/digireport.toml [--once]

A run that fails is logged and the loop carries on to the next night; a run still going on when
the next one is due is never doubled (the job lock in the state folder). Every run appends one
line to the journal in the state folder; the log file gets one structured line per event; each
run's one-line result and the next run's time go to standard error, which journald keeps.
SIGTERM (systemctl stop) stops a run at a safe point, or the waiting loop at once.
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

from digireport.cli import argparse_speaks, crash_log, internal_error, ui_lang_of
from digireport.errors import DigireportError, StoppedError
from digireport.i18n import _, l10n
from digireport.job import (
    EXIT_INTERNAL,
    BusyError,
    Stop,
    capture_library_logs,
    file_logger,
    log_line,
    logging_progress,
    run_once,
    summary,
)
from digireport.settings import Settings, load_settings

Clock = Callable[[], dt.datetime]
Say = Callable[[str], None]
MAX_IDLE = 60.0  # seconds; wake up at least this often so a changed clock is noticed


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _silent(line: str) -> None:
    pass


def nightly_run(settings: Settings, clock: Clock, logger: logging.Logger, run=run_once, say: Say = _silent,
                loc=None, stop: Stop | None = None) -> int:
    """One scheduled run; never raises, so the schedule keeps going whatever happens tonight.

    `say` gets the run's result as one line in the language of `loc`.
    """
    loc = loc or l10n("fi")
    as_of = clock().astimezone(ZoneInfo(settings.timezone)).date()
    logger.info(log_line("run-start", as_of=as_of))
    try:
        kwargs = {"stop": stop} if stop is not None else {}
        result = run(settings, as_of, clock=clock, progress=logging_progress(logger), **kwargs)
    except BusyError as exc:
        logger.warning(log_line("run-skipped", reason=str(exc), exit_code=exc.exit_code))
        say(exc.localized(loc))
        return exc.exit_code
    except DigireportError as exc:
        logger.error(log_line("run-failed", error=str(exc), exit_code=exc.exit_code))
        say(exc.localized(loc))
        return exc.exit_code
    except Exception as exc:  # the one catch-all: a bug tonight must not stop tomorrow's run
        logger.exception(log_line("run-crashed", error=f"{type(exc).__name__}: {exc}", exit_code=EXIT_INTERNAL))
        say(loc(_("internal error, a bug ({error}); the traceback is in {log}"),
                error=f"{type(exc).__name__}: {exc}".splitlines()[0][:300], log=str(settings.log_file)))
        return EXIT_INTERNAL
    logger.info(log_line("run-end", status=result.status, version=result.source_version,
                         outputs=len(result.outputs), writeback=result.writeback, exit_code=result.exit_code))
    say(summary(result, loc))
    return result.exit_code


def install(scheduler: schedule.Scheduler, settings: Settings, clock: Clock, logger: logging.Logger,
            run=run_once, say: Say = _silent, loc=None, stop: Stop | None = None) -> schedule.Job:
    """Schedule the run daily at the configured time in the configured time zone."""
    return scheduler.every().day.at(settings.schedule_time, settings.timezone).do(
        nightly_run, settings, clock, logger, run, say, loc, stop)


def next_run_text(job: schedule.Job, timezone: str) -> str:
    """The next run as local time in the configured zone: `2025-12-03 02:00 EET (Europe/Helsinki)`."""
    when = job.next_run.astimezone(ZoneInfo(timezone))  # schedule keeps it as the machine's naive local time
    return f"{when:%Y-%m-%d %H:%M} {when.tzname()} ({timezone})"


def serve(scheduler: schedule.Scheduler, sleep: Callable[[float], None] = time.sleep,
          stop: Callable[[], bool] = lambda: False, announce: Callable[[], None] = lambda: None) -> None:
    """Run due jobs, then sleep until the next one is due (at most MAX_IDLE), until `stop()`.

    `announce` is called at the start and after every run (to say when the next one is).
    """
    announce()
    while not stop():
        ran_before = [job.last_run for job in scheduler.jobs]
        scheduler.run_pending()
        if [job.last_run for job in scheduler.jobs] != ran_before:
            announce()
        if stop():
            break
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
    args.command = "nightly"

    def say(line: str) -> None:
        print(f"digireport-nightly: {line}", file=sys.stderr, flush=True)

    stop = Stop()
    stop.install()
    try:
        settings = load_settings(args.config)
    except DigireportError as exc:
        say(exc.localized(loc))
        return exc.exit_code
    args.log_file = settings.log_file
    try:
        logger = file_logger(settings.log_file)
        capture_library_logs(logger)
        if args.once:
            return nightly_run(settings, utc_now, logger, say=say, loc=loc, stop=stop)
        scheduler = schedule.Scheduler()
        job = install(scheduler, settings, utc_now, logger, say=say, loc=loc, stop=stop)
        logger.info(log_line("scheduler-start", time=settings.schedule_time, timezone=settings.timezone,
                             next_run=job.next_run.isoformat()))

        def announce() -> None:
            say(loc(_("Next run: {when}"), when=next_run_text(job, settings.timezone)))

        def nap(seconds: float) -> None:
            try:
                with stop.anywhere():  # waiting, SIGTERM ends the loop at once
                    time.sleep(seconds)
            except StoppedError:
                pass

        serve(scheduler, sleep=nap, stop=lambda: stop.signal is not None, announce=announce)
        logger.info(log_line("scheduler-stop", signal=stop.signal))
        say(loc(_("Stopped ({signal})"), signal=stop.signal or ""))
        return 0
    except Exception as exc:  # noqa: BLE001 - a bug outside a run: one line, the traceback in the log
        args.log_file = crash_log(args)
        return internal_error(exc, args, loc)


def entry() -> None:
    """The `digireport-nightly` command."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
