"""Statistics → the board deck (.pptx) in Finnish and Swedish."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from digireport.deck.builders import SLIDES, Context, deck_title
from digireport.deck.check import check_deck, tag_language
from digireport.deck.slides import Deck
from digireport.deck.template import open_template
from digireport.errors import DigireportError
from digireport.i18n import _, l10n
from digireport.ooxml import fixed_timestamps


def render_deck(roadmap, stats, lang: str, options, progress=None) -> bytes:
    """The deck in `lang` as .pptx bytes; identical bytes for the same input and `as_of`."""
    loc = l10n(lang)
    prs = open_template(options.template)
    as_of = options.as_of
    footer = {"date": loc.date(as_of), "presenter": options.presenter}
    moment = dt.datetime(as_of.year, as_of.month, as_of.day)
    deck = Deck(prs, loc, footer, created=moment)
    ctx = Context(deck, roadmap, stats, options)
    for build in SLIDES:
        build(ctx)
    deck.add_sections()
    tag_language(prs, loc.tag)
    props = prs.core_properties
    props.title = deck_title(ctx)
    props.language = loc.tag
    props.author = props.last_modified_by = "digireport"
    props.created = props.modified = moment
    props.last_printed = moment
    props.revision = 1
    problems = check_deck(prs)
    for message, args in problems:
        if progress:
            progress(message, args)
    if any(m != _("Slide {slide}: a chart or table has no alt text") for m, _a in problems):
        message, args = problems[0]
        raise DigireportError(message, **args)
    buf = io.BytesIO()
    prs.save(buf)
    return fixed_timestamps(buf.getvalue(), moment)


def render_deck_file(roadmap, stats, lang: str, options, staging: Path, progress) -> None:
    """Pipeline stage: deck-<lang>.pptx, and its PDF when asked."""
    path = staging / f"deck-{lang}.pptx"
    path.write_bytes(render_deck(roadmap, stats, lang, options, progress))
    progress(_("Wrote {file}"), {"file": path.name})
    if options.pdf:
        convert_pdf([path], staging, progress)


def has_calibri_metrics() -> bool:
    """Whether LibreOffice will draw Calibri with Calibri's widths (Calibri or Carlito installed),
    the widths the table rows are sized by; unknown (no fontconfig) counts as yes."""
    exe = shutil.which("fc-match")
    if exe is None:
        return True
    found = subprocess.run([exe, "Calibri"], capture_output=True, text=True, timeout=30).stdout
    return "Carlito" in found or "Calibri" in found


def convert_pdf(paths, outdir: Path, progress) -> None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        progress(_("LibreOffice (soffice) is not installed; PDF decks were not written"), {})
        return
    if not has_calibri_metrics():
        progress(
            _(
                "The Carlito font is not installed: LibreOffice draws the decks' Calibri text wider, "
                "so long tables in the PDF decks may run past the slide"
            ),
            {},
        )
    with tempfile.TemporaryDirectory() as profile:
        for path in paths:
            subprocess.run(
                [
                    exe,
                    f"-env:UserInstallation=file://{profile}",
                    "--headless",
                    "--convert-to",
                    "pdf",
                    "--outdir",
                    str(outdir),
                    str(path),
                ],
                check=True,
                capture_output=True,
                timeout=300,
            )
            progress(_("Wrote {file}"), {"file": path.with_suffix(".pdf").name})
