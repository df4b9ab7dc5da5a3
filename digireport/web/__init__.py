"""Roadmap and statistics → the public web report (`site/`): bilingual static HTML and open data.

The pages make no requests to other hosts and link only relatively, so the folder works
from a web server, a file share or a local disk. Every workbook value is untrusted and is
escaped; a Content-Security-Policy forbids scripts altogether.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from digireport.i18n import LANGUAGES, _, l10n
from digireport.model import Roadmap
from digireport.stats import Stats
from digireport.web.opendata import (
    PROJECT_FIELDS,
    SiteData,
    _projects_csv,
    _write_csv,
    open_data,
    project_rows,
    site_data,
    write_json_records,
    write_open_data,
)
from digireport.web.pages import (
    ALL_PROJECTS,
    FAVICON,
    FIRST_PROJECTS,
    LIGHT_LABELS,
    MORE_PROJECTS,
    STATEMENT_PAGES,
    accessibility_page,
    landing_page,
    listed_projects,
    report_page,
)

SITE = "site"

__all__ = [
    "ALL_PROJECTS", "FIRST_PROJECTS", "LIGHT_LABELS", "MORE_PROJECTS", "PROJECT_FIELDS", "SITE", "SiteData",
    "_projects_csv", "_write_csv", "accessibility_page", "landing_page", "listed_projects", "open_data",
    "project_rows", "render_web", "report_page", "site_data", "write_json_records",
]


def render_web(roadmap: Roadmap, stats: Stats, options: Any, staging: Path, progress) -> None:
    """Write `site/` (index, favicon, fi/, sv/, data/ with this release's archive) into the staging folder."""
    from digireport.settings import WebSettings

    data = site_data(roadmap, stats)
    web = getattr(options, "web", None) or WebSettings()
    site = staging / SITE
    (site / "data").mkdir(parents=True, exist_ok=True)
    languages = tuple(lang for lang in LANGUAGES if lang in options.languages) or LANGUAGES
    listed = listed_projects(data, options.max_list_rows)
    for lang in languages:
        (site / lang).mkdir(exist_ok=True)
        loc = l10n(lang)
        _write(site / lang / "index.html", report_page(data, loc, languages, options.max_list_rows,
                                                            listed=listed, web=web))
        _write(site / lang / STATEMENT_PAGES[lang], accessibility_page(data, loc, languages, web))
    _write(site / "index.html", landing_page(data, languages, web))
    _write(site / "favicon.svg", FAVICON)
    write_open_data(data, site / "data", web)
    progress(_("Wrote {file}"), {"file": f"{SITE}/"})


def _write(path: Path, text: str) -> None:
    # newline="" keeps "\n" on every platform, so the files are byte-identical everywhere.
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write(text)
