"""The reference decks: the bundled sample at the board's 2.12.2025 meeting, with the example
settings' meeting and approval dates and a presenter."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = dt.date(2025, 12, 2)
PRESENTER = "Anna Esittäjä"


def reference_options(**overrides):
    from digireport.pipeline import BuildOptions
    from digireport.settings import load_deck_settings

    facts = load_deck_settings(ROOT / "config" / "digireport.toml").build_options()
    facts["presenter"] = PRESENTER
    facts.update(overrides)
    return BuildOptions(as_of=AS_OF, **facts)


def reference_decks(**overrides) -> dict[str, bytes]:
    from digireport import SAMPLE_WORKBOOK
    from digireport.deck import render_deck
    from digireport.roadmap import parse_roadmap
    from digireport.stats import compute_stats

    roadmap = parse_roadmap(SAMPLE_WORKBOOK.read_bytes(), "tiekartta_v2.xlsx")
    stats = compute_stats(roadmap, AS_OF)
    options = reference_options(**overrides)
    return {lang: render_deck(roadmap, stats, lang, options) for lang in ("fi", "sv")}
