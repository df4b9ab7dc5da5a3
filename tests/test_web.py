"""The public web report: pages read back as HTML, open data read back as CSV/JSON, and the
pages opened in headless Chromium with axe-core for accessibility."""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digireport.i18n import l10n
from digireport.labels import GOAL_SHORT, STATUS_LABELS
from digireport.model import GOAL_ORDER, STATUS_ORDER
from digireport.web import (
    ALL_PROJECTS,
    FIRST_PROJECTS,
    LIGHT_LABELS,
    MORE_PROJECTS,
    SiteData,
    open_data,
    report_page,
    site_data,
)
from digireport.web.opendata import number

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"


class Page(HTMLParser):
    """Elements with their attributes, and table rows as cell texts with the row's attributes."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.rows: list[tuple[dict[str, str], list[tuple[str, dict[str, str], str]]]] = []
        self.headings: list[tuple[int, str]] = []
        self.text: list[str] = []
        self._cell: list[str] | None = None
        self._cell_attrs: dict[str, str] = {}
        self._cell_tag = ""
        self._heading: list[str] | None = None
        self._level = 0
        self._svg_depth = 0
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "tr":
            self.rows.append((a, []))
        elif tag in ("td", "th"):
            self._cell, self._cell_attrs, self._cell_tag = [], a, tag
        elif re.fullmatch(r"h[1-6]", tag):
            self._heading, self._level = [], int(tag[1])

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1][1].append((self._cell_tag, self._cell_attrs, "".join(self._cell).strip()))
            self._cell = None
        elif re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((self._level, "".join(self._heading).strip()))
            self._heading = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._heading is not None:
            self._heading.append(data)

    def row(self, **attr) -> list[str]:
        (key, value), = attr.items()
        matches = [cells for a, cells in self.rows if a.get(f"data-{key}") == value]
        assert len(matches) == 1, f"{len(matches)} rows with data-{key}={value}"
        return [text for _tag, _a, text in matches[0]]


@pytest.fixture(scope="module")
def site(sample_build) -> Path:
    out, _result = sample_build
    return out / "site"


@pytest.fixture(scope="module")
def report(sample_build) -> dict:
    out, _result = sample_build
    return json.loads((out / "report.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def data(sample_build) -> SiteData:
    """What the sample build's web report was made from."""
    _out, result = sample_build
    return site_data(result.roadmap, result.stats)


def _editable(data: SiteData) -> SiteData:
    """The same data with copies of its records, to change as a workbook might have them."""
    return dataclasses.replace(data, projects=json.loads(json.dumps(data.projects)),
                               indicators=json.loads(json.dumps(data.indicators)))


@pytest.fixture(scope="module", params=["fi", "sv"])
def page(request, site) -> tuple[str, Page]:
    return request.param, Page((site / request.param / "index.html").read_text(encoding="utf-8"))


def test_language_attributes_and_switch(site):
    fi = Page((site / "fi" / "index.html").read_text(encoding="utf-8"))
    sv = Page((site / "sv" / "index.html").read_text(encoding="utf-8"))
    assert fi.elements[0] == ("html", {"lang": "fi"})
    assert sv.elements[0] == ("html", {"lang": "sv"})
    switch_fi = [a for t, a in fi.elements if t == "a" and "hreflang" in a]
    switch_sv = [a for t, a in sv.elements if t == "a" and "hreflang" in a]
    assert switch_fi == [{"href": "../sv/index.html", "hreflang": "sv", "lang": "sv"}]
    assert switch_sv == [{"href": "../fi/index.html", "hreflang": "fi", "lang": "fi"}]
    assert "På svenska" in "".join(fi.text)
    assert "Suomeksi" in "".join(sv.text)
    landing = Page((site / "index.html").read_text(encoding="utf-8"))
    links = [a for t, a in landing.elements if t == "a"]
    assert links == [{"href": "fi/index.html", "hreflang": "fi", "lang": "fi"},
                     {"href": "sv/index.html", "hreflang": "sv", "lang": "sv"}]


def test_status_counts_equal_report(page, report):
    lang, p = page
    loc = l10n(lang)
    span = report["stats"]["status_span"]
    assert span["years"] == [2024, 2025]
    expected = {"started": 21, "done": 18, "unknown": 6, "planned": 5, "dropped": 2}
    assert span["counts"] == expected
    for status, count in expected.items():
        label, y2024, y2025, total = p.row(status=status)
        assert label == loc(STATUS_LABELS[status])
        assert int(total) == count
        assert int(y2024) == report["stats"]["status_by_year"]["2024"][status]
        assert int(y2025) == report["stats"]["status_by_year"]["2025"][status]
    assert p.row(status="total")[1:] == ["26", "26", "52"]
    words = {"fi": ["Aloitettu", "Tehty", "Ei tietoa", "Suunnitellaan", "Luovutaan"],
             "sv": ["Påbörjat", "Färdig", "Ingen info", "Planeras", "Avstås"]}[lang]
    assert [p.row(status=s)[0] for s in expected] == words


def test_goal_counts_equal_report(page, report):
    lang, p = page
    goal_by_year = report["stats"]["goal_by_year"]
    for goal in "ABCK":
        cells = p.row(goal=goal)
        assert cells[0] == f"{goal}: {l10n(lang)(GOAL_SHORT[goal])}"
        assert [int(c) for c in cells[1:]] == [goal_by_year[y][goal] for y in ("2024", "2025", "2026")]
    assert p.row(goal="total")[1:] == ["26", "26", "28"]


def test_charts_have_text_alternatives_and_match_tables(page):
    lang, p = page
    svgs = [a for t, a in p.elements if t == "svg"]
    # status over the follow-up years, goal per roadmap year, a trend per indicator with comparable values
    assert [s["aria-labelledby"].split("-t ")[0] for s in svgs if "trend" not in s["class"]] == [
        "chart-status", "chart-goal-2024", "chart-goal-2025", "chart-goal-2026"]
    assert [s["aria-labelledby"].split("-t ")[0] for s in svgs if "trend" in s["class"]] == [
        "trend-a1", "trend-a2", "trend-a3", "trend-a4", "trend-a5", "trend-a6", "trend-a7", "trend-a8", "trend-a9",
        "trend-b2", "trend-c1", "trend-c2"]
    ids = {a.get("id") for _t, a in p.elements}
    for svg in svgs:
        assert svg["role"] == "img"
        assert all(i in ids for i in svg["aria-labelledby"].split())
    text = "".join(p.text)
    started = {"fi": "Aloitettu 21", "sv": "Påbörjat 21"}[lang]
    assert started in text  # the chart's description carries the numbers


def test_indicator_values_equal_report(page, report):
    lang, p = page
    loc = l10n(lang)
    checked = 0
    for ind, st in zip(report["indicators"], report["stats"]["indicators"], strict=True):
        cells = [(a, text) for a, cells in p.rows if a.get("data-row") == str(ind["row"])
                 for _t, a, text in cells]
        by_year = {a["data-year"]: text for a, text in cells if "data-year" in a}
        for year, m in ind["values"].items():
            if m["value"] is not None and re.fullmatch(r"-?\d+(\.\d+)?", m["raw"]):
                shown = by_year[year].replace("\u00a0", " ").replace("\u202f", " ").replace(" ", "")
                assert float(shown.replace(",", ".").replace("−", "-")) == m["value"]
                checked += 1
            elif lang == "sv" and re.search(r"[^\W\d_]", m["raw"]):
                assert by_year[year] == m["raw"] + " (på finska)"  # the values are written in Finnish
            else:
                assert by_year[year] == m["raw"]
        word = loc(LIGHT_LABELS[st["light"]][0])
        assert cells[-1][1].endswith(word)  # the assessment is a word, not only a colour
        if st["ratio"] is not None:
            assert cells[-2][1] == f"{loc.percent(st['ratio'], 0)} ({st['year']})"
    assert checked == 25  # every plain-number value of the sample
    row2 = p.row(row="2")
    assert row2[2:5] == ["2,08", "2,22", "2,37"]
    assert row2[5:] == ["68 % (2025)", ("▲ Etenee" if lang == "fi" else "▲ Framskrider")]


def test_text_in_the_other_language_is_marked(site):
    sv = (site / "sv" / "index.html").read_text(encoding="utf-8")
    # The sample's indicator values are written in Finnish: tagged as Finnish and said so in Swedish.
    assert ('<td data-year="2024" data-label="2024"><span lang="fi">Noin 50 käyttäjää</span> '
            '<span class="note">(på finska)</span></td>') in sv
    assert '<td class="num" data-year="2025" data-label="2025">2,37</td>' in sv
    # A2's impact has no Swedish text: the Finnish one stands in, tagged and noted.
    assert ('<dd><span lang="fi">Jatkuva hyöty kuntalaisille ja henkilöstölle.') in sv
    # Units and sources say what the indicator workbook says: known units in Swedish, descriptions
    # in words as written and noted, names of systems as they are.
    assert ('Enhet: 1–4 · Källa: <span lang="fi">Suomi.fi laatutyökalu</span> '
            '<span class="note">(på finska)</span>') in sv
    assert "Enhet: st. · Källa: ePorvoo" in sv
    fi = (site / "fi" / "index.html").read_text(encoding="utf-8")
    assert '<td data-year="2024" data-label="2024">Noin 50 käyttäjää</td>' in fi
    assert "Yksikkö: kpl · Lähde: ePorvoo" in fi
    assert "(ruotsiksi)" not in fi and "(på finska)" not in fi


def test_source_and_date(page, report):
    lang, p = page
    text = " ".join(p.text)
    assert "tiekartta_v2.xlsx" in text
    assert report["source"]["sha256"][:12] in text
    assert "2.12.2025" in text


def test_structure_is_accessible(page):
    _lang, p = page
    levels = [level for level, _t in p.headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
    assert p.elements[[t for t, _a in p.elements].index("a")][1] == {"class": "skip", "href": "#main"}
    assert ("main", {"id": "main", "tabindex": "-1"}) in p.elements
    for _attrs, cells in p.rows:
        assert any(tag == "th" and a.get("scope") in ("row", "col") for tag, a, _text in cells)
    # indicators of goals A, B, C (the sample has none for K); status, goal, changes, project list
    assert sum(1 for t, _a in p.elements if t == "caption") == 3 + 4


def test_no_outside_requests(site):
    """Nothing is loaded from another host: only links a reader follows (<a>) may point elsewhere."""
    outside = []
    for path in sorted(site.rglob("*.html")):
        p = Page(path.read_text(encoding="utf-8"))
        for tag, attrs in p.elements:
            for key in ("src", "href", "action", "srcset"):
                value = attrs.get(key, "")
                if re.match(r"(?i)([a-z]+:)?//", value):
                    assert tag == "a", f"{path.name}: <{tag} {key}={value}>"
                    outside.append(value)
            assert tag not in ("script", "iframe", "img", "object")
            if tag == "link":
                assert attrs["rel"] in ("alternate", "icon"), attrs
    assert set(outside) == {"https://creativecommons.org/licenses/by/4.0/",
                            "https://www.saavutettavuusvaatimukset.fi/"}


def test_untrusted_text_is_escaped(data):
    hostile = _editable(data)
    hostile.projects[0]["name"]["fi"] = '<script>alert(1)</script><img src="https://x.example/">'
    hostile = dataclasses.replace(hostile, source=dataclasses.replace(hostile.source,
                                                                      name='"><svg onload=alert(1)>.xlsx'))
    html = report_page(hostile, l10n("fi"), ("fi", "sv"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;.xlsx" in html
    elements = Page(html).elements
    assert "onload" not in {k for _t, attrs in elements for k in attrs}
    assert "img" not in {t for t, _a in elements}


def test_open_data(site, report):
    with (site / "data" / "projects.csv").open(encoding="utf-8-sig", newline="") as fh:
        projects = list(csv.DictReader(fh, delimiter=";"))
    assert len(projects) == 80
    fields = json.loads((site / "data" / "fields.json").read_text(encoding="utf-8"))
    assert list(projects[0]) == list(fields["projects"])
    assert projects[0]["id"] == report["projects"][0]["id"] == "A2"
    assert projects[0]["name_sv"] == "Kundtjänstapp och -kort"
    assert sum(1 for p in projects if p["status"] == "done") == sum(
        1 for p in report["projects"] if p["status"] == "done")
    assert projects[0]["cost_eur"] == "3000" and projects[0]["years"] == "2024"
    with (site / "data" / "indicators.csv").open(encoding="utf-8-sig", newline="") as fh:
        indicators = list(csv.DictReader(fh, delimiter=";"))
    assert list(indicators[0]) == list(fields["indicators"])
    assert len(indicators) == sum(len(i["values"]) for i in report["indicators"])
    first = indicators[0]
    assert (first["indicator_id"], first["goal"], first["year"], first["value_raw"], first["value"],
            first["progress"], first["light"], first["comparable"]) == (
        "A1", "A", "2023", "2,08", "2,08", "0,54", "amber", "true")
    for table in fields.values():
        for description in table.values():
            assert description["fi"] and description["sv"] and description["fi"] != description["sv"]
    pj = json.loads((site / "data" / "projects.json").read_text(encoding="utf-8"))
    assert pj["as_of"] == "2025-12-02" and pj["licence"] == "CC-BY-4.0"
    assert pj["projects"] == [_iso_history(p) for p in report["projects"]]
    ij = json.loads((site / "data" / "indicators.json").read_text(encoding="utf-8"))
    lights = [i["light"] for i in report["stats"]["indicators"]]
    assert [i["progress"]["light"] for i in ij["indicators"]] == lights
    assert [i["id"] for i in ij["indicators"]][:3] == ["A1", "A2", "A3"]


def _iso_history(project: dict) -> dict:
    return {**project, "status_history": {
        f"{k[-4:]}-{k[:2]}": v for k, v in project["status_history"].items()}}


def test_csv_defuses_formulas(data):
    hostile = _editable(data)
    hostile.projects[0]["owner"]["fi"] = "=HYPERLINK(\"x\")"
    rows = list(csv.reader(open_data(hostile)["projects.csv"].lstrip("\ufeff").splitlines(), delimiter=";"))
    assert rows[1][rows[0].index("owner")] == "'=HYPERLINK(\"x\")"


def test_deterministic(data):
    assert open_data(data) == open_data(_editable(data))
    assert report_page(data, l10n("sv"), ("fi", "sv")) == report_page(_editable(data), l10n("sv"), ("fi", "sv"))


def test_same_input_same_bytes(site, tmp_path):
    """A second build of the same workbook and date gives byte-identical site files."""
    import datetime as dt

    from digireport import SAMPLE_WORKBOOK
    from digireport.pipeline import BuildOptions, build

    options = BuildOptions(as_of=dt.date(2025, 12, 2))
    build(SAMPLE_WORKBOOK.read_bytes(), "tiekartta_v2.xlsx", tmp_path, options)
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    again = tmp_path / "site"
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    data = ["datapackage.json", "fields.json", "indicators.csv", "indicators.json", "projects.csv",
            "projects.json", "status_history.csv"]
    assert sorted(map(str, first)) == sorted(
        [f"data/{n}" for n in data] + [f"data/archive/2025-12-02/{n}" for n in data]
        + ["favicon.svg", "fi/index.html", "fi/saavutettavuus.html", "index.html", "sv/index.html",
           "sv/tillganglighet.html"])
    assert first == second


def test_json_files_hold_one_record_per_line(report, data):
    """The open-data JSON has the head on its first line, then one record per line, and reads back
    to exactly the records of report.json."""
    import io

    from digireport.web import write_json_records

    files = open_data(data)
    lines = files["projects.json"].split("\n")
    assert lines[0] == ('{"as_of":"2025-12-02","source":{"name":"tiekartta_v2.xlsx","sha256":"'
                        + report["source"]["sha256"] + '"},"licence":"CC-BY-4.0",'
                        '"publisher":{"fi":"Porvoon kaupunki","sv":"Borgå stad"},"projects":[')
    assert lines[-2:] == ["]}", ""]
    records = lines[1:-2]
    assert len(records) == 80
    projects = [_iso_history(p) for p in report["projects"]]
    assert [json.loads(line.rstrip(",")) for line in records] == projects
    assert json.loads(records[0].rstrip(","))["name"]["sv"] == "Kundtjänstapp och -kort"
    assert json.loads(files["projects.json"]) == {
        "as_of": report["as_of"], "source": {"name": report["source"]["name"],
                                             "sha256": report["source"]["sha256"]},
        "licence": "CC-BY-4.0", "publisher": {"fi": "Porvoon kaupunki", "sv": "Borgå stad"},
        "projects": projects}
    tricky = [{"a": [], "b": {}, "c": [1, 2.5, True, False, None, "å\"\n\u2028"]}, {"3": float("inf")}]
    for head, records in (({"x": 1}, tricky), ({}, tricky), ({"x": 1}, []), ({}, [])):
        buf = io.StringIO()
        write_json_records(buf, head, "items", records)
        text = buf.getvalue()
        # strict JSON: a number that is not finite has no JSON text and is written as null
        strict = json.loads(text, parse_constant=lambda name: pytest.fail(f"{name} is not JSON"))
        assert strict == {**head, "items": [{"3": None} if r == {"3": float("inf")} else r for r in records]}
        assert text.endswith("]}\n") and text.count("\n") == len(records) + 1 + bool(records)
    # More records than one batch: the batches join with the same separator as the records inside one.
    buf = io.StringIO()
    write_json_records(buf, {}, "n", list(range(2500)))
    assert json.loads(buf.getvalue()) == {"n": list(range(2500))}


def test_each_record_line_is_the_standard_text(report):
    """Each record's line is the text of json.dumps(record, ensure_ascii=False, separators=(",", ":")),
    with null for a number that is not finite, as strict JSON has it."""
    import io

    from digireport.web import write_json_records

    hostile = {"name": '<"å\\\u2028\x00>', "n": -0.0, "x": [1e-300, float("nan")]}
    records = [*report["projects"], *report["indicators"], hostile, {"big": 10**30}]
    buf = io.StringIO()
    write_json_records(buf, {}, "r", records)
    lines = buf.getvalue().split("\n")[1:-2]  # U+2028 inside a record is no line break here
    hostile["x"][1] = None
    assert [line.rstrip(",") for line in lines] == [
        json.dumps(record, ensure_ascii=False, separators=(",", ":")) for record in records]


# ---- a large roll-up: the pages list the first projects, the open data all of them -----------------

LARGE_ROWS = 2500


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A generated roadmap of a few thousand rows, rendered twice at the default list limit."""
    import datetime as dt

    from benchmarks.generate import generate
    from digireport.pipeline import BuildOptions
    from digireport.report import build_report
    from digireport.roadmap import parse_roadmap
    from digireport.stats import compute_stats
    from digireport.web import render_web

    folder = tmp_path_factory.mktemp("web-large")
    path = folder / "roadmap-large.xlsx"
    generate(path, rows=LARGE_ROWS, seed=5, indicators=10)
    roadmap = parse_roadmap(path.read_bytes(), path.name)
    stats = compute_stats(roadmap, dt.date(2025, 12, 2))
    options = BuildOptions(as_of=dt.date(2025, 12, 2))
    for n in (1, 2):
        render_web(roadmap, stats, options, folder / f"build{n}", lambda *_a: None)
    report = build_report(roadmap, stats)
    return folder / "build1" / "site", folder / "build2" / "site", report, options


def _listed(p: Page) -> list[str]:
    return [a["data-project"] for t, a in p.elements if t == "tr" and "data-project" in a]


def _note(html: str) -> str:
    found = re.search(r'<p id="list-more">(.*?)</p>', html, re.S)
    assert found, "no note under the project list"
    return found.group(1).replace("&amp;", "&")


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_large_page_lists_the_first_projects_and_says_how_many_more(large, lang):
    site, _again, report, options = large
    html = (site / lang / "index.html").read_text(encoding="utf-8")
    p = Page(html)
    assert len(report["projects"]) == LARGE_ROWS and options.max_list_rows == 200
    order = {g: n for n, g in enumerate("ABCK")}
    expected = sorted(report["projects"], key=lambda r: (order.get(r["goal"], 9), r["row"]))[:200]
    assert _listed(p) == [r["id"] for r in expected]
    first = p.row(project=expected[0]["id"])
    assert first[0] == expected[0]["id"] and first[2] == expected[0]["goal"]
    heading = dict((text, level) for level, text in p.headings)
    note = _note(html)
    if lang == "fi":
        assert heading["Ensimmäiset 200 toimenpidettä (2\u00a0500 toimenpiteestä)"] == 3
        assert note == ("Luettelossa on 2\u00a0500 toimenpiteestä ensimmäiset 200. Tällä sivulla näyttämättä "
                        "jääneitä toimenpiteitä: 2\u00a0300. Kaikki toimenpiteet ovat alla olevissa avoimen "
                        "datan tiedostoissa sekä seurannan mittarityökirjassa.")
    else:
        assert heading["De första 200 av 2\u00a0500 åtgärder"] == 3
        assert note == ("Listan visar de första 200 av 2\u00a0500 åtgärder. Åtgärder som inte visas på den här "
                        "sidan: 2\u00a0300. Alla åtgärder finns i de öppna datafilerna nedan och i "
                        "uppföljningens mätararbetsbok.")
    # The note links to the files that hold every project, right under it.
    after = html[html.index('<p id="list-more">'):html.index("</section>", html.index('<p id="list-more">'))]
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', after)
    assert links == [("../data/projects.csv", "Toimenpiteet (CSV)" if lang == "fi" else "Åtgärder (CSV)"),
                     ("../data/projects.json", "Toimenpiteet (JSON)" if lang == "fi" else "Åtgärder (JSON)")]
    # Only the listed rows reach the page.
    assert html.count("<tr data-project=") == 200


def test_large_open_data_has_every_project(large):
    site, _again, report, _options = large
    projects = report["projects"]
    with (site / "data" / "projects.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == LARGE_ROWS
    for row, record in ((rows[0], projects[0]), (rows[-1], projects[-1])):
        assert row["id"] == record["id"]
        assert row["name_fi"] == record["name"]["fi"] and row["name_sv"] == (record["name"]["sv"] or "")
        assert row["status"] == record["status"] and row["goal"] == (record["goal"] or "")
        assert row["years"] == "|".join(str(y) for y in record["years"])
        assert row["beneficiaries"] == "|".join(record["beneficiaries"])
        assert row["cost_eur"] == ("" if record["cost_eur"] is None else number(record["cost_eur"]))
        assert int(row["row"]) == record["row"]
    assert rows[0]["row"] == "4" and rows[-1]["row"] == str(LARGE_ROWS + 3)
    text = (site / "data" / "projects.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["as_of"] == "2025-12-02" and data["source"]["name"] == "roadmap-large.xlsx"
    assert len(data["projects"]) == LARGE_ROWS
    assert data["projects"][0]["id"] == projects[0]["id"] and data["projects"][-1]["row"] == projects[-1]["row"]
    assert data["projects"] == [_iso_history(p) for p in projects]
    assert text.count("\n") == LARGE_ROWS + 2  # head, one line per project, closing line


def test_large_builds_are_byte_identical(large):
    site, again, _report, _options = large
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert len(first) == 20 and first == second


def test_sample_lists_every_project(page, report):
    _lang, p = page
    order = {g: n for n, g in enumerate("ABCK")}
    expected = sorted(report["projects"], key=lambda r: (order.get(r["goal"], 9), r["row"]))
    assert len(expected) == 80 and _listed(p) == [r["id"] for r in expected]
    assert "list-more" not in {a.get("id") for _t, a in p.elements}


@pytest.mark.parametrize(("max_rows", "shown"), [(30, 30), (79, 79), (80, 80), (500, 80)])
def test_list_limit_on_the_sample(data, max_rows, shown):
    for lang in ("fi", "sv"):
        loc = l10n(lang)
        html = report_page(data, loc, ("fi", "sv"), max_rows=max_rows)
        p = Page(html)
        assert len(_listed(p)) == shown
        if shown == 80:
            assert "list-more" not in html
            assert (3, loc(ALL_PROJECTS)) in p.headings
        else:
            assert loc(MORE_PROJECTS, shown=shown, total=80, n=80 - shown) in _note(html)
            assert (3, loc(FIRST_PROJECTS, shown=shown, total=80)) in p.headings


def test_capped_page_structure_is_accessible(data):
    for lang in ("fi", "sv"):
        p = Page(report_page(data, l10n(lang), ("fi", "sv"), max_rows=30))
        assert p.elements[0] == ("html", {"lang": lang})
        levels = [level for level, _t in p.headings]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
        for _attrs, cells in p.rows:
            assert any(tag == "th" and a.get("scope") in ("row", "col") for tag, a, _text in cells)


def test_csv_fast_path_equals_cell_by_cell(data):
    """projects.csv looks at all cells at once; its text is what checking each cell gives."""
    import io

    from digireport.web import PROJECT_FIELDS, _projects_csv, _write_csv, project_rows

    hostile = _editable(data)
    hostile.projects[5]["problem"]["sv"] = "-10 % kostnader"
    hostile.projects[6]["name"]["fi"] = "\tsisennetty"
    hostile.projects[7]["cost_eur"] = -5.5
    numbers = _editable(data)
    numbers.projects[0]["owner"]["fi"] = -3  # not text, as report.json never has it
    for rep in (data, hostile, numbers):
        fast, slow = io.StringIO(), io.StringIO()
        _projects_csv(fast, rep)
        _write_csv(slow, [f[0] for f in PROJECT_FIELDS], project_rows(rep))
        assert fast.getvalue() == slow.getvalue()
    assert ";-3;3000;" in fast.getvalue().split("\n")[1]  # a number is written as a number, never as text
    fast = io.StringIO()
    _projects_csv(fast, hostile)
    rows = list(csv.reader(io.StringIO(fast.getvalue()), delimiter=";"))
    header = rows[0]
    assert rows[6][header.index("problem_sv")] == "'-10 % kostnader"
    assert rows[7][header.index("name_fi")] == "'\tsisennetty"
    assert rows[8][header.index("cost_eur")] == "-5,5"


# ---- each language's own text, progress of a named year, one scale, one colour system ----------------

def _target_cells(html: str) -> dict[str, str]:
    p = Page(html)
    return {a["data-row"]: [text for _t, ca, text in cells if "data-target" in ca][0]
            for a, cells in p.rows if "data-row" in a}


def test_swedish_page_shows_every_swedish_target_and_value_as_written(site, report):
    sv, fi = (site / "sv" / "index.html").read_text(encoding="utf-8"), (site / "fi" / "index.html").read_text(
        encoding="utf-8")
    targets_sv, targets_fi = _target_cells(sv), _target_cells(fi)
    loc_sv, loc_fi = l10n("sv"), l10n("fi")
    for ind in report["indicators"]:
        t = ind["target"]
        for raw, shown, loc in ((t["raw_sv"], targets_sv, loc_sv), (t["raw"], targets_fi, loc_fi)):
            plain = re.fullmatch(r"-?\d+(\.\d+)?", raw)
            assert shown[str(ind["row"])] == (loc.number(float(raw)) if plain else raw)
    # Sample row 13: the Swedish target cell says "1", the Finnish one "Kaikki = 100 %".
    assert (targets_sv["13"], targets_fi["13"]) == ("1", "Kaikki = 100 %")
    assert (targets_sv["12"], targets_fi["12"]) == (
        "5 viktiga processer", "Viisi kaupungin toiminnan kannalta merkittävää prosessia")
    p = Page(sv)
    for ind in report["indicators"]:
        by_year = {a["data-year"]: text for a, cells in p.rows if a.get("data-row") == str(ind["row"])
                   for _t, a, text in cells if "data-year" in a}
        for year, m in ind["values"].items():
            if re.fullmatch(r"-?\d+(\.\d+)?", m["raw"]):
                assert by_year[year] == loc_sv.number(float(m["raw"]))
            else:
                assert by_year[year].removesuffix(" (på finska)") == m["raw"]


def test_a_number_parsed_from_one_language_never_stands_in_for_the_other(data):
    other = _editable(data)
    target = other.indicators[0]["target"]
    target.update(raw="5", raw_sv="7", value=5.0)
    assert _target_cells(report_page(other, l10n("sv"), ("fi", "sv")))["2"] == "7"
    assert _target_cells(report_page(other, l10n("fi"), ("fi", "sv")))["2"] == "5"
    # No Swedish target: the Finnish one, tagged as Finnish and said to be in Finnish.
    target.update(raw="Kaikki koneet", raw_sv=None)
    html = report_page(other, l10n("sv"), ("fi", "sv"))
    assert _target_cells(html)["2"] == "Kaikki koneet (på finska)"
    assert '<span lang="fi">Kaikki koneet</span> <span class="note">(på finska)</span>' in html


def _progress_cells(html: str) -> dict[str, tuple[str, str]]:
    p = Page(html)
    return {a["data-row"]: ([t for _t, ca, t in cells if "data-progress" in ca][0], cells[-1][2])
            for a, cells in p.rows if "data-row" in a}


def test_progress_names_its_year_and_a_missing_latest_value_is_missing(site):
    fi = (site / "fi" / "index.html").read_text(encoding="utf-8")
    cells = _progress_cells(fi)
    assert cells["2"] == ("68 % (2025)", "▲ Etenee")
    # Row 10: 2024 has 0,43 but 2025 says "Ei toteutettu 2025": no progress, not 2024's.
    assert cells["10"] == ("ei laskettavissa vuodelle 2025: arvo ei ole luku", "– Ei arvioitavissa")
    assert cells["13"] == ("ei laskettavissa vuodelle 2025: arvo ei ole tavoitteen yksikössä", "– Ei arvioitavissa")
    assert cells["14"] == ("ei laskettavissa: laadullinen tavoite", "– Ei arvioitavissa")
    sv = _progress_cells((site / "sv" / "index.html").read_text(encoding="utf-8"))
    assert sv["10"] == ("kan inte beräknas för 2025: värdet är inte ett tal", "– Kan inte bedömas")
    # The page links to how progress is computed, and that section is on it.
    assert '<a href="#how-progress">Miten edistyminen lasketaan</a>' in fi
    assert '<h3 id="how-progress">Miten edistyminen lasketaan</h3>' in fi
    assert "(arvo − 1) ÷ (tavoite − 1)" in fi


def _bars(html: str, ident: str) -> dict[str, float]:
    svg = re.search(rf'<svg [^>]*aria-labelledby="{ident}-t[^>]*>(.*?)</svg>', html, re.S).group(1)
    labels = re.findall(r'<text x="0" y="[\d.]+">([^<]*)</text><rect x="0" y="[\d.]+" width="([\d.]+)"', svg)
    return {label.split(":")[0]: float(w) for label, w in labels}


def test_charts_of_one_kind_share_one_scale(site, report):
    html = (site / "fi" / "index.html").read_text(encoding="utf-8")
    goal_by_year = report["stats"]["goal_by_year"]
    widths = {y: _bars(html, f"chart-goal-{y}") for y in ("2024", "2025", "2026")}
    per_count: dict[int, set[float]] = {}
    for y, bars in widths.items():
        for goal, width in bars.items():
            per_count.setdefault(goal_by_year[y][goal], set()).add(width)
    assert all(len(w) == 1 for w in per_count.values()), per_count  # equal counts, equal bars in every chart
    assert per_count[8] == {max(per_count[8] | per_count[9]) * 8 / 9} or len(per_count[8]) == 1
    longest = max(max(b.values()) for b in widths.values())
    assert longest == max(per_count[max(per_count)])  # the largest count of all the years fills the width
    assert max(widths["2024"].values()) < longest  # 2024's largest (8) is shorter than 2026's 10


def test_colours_come_from_the_colour_system(site):
    from digireport import colours

    allowed = {c.upper() for c in (
        colours.INK, colours.MUTED, colours.LINE, colours.SURFACE, colours.BACKGROUND, colours.ACCENT,
        colours.TARGET_LINE, *colours.STATUS_COLOURS.values(), *colours.GOAL_COLOURS.values(),
        *colours.LIGHT_COLOURS.values(), *colours.LIGHT_FILLS.values(), *colours.LIGHT_TEXT.values())}
    for path in [*site.rglob("*.html"), site / "favicon.svg"]:
        used = {c.upper() for c in re.findall(r"#[0-9A-Fa-f]{6}\b", path.read_text(encoding="utf-8"))}
        assert used and used <= allowed, (path.name, used - allowed)
    html = (site / "fi" / "index.html").read_text(encoding="utf-8")
    status_svg = re.search(r'<svg [^>]*chart-status-t.*?</svg>', html, re.S).group(0)
    goal_svg = re.search(r'<svg [^>]*chart-goal-2024-t.*?</svg>', html, re.S).group(0)
    assert re.findall(r'fill="(#\w+)"', status_svg) == [colours.STATUS_COLOURS[s] for s in STATUS_ORDER]
    assert re.findall(r'fill="(#\w+)"', goal_svg) == [colours.GOAL_COLOURS[g] for g in GOAL_ORDER]


def test_summary_changes_and_project_details(site, report):
    fi = (site / "fi" / "index.html").read_text(encoding="utf-8")
    figures = re.findall(r'<li><span class="big">([^<]+)</span> ([^<]+)</li>', fi)
    assert figures[:4] == [
        ("18 / 52", "tiekarttojen 2024–2025 toimenpiteistä tehty"),
        ("21", "toimenpidettä aloitettu ja käynnissä"),
        ("3 / 11", "arvioitavissa olevista mittareista tavoitteessa (17 mittaria yhteensä)"),
        ("8", "tilamuutosta seurannan 10/2024 jälkeen")]
    p = Page(fi)
    changes = report["stats"]["status_changes"]["changes"]
    assert [p.row(change=c["id"])[2:] for c in changes[:2]] == [["Ei tietoa", "Aloitettu"], ["Aloitettu", "Tehty"]]
    assert len([a for t, a in p.elements if t == "tr" and "data-change" in a]) == len(changes) == 8
    a2 = re.search(r'<tr data-project="A2">.*?</tr>', fi, re.S).group(0)
    assert "<summary>Lisätiedot</summary>" in a2
    assert "<dt>Minkä ongelman toimenpide ratkaisee</dt><dd>Miten asiakas hoitaa liput" in a2
    assert "<dt>Vastuutaho</dt><dd>Elinvoimajohtaja</dd>" in a2
    assert "<dt>Kustannus</dt><dd>3 000 € vuosittain</dd>" in re.sub(r"[\u00a0\u202f]", " ", a2)
    sv = (site / "sv" / "index.html").read_text(encoding="utf-8")
    a2 = re.search(r'<tr data-project="A2">.*?</tr>', sv, re.S).group(0)
    assert "<dd>Hur sköter kunden biljetter" in a2 and "<dt>Ansvarig</dt><dd>Livskraftsdirektör</dd>" in a2
    assert "<dd>3 000 € per år</dd>" in re.sub(r"[\u00a0\u202f]", " ", a2)


def test_head_titles_description_alternates_and_favicon(site):
    for lang, city in (("fi", "Porvoon kaupunki"), ("sv", "Borgå stad")):
        html = (site / lang / "index.html").read_text(encoding="utf-8")
        title = re.search(r"<title>([^<]+)</title>", html).group(1)
        assert title.endswith(f" – {city}")
        description = re.search(r'<meta name="description" content="([^"]+)">', html).group(1)
        assert description.startswith(f"{city}: ") and "2.12.2025" in description
        assert re.findall(r'<link rel="alternate" hreflang="([\w-]+)" href="([^"]+)">', html) == [
            ("fi", "../fi/index.html"), ("sv", "../sv/index.html"), ("x-default", "../index.html")]
        assert '<link rel="icon" href="../favicon.svg" type="image/svg+xml">' in html
    assert (site / "favicon.svg").read_text(encoding="utf-8").startswith("<svg ")
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert '<link rel="icon" href="favicon.svg" type="image/svg+xml">' in landing
    assert '<link rel="alternate" hreflang="sv" href="sv/index.html">' in landing


def test_accessibility_statement_from_the_settings(data):
    import datetime as dt

    from digireport.settings import WebSettings
    from digireport.web import accessibility_page

    web = WebSettings(contact_email="digi@example.fi", accessibility_contact="saavutettavuus@example.fi",
                      accessibility_assessed=dt.date(2025, 11, 20),
                      accessibility_shortcomings_fi=("Kaavioiden värit eivät erotu tulosteessa.",),
                      accessibility_shortcomings_sv=("Diagrammens färger syns inte i utskrift.",))
    fi = accessibility_page(data, l10n("fi"), ("fi", "sv"), web)
    sv = accessibility_page(data, l10n("sv"), ("fi", "sv"), web)
    assert Page(fi).headings[0] == (1, "Saavutettavuusseloste")
    assert Page(sv).headings[0] == (1, "Tillgänglighetsutlåtande")
    assert Page(sv).elements[0] == ("html", {"lang": "sv"})
    assert "Porvoon kaupunki pyrkii" in fi and "(306/2019)" in fi and "Borgå stad strävar" in sv
    assert "<li>Kaavioiden värit eivät erotu tulosteessa.</li>" in fi
    assert "<li>Diagrammens färger syns inte i utskrift.</li>" in sv
    assert "osittain" in fi and "delvis" in sv
    assert '<a href="mailto:saavutettavuus@example.fi">' in fi and "20.11.2025" in fi
    assert '<a href="../sv/tillganglighet.html" hreflang="sv" lang="sv">På svenska</a>' in fi
    plain = accessibility_page(data, l10n("fi"), ("fi", "sv"), WebSettings())
    assert "Tunnettuja puutteita ei ole." in plain and "osittain" not in plain
    assert "Saavutettavuuspalautetta vastaanottaa Porvoon kaupunki." in plain


def test_contact_licence_and_next_update_from_the_settings(data):
    import datetime as dt

    from digireport.settings import WebSettings

    web = WebSettings(contact_name="Digiohjelma", contact_email="digi@example.fi", licence="CC0-1.0",
                      update_frequency="monthly", next_update=dt.date(2026, 2, 16),
                      programme_url_fi="https://www.example.fi/digiohjelma")
    html = report_page(data, l10n("fi"), ("fi", "sv"), web=web)
    assert '<li>Yhteyshenkilö: Digiohjelma, <a href="mailto:digi@example.fi">digi@example.fi</a></li>' in html
    assert "<li>Seurantaa päivitetään kuukausittain.</li>" in html
    assert "Seuraava päivitys: 16.2.2026." in html
    assert "Creative Commons Zero 1.0 (CC0-1.0)" in html
    assert '<a href="https://www.example.fi/digiohjelma">' in html
    package = json.loads(open_data(data, web)["datapackage.json"])
    assert package["licenses"][0]["name"] == "CC0-1.0" and package["next_update"] == "2026-02-16"
    assert package["update_frequency"] == "monthly"
    assert {"title": "Digiohjelma", "email": "digi@example.fi", "role": "contact"} in package["contributors"]
    sv = report_page(data, l10n("sv"), ("fi", "sv"), web=web)
    assert "<li>Uppföljningen uppdateras varje månad.</li>" in sv
    assert '<a href="../../indicators-sv.xlsx">Mätararbetsbok (Excel)</a>' in sv
    assert '<a href="../../indicators-fi.xlsx">Mittarityökirja (Excel)</a>' in html


# ---- open data as a data package ------------------------------------------------------------------

def test_datapackage_validates_with_frictionless(site):
    exe = ROOT / ".venv" / "bin" / "frictionless"
    exe = exe if exe.exists() else Path(shutil.which("frictionless") or "frictionless")
    for folder in (site / "data", site / "data" / "archive" / "2025-12-02"):
        run = subprocess.run([str(exe), "validate", "--json", "datapackage.json"], cwd=folder,
                             capture_output=True, text=True, timeout=300)
        result = json.loads(run.stdout)
        assert run.returncode == 0 and result["valid"], run.stdout[:2000]
        assert [(t["name"], t["stats"]["rows"]) for t in result["tasks"]] == [
            ("projects", 80), ("indicators", 42), ("status_history", 80)]


def test_datapackage_describes_every_field_in_both_languages(site):
    package = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [{"name": "CC-BY-4.0", "title": "Creative Commons Attribution 4.0",
                                    "path": "https://creativecommons.org/licenses/by/4.0/"}]
    assert package["contributors"][0] == {"title": "Porvoon kaupunki", "title_sv": "Borgå stad",
                                          "role": "publisher"}
    assert package["data_date"] == "2025-12-02" and package["created"] == "2025-12-02T00:00:00Z"
    resources = {r["name"]: r for r in package["resources"]}
    assert {n: r["schema"]["primaryKey"] for n, r in resources.items()} == {
        "projects": ["row"], "indicators": ["indicator_id", "year"], "status_history": ["row", "snapshot"]}
    for r in resources.values():
        assert r["dialect"]["delimiter"] == ";" and r["encoding"] == "utf-8-sig"
        for field in r["schema"]["fields"]:
            assert field["description"] and field["description_sv"]
            assert field["description"] != field["description_sv"]
    fields = {f["name"]: f for f in resources["projects"]["schema"]["fields"]}
    assert fields["status"]["constraints"]["enum"] == ["started", "done", "unknown", "planned", "dropped"]
    assert fields["goal"]["constraints"]["enum"] == ["A", "B", "C", "K"]
    assert fields["cost_eur"]["decimalChar"] == ","


def test_csvs_open_in_finnish_excel_as_columns(site):
    """Finnish Excel's default import of a double-clicked .csv: UTF-8 only with a BOM, list separator ';'."""
    for name in ("projects.csv", "indicators.csv", "status_history.csv"):
        data = (site / "data" / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf"), name
        rows = list(csv.reader(data.decode("utf-8-sig").splitlines(), delimiter=";"))
        assert len({len(r) for r in rows}) == 1 and len(rows[0]) > 3, name
        # No value carries a decimal point that Excel would take for a date (2.08 → 2.8.).
        assert not any(re.fullmatch(r"\d+\.\d+", c) for r in rows for c in r), name
    text = (site / "data" / "projects.csv").read_bytes().decode("utf-8-sig")
    assert "Kundtjänstapp och -kort" in text


def test_indicator_ids_are_stable_by_goal_and_row():
    from digireport.web.opendata import indicator_ids, iso_label

    indicators = [{"goal": "b", "row": 9}, {"goal": "a", "row": 3}, {"goal": "b", "row": 4},
                  {"goal": "a", "row": 7, "id": "A-ASIAKAS"}, {"goal": "c", "row": 12}]
    assert indicator_ids(indicators) == ["B2", "A1", "B1", "A-ASIAKAS", "C1"]
    assert [iso_label(x) for x in ("10/2024", "2/2025", "2024/10", "Q3/2024", "syksy 2024")] == [
        "2024-10", "2025-02", "2024-10", "2024-Q3", "syksy 2024"]


def test_snapshot_keys_are_iso_year_month(site):
    with (site / "data" / "status_history.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert {r["snapshot"] for r in rows} == {"2024-10"}
    assert rows[0] == {"row": "4", "id": "A2", "snapshot": "2024-10", "status": "done"}
    projects = json.loads((site / "data" / "projects.json").read_text(encoding="utf-8"))["projects"]
    assert projects[0]["status_history"] == {"2024-10": "done"}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_large_page_lists_the_first_changes_and_points_to_all(large, lang):
    site, _again, report, options = large
    html = (site / lang / "index.html").read_text(encoding="utf-8")
    changes = report["stats"]["status_changes"]["changes"]
    assert len(changes) > options.max_list_rows
    shown = re.findall(r'<tr data-change="([^"]*)">', html)
    assert shown == [c["id"] for c in changes[:options.max_list_rows]]
    note = re.search(r'<p id="changes-more">(.*?)</p>', html, re.S).group(1)
    total = l10n(lang).integer(len(changes))
    assert (f"{total} muutoksesta ensimmäiset 200" if lang == "fi" else f"de första 200 av {total} ändringar") in note
    assert '<a href="../data/status_history.csv">' in note
    with (site / "data" / "status_history.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    assert len(rows) == sum(len(p["status_history"]) for p in report["projects"])
