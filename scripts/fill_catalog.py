#!/usr/bin/env python3
"""Fill translations into a catalog from a TSV of `msgid<TAB>fi<TAB>sv` lines.

Usage: scripts/fill_catalog.py AREA FILE.tsv   (AREA: core, deck, workbook, web, job, writeback)
A message with plural forms takes six fields: `singular<TAB>plural<TAB>fi one<TAB>fi many<TAB>sv one<TAB>sv many`.
Only the listed messages change; `\\t` and `\\n` inside a field are written as escapes.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po
from update_catalogs import compile_all

LOCALE = Path(__file__).resolve().parent.parent / "digireport" / "locale"


def main(area: str, tsv: str) -> int:
    rows = []
    for line in Path(tsv).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        fields = [p.replace("\\n", "\n").replace("\\t", "\t") for p in line.split("\t")]
        if len(fields) == 6:
            one, many, fi1, fi2, sv1, sv2 = fields
            rows.append(((one, many), (fi1, fi2), (sv1, sv2)))
        elif len(fields) == 3:
            rows.append(tuple(fields))
        else:
            raise SystemExit(f"{tsv}: a line needs 3 fields (or 6 for plural forms): {line!r}")
    for i, lang in enumerate(("fi", "sv")):
        path = LOCALE / lang / "LC_MESSAGES" / f"{area}.po"
        if path.exists():
            with path.open("rb") as fh:
                cat = read_po(fh, locale=lang)
        else:
            cat = Catalog(locale=lang, project="digireport")
        for msgid, *tr in rows:
            if msgid in cat:
                cat[msgid].string = tr[i]
            else:
                cat.add(msgid, tr[i])
        with path.open("wb") as fh:
            write_po(fh, cat, width=100, no_location=True)
    print(f"{area}: {len(rows)} messages filled")
    compile_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
