"""The web report in a real browser: every page at 320 and 1366 px is no wider than its viewport and has
no axe-core violations; printed on A4, every table column is inside the page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.webbrowser import chromium, pdf_words, print_pdf, probe, probe_copy

PAGES = ["index.html", "fi/index.html", "sv/index.html", "fi/saavutettavuus.html", "sv/tillganglighet.html"]


@pytest.fixture(scope="module")
def site(sample_build) -> Path:
    out, _result = sample_build
    return out / "site"


@pytest.fixture(scope="module")
def probed(site, tmp_path_factory) -> Path:
    chromium()
    return probe_copy(site, tmp_path_factory.mktemp("probe") / "site")


@pytest.mark.parametrize("width", [320, 1366])
@pytest.mark.parametrize("page", PAGES)
def test_page_fits_its_width_and_axe_finds_no_violations(probed, tmp_path, page, width):
    result = probe(chromium(), probed, page, width, tmp_path / "profile")
    size = result["size"]
    assert size["viewport"] == width  # the frame gave the page this width
    assert size["page"] <= size["viewport"], size  # no sideways scrolling of the page
    assert "error" not in result, result
    assert result["violations"] == [], result["violations"]


def test_capped_list_fits_and_axe_finds_no_violations(site, sample_build, tmp_path):
    import shutil

    from digireport.i18n import l10n
    from digireport.web import report_page, site_data

    _out, result = sample_build
    data = site_data(result.roadmap, result.stats)
    copy = tmp_path / "capped" / "site"
    shutil.copytree(site, copy)
    (copy / "fi" / "index.html").write_text(report_page(data, l10n("fi"), ("fi", "sv"), max_rows=30),
                                           encoding="utf-8")
    probed = probe_copy(copy, tmp_path / "probe" / "site")
    result = probe(chromium(), probed, "fi/index.html", 320, tmp_path / "profile")
    assert result["size"]["page"] <= result["size"]["viewport"] == 320
    assert result["violations"] == []


@pytest.mark.parametrize(("lang", "last_column"), [("fi", "Arvio"), ("sv", "Bedömning")])
def test_printed_on_a4_every_column_is_inside_the_page(site, tmp_path, lang, last_column):
    exe = chromium()
    pdf = print_pdf(exe, site / lang / "index.html", tmp_path / f"{lang}.pdf", tmp_path / "profile")
    width, words = pdf_words(pdf)
    assert round(width) == 595  # A4 portrait, 210 mm
    outside = [(n, x1, text) for n, _x0, x1, text in words if x1 > width - 12 * 72 / 25.4 + 1]
    assert outside == []  # nothing beyond the right margin: no column is cut off
    texts = [text for *_pos, text in words]
    # The last column of each indicator table (goals A, B, C) and its contents are printed.
    assert texts.count(last_column) >= 3
    # Every assessment word the page shows is printed: none is clipped away with its column.
    html = (site / lang / "index.html").read_text(encoding="utf-8")
    shown = re.sub(r"<(svg|details|title|style)\b.*?</\1>|<[^>]+>", " ", html, flags=re.S).split()
    lights = {"fi": ("Etenee", "Tavoitteessa", "Jäljessä", "arvioitavissa"),
              "sv": ("Framskrider", "nått", "Efter", "bedömas")}[lang]
    assert [texts.count(w) for w in lights] == [shown.count(w) for w in lights]
    assert sum(shown.count(w) for w in lights) >= 17
    # The project list's last column, status, is there for the last project listed.
    assert "K35" in texts


def test_phone_and_desktop_screenshots(site, tmp_path):
    from tests.webbrowser import screenshot

    exe = chromium()
    for width, height in ((1366, 1200), (320, 1400)):
        shot = screenshot(exe, site, "fi/index.html", width, height, tmp_path / f"w{width}.png", tmp_path / "p")
        data = shot.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        w, h = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (w, h) == (max(width, 500), height)


def test_print_stylesheet_hides_navigation(site, tmp_path):
    exe = chromium()
    pdf = print_pdf(exe, site / "fi" / "index.html", tmp_path / "fi.pdf", tmp_path / "profile")
    text = " ".join(t for *_p, t in pdf_words(pdf)[1])
    assert "Siirry sisältöön" not in text and "svenska" not in text
    assert re.search(r"Digiohjelman 2024–2026 seuranta", text)
