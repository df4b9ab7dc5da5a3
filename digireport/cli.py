"""Command line: argument parsing and exit codes only; all behaviour lives in the library.

Exit codes: 0 success; 1 validation found errors; 2 the input or configuration cannot be used;
3 the master workbook changed meanwhile; 4 it is locked (open in Excel), the write-back waits for the
next run; 5 another run is in progress; 70 an internal error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
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
    parser.add_argument("--ui-lang", choices=("fi", "sv"), default=None,
                        help=t(_("language of messages (default: DIGIREPORT_UI_LANG or fi)")))
    parser.add_argument("--version", action="store_true", help=t(_("print the version and exit")))
    sub = parser.add_subparsers(dest="command", metavar=t(_("COMMAND")))
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
    b.add_argument("--pdf", action="store_true", help=t(_("also write PDFs of the decks (needs LibreOffice)")))
    b.add_argument("--max-list-rows", type=positive, default=200, metavar=n,
                   help=t(_("rows at most in a list of the decks and the web report")))
    b.add_argument("--workers", type=positive, default=None, metavar=n,
                   help=t(_("processes rendering the outputs side by side (default: one per CPU)")))
    b.add_argument("--quiet", action="store_true", help=quiet_help)

    v = sub.add_parser("validate", help=t(_("print the workbook's findings; exit 1 if any is an error")))
    v.add_argument("--source", type=Path, default=None, metavar=file, help=source_help)
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


def _source(args) -> Path:
    from digireport import SAMPLE_WORKBOOK

    return args.source if args.source is not None else SAMPLE_WORKBOOK


def cmd_build(args, loc) -> int:
    from digireport.pipeline import BuildOptions, build
    from digireport.settings import available_cpus
    from digireport.source import fetch_local

    def progress(message: str, params: dict) -> None:
        if not args.quiet:
            print(loc(message, **params), file=sys.stderr, flush=True)

    as_of = args.as_of or dt.date.today()
    fetched = fetch_local(_source(args))
    options = BuildOptions(as_of=as_of, languages=args.lang, template=args.template,
                           presenter=args.presenter, pdf=args.pdf, max_list_rows=args.max_list_rows,
                           workers=args.workers or available_cpus(),
                           generated=dt.datetime.now().replace(microsecond=0))
    result = build(fetched.data, fetched.name, args.out, options, progress)
    if not args.quiet:
        from digireport.model import Severity

        n_err = sum(1 for f in result.roadmap.findings if f.severity is Severity.ERROR)
        n_warn = sum(1 for f in result.roadmap.findings if f.severity is Severity.WARNING)
        print(loc(_("Done: {count} files in {out}; findings: {errors} errors, {warnings} warnings"),
                  count=len(result.outputs), out=str(args.out), errors=n_err, warnings=n_warn), file=sys.stderr)
    return EXIT_OK


def cmd_validate(args, loc) -> int:
    from digireport.findings import describe, has_errors, severity_word
    from digireport.i18n import l10n
    from digireport.pipeline import parse
    from digireport.source import fetch_local

    if args.lang:
        loc = l10n(args.lang)
    fetched = fetch_local(_source(args))
    roadmap = parse(fetched.data, fetched.name)
    rows = [(severity_word(f, loc), f.sheet, "" if f.row is None else str(f.row), f.column or "",
             (f.value or "")[:40], describe(f, loc)) for f in roadmap.findings]
    if not rows:
        print(loc(_("{name}: no findings ({projects} projects, {indicators} indicators)"), name=fetched.name,
                  projects=len(roadmap.projects), indicators=len(roadmap.indicators)))
        return EXIT_OK
    head = (loc(_("Severity")), loc(_("Sheet")), loc(_("Row")), loc(_("Column")), loc(_("Value")), loc(_("Message")))
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r[:5], widths, strict=True)) + "  " + r[5])
    print(loc(_("{count} findings"), count=len(rows)))
    return EXIT_FINDINGS if has_errors(roadmap.findings) else EXIT_OK


def cmd_run(args, loc) -> int:
    from digireport.job import file_logger, log_line, logging_progress, run_once, summary
    from digireport.settings import load_settings

    settings = load_settings(args.config)

    def terminal(message: str, params: dict) -> None:
        if not args.quiet:
            print(loc(message, **params), file=sys.stderr, flush=True)

    logger = file_logger(settings.log_file)
    as_of = args.as_of or dt.date.today()
    logger.info(log_line("run-start", as_of=as_of, force=args.force, dry_run=args.dry_run))
    try:
        result = run_once(settings, as_of, clock=lambda: dt.datetime.now(dt.UTC), force=args.force,
                          dry_run=args.dry_run, progress=logging_progress(logger, terminal))
    except Exception as exc:
        logger.error(log_line("run-failed", error=str(exc)))
        raise
    logger.info(log_line("run-end", status=result.status, version=result.source_version,
                         writeback=result.writeback, exit_code=result.exit_code))
    if not args.quiet:
        print(summary(result, loc), file=sys.stderr)
    return result.exit_code


def cmd_writeback(args, loc) -> int:
    from digireport import writeback as wb

    stamp = None if args.no_backup or args.dry_run else dt.datetime.now()
    done = wb.apply_writeback_file(args.source, args.label, dry_run=args.dry_run, backup_at=stamp)
    changes = done.result.changes
    if args.dry_run:
        for c in changes:
            print(loc(wb.CHANGE_LINE, row=c.row, id=c.id or "–", column=c.column,
                      old=c.old if c.old is not None else loc(wb.EMPTY),
                      new=c.new if c.new is not None else loc(wb.EMPTY)))
        print(loc(wb.DRY_RUN_DONE, count=len(changes)))
    elif not done.written:
        print(loc(wb.NO_CHANGES, name=args.source.name, label=args.label))
    else:
        if done.backup is not None:
            print(loc(wb.BACKUP_WRITTEN, path=str(done.backup)))
        print(loc(wb.WRITTEN, name=args.source.name, count=len(changes)))
    return EXIT_OK


COMMANDS = {
    "build": cmd_build,
    "run": cmd_run,
    "validate": cmd_validate,
    "writeback": cmd_writeback,
}


def entry() -> None:
    """The `digireport` command. A command runs once and exits, so the cyclic garbage collector,
    whose passes over the freshly imported libraries and the build's records free next to
    nothing, stays off: that is a tenth of the time of a small build. The library, used from a
    long-running process such as the nightly job, pauses it only while it builds."""
    gc.disable()
    sys.exit(main())


if __name__ == "__main__":
    entry()
