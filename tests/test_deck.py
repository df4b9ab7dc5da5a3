"""The board decks: reopened with python-pptx and checked through its API."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation
from pptx.oxml import parse_xml
from pptx.oxml.ns import nsdecls, qn

from tests.conftest import SEED_DATE, convert_to_pdf, pdf_pages


def _norm(text: str) -> str:
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def decks(sample_build):
    out, _result = sample_build
    return {lang: Presentation(out / f"deck-{lang}.pptx") for lang in ("fi", "sv")}


def titles(prs) -> list[str]:
    return [slide.shapes.title.text for slide in prs.slides]


def charts(prs) -> dict[str, object]:
    """Charts by their series name (the chart frame's name)."""
    return {shape.name: shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart}


def chart_data(chart) -> dict[str, float]:
    plot = chart.plots[0]
    return dict(zip(plot.categories, plot.series[0].values, strict=True))


def slide_titled(prs, title: str):
    return next(slide for slide in prs.slides if slide.shapes.title.text == title)


def test_status_span_chart_in_both_languages(decks):
    fi = chart_data(charts(decks["fi"])["Projektit tilan mukaan"])
    assert fi == {"Aloitettu": 21, "Tehty": 18, "Ei tietoa": 6, "Suunnitellaan": 5, "Luovutaan": 2}
    sv = chart_data(charts(decks["sv"])["Projekt enligt status"])
    assert sv == {"Påbörjat": 21, "Färdig": 18, "Ingen info": 6, "Planeras": 5, "Avstås": 2}
    slide = slide_titled(decks["fi"], "2a. Digitiekartta 2024–2025 – seuranta")
    texts = [s.text_frame.text for s in slide.shapes if s.name == "total"]
    assert texts == ["Projekteja yhteensä 52"]
    assert "Aloitettu\t21\t40,38 %" in _norm(slide.notes_slide.notes_text_frame.text)


def test_percentage_labels_on_pies(decks):
    chart = charts(decks["fi"])["Projektit tilan mukaan"]
    labels = chart.plots[0].data_labels
    assert labels.show_percentage and not labels.show_value and labels.number_format == "[$-40B]0.00\\ %"


def test_goal_split_per_year(decks):
    fi = charts(decks["fi"])
    goals = chart_data(fi["Projektit teemoittain 2024"])
    assert list(goals.values()) == [8, 2, 8, 8]
    assert list(goals)[0] == "Ihmislähtöiset sähköiset palvelut (A)"
    assert sum(chart_data(fi["Projektit teemoittain 2026"]).values()) == 28
    sv = charts(decks["sv"])
    assert list(chart_data(sv["Projekt per mål 2025"]).values()) == [4, 6, 9, 7]
    assert list(chart_data(sv["Projekt per mål 2024"]))[-1] == "Kompetensområden"


def test_slide_order_and_titles(decks):
    fi = titles(decks["fi"])
    assert fi[:5] == [
        "Digiohjelman 2024–2026 ja -tiekartan 2024–2025 seuranta sekä Digitiekartan 2026 hyväksyntä",
        "Esityksen aiheet",
        "Ohjelman ja tiekartan tausta ja tavoitteet",
        "Digitiekartta 2024",
        "Digitiekartta 2025",
    ]
    assert fi[5] == "1. Digiohjelman seuranta – mittarit (1/3)"
    assert "Digitiekartta 2026 – projektit jatkuu (2/3)" in fi
    assert fi[-1] == "Projektien jakautuminen vuosittain"
    sv = titles(decks["sv"])
    assert sv[1] == "Föredragsämnen"
    assert "Digitala färdplanen 2026 – projekt fortsätter (2/2)" in sv
    for deck in (fi, sv):
        assert len(deck) == len(set(deck))


def test_background_carries_approval_dates(decks):
    body = slide_titled(decks["fi"], "Ohjelman ja tiekartan tausta ja tavoitteet").placeholders
    text = "\n".join(ph.text_frame.text for ph in body if ph.name == "body")
    assert "Kaupunginhallitus hyväksyi digiohjelman liitteineen 22.1.2024." in text
    assert "Vuoden 2025 tiekartta hyväksyttiin 13.1.2025." in text


def test_tables_fit_and_repeat_header(decks):
    for prs in decks.values():
        height = prs.slide_height
        tables = [(slide, s) for slide in prs.slides for s in slide.shapes if s.has_table]
        assert len(tables) >= 10
        headers = {}
        for slide, frame in tables:
            table = frame.table
            assert table.first_row
            bottom = frame.top + sum(row.height for row in table.rows)
            assert bottom <= height - 0.05 * height, slide.shapes.title.text
            base = re.sub(r" \(\d+/\d+\)$", "", slide.shapes.title.text)
            header = [c.text for c in table.rows[0].cells]
            base = base.replace(" jatkuu", "").replace(" fortsätter", "")
            headers.setdefault(base, set()).add(tuple(header))
        assert all(len(h) == 1 for h in headers.values())


def test_next_year_projects_and_completed_costs(decks):
    fi = decks["fi"]
    rows = []
    for slide in fi.slides:
        if re.match(r"Digitiekartta 2026 – projektit( jatkuu)? \(\d/\d\)", slide.shapes.title.text):
            table = next(s for s in slide.shapes if s.has_table).table
            assert [c.text for c in table.rows[0].cells][:2] == ["Tavoite", "Toimenpide"]
            rows += [[c.text for c in r.cells] for r in list(table.rows)[1:]]
    assert len(rows) == 28
    assert rows[0][:2] == ["A", "A17"]
    slide = slide_titled(fi, "2b. Digitiekartta 2024–2025 – tehdyt projektit (1/2)")
    sub = next(s for s in slide.shapes if s.name == "subtitle").text_frame.text
    assert _norm(sub) == (
        "Tehtyjä projekteja 18: kertakustannukset 268 800 €, vuosittaiset kustannukset 105 700 €"
    )


def test_indicator_tables(decks):
    def rows(prs, title):
        table = next(s for s in slide_titled(prs, title).shapes if s.has_table).table
        return [[_norm(c.text) for c in r.cells] for r in table.rows]

    fi = rows(decks["fi"], "1. Digiohjelman seuranta – mittarit (1/3)")
    assert fi[0] == ["Mittarin nimi", "Tavoitearvo", "Toteuma 2024", "Toteuma 2025"]
    assert fi[1] == ["ePorvoon asiakastyytyväisyys asteikolla 1-4", "3", "2,22", "2,37"]
    assert ["Verkkokaupan ostotapahtumat / vuosi", "15 000", "9 970", "11 492"] in fi
    sv = rows(decks["sv"], "1. Uppföljning av Digiprogrammet – indikatorer (1/3)")
    assert sv[0] == ["Mätare", "Målsättning", "Utfall 2024", "Utfall 2025"]
    assert sv[1][:2] == ["ePorvoo kundnöjdhet, skalan 1-4", "3"]


def test_owner_titles_translated(decks):
    sv = chart_data(charts(decks["sv"])["Projekt enligt ansvarsperson 2026"])
    assert sv["Bildningsdirektör"] == 9
    assert sv["VD för Borgå Vatten"] == 1 and "Porvoon Veden toimitusjohtaja" not in sv
    fi = chart_data(charts(decks["fi"])["Projektit vastuuhenkilön mukaan 2026"])
    assert fi["Sivistysjohtaja"] == 9


def test_accessibility(decks):
    for lang, prs in decks.items():
        tag = {"fi": "fi-FI", "sv": "sv-FI"}[lang]
        assert prs.core_properties.language == tag
        assert prs.core_properties.title == titles(prs)[0]
        frames = [s for slide in prs.slides for s in slide.shapes if s.has_chart or s.has_table]
        for frame in frames:
            descr = frame._element.xpath("./p:nvGraphicFramePr/p:cNvPr/@descr")
            assert descr and descr[0].startswith(frame.name + ":")
        for slide in prs.slides:
            for run in slide.element.iter(qn("a:r")):
                assert run.rPr.get("lang") == tag
    alt = next(
        s for slide in decks["fi"].slides for s in slide.shapes if s.name == "Projektit tilan mukaan"
    )._element.xpath("./p:nvGraphicFramePr/p:cNvPr/@descr")[0]
    assert alt.startswith("Projektit tilan mukaan: Aloitettu 21, Tehty 18, Ei tietoa 6")


def test_footer_on_every_slide(decks):
    for slide in decks["sv"].slides:
        texts = {ph.name: ph.text_frame.text for ph in slide.placeholders}
        assert texts["city"] == "PORVOO · BORGÅ"
        assert texts["date"] == "2.12.2025"


def _render(sample_roadmap, sample_stats, lang="fi", **kw):
    from digireport.deck import render_deck
    from digireport.pipeline import BuildOptions

    return render_deck(sample_roadmap, sample_stats, lang, BuildOptions(as_of=SEED_DATE, **kw))


def test_deterministic(sample_roadmap, sample_stats):
    first = _render(sample_roadmap, sample_stats)
    second = _render(sample_roadmap, sample_stats)
    with zipfile.ZipFile(io.BytesIO(first)) as a, zipfile.ZipFile(io.BytesIO(second)) as b:
        assert a.namelist() == b.namelist()
        assert any(n.startswith("ppt/slides/slide") for n in a.namelist())
        for name in a.namelist():
            assert a.read(name) == b.read(name), name
    assert first == second


def test_template_missing_layout_refused(tmp_path, sample_roadmap, sample_stats):
    from digireport.deck.template import DEFAULT_TEMPLATE
    from digireport.errors import TemplateError

    prs = Presentation(DEFAULT_TEMPLATE)
    layouts = prs.slide_layouts
    layouts.remove(next(lay for lay in layouts if lay.name == "two charts"))
    path = tmp_path / "city.pptx"
    prs.save(path)
    with pytest.raises(TemplateError, match="city.pptx: template lacks the layout 'two charts'"):
        _render(sample_roadmap, sample_stats, template=path)


def test_template_missing_placeholder_refused(tmp_path, sample_roadmap, sample_stats):
    from digireport.deck.template import DEFAULT_TEMPLATE
    from digireport.errors import TemplateError

    prs = Presentation(DEFAULT_TEMPLATE)
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
    assert closing[0] == "2a. Digitiekartta 2024–2025 – projektit ja niiden tila: 42 riviä lisää"
    body = next(ph for ph in slide_titled(prs, closing[0]).placeholders if ph.name == "body")
    assert "42" in body.text_frame.text and "mittarityökirja" in body.text_frame.text


def test_no_next_year_slides_without_next_roadmap(sample_roadmap):
    import datetime as dt

    from digireport.stats import compute_stats

    stats = compute_stats(sample_roadmap, dt.date(2026, 11, 1))
    assert stats["next_year"] is None
    from digireport.deck import render_deck
    from digireport.pipeline import BuildOptions

    data = render_deck(sample_roadmap, stats, "sv", BuildOptions(as_of=dt.date(2026, 11, 1)))
    prs = Presentation(io.BytesIO(data))
    assert titles(prs)[0] == "Uppföljning av Digiprogrammet 2024–2026 och Digitala färdplanen 2024–2026"
    assert not any("projekt fortsätter" in t for t in titles(prs))


def test_pdf_message_without_libreoffice(tmp_path, monkeypatch):
    import digireport.deck as deck

    monkeypatch.setattr(deck.shutil, "which", lambda name: None)
    messages = []
    deck.convert_pdf([tmp_path / "deck-fi.pptx"], tmp_path, lambda m, a: messages.append(m))
    assert messages == ["LibreOffice (soffice) is not installed; PDF decks were not written"]


def test_decks_render_in_libreoffice(sample_build, tmp_path):
    out, _result = sample_build
    for lang in ("fi", "sv"):
        deck = out / f"deck-{lang}.pptx"
        pdf = convert_to_pdf(deck, tmp_path)
        assert pdf_pages(pdf) == len(Presentation(deck).slides)


def test_options_are_frozen():
    from digireport.pipeline import BuildOptions

    with pytest.raises(dataclasses.FrozenInstanceError):
        BuildOptions(as_of=SEED_DATE).pdf = True


def test_vocabulary_labels_match_domain():
    from digireport.i18n import l10n
    from digireport.labels import STATUS_LABELS, label
    from digireport.model import STATUS_ORDER

    words = {
        "fi": ["Aloitettu", "Tehty", "Ei tietoa", "Suunnitellaan", "Luovutaan"],
        "sv": ["Påbörjat", "Färdig", "Ingen info", "Planeras", "Avstås"],
    }
    for lang, expected in words.items():
        loc = l10n(lang)
        assert [loc(STATUS_LABELS[s]) for s in STATUS_ORDER] == expected
    sv = l10n("sv")
    assert label(sv, "owner", "Kaupunkikehitysjohtaja") == "Stadsutvecklingsdirektör"
    assert label(sv, "owner", "Viestintäjohtaja") == "Kommunikationsdirektör"
    assert label(sv, "owner", "Porvoon Veden toimitusjohtaja") == "Porvoon Veden toimitusjohtaja"
    assert label(sv, "level", "unknown") == "Inte angivet"
    assert label(l10n("fi"), "goal", "K") == "Kyvykkyydet"


def test_check_reports_missing_title_duplicates_and_alt_text():
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.util import Inches

    from digireport.deck.check import check_deck
    from digireport.deck.template import DEFAULT_TEMPLATE

    prs = Presentation(DEFAULT_TEMPLATE)
    chart_layout = next(lay for lay in prs.slide_layouts if lay.name == "chart")
    for title in ("Sama", "Sama", ""):
        slide = prs.slides.add_slide(chart_layout)
        slide.shapes.title.text = title
    data = CategoryChartData()
    data.categories = ["a"]
    data.add_series("s", [1])
    slide.shapes.add_chart(XL_CHART_TYPE.PIE, 0, 0, Inches(2), Inches(2), data)
    problems = check_deck(prs)
    assert problems == [
        (
            "Slide {slide} repeats the title of slide {other}: {title}",
            {"slide": 2, "other": 1, "title": "Sama"},
        ),
        ("Slide {slide} has no title", {"slide": 3}),
        ("Slide {slide}: a chart or table has no alt text", {"slide": 3}),
    ]


@pytest.mark.parametrize(
    "text, paragraphs",
    [
        ("", [""]),
        ("A17", ["A17"]),
        ('a & b <c> "d"', ['a & b <c> "d"']),
        ("two\nparas", ["two", "paras"]),
        ("soft\vbreak\n\nend", ["soft\vbreak", "", "end"]),
        ("bell\x07 tab\t", ["bell_x0007_ tab\t"]),
    ],
)
def test_table_cell_fragment_reads_back(text, paragraphs):
    """Table cells are written as XML directly; python-pptx reads back the text, the table font
    on every run and on every paragraph end (so empty cells keep the row height), and the margins."""
    from pptx.util import Pt

    from digireport.deck.slides import CELL_MARGIN_Y, TABLE_FONT, cell_xml

    prs = Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    table = slide.shapes.add_table(1, 1, 0, 0, 100, 100).table
    tr = table._tbl.tr_lst[0]
    tr.remove(tr.tc_lst[0])
    tr.append(parse_xml(f"<a:tbl {nsdecls('a')}>{cell_xml(text, True)}</a:tbl>")[0])
    cell = table.cell(0, 0)
    assert [p.text for p in cell.text_frame.paragraphs] == paragraphs
    assert cell.text_frame.word_wrap is True
    assert cell.margin_top == cell.margin_bottom == CELL_MARGIN_Y
    for para in cell.text_frame.paragraphs:
        assert all(run.font.size == Pt(TABLE_FONT) and run.font.bold for run in para.runs)
        end = para._p.find(qn("a:endParaRPr"))
        assert end.get("sz") == str(TABLE_FONT * 100) and end.get("b") == "1"


def test_every_list_kind_capped(sample_roadmap, sample_stats):
    """Each project list stops at the cap and says how many rows it left out; the programme's
    indicators are listed in full."""
    prs = Presentation(io.BytesIO(_render(sample_roadmap, sample_stats, max_list_rows=5)))
    counts = {}
    for slide in prs.slides:
        title = slide.shapes.title.text
        base = re.sub(r"( jatkuu)? \(\d+/\d+\)$", "", title)
        for shape in slide.shapes:
            if shape.has_table:
                counts[base] = counts.get(base, 0) + len(shape.table.rows) - 1
    assert counts == {
        "1. Digiohjelman seuranta – mittarit": 17,
        "2a. Digitiekartta 2024–2025 – projektit ja niiden tila": 5,
        "2b. Digitiekartta 2024–2025 – tehdyt projektit": 5,
        "Digitiekartta 2026 – projektit": 5,
    }
    closing = [t for t in titles(prs) if t.endswith("riviä lisää")]
    assert closing == [
        "2a. Digitiekartta 2024–2025 – projektit ja niiden tila: 47 riviä lisää",
        "2b. Digitiekartta 2024–2025 – tehdyt projektit: 13 riviä lisää",
        "Digitiekartta 2026 – projektit: 23 riviä lisää",
    ]


def test_list_rows_made_only_for_shown_projects(sample_roadmap, sample_stats, monkeypatch):
    """A roll-up of many roadmaps reaches the deck only up to the cap: rows are made for the
    projects shown, not for every project."""
    import digireport.deck as deck

    made = []
    original = deck.list_slides

    def counting(d, options, title, header, items, row, *args, **kw):
        def counted(item):
            made.append(title)
            return row(item)

        return original(d, options, title, header, items, counted, *args, **kw)

    monkeypatch.setattr(deck, "list_slides", counting)
    big = dataclasses.replace(sample_roadmap, projects=sample_roadmap.projects * 50)
    prs = Presentation(io.BytesIO(_render(big, sample_stats, max_list_rows=7)))
    assert len(made) == 3 * 7
    assert "Digitiekartta 2026 – projektit: 1393 riviä lisää" in titles(prs)


def _tables(prs):
    """(slide title, table frame) for every table in the deck, in order."""
    return [(slide.shapes.title.text, s) for slide in prs.slides for s in slide.shapes if s.has_table]


def _pages(prs):
    """Table slides grouped by list: {base title: [frame, ...]} with the pages in order."""
    lists: dict[str, list] = {}
    for title, frame in _tables(prs):
        base = re.sub(r"( jatkuu| fortsätter)? \(\d+/\d+\)$", "", title)
        lists.setdefault(base, []).append(frame)
    return lists


def test_tables_fill_the_body_and_stay_inside(decks):
    """Each page of a long list holds rows until the next would pass the bottom of the body area:
    full pages reach at least 85 % of it, and no page passes it. The last page holds at least
    LAST_PAGE_ROWS rows, taken from the page before it, which still fills 70 %."""
    from digireport.deck.slides import BOTTOM, LAST_PAGE_ROWS, TOP

    for prs in decks.values():
        for base, frames in _pages(prs).items():
            for n, frame in enumerate(frames, start=1):
                body = BOTTOM - frame.top
                used = sum(row.height for row in frame.table.rows)
                assert frame.top >= TOP and used <= body, base
                if n < len(frames) - 1 and not base.startswith("1. "):
                    assert used >= 0.85 * body, (base, n, used / body)
                elif n == len(frames) - 1 and not base.startswith("1. "):
                    assert used >= 0.7 * body, (base, n, used / body)
            if len(frames) > 1:
                assert len(frames[-1].table.rows) - 1 >= LAST_PAGE_ROWS, base


def test_table_header_rows_and_cells(decks):
    """The first row of every table is its header (flagged for assistive technology, bold, the
    same on every page of a list) and the cells carry the table font."""
    from pptx.util import Pt

    fi = decks["fi"]
    for _title, frame in _tables(fi):
        table = frame.table
        assert table.first_row
        header = table.rows[0].cells
        assert all(run.font.bold for cell in header for p in cell.text_frame.paragraphs for run in p.runs)
        for row in list(table.rows)[1:]:
            for cell in row.cells:
                for p in cell.text_frame.paragraphs:
                    assert all(run.font.size == Pt(11) and run.font.bold is False for run in p.runs)
    pages = _pages(fi)["2a. Digitiekartta 2024–2025 – projektit ja niiden tila"]
    rows = [[c.text for c in r.cells] for frame in pages for r in list(frame.table.rows)[1:]]
    assert [[c.text for c in f.table.rows[0].cells] for f in pages] == [
        ["Toimenpide", "Toimenpiteen nimi", "Tiekartta", "Tila"]
    ] * len(pages)
    assert len(rows) == 52
    assert rows[0] == ["A2", "Asiakaspalveluappi ja -kortti", "2024", "Tehty"]


def test_text_lines_follow_glyph_widths():
    """The row estimate wraps words by the font's own widths: narrow letters fit more per line."""
    from pptx.util import Inches

    from digireport.deck.slides import row_height, text_lines

    width = Inches(2)
    assert text_lines("", width) == 1
    assert text_lines("Tehty", width) == 1
    # 2 in less the cell margins holds ~11 400 thousandths of an em at 11 pt (97 % of it used):
    # ten "iiii" (916 each, plus spaces of 226) fit on one line, three "WWWW" (3 560) do.
    assert text_lines("iiii " * 10, width) == 1
    assert text_lines("WWWW " * 9, width) == 3
    assert text_lines("one\ntwo", width) == 2
    # One word of 200 x's (433 each) is broken between letters over 8 lines.
    assert text_lines("x" * 200, width) == 8
    assert row_height(["a", "b\nc\nd"], [width, width]) > row_height(["a", "b"], [width, width])


def test_long_lists_paginate_to_full_pages(sample_roadmap, sample_stats):
    """A list of a large roll-up: every page but the last is filled, the cap is kept, and the
    closing slide counts the rest."""
    from digireport.deck.slides import BOTTOM

    big = dataclasses.replace(sample_roadmap, projects=sample_roadmap.projects * 10)
    prs = Presentation(io.BytesIO(_render(big, sample_stats, lang="sv", max_list_rows=150)))
    pages = _pages(prs)["Digitala färdplanen 2026 – projekt"]
    counts = [len(f.table.rows) - 1 for f in pages]
    assert sum(counts) == 150
    for frame in pages[:-1]:
        used = sum(row.height for row in frame.table.rows)
        assert 0.85 * (BOTTOM - frame.top) <= used <= BOTTOM - frame.top
    assert "Digitala färdplanen 2026 – projekt: 130 rader till" in titles(prs)


def test_chart_workbooks_hold_the_chart_data(decks):
    """Every chart embeds a workbook with its categories and series (so "Edit data" opens them),
    the same values the chart shows."""
    import openpyxl

    for prs in decks.values():
        for name, chart in charts(prs).items():
            blob = chart.part.chart_workbook.xlsx_part.blob
            sheet = openpyxl.load_workbook(io.BytesIO(blob)).active
            plot = chart.plots[0]
            grid = [list(r) for r in sheet.iter_rows(values_only=True)]
            assert grid[0][1:] == [s.name for s in plot.series], name
            assert [r[0] for r in grid[1:]] == list(plot.categories), name
            for col, series in enumerate(plot.series, start=1):
                assert [r[col] for r in grid[1:]] == list(series.values), name
    sheet = openpyxl.load_workbook(
        io.BytesIO(charts(decks["fi"])["Projektit tilan mukaan"].part.chart_workbook.xlsx_part.blob)
    ).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)][:3] == [
        [None, "Projektit tilan mukaan"],
        ["Aloitettu", 21],
        ["Tehty", 18],
    ]


def test_package_dates_and_part_names(sample_build):
    """Every zip entry, in the deck and in its chart workbooks, carries the report date; part
    names are numbered from 1 without gaps."""
    out, _result = sample_build
    with zipfile.ZipFile(out / "deck-fi.pptx") as z:
        infos = z.infolist()
        assert {i.date_time for i in infos} == {(2025, 12, 2, 0, 0, 0)}
        names = [i.filename for i in infos]
        for prefix in ("ppt/slides/slide", "ppt/charts/chart", "ppt/notesSlides/notesSlide"):
            numbers = sorted(int(re.search(r"(\d+)\.xml$", n).group(1)) for n in names if n.startswith(prefix))
            assert numbers == list(range(1, len(numbers) + 1)), prefix
        books = [n for n in names if n.startswith("ppt/embeddings/")]
        assert len(books) == len([n for n in names if re.match(r"ppt/charts/chart\d+\.xml$", n)])
        with zipfile.ZipFile(io.BytesIO(z.read(books[0]))) as book:
            assert {i.date_time for i in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_slide_shapes_and_footer(sample_roadmap, sample_stats):
    """Each slide has unique shape ids, one shape per footer field and no empty placeholder; the
    presenter appears in the footer only when given."""
    for presenter in (None, "Etunimi Sukunimi"):
        prs = Presentation(io.BytesIO(_render(sample_roadmap, sample_stats, presenter=presenter)))
        for slide in prs.slides:
            ids = [s.shape_id for s in slide.shapes]
            assert len(ids) == len(set(ids)), slide.shapes.title.text
            names = [ph.name for ph in slide.placeholders]
            assert all(names.count(n) == 1 for n in ("title", "date", "city"))
            assert names.count("presenter") == (presenter is not None)
            assert all(ph.text_frame.text for ph in slide.placeholders), slide.shapes.title.text
        footer = {ph.name: ph.text_frame.text for ph in prs.slides[3].placeholders}
        assert footer.get("presenter") == presenter
        assert footer["date"] == "2.12.2025"


def _gray_pages(pdf: Path, outdir: Path, dpi: int) -> list[tuple[int, int, bytes]]:
    """The PDF's pages as 8-bit gray pixel rows (pdftoppm's binary PGM), without an image library."""
    import subprocess

    prefix = outdir / "page"
    subprocess.run(["pdftoppm", "-gray", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=180)
    pages = []
    for path in sorted(outdir.glob("page-*.pgm")):
        data = path.read_bytes()
        magic, w, h, _maxval, rest = data.split(maxsplit=4)
        assert magic == b"P5"
        w, h = int(w), int(h)
        pages.append((w, h, rest[-w * h :]))
    return pages


def test_tables_fit_in_libreoffice(sample_build, tmp_path):
    """Drawn by LibreOffice, no table runs past the bottom of the body area, and the full pages of
    a long list reach at least 85 % of it (rows would grow past their set height if the estimate
    were short of what the text needs)."""
    import subprocess

    from digireport.deck.slides import BOTTOM

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    fonts = subprocess.run(["fc-match", "Calibri"], capture_output=True, text=True).stdout
    if "Carlito" not in fonts:
        pytest.skip("the Carlito font (Calibri's metrics) is not installed")
    out, _result = sample_build
    deck = out / "deck-sv.pptx"
    prs = Presentation(deck)
    dpi = 60
    pages = _gray_pages(convert_to_pdf(deck, tmp_path), tmp_path, dpi)
    emu = 914400
    checked = 0
    for slide, (w, h, px) in zip(prs.slides, pages, strict=True):
        frames = [s for s in slide.shapes if s.has_table]
        if not frames:
            continue
        frame = frames[0]
        x = int((frame.left / emu + 0.05) * dpi)
        top = int(frame.top / emu * dpi)
        drawn = [y for y in range(top, h) if px[y * w + x] < 245]
        bottom = (max(drawn) + 1) / dpi * emu
        estimated = frame.top + sum(row.height for row in frame.table.rows)
        assert bottom <= BOTTOM + emu / dpi, slide.shapes.title.text
        assert abs(bottom - estimated) <= 2 * emu / dpi, slide.shapes.title.text
        title = slide.shapes.title.text
        m = re.search(r"\((\d+)/(\d+)\)$", title)
        if m and m.group(1) != m.group(2) and not title.startswith("1. "):
            assert bottom - frame.top >= 0.85 * (BOTTOM - frame.top), title
            checked += 1
    assert checked >= 4


def test_pdf_message_without_calibri_metrics(tmp_path, monkeypatch):
    """Without Carlito (or Calibri) LibreOffice would wrap table text wider than the rows were
    sized for: the build says so before converting."""
    import subprocess

    import digireport.deck as deck

    monkeypatch.setattr(deck.shutil, "which", lambda name: f"/usr/bin/{name}")
    calls = []

    def run(args, **kw):
        calls.append(args[0])
        return subprocess.CompletedProcess(args, 0, stdout='DejaVuSans.ttf: "DejaVu Sans" "Book"\n')

    monkeypatch.setattr(deck.subprocess, "run", run)
    messages = []
    deck.convert_pdf([tmp_path / "deck-fi.pptx"], tmp_path, lambda m, a: messages.append(m))
    assert messages == [
        "The Carlito font is not installed: LibreOffice draws the decks' Calibri text wider, so long "
        "tables in the PDF decks may run past the slide",
        "Wrote {file}",
    ]
    assert calls == ["/usr/bin/fc-match", "/usr/bin/soffice"]


def test_speaker_notes_carry_each_charts_data(decks):
    """Every chart slide has its own notes slide with the data table of its charts; other slides
    have none."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    for prs in decks.values():
        for slide in prs.slides:
            names = [s.name for s in slide.shapes if s.has_chart]
            assert slide.has_notes_slide == bool(names), slide.shapes.title.text
            if not names:
                continue
            notes = slide.notes_slide
            assert notes.part.part_related_by(RT.SLIDE) is slide.part
            text = notes.notes_text_frame.text
            assert [line for line in text.split("\n") if line in names] == names
    notes = slide_titled(decks["sv"], "Digitala färdplanen 2026 – långsiktig nytta och grund").notes_slide
    lines = notes.notes_text_frame.text.split("\n")
    assert lines[0] == "Projekt enligt långsiktig nytta 2026"
    assert len({n.notes_slide.part.partname for n in decks["sv"].slides if n.has_notes_slide}) == sum(
        1 for n in decks["sv"].slides if n.has_notes_slide
    )
