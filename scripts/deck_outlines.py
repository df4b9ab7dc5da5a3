#!/usr/bin/env python3
"""Write the reference outlines of the sample decks, tests/outlines/deck-{fi,sv}.json.

Run after an intended change to the decks: .venv/bin/python scripts/deck_outlines.py
then read `git diff tests/outlines` to see, slide by slide, what changed.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from deck_reference import reference_decks  # noqa: E402

from digireport.deck.outline import dumps, outline  # noqa: E402


def main() -> int:
    for lang, data in reference_decks().items():
        path = ROOT / "tests" / "outlines" / f"deck-{lang}.json"
        path.write_text(dumps(outline(data)), encoding="utf-8")
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
