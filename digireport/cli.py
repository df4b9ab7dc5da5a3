"""Command line: argument parsing and exit codes only; all behaviour lives in the library.

Exit codes: 0 success; 1 validation found errors; 2 the input or configuration cannot be used;
3 the master workbook changed meanwhile; 4 it is locked (open in Excel), the write-back waits for the
next run; 5 another run is in progress; 70 an internal error (one line on the terminal, the traceback
in the log); 143 (130 for Ctrl-C) the run was stopped and recorded itself in the journal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_INTERNAL = 70


def _(message: str) -> str:
    """Marks a message for the catalogs without importing them before they are needed."""
    return message


Translate = Callable[..., str]


def _english(message: str, **args: object) -> str:
    return message.format(**args) if args else message


# argparse's own words: usage, section titles, its errors. Listed here so the catalogs carry them.
ARGPARSE_MESSAGES = (
    _("usage: "), _("positional arguments"), _("options"), _("show this help message and exit"),
    _("%(prog)s: error: %(message)s\n"), _("argument %(argument_name)s: %(message)s"),
    _("the following arguments are required: %s"), _("unrecognized arguments: %s"),
    _("expected one argument"), _("expected at most one argument"), _("expected at least one argument"),
    _("invalid choice: %(value)r (choose from %(choices)s)"), _("invalid %(type)s value: %(value)r"),
    _("ambiguous option: %(option)s could match %(matches)s"), _("not allowed with argument %s"),
    _("ignored explicit argument %r"), _("unexpected option string: %s"),
)


def _date(text: str, t: Translate = _english) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(t(_("not a date (YYYY-MM-DD): {value}"), value=repr(text))) from None


def _positive(text: str, t: Translate = _english) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(t(_("not a whole number of at least 1: {value}"), value=repr(text)))
    return value


def _languages(text: str, t: Translate = _english) -> tuple[str, ...]:
    langs = tuple(p.strip() for p in text.split(",") if p.strip())
    bad = [lang for lang in langs if lang not in ("fi", "sv")]
    if bad or not langs:
        raise argparse.ArgumentTypeError(t(_("languages are fi and sv, got {value}"), value=repr(text)))
    return langs


def make_parser(loc: Translate | None = None) -> argparse.ArgumentParser:
    """The command line, its help and messages in the language of `loc` (the English ids without one)."""
    t = loc or _english
    date, positive, languages = partial(_date, t=t), partial(_positive, t=t), partial(_languages, t=t)
    parser = argparse.ArgumentParser(
        prog="digireport",
        description=t(_("Porvoo digital programme: roadmap workbook → board decks, indicator workbook, open data.")),
    )
    ui_lang_help = t(_("language of messages: fi or sv (default: DIGIREPORT_UI_LANG, else the system's "
                       "language, else fi)"))
    parser.add_argument("--ui-lang", choices=("fi", "sv"), default=None, help=ui_lang_help)
    parser.add_argument("--version", action="store_true", help=t(_("print the version and stop")))
    sub = parser.add_subparsers(dest="command", metavar=t(_("COMMAND")), title=t(_("commands")))
    source_help = t(_("master workbook (.xlsx); default: the bundled sample"))
    as_of_help = t(_("report date YYYY-MM-DD (default: today)"))
    quiet_help = t(_("print nothing but errors"))
    file, folder, day, n = t(_("FILE")), t(_("FOLDER")), t(_("DATE")), t(_("N"))

    b = sub.add_parser("build", help=t(_("read the workbook and write report.json, decks and the indicator workbook")))
    b.add_argument("--source", type=Path, default=None, metavar=file, help=source_help)
    b.add_argument("--out", type=Path, required=True, metavar=folder, help=t(_("output folder")))
    b.add_argument("--as-of", type=date, default=None, metavar=day, help=as_of_help)
    b.add_argument("--lang", type=languages, default=("fi", "sv"), metavar="fi,sv",
                   help=t(_("output languages, e.g. fi,sv")))
    b.add_argument("--template", type=Path, default=None, metavar=file, help=t(_("deck template (.pptx)")))
    b.add_argument("--presenter", default=None, metavar=t(_("NAME")), help=t(_("presenter shown in the deck footer")))
    b.add_argument("--meeting", default=None, metavar=t(_("MEETING")),
                   help=t(_("the meeting the decks are for: the date of a city board meeting (YYYY-MM-DD), "
                            "or its name as 'Finnish | Swedish'")))
    b.add_argument("--config", type=Path, default=None, metavar=file,
                   help=t(_("settings file whose [report] and [board] tables give the presenter, the meeting "
                            "and the board's approval dates (see docs/deck.md)")))
    b.add_argument("--pdf", action="store_true", help=t(_("also write PDFs of the decks (needs LibreOffice)")))
    b.add_argument("--max-list-rows", type=positive, default=200, metavar=n,
                   help=t(_("rows at most in a list of the decks and the web report")))
    b.add_argument("--workers", type=positive, default=None, metavar=n,
                   help=t(_("processes rendering the outputs side by side (default: one per CPU)")))
    translations_help = t(_("translations workbook (.xlsx): Swedish texts the master workbook lacks, "
                            "e.g. a filled-in translations-sv.xlsx"))
    b.add_argument("--translations", type=Path, default=None, metavar=file, help=translations_help)
    b.add_argument("--quiet", action="store_true", help=quiet_help)

    v = sub.add_parser("validate", help=t(_("list the master workbook's findings; the command fails if any is an "
                                            "error")))
    v.add_argument("--source", type=Path, default=None, metavar=file, help=source_help)
    v.add_argument("--translations", type=Path, default=None, metavar=file, help=translations_help)
    v.add_argument("--lang", choices=("fi", "sv"), default=None, help=t(_("language of the messages")))

    r = sub.add_parser("run", help=t(_("one run of the job: fetch, build, publish, write back "
                                       "(see docs/operations.md)")))
    r.add_argument("--config", type=Path, required=True, metavar=file,
                   help=t(_("settings file (TOML), e.g. config/digireport.toml")))
    r.add_argument("--force", action="store_true",
                   help=t(_("build even if the master is unchanged since the last run")))
    r.add_argument("--dry-run", action="store_true",
                   help=t(_("fetch and build only: publish and write back nothing")))
    r.add_argument("--as-of", type=date, default=None, metavar=day, help=as_of_help)
    r.add_argument("--quiet", action="store_true", help=quiet_help)

    w = sub.add_parser("writeback",
                       help=t(_("write a status snapshot column and data-check remarks into the workbook")))
    w.add_argument("--source", type=Path, required=True, metavar=file, help=t(_("master workbook (.xlsx) to edit")))
    w.add_argument("--label", required=True, metavar="MM/YYYY", help=t(_("snapshot label MM/YYYY, e.g. 11/2025")))
    w.add_argument("--dry-run", action="store_true", help=t(_("print what would change and change nothing")))
    w.add_argument("--no-backup", action="store_true",
                   help=t(_("do not keep a timestamped copy of the original")))
    w.add_argument("--force", action="store_true", help=t(_("write into a read-only workbook too")))
    # --ui-lang may come after the command too: `digireport build --ui-lang sv …`
    for command in (b, v, r, w):
        command.add_argument("--ui-lang", choices=("fi", "sv"), default=argparse.SUPPRESS, help=ui_lang_help)
    return parser


def ui_lang_of(argv: list[str]) -> str:
    """--ui-lang, read before parsing so that the help and argparse's errors are in that language."""
    for i, arg in enumerate(argv):
        if arg == "--ui-lang" and i + 1 < len(argv):
            value = argv[i + 1]
        elif arg.startswith("--ui-lang="):
            value = arg.partition("=")[2]
        else:
            continue
        if value in ("fi", "sv"):
            return value
    from digireport.settings import ui_language

    return ui_language()


@contextmanager
def argparse_speaks(loc) -> Iterator[None]:
    """argparse takes its words from module-level gettext functions; point them at our catalogs."""
    from digireport.i18n import translations

    catalog = translations(loc.lang)
    saved = argparse._, argparse.ngettext
    argparse._, argparse.ngettext = catalog.gettext, catalog.ngettext
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved


def main(argv: list[str] | None = None) -> int:
    from digireport.i18n import l10n

    argv = sys.argv[1:] if argv is None else list(argv)
    loc = l10n(ui_lang_of(argv))
    with argparse_speaks(loc):
        parser = make_parser(loc)
        args = parser.parse_args(argv)
        if args.version:
            from digireport import __version__

            print(__version__)
            return EXIT_OK
        if not args.command:
            parser.print_help()
            return EXIT_OK
    from digireport.errors import DigireportError

    try:
        return COMMANDS[args.command](args, loc)
    except DigireportError as exc:
        print(f"digireport: {exc.localized(loc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        from digireport.job import USER_ERRNOS, os_failure

        if exc.errno not in USER_ERRNOS:
            return internal_error(exc, args, loc)
        failure = os_failure(exc, exc.filename or getattr(args, "out", None) or getattr(args, "source", None))
        print(f"digireport: {failure.localized(loc)}", file=sys.stderr)
        return failure.exit_code
    except Exception as exc:
        return internal_error(exc, args, loc)


def crash_log(args) -> Path:
    """Where a traceback goes: the job's log for `run`, else the user's state folder."""
    import os

    if getattr(args, "log_file", None) is not None:
        return args.log_file
    base = os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state"
    return Path(base) / "digireport" / "digireport.log"


def internal_error(exc: BaseException, args, loc) -> int:
    """A bug: one line on the terminal, the traceback in the log, exit code 70."""
    import logging
    import tempfile

    from digireport.job import file_logger, log_line

    error = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
    for log in (crash_log(args), Path(tempfile.gettempdir()) / f"digireport-{os_user()}.log"):
        try:
            file_logger(log).error(log_line("internal-error", command=args.command, error=error), exc_info=exc)
        except OSError:
            continue
        line = loc(_("internal error, a bug ({error}); the traceback is in {log}"), error=error, log=str(log))
        print("digireport: " + line, file=sys.stderr)
        return EXIT_INTERNAL
    logging.shutdown()
    line = loc(_("internal error, a bug ({error}); no log could be written"), error=error)
    print("digireport: " + line, file=sys.stderr)
    return EXIT_INTERNAL


def os_user() -> str:
    import getpass

    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no name for this uid: the number will do
        import os

        return str(os.getuid())


def _source(args) -> Path:
    from digireport import SAMPLE_WORKBOOK

    return args.source if args.source is not None else SAMPLE_WORKBOOK


def cmd_build(args, loc) -> int:
    from digireport.pipeline import BuildOptions, build
    from digireport.settings import DeckSettings, available_cpus, load_deck_settings, parse_meeting
    from digireport.source import fetch_local

    def progress(message: str, params: dict) -> None:
        if not args.quiet:
            print(loc(message, **params), file=sys.stderr, flush=True)

    as_of = args.as_of or dt.date.today()
    fetched = fetch_local(_source(args))
    deck = load_deck_settings(args.config) if args.config else DeckSettings()
    facts = deck.build_options()
    if args.presenter:
        facts["presenter"] = args.presenter
    if args.meeting:
        facts["meeting"], facts["meeting_date"] = parse_meeting(args.meeting)
    options = BuildOptions(as_of=as_of, languages=args.lang, template=args.template, pdf=args.pdf,
                           max_list_rows=args.max_list_rows, workers=args.workers or available_cpus(),
                           translations=_translations(args), generated=dt.datetime.now().replace(microsecond=0),
                           **facts)
    result = build(fetched.data, fetched.name, args.out, options, progress)
    if not args.quiet:
        from digireport.findings import count_words, missing_translations

        counted = count_words(result.roadmap.findings, loc)
        missing = missing_translations(result.roadmap.findings, loc)
        print(loc(_("Done: {files} in {out}; findings: {counts}"),
                  files=loc.ngettext("{n} file", "{n} files", len(result.outputs)), out=str(args.out),
                  counts=counted + (f" ({missing}: translations-sv.xlsx)" if missing else "")), file=sys.stderr)
    return EXIT_OK


def _translations(args) -> tuple[str, bytes] | None:
    from digireport.source import fetch_local

    if args.translations is None:
        return None
    fetched = fetch_local(args.translations)
    return fetched.name, fetched.data


def cmd_validate(args, loc) -> int:
    from digireport.findings import describe, has_errors, severity_word
    from digireport.i18n import Plural, l10n
    from digireport.pipeline import parse, translate
    from digireport.source import fetch_local

    if args.lang:
        loc = l10n(args.lang)
    fetched = fetch_local(_source(args))
    roadmap = translate(parse(fetched.data, fetched.name), _translations(args))
    rows = [(severity_word(f, loc), f.sheet, "" if f.row is None else str(f.row), f.column or "",
             (f.value or "")[:40], describe(f, loc)) for f in roadmap.findings]
    if not rows:
        print(loc(_("{name}: no findings ({projects}, {indicators})"), name=fetched.name,
                  projects=Plural("{n} project", "{n} projects", len(roadmap.projects)),
                  indicators=Plural("{n} indicator", "{n} indicators", len(roadmap.indicators))))
        return EXIT_OK
    head = (loc(_("Severity")), loc(_("Sheet")), loc(_("Row")), loc(_("Column")), loc(_("Value")), loc(_("Message")))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5])
    print(loc.ngettext("{n} finding", "{n} findings", len(rows)))
    return EXIT_FINDINGS if has_errors(roadmap.findings) else EXIT_OK


def cmd_run(args, loc) -> int:
    from digireport.errors import DigireportError
    from digireport.job import Stop, capture_library_logs, file_logger, log_line, logging_progress, run_once, summary
    from digireport.settings import load_settings

    stop = Stop()
    stop.install()  # SIGTERM (systemctl stop) and Ctrl-C stop the run at a safe point
    settings = load_settings(args.config)
    args.log_file = settings.log_file

    def terminal(message: str, params: dict) -> None:
        if not args.quiet:
            print(loc(message, **params), file=sys.stderr, flush=True)

    logger = file_logger(settings.log_file)
    capture_library_logs(logger)
    as_of = args.as_of or dt.date.today()
    logger.info(log_line("run-start", as_of=as_of, force=args.force, dry_run=args.dry_run))
    try:
        result = run_once(settings, as_of, clock=lambda: dt.datetime.now(dt.UTC), force=args.force,
                          dry_run=args.dry_run, progress=logging_progress(logger, terminal), stop=stop)
    except DigireportError as exc:
        logger.error(log_line("run-failed", error=str(exc), exit_code=exc.exit_code))
        raise
    logger.info(log_line("run-end", status=result.status, version=result.source_version,
                         writeback=result.writeback, exit_code=result.exit_code))
    if not args.quiet:
        print(summary(result, loc), file=sys.stderr)
    return result.exit_code


def cmd_writeback(args, loc) -> int:
    from digireport import writeback as wb
    from digireport.i18n import Plural

    stamp = None if args.no_backup or args.dry_run else dt.datetime.now()
    done = wb.apply_writeback_file(args.source, args.label, dry_run=args.dry_run, backup_at=stamp,
                                   force=args.force)
    changes = done.result.changes
    label = wb.check_label(args.label)
    lines = []
    if args.dry_run:
        lines += [loc(wb.CHANGE_LINE, row=c.row, id=c.id or "–", column=c.column,
                      old=c.old if c.old is not None else loc(wb.EMPTY),
                      new=c.new if c.new is not None else loc(wb.EMPTY)) for c in changes]
        lines.append(loc(wb.DRY_RUN_DONE, count=Plural("{n} cell", "{n} cells", len(changes))))
    elif not done.written:
        lines.append(loc(wb.NO_CHANGES, name=args.source.name, label=label))
    else:
        if done.backup is not None:
            lines.append(loc(wb.BACKUP_WRITTEN, path=str(done.backup)))
        lines.append(loc(wb.WRITTEN, name=args.source.name, count=Plural("{n} cell", "{n} cells", len(changes))))
    if done.result.unhidden:
        lines.append(loc(wb.UNHIDDEN, columns=", ".join(done.result.unhidden)))
    try:
        for line in lines:
            print(line)
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader stopped reading (`| head`): what it wanted was delivered; end quietly
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_OK


COMMANDS = {
    "build": cmd_build,
    "run": cmd_run,
    "validate": cmd_validate,
    "writeback": cmd_writeback,
}


def entry() -> None:
    """The `digireport` command."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
