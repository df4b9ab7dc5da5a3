"""The board decks: reopened with python-pptx and checked through its API, and drawn by LibreOffice."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml.ns import qn
from pptx.util import Pt

from tests.conftest import SEED_DATE, convert_to_pdf, pdf_pages
from tests.deck_reference import PRESENTER, ROOT, reference_decks

OUTLINES = ROOT / "tests" / "outlines"
CHANGED = {"A4": "started", "A10": "done", "B7": "done", "C6": "done", "C7": "started", "C13": "done",
           "C14": "dropped", "C15": "done"}
BUDGET_2026 = ["A8", "B1", "C12", "C30", "C33", "K11", "K30"]


@pytest.fixture(scope="module")
def deck_bytes() -> dict[str, bytes]:
    return reference_decks()


@pytest.fixture(scope="module")
def decks(deck_bytes):
    return {lang: Presentation(io.BytesIO(data)) for lang, data in deck_bytes.items()}


@pytest.fixture(scope="module")
def deck_files(deck_bytes, tmp_path_factory):
    folder = tmp_path_factory.mktemp("decks")
    for lang, data in deck_bytes.items():
        (folder / f"deck-{lang}.pptx").write_bytes(data)
    return folder


def _norm(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


def titles(prs) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def slide_titled(prs, title: str):
    return next(slide for slide in prs.slides if slide.shapes.title.text == title)


def slides_starting(prs, prefix: str) -> list:
    return [slide for slide in prs.slides if slide.shapes.title.text.startswith(prefix)]


def tables(slide) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in s.table.rows] for s in slide.shapes if s.has_table]


def shape_kind(shape) -> str:
    if shape.has_chart:
        return f"chart:{shape.chart.chart_type}"
    if shape.has_table:
        return "table"
    return "placeholder:" + shape.name if shape.is_placeholder else "text:" + shape.name


# --- the same deck in both languages ---------------------------------------------------------------


def test_both_languages_have_the_same_slides(decks):
    fi, sv = decks["fi"], decks["sv"]
    assert len(fi.slides) == len(sv.slides) == 33
    for a, b in zip(fi.slides, sv.slides, strict=True):
        assert a.slide_layout.name == b.slide_layout.name
        assert [shape_kind(s) for s in a.shapes] == [shape_kind(s) for s in b.shapes], a.shapes.title.text
        for ta, tb in zip(tables(a), tables(b), strict=True):
            assert len(ta) == len(tb) and len(ta[0]) == len(tb[0])
            ids = [r[0] for r in ta[1:] if re.fullmatch(r"[ABCK]\d+", r[0])]
            assert ids == [r[0] for r in tb[1:] if r[0] in ids]


def test_pagination_takes_the_taller_language_and_splits_evenly():
    from digireport.deck.slides import paginate

    assert [len(p) for p in paginate([10] * 28, 10, 200)] == [14, 14]
    assert [len(p) for p in paginate([10] * 25, 10, 200)] == [13, 12]
    assert [len(p) for p in paginate([10] * 5, 10, 200)] == [5]
    assert paginate([], 10, 200) == []
    pages = paginate([10, 30, 10, 10, 30, 10, 10, 10], 10, 60)
    assert sum(map(len, pages)) == 8 and all(10 + sum([10, 30, 10, 10, 30, 10, 10, 10][i] for i in p) <= 60
                                              for p in pages)


def test_paged_lists_are_near_equal(decks):
    for prs in decks.values():
        runs: dict[str, list[int]] = {}
        for slide in prs.slides:
            m = re.match(r"(.*?)(?: jatkuu| fortsätter)? \((\d+)/(\d+)\)$", slide.shapes.title.text)
            if m and tables(slide):
                runs.setdefault(m.group(1), []).append(len(tables(slide)[0]) - 1)
        assert len(runs) >= 3
        for name, sizes in runs.items():
            assert max(sizes) - min(sizes) <= max(3, max(sizes) // 3), (name, sizes)


# --- navigation -------------------------------------------------------------------------------------


def test_slide_numbers_on_every_slide_but_the_title(decks):
    for prs in decks.values():
        for n, slide in enumerate(prs.slides):
            fields = [f for s in slide.shapes for f in s.element.iter(qn("a:fld")) if f.get("type") == "slidenum"]
            assert len(fields) == (0 if n == 0 else 1), slide.shapes.title.text


def test_sections_and_dividers(decks):
    expected = {
        "fi": ["Taustaa: Digiohjelma ja Digitiekartta", "1. Digiohjelman seuranta",
               "2a. Käynnistetyt projektit ja niiden edistyminen", "2b. Vaikutukset ja kustannukset",
               "3. Digitiekartta 2026 – Projektit sekä vaikutukset ja kustannukset"],
        "sv": ["Bakgrund: Digiprogrammet och Digitala färdplanen", "1. Uppföljning av Digiprogrammet",
               "2a. Inledda projekt och deras framsteg", "2b. Konsekvenser och kostnader",
               "3. Digitala färdplanen 2026 – Projekt samt konsekvenser och kostnader"],
    }
    p14 = "{http://schemas.microsoft.com/office/powerpoint/2010/main}"
    for lang, prs in decks.items():
        sections = list(prs.element.iter(f"{p14}section"))
        assert [s.get("name") for s in sections] == expected[lang]
        ids = [s.slide_id for s in prs.slides]
        for section in sections:
            first = int(next(section.iter(f"{p14}sldId")).get("id"))
            slide = prs.slides[ids.index(first)]
            assert slide.slide_layout.name == "section" and slide.shapes.title.text == section.get("name")
        listed = [int(i.get("id")) for s in sections for i in s.iter(f"{p14}sldId")]
        assert listed == ids[3:]  # title, agenda and summary come before the first section
    assert titles(decks["fi"])[:3] == [titles(decks["fi"])[0], "Esityksen aiheet", "Yhteenveto"]


def test_meeting_and_presenter_on_the_title_slide(decks):
    assert decks["fi"].slides[0].placeholders[1].text_frame.text == f"Kaupunginhallitus 2.12.2025\n{PRESENTER}"
    assert decks["sv"].slides[0].placeholders[1].text_frame.text == f"Stadsstyrelsen 2.12.2025\n{PRESENTER}"
    footer = {ph.name: ph.text_frame.text for ph in decks["sv"].slides[5].placeholders}
    assert footer["presenter"] == PRESENTER and footer["date"] == "2.12.2025"


def test_nothing_empty_without_meeting_or_presenter():
    decks = reference_decks(presenter=None, meeting=(), meeting_date=None)
    for lang, data in decks.items():
        prs = Presentation(io.BytesIO(data))
        cover = prs.slides[0]
        assert [ph.name for ph in cover.placeholders] == ["title", "subtitle", "city"]
        assert cover.placeholders[1].text_frame.text == "2.12.2025"
        for slide in prs.slides:
            assert "presenter" not in [ph.name for ph in slide.placeholders]
            for shape in slide.shapes:
                if shape.has_text_frame:
                    assert shape.text_frame.text.strip(), (lang, slide.shapes.title.text, shape.name)


def test_meeting_from_the_command_line(tmp_path):
    from digireport.cli import main

    out = tmp_path / "out"
    assert main(["build", "--out", str(out), "--as-of", "2025-12-02", "--lang", "sv", "--quiet", "--workers", "1",
                 "--meeting", "Kaupunginhallitus 15.12.2025 | Stadsstyrelsen 15.12.2025",
                 "--config", str(ROOT / "config" / "digireport.toml")]) == 0
    prs = Presentation(out / "deck-sv.pptx")
    assert prs.slides[0].placeholders[1].text_frame.text == "Stadsstyrelsen 15.12.2025"
    background = slide_titled(prs, "Bakgrund och mål för programmet och färdplanen")
    assert "Färdplanen för år 2025 godkändes 13.1.2025." in background.placeholders[1].text_frame.text


def test_settings_give_meeting_and_approval_dates(tmp_path):
    from digireport.errors import ConfigError
    from digireport.settings import load_deck_settings, parse_meeting

    path = tmp_path / "s.toml"
    path.write_text('[report]\nmeeting = { fi = "Valtuusto 1.2.2026", sv = "Fullmäktige 1.2.2026" }\n'
                    '[board]\nprogramme_approved = 2024-01-22\nroadmap_approved = { 2026 = 2026-01-12 }\n')
    deck = load_deck_settings(path)
    assert deck.meeting == (("fi", "Valtuusto 1.2.2026"), ("sv", "Fullmäktige 1.2.2026"))
    assert deck.roadmap_approved == ((2026, dt.date(2026, 1, 12)),)
    assert parse_meeting("2025-12-02") == ((), dt.date(2025, 12, 2))
    assert parse_meeting("Kokous") == ((("fi", "Kokous"), ("sv", "Kokous")), None)
    path.write_text('[board]\nroadmap_approved = { 2026 = "13.1.2026" }\n')
    with pytest.raises(ConfigError, match=r"board\.roadmap_approved\.2026 must be a date"):
        load_deck_settings(path)


def test_no_board_date_in_the_code():
    dates = re.compile(r"22\.1\.2024|13\.1\.2025|2024, 1, 22|2025, 1, 13|2024-01-22|2025-01-13")
    for path in (ROOT / "digireport").rglob("*.py"):
        assert not dates.search(path.read_text(encoding="utf-8")), path


def test_background_cites_the_approvals_from_settings(decks):
    body = slide_titled(decks["fi"], "Ohjelman ja tiekartan tausta ja tavoitteet").placeholders[1].text_frame.text
    assert "Kaupunginhallitus hyväksyi digiohjelman liitteineen 22.1.2024." in body
    assert "Vuoden 2025 tiekartta hyväksyttiin 13.1.2025." in body


# --- colours and charts -----------------------------------------------------------------------------


def _point_colours(chart) -> list[str]:
    series = chart.plots[0].series[0]
    return ["#" + str(series.points[i].format.fill.fore_color.rgb) for i in range(len(series.values))]


def test_status_and_goal_colours_come_from_the_colour_system(decks):
    from digireport.colours import GOAL_COLOURS, STATUS_COLOURS, THEME
    from digireport.model import Goal, Status

    for prs in decks.values():
        status = next(s.chart for s in slides_starting(prs, "2a. Digi")[0].shapes if s.has_chart)
        assert _point_colours(status) == [STATUS_COLOURS[s] for s in
                                          (Status.DONE, Status.STARTED, Status.PLANNED, Status.UNKNOWN, Status.DROPPED)]
        goals = next(s.chart for s in prs.slides[5].shapes if s.has_chart)
        assert _point_colours(goals) == [GOAL_COLOURS[g] for g in Goal]
    status = next(s.chart for s in slides_starting(decks["fi"], "2a. Digi")[0].shapes if s.has_chart)
    assert list(status.plots[0].categories)[0] == "Tehty" and _point_colours(status)[0] == "#1B7A3E"
    from digireport.deck.template import DEFAULT_TEMPLATE

    with zipfile.ZipFile(io.BytesIO(DEFAULT_TEMPLATE.read_bytes())) as z:
        theme = z.read("ppt/theme/theme1.xml").decode()
    for name, colour in THEME.items():
        assert f'<a:{name}><a:srgbClr val="{colour[1:]}"/>' in theme


def test_chart_craft(decks):
    for prs in decks.values():
        for slide in prs.slides:
            for shape in slide.shapes:
                if not shape.has_chart:
                    continue
                chart = shape.chart
                assert not chart.has_title, slide.shapes.title.text
                values = list(chart.plots[0].series[0].values)
                assert all(values), (slide.shapes.title.text, values)
                assert chart.chart_type.name in ("DOUGHNUT", "BAR_CLUSTERED", "COLUMN_CLUSTERED")
    fi = decks["fi"]
    status = slides_starting(fi, "2a. Digitiekartta 2024–2025 – projektit tilan")[0]
    texts = [s.text_frame.text for s in status.shapes if s.has_text_frame]
    assert "52\nProjekteja yhteensä" in texts
    labels = [p.data_label.text_frame.text for p in next(s.chart for s in status.shapes if s.has_chart).plots[0]
              .series[0].points]
    assert [_norm(label) for label in labels[:2]] == ["18 · 35 %", "21 · 40 %"]
    years = next(s.chart for s in slide_titled(fi, "Projektien jakautuminen vuosittain").shapes if s.has_chart)
    assert years.chart_type.name == "COLUMN_CLUSTERED" and list(years.plots[0].categories) == ["2024", "2025", "2026"]
    basis = slide_titled(fi, "Digitiekartta 2026 – pitkän ajan hyöty ja peruste")
    for chart in (s.chart for s in basis.shapes if s.has_chart):
        values = list(chart.plots[0].series[0].values)
        assert values == sorted(values, reverse=True)
    level = next(s.chart for s in slide_titled(fi, "Digitiekartta 2026 – taso").shapes if s.has_chart)
    assert list(level.plots[0].categories)[0].startswith("Digitaalinen perusta")


# --- tables -----------------------------------------------------------------------------------------


def test_table_text_at_least_12_pt_and_numbers_right_aligned(decks):
    for prs in decks.values():
        for slide in prs.slides:
            for shape in slide.shapes:
                if shape.has_table:
                    for row in shape.table.rows:
                        for c in row.cells:
                            for para in c.text_frame.paragraphs:
                                assert all(r.font.size is not None and r.font.size >= Pt(12) for r in para.runs)
    completed = slides_starting(decks["sv"], "2b. Digitala färdplanen 2024–2025 – färdiga projekt")[0]
    table = next(s.table for s in completed.shapes if s.has_table)
    assert [c.text for c in table.rows[0].cells][-2:] == ["Engångskostnad", "Årlig kostnad"]
    for row in table.rows:
        for c in list(row.cells)[-2:]:
            assert c.text_frame.paragraphs[0].alignment == 3  # PP_ALIGN.RIGHT


def test_project_list_has_a_status_column_per_year_in_natural_order(decks):
    pages = slides_starting(decks["fi"], "2a. Digitiekartta 2024–2025 – projektit ja niiden tila")
    rows = [r for page in pages for r in tables(page)[0][1:]]
    assert tables(pages[0])[0][0] == ["Toimenpide", "Toimenpiteen nimi", "Tila 2024", "Tila 2025"]
    assert len(rows) == 52
    ids = [r[0] for r in rows]
    assert ids.index("A2") < ids.index("A10") < ids.index("A19") < ids.index("B2")
    from digireport.stats import id_key

    by_goal = {}
    for pid in ids:
        by_goal.setdefault(pid[0], []).append(pid)
    assert list(by_goal) == ["A", "B", "C", "K"]
    assert all(group == sorted(group, key=id_key) for group in by_goal.values())
    a10 = next(r for r in rows if r[0] == "A10")
    assert a10[2:] == ["■\u00a0Tehty", "–"]


def test_status_shown_as_marker_and_word(decks):
    from digireport.colours import STATUS_COLOURS
    from digireport.model import Status

    page = slides_starting(decks["sv"], "2a. Förändringar sedan läget")[0]
    table = next(s.table for s in page.shapes if s.has_table)
    cell = table.cell(1, 3)
    runs = cell.text_frame.paragraphs[0].runs
    assert runs[0].text == "■\u00a0" and "#" + str(runs[0].font.color.rgb) == STATUS_COLOURS[Status.STARTED]
    assert runs[1].text == "Påbörjat"


# --- what the board needs ---------------------------------------------------------------------------


def test_changes_slide_names_exactly_the_changed_projects(decks):
    words = {"fi": {"done": "Tehty", "started": "Aloitettu", "dropped": "Luovutaan"},
             "sv": {"done": "Färdig", "started": "Påbörjat", "dropped": "Avstås"}}
    for lang, prs in decks.items():
        pages = slides_starting(prs, "2a. Muutokset tilanteesta 10/2024" if lang == "fi" else "2a. Förändringar")
        rows = [r for page in pages for r in tables(page)[0][1:]]
        assert {r[0]: _norm(r[3]).removeprefix("■ ") for r in rows} == {k: words[lang][v] for k, v in CHANGED.items()}
        assert [r[0] for r in rows] == ["A4", "A10", "B7", "C6", "C7", "C13", "C14", "C15"]


def test_decision_slide_names_the_projects_needing_budget(decks):
    for lang, prs in decks.items():
        prefix = "3. Digitiekartta 2026 – päätösesitys" if lang == "fi" else "3. Digitala färdplanen 2026 – beslutsförslag"
        slide = slide_titled(prs, prefix)
        rows = tables(slide)[0][1:]
        assert [r[0] for r in rows] == BUDGET_2026
        assert {r[2] for r in rows} <= {"M", "L"}
        subtitle = next(s.text_frame.text for s in slide.shapes if s.name == "subtitle")
        assert "28" in subtitle


def test_executive_summary(decks):
    body = decks["fi"].slides[2].placeholders[1].text_frame.text.split("\n")
    assert _norm(body[0]) == ("Digitiekartta 2024–2025: 52 projektia, joista aloitettu 21, tehty 18, ei tietoa 6, "
                              "suunnitellaan 5, luovutaan 2.")
    assert body[2] == "Tehtyjä projekteja 18: kertakustannukset 268\u00a0800 €, vuosikustannukset 105\u00a0700 €."
    assert body[3] == "Tilanteen 10/2024 jälkeen 8 projektin tila on muuttunut, niistä 5 tehdyksi."
    assert body[4] == "Päätettäväksi: Digitiekartta 2026, 28 projektia, joista 7 kustannusluokassa M tai L."
    assert body[1].startswith("Mittarit: 11 mitattavasta 3 tavoitteessa")


def test_impact_cost_matrix(decks):
    slide = slide_titled(decks["fi"], "Digitiekartta 2026 – vaikuttavuus ja kustannukset")
    grid = tables(slide)[0]
    assert grid[0] == ["Vaikuttavuus \\ kustannus", "Kustannus S", "Kustannus M", "Kustannus L"]
    assert grid[3] == ["Vaikuttavuus L", "2", "3 (A8, B1, C33)", "1 (C30)"]
    explanation = next(s.text_frame.text for s in slide.shapes if s.name == "explanation")
    assert "S voidaan tehdä nykyisillä resursseilla" in explanation


def test_indicators_under_goal_headings_with_year_progress_and_light(decks):
    slides = slides_starting(decks["fi"], "1. Mittarit: ")
    assert [s.shapes.title.text for s in slides][0] == "1. Mittarit: Ihmislähtöiset sähköiset palvelut (A)"
    table = tables(slides[0])[0]
    assert table[0] == ["Mittarin nimi", "Tavoitearvo", "Viimeisin arvo", "Vuosi", "Edistyminen", "Liikennevalo"]
    row = next(r for r in table if r[0].startswith("ePorvoon sähköiset"))
    assert [_norm(c) for c in row[1:]] == ["4 000", "2 528", "2025", "63 %", "■ Etenee"]


def test_workbook_texts_carry_their_language(decks):
    """A Finnish-only text in the Swedish deck is tagged Finnish and marked "(på finska)"; every run
    carries a language."""
    for prs in decks.values():
        for slide in prs.slides:
            parts = [slide.element] + ([slide.notes_slide.element] if slide.has_notes_slide else [])
            for part in parts:
                for run in part.iter(qn("a:r")):
                    props = run.find(qn("a:rPr"))
                    assert props is not None and props.get("lang") in ("fi-FI", "sv-FI"), slide.shapes.title.text
    found = 0
    for slide in decks["sv"].slides:
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            for row in shape.table.rows:
                for c in row.cells:
                    runs = c.text_frame.paragraphs[0].runs
                    for a, b in zip(runs, runs[1:], strict=False):
                        if b.text == " (på finska)":
                            assert a.font.language_id.xml_value == "fi-FI"
                            found += 1
    assert found >= 3


# --- notes and alternative text ---------------------------------------------------------------------


def test_notes_are_talking_points_and_tables_summarised(decks):
    for prs in decks.values():
        for slide in prs.slides:
            assert slide.has_notes_slide, slide.shapes.title.text
            talk = slide.notes_slide.notes_text_frame.text.split("\n")[0]
            sentences = [s for s in re.split(r"(?<=[.!?])\s+", talk) if s]
            assert 1 <= len(sentences) <= 4, (slide.shapes.title.text, talk)
            for shape in slide.shapes:
                if shape.has_table:
                    alt = shape.element.find(f"{qn('p:nvGraphicFramePr')}/{qn('p:cNvPr')}").get("descr")
                    title = slide.shapes.title.text
                    assert alt and alt.endswith(".") and alt.count(". ") == title.count(". "), alt
    slide = slides_starting(decks["fi"], "2a. Muutokset")[0]
    notes = slide.notes_slide.notes_text_frame.text
    assert "C14 · Speech-to-text" in notes and "8 projektin tila" in notes


# --- reference outlines, LibreOffice, package -------------------------------------------------------


def test_decks_match_their_reference_outlines(deck_bytes):
    """The decks' outlines equal tests/outlines/deck-*.json; after an intended change, run
    scripts/deck_outlines.py and read the diff."""
    from digireport.deck.outline import dumps, outline

    for lang, data in deck_bytes.items():
        expected = (OUTLINES / f"deck-{lang}.json").read_text(encoding="utf-8")
        actual = dumps(outline(data))
        if actual != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                f"tests/outlines/deck-{lang}.json", "built", n=2))
            pytest.fail(f"deck-{lang} differs from its reference outline (scripts/deck_outlines.py):\n{diff[:6000]}")


def test_decks_open_in_libreoffice_with_numbers_and_no_sample_text(deck_files, tmp_path):
    for lang in ("fi", "sv"):
        deck = deck_files / f"deck-{lang}.pptx"
        pdf = convert_to_pdf(deck, tmp_path)
        n = len(Presentation(deck).slides)
        assert pdf_pages(pdf) == n
        for page in range(1, n + 1):
            text = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(pdf), "-"],
                                  check=True, capture_output=True, text=True).stdout
            assert not re.search(r"Click|Klikkaa|Lorem|‹#›|Text Placeholder", text), (lang, page)
            lines = [line.strip() for line in text.splitlines() if line.strip()]
            if page > 1:
                assert lines[-1].endswith(str(page)), (lang, page, lines[-1])
            else:
                assert not lines[-1].endswith("1"), lines[-1]
        changes = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
        assert all(pid in changes for pid in BUDGET_2026)


def _gray_pages(pdf: Path, outdir: Path, dpi: int) -> list[tuple[int, int, bytes]]:
    """The PDF's pages as 8-bit gray pixel rows (pdftoppm's binary PGM), without an image library."""
    prefix = outdir / "page"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=180)
    pages = []
    for path in sorted(outdir.glob("page-*.pgm")):
        data = path.read_bytes()
        magic, w, h, _maxval, rest = data.split(maxsplit=4)
        assert magic == b"P5"
        w, h = int(w), int(h)
        pages.append((w, h, rest[-w * h:]))
    return pages


def test_tables_fit_in_libreoffice(deck_files, tmp_path):
    """Drawn by LibreOffice, no table runs past the bottom of the body area and each ends where its
    row heights say (rows would grow past their set height if the estimate were short)."""
    from digireport.deck.slides import BOTTOM

    assert shutil.which("pdftoppm")
    fonts = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    assert "Carlito" in fonts, "the Carlito font (Calibri's metrics) is needed"
    for lang in ("fi", "sv"):
        deck = deck_files / f"deck-{lang}.pptx"
        prs = Presentation(deck)
        dpi = 60
        work = tmp_path / lang
        work.mkdir()
        pages = _gray_pages(convert_to_pdf(deck, work), work, dpi)
        emu = 914400
        checked = 0
        for slide, (w, _h, px) in zip(prs.slides, pages, strict=True):
            frames = [s for s in slide.shapes if s.has_table]
            if not frames:
                continue
            frame = frames[0]
            x = int((frame.left / emu + 0.05) * dpi)
            top = int(frame.top / emu * dpi)
            drawn = [y for y in range(top, int(BOTTOM / emu * dpi) + 3) if px[y * w + x] < 200]
            bottom = (max(drawn) + 1) / dpi * emu
            estimated = frame.top + sum(row.height for row in frame.table.rows)
            assert bottom <= BOTTOM + 2 * emu / dpi, slide.shapes.title.text
            assert abs(bottom - estimated) <= 3 * emu / dpi, (lang, slide.shapes.title.text)
            checked += 1
        assert checked >= 15


def test_template_is_in_the_package():
    from importlib.resources import files

    from digireport.deck.template import DEFAULT_TEMPLATE

    assert DEFAULT_TEMPLATE == files("digireport") / "templates" / "deck.pptx"
    prs = Presentation(io.BytesIO(DEFAULT_TEMPLATE.read_bytes()))
    assert {lay.name for lay in prs.slide_layouts} >= {"title", "section", "content", "chart", "table", "two charts"}
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"templates/*.pptx"' in pyproject


def test_no_private_python_pptx_internals():
    """python-pptx's internals are used in package.py only, each path in `FAST` listed with its
    measured saving in docs/performance.md."""
    from digireport.deck import package

    for path in (ROOT / "digireport" / "deck").glob("*.py"):
        text = path.read_text()
        for name in ("next_partname", "._element", "_chartSpace", "._tbl", "_rPr", "_spTree", "NotesSlidePart"):
            assert path.name == "package.py" or name not in text, (path.name, name)
    performance = (ROOT / "docs" / "performance.md").read_text()
    for name in package.FAST:
        assert f"`{name}`" in performance, name


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_fast_paths_make_the_public_api_deck(sample_roadmap, sample_stats, lang, monkeypatch):
    """Each path of `FAST` makes the very bytes python-pptx's public calls make: an upgrade that
    changes either shows here, and taking the path out of `FAST` is then safe."""
    from digireport.deck import package

    assert package.FAST == {"slides", "notes"}
    fast = _render(sample_roadmap, sample_stats, lang)
    monkeypatch.setattr(package, "FAST", set())
    public = _render(sample_roadmap, sample_stats, lang)
    assert fast == public
    prs = Presentation(io.BytesIO(public))
    notes = [s.notes_slide.notes_text_frame.text for s in prs.slides if s.has_notes_slide]
    assert len(notes) == len(prs.slides) and all(notes)


def _render(sample_roadmap, sample_stats, lang="fi", **kw):
    from digireport.deck import render_deck
    from digireport.pipeline import BuildOptions

    return render_deck(sample_roadmap, sample_stats, lang, BuildOptions(as_of=SEED_DATE, **kw))


def test_deterministic(sample_roadmap, sample_stats):
    first = _render(sample_roadmap, sample_stats)
    second = _render(sample_roadmap, sample_stats)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as z:
        assert {i.date_time for i in z.infolist()} == {(2025, 12, 2, 0, 0, 0)}


def test_template_missing_layout_refused(tmp_path, sample_roadmap, sample_stats):
    from digireport.deck.template import DEFAULT_TEMPLATE
    from digireport.errors import TemplateError

    prs = Presentation(io.BytesIO(DEFAULT_TEMPLATE.read_bytes()))
    layouts = prs.slide_layouts
    layouts.remove(next(lay for lay in layouts if lay.name == "two charts"))
    path = tmp_path / "city.pptx"
    prs.save(path)
    with pytest.raises(TemplateError, match="city.pptx: template lacks the layout 'two charts'"):
        _render(sample_roadmap, sample_stats, template=path)


def test_template_missing_placeholder_refused(tmp_path, sample_roadmap, sample_stats):
    from digireport.deck.template import DEFAULT_TEMPLATE
    from digireport.errors import TemplateError

    prs = Presentation(io.BytesIO(DEFAULT_TEMPLATE.read_bytes()))
    chart = next(lay for lay in prs.slide_layouts if lay.name == "chart")
    city = next(ph for ph in chart.placeholders if ph.name == "city")
    city.element.getparent().remove(city.element)
    path = tmp_path / "city.pptx"
    prs.save(path)
    with pytest.raises(TemplateError, match="layout 'chart' lacks the placeholder 'city'"):
        _render(sample_roadmap, sample_stats, template=path)


def test_list_rows_capped_with_closing_slide(sample_roadmap, sample_stats):
    prs = Presentation(io.BytesIO(_render(sample_roadmap, sample_stats, max_list_rows=10)))
    closing = [t for t in titles(prs) if t.endswith("riviä lisää")]
    assert "2a. Digitiekartta 2024–2025 – projektit ja niiden tila: 42 riviä lisää" in closing
    body = next(ph for ph in slide_titled(prs, closing[0]).placeholders if ph.name == "body")
    assert "mittarityökirja" in body.text_frame.text


def test_no_next_year_slides_without_next_roadmap(sample_roadmap):
    from digireport.deck import render_deck
    from digireport.pipeline import BuildOptions
    from digireport.stats import compute_stats

    stats = compute_stats(sample_roadmap, dt.date(2026, 11, 1))
    assert stats.next_year is None
    data = render_deck(sample_roadmap, stats, "sv", BuildOptions(as_of=dt.date(2026, 11, 1)))
    prs = Presentation(io.BytesIO(data))
    assert titles(prs)[0] == "Uppföljning av Digiprogrammet 2024–2026 och Digitala färdplanen 2024–2026"
    assert not any("beslutsförslag" in t or "fortsätter" in t for t in titles(prs))


def test_pdf_message_without_libreoffice(tmp_path, monkeypatch):
    import digireport.deck as deck

    monkeypatch.setattr(deck.shutil, "which", lambda name: None)
    messages = []
    deck.convert_pdf([tmp_path / "deck-fi.pptx"], tmp_path, lambda m, a: messages.append(m))
    assert messages == ["LibreOffice (soffice) is not installed; PDF decks were not written"]


def test_options_are_frozen():
    from digireport.pipeline import BuildOptions

    with pytest.raises(dataclasses.FrozenInstanceError):
        BuildOptions(as_of=SEED_DATE).pdf = True


def test_check_reports_missing_title_duplicates_and_alt_text():
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    from digireport.deck.check import check_deck
    from digireport.deck.template import DEFAULT_TEMPLATE

    prs = Presentation(io.BytesIO(DEFAULT_TEMPLATE.read_bytes()))
    chart_layout = next(lay for lay in prs.slide_layouts if lay.name == "chart")
    for title in ("Sama", "Sama", ""):
        slide = prs.slides.add_slide(chart_layout)
        slide.shapes.title.text = title
    data = CategoryChartData()
    data.categories = ["a"]
    data.add_series("s", [1])
    slide.shapes.add_chart(XL_CHART_TYPE.PIE, 0, 0, Inches(2), Inches(2), data)
    assert check_deck(prs) == [
        ("Slide {slide} repeats the title of slide {other}: {title}", {"slide": 2, "other": 1, "title": "Sama"}),
        ("Slide {slide} has no title", {"slide": 3}),
        ("Slide {slide}: a chart or table has no alt text", {"slide": 3}),
    ]


def test_chart_workbooks_hold_the_chart_data(decks):
    """Each chart's embedded workbook has its categories and values, so "Edit data" opens them."""
    import openpyxl

    checked = 0
    for slide in decks["fi"].slides:
        for shape in slide.shapes:
            if shape.has_chart:
                blob = shape.chart.part.chart_workbook.xlsx_part.blob
                sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
                plot = shape.chart.plots[0]
                cats = [sheet.cell(row=i + 2, column=1).value for i in range(len(plot.categories))]
                vals = [sheet.cell(row=i + 2, column=2).value for i in range(len(plot.categories))]
                assert [str(c) for c in cats] == [str(c) for c in plot.categories]
                assert vals == list(plot.series[0].values)
                checked += 1
    assert checked >= 10


def test_list_order_status_per_year_and_decision_are_pure_functions():
    from digireport.model import Goal, Project, SizeClass, Status, Text
    from digireport.stats import decision, id_key, impact_cost_ids, ordered_projects, status_in_years

    assert sorted(["A10", "A2", "B1", None, "A1b", "A1a"], key=id_key) == ["A1a", "A1b", "A2", "A10", "B1", None]

    def project(row, pid, goal, years, status, cost=None, impact=None, history=()):
        return Project(row=row, id=pid, goal=goal, years=years, status=status, name=Text(fi=pid),
                       cost_class=cost, impact_class=impact, status_history=history)

    a10 = project(2, "A10", Goal.A, (2024, 2025), Status.DONE, history=(("10/2024", Status.STARTED),))
    a2 = project(3, "A2", Goal.A, (2024,), Status.DONE, history=(("10/2024", Status.STARTED),))
    k1 = project(4, "K1", Goal.K, (2026,), Status.PLANNED, SizeClass.L, SizeClass.M)
    b3 = project(5, "B3", Goal.B, (2025, 2026), Status.STARTED, SizeClass.S, SizeClass.L)
    c4 = project(6, "C4", Goal.C, (2026,), Status.PLANNED, SizeClass.M, SizeClass.L)
    ordered = ordered_projects([k1, c4, a10, b3, a2])
    assert [p.id for p in ordered] == ["A2", "A10", "B3", "C4", "K1"]
    assert status_in_years(a10, [2024, 2025]) == {2024: Status.STARTED, 2025: Status.DONE}
    assert status_in_years(a2, [2024, 2025]) == {2024: Status.DONE, 2025: None}
    assert status_in_years(b3, [2024, 2025]) == {2024: None, 2025: Status.STARTED}
    dec = decision(ordered, 2026)
    assert dec["count"] == 3 and dec["by_goal"] == {"A": 0, "B": 1, "C": 1, "K": 1}
    assert [b["id"] for b in dec["budget"]] == ["C4", "K1"]
    grid = impact_cost_ids(ordered, 2026)
    assert grid["L"]["M"] == ["C4"] and grid["M"]["L"] == ["K1"] and grid["L"]["S"] == ["B3"]
