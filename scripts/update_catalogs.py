#!/usr/bin/env python3
"""Extract every `_("…")` message from the code and add the new ones to the fi/sv catalogs.

`loc.ngettext("{n} warning", "{n} warnings", n)` calls become plural entries (one translation per
plural form: "1 varoitus", "2 varoitusta"). Each message goes to the catalog of the area its
first use is in (deck, workbook, web, job, core). New entries get an empty translation;
`tests/test_i18n.py` fails until it is filled. Then compiles each language's catalogs into the
`digireport.mo` the program reads.
Run: .venv/bin/python scripts/update_catalogs.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "digireport" / "locale"
AREAS = {"deck": "deck", "workbook": "workbook", "web": "web", "sharepoint": "job", "job": "job", "settings": "job",
         "nightly": "job", "jobs": "job",
         "writeback": "writeback", "lock": "writeback"}


def area_of(path: str) -> str:
    parts = Path(path).parts
    for part in parts:
        stem = Path(part).stem
        if stem in AREAS:
            return AREAS[stem]
    return "core"


# `_("…")` marks a message; `loc.ngettext("{n} warning", "{n} warnings", n)` and
# `Plural("{n} file", "{n} files", n)` a message with plural forms, which the catalogs hold as one
# entry with a translation per plural form.
KEYWORDS = {"_": None, "ngettext": (1, 2), "Plural": (1, 2)}


def extract() -> dict[str | tuple[str, str], tuple[str, int]]:
    found: dict[str, tuple[str, str]] = {}
    for folder in ("digireport", "jobs"):
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            if isinstance(message, tuple) and not all(message):
                continue  # ngettext called with variables rather than the messages themselves
            if message not in found:
                found[message] = (f"{folder}/{filename}", lineno)
    return found


def main() -> int:
    messages = extract()
    for lang in ("fi", "sv"):
        folder = LOCALE / lang / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        catalogs: dict[str, Catalog] = {}
        known: set[str] = set()
        for po in sorted(folder.glob("*.po")):
            with po.open("rb") as fh:
                catalogs[po.stem] = read_po(fh, locale=lang)
            known.update(m.id for m in catalogs[po.stem] if m.id)
        added = 0
        for msgid, (where, line) in sorted(messages.items(), key=lambda kv: kv[1]):
            if msgid in known:
                continue
            area = area_of(where)
            cat = catalogs.setdefault(area, Catalog(locale=lang, project="digireport"))
            cat.add(msgid, ("", "") if isinstance(msgid, tuple) else "", locations=[(where, line)])
            added += 1
        # messages the code no longer has are dropped, so the catalogs hold only what is shown
        removed = 0
        for cat in catalogs.values():
            for msgid in [m.id for m in cat if m.id and m.id not in messages]:
                del cat[msgid]
                removed += 1
        for area, cat in catalogs.items():
            with (folder / f"{area}.po").open("wb") as fh:
                write_po(fh, cat, width=100, omit_header=False, sort_output=False, no_location=True)
        print(f"{lang}: {added} new messages, {removed} no longer used removed")
    compile_all()
    return 0


def compile_all() -> None:
    """Write each language's digireport.mo from its .po files: the catalogs the program reads."""
    sys.path.insert(0, str(ROOT))
    from digireport.i18n import LANGUAGES, compile_catalogs, compiled_path

    for lang in LANGUAGES:
        compiled_path(lang).write_bytes(compile_catalogs(lang))


if __name__ == "__main__":
    sys.exit(main())
