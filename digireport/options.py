"""What a build is asked to make, and how it reports progress: shared by the pipeline and every renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from digireport.i18n import LANGUAGES

# A message id of the catalogs and its parameters; the caller translates and shows it, or not.
Progress = Callable[[str, dict[str, Any]], None]


def quiet(message: str, params: dict[str, Any]) -> None:
    """A `Progress` that shows nothing."""


@dataclass(frozen=True)
class BuildOptions:
    as_of: dt.date
    languages: tuple[str, ...] = LANGUAGES
    template: Path | None = None
    presenter: str | None = None
    # The meeting the decks are for, per language: (("fi", "Kaupunginhallitus 2.12.2025"), ("sv", …)).
    meeting: tuple[tuple[str, str], ...] = ()
    meeting_date: dt.date | None = None  # a city board meeting, named in each deck's language
    # Board decisions the background slide cites: the programme's approval and each roadmap's.
    programme_approved: dt.date | None = None
    roadmap_approved: tuple[tuple[int, dt.date], ...] = ()
    pdf: bool = False
    max_list_rows: int = 200
    # Processes rendering outputs side by side (decks, workbook, web report); 1 renders them one
    # after another in the build's own process.
    workers: int = 1
    # The translations workbook as (name, bytes): Swedish texts the master workbook does not hold.
    translations: tuple[str, bytes] | None = None
    # The web report's publisher, contact, licence and accessibility statement (settings.WebSettings);
    # None: the defaults.
    web: Any = None
    # When the build ran, shown on the indicator workbook's about sheet; None leaves it out.
    generated: dt.datetime | None = None
