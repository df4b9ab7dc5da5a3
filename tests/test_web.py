"""The public web report: pages read back as HTML, open data read back as CSV/JSON, and the
pages opened in headless Chromium with axe-core for accessibility."""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from digireport.i18n import l10n
from digireport.labels import GOAL_SHORT, STATUS_LABELS
from digireport.web import (
    ALL_PROJECTS,
    FIRST_PROJECTS,
    LIGHT_LABELS,
    MORE_PROJECTS,
    open_data,
    report_page,
)

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
    assert len(svgs) == 4  # status over the follow-up years, goal per roadmap year
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
            else:
                assert by_year[year] == m["raw"]
        word = loc(LIGHT_LABELS[st["light"]][0])
        assert cells[-1][1].endswith(word)  # the assessment is a word, not only a colour
        if st["ratio"] is not None:
            assert cells[-2][1] == loc.percent(st["ratio"], 0)
    assert checked == 25  # every plain-number value of the sample
    row2 = p.row(row="2")
    assert row2[2:5] == ["2,08", "2,22", "2,37"]
    assert row2[5:] == ["68 %", ("▲ Etenee" if lang == "fi" else "▲ Framskrider")]


def test_text_in_the_other_language_is_marked(site):
    sv = Page((site / "sv" / "index.html").read_text(encoding="utf-8"))
    # The sample's indicator values are written in Finnish.
    cells = {text: a for _r, cells in sv.rows for _t, a, text in cells}
    assert cells["Noin 50 käyttäjää"].get("lang") == "fi"
    assert "lang" not in cells["2,37"]
    fi = Page((site / "fi" / "index.html").read_text(encoding="utf-8"))
    assert "lang" not in {text: a for _r, cells in fi.rows for _t, a, text in cells}["Noin 50 käyttäjää"]


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
    # indicators of goals A, B, C (the sample has none for K); status, goal, project list
    assert sum(1 for t, _a in p.elements if t == "caption") == 3 + 3


def test_no_outside_requests(site):
    for path in sorted(site.rglob("*.html")):
        p = Page(path.read_text(encoding="utf-8"))
        for tag, attrs in p.elements:
            for key in ("src", "href", "action", "srcset"):
                value = attrs.get(key, "")
                assert not re.match(r"(?i)([a-z]+:)?//", value), f"{path.name}: <{tag} {key}={value}>"
            assert tag not in ("script", "iframe", "img", "link", "object")


def test_untrusted_text_is_escaped(report):
    hostile = json.loads(json.dumps(report))
    hostile["projects"][0]["name"]["fi"] = '<script>alert(1)</script><img src="https://x.example/">'
    hostile["source"]["name"] = '"><svg onload=alert(1)>.xlsx'
    html = report_page(hostile, l10n("fi"), ("fi", "sv"))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&quot;&gt;&lt;svg onload=alert(1)&gt;.xlsx" in html
    elements = Page(html).elements
    assert "onload" not in {k for _t, attrs in elements for k in attrs}
    assert "img" not in {t for t, _a in elements}


def test_open_data(site, report):
    with (site / "data" / "projects.csv").open(encoding="utf-8", newline="") as fh:
        projects = list(csv.DictReader(fh))
    assert len(projects) == 80
    fields = json.loads((site / "data" / "fields.json").read_text(encoding="utf-8"))
    assert list(projects[0]) == list(fields["projects"])
    assert projects[0]["id"] == report["projects"][0]["id"] == "A2"
    assert projects[0]["name_sv"] == "Kundtjänstapp och -kort"
    assert sum(1 for p in projects if p["status"] == "done") == sum(
        1 for p in report["projects"] if p["status"] == "done")
    with (site / "data" / "indicators.csv").open(encoding="utf-8", newline="") as fh:
        indicators = list(csv.DictReader(fh))
    assert list(indicators[0]) == list(fields["indicators"])
    assert len(indicators) == sum(len(i["values"]) for i in report["indicators"])
    first = indicators[0]
    assert (first["goal"], first["year"], first["value_raw"], first["value"], first["light"]) == (
        "A", "2023", "2.08", "2.08", "amber")
    for table in fields.values():
        for description in table.values():
            assert description["fi"] and description["sv"] and description["fi"] != description["sv"]
    pj = json.loads((site / "data" / "projects.json").read_text(encoding="utf-8"))
    assert pj["as_of"] == "2025-12-02" and pj["projects"] == report["projects"]
    ij = json.loads((site / "data" / "indicators.json").read_text(encoding="utf-8"))
    lights = [i["light"] for i in report["stats"]["indicators"]]
    assert [i["progress"]["light"] for i in ij["indicators"]] == lights
    assert not (site / "data" / "projects.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_csv_defuses_formulas(report):
    hostile = json.loads(json.dumps(report))
    hostile["projects"][0]["owner"]["fi"] = "=HYPERLINK(\"x\")"
    rows = list(csv.reader(open_data(hostile)["projects.csv"].splitlines()))
    assert rows[1][rows[0].index("owner")] == "'=HYPERLINK(\"x\")"


def test_deterministic(report):
    assert open_data(report) == open_data(json.loads(json.dumps(report)))
    assert report_page(report, l10n("sv"), ("fi", "sv")) == report_page(report, l10n("sv"), ("fi", "sv"))


# ---- in a real browser -------------------------------------------------------------------------

def _chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Chromium is not installed (make test installs it)")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test installs it)")
    return exe


def _run_chromium(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
         *args],
        capture_output=True, text=True, timeout=120, check=True,
    )


AXE_RUNNER = """<script>%s</script><script>
axe.run(document, {runOnly: {type: "tag",
                             values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
 .then(function (r) { show(r.violations.map(function (v) {
   return {id: v.id, impact: v.impact,
           nodes: v.nodes.map(function (n) { return n.target.join(" "); })}; })); })
 .catch(function (e) { show({error: String(e)}); });
function show(x) { var pre = document.createElement("pre"); pre.id = "axe-results";
 pre.textContent = JSON.stringify(x); document.body.appendChild(pre); }
</script>"""


@pytest.mark.parametrize("page_path", ["fi/index.html", "sv/index.html", "index.html"])
def test_axe_finds_no_violations(site, tmp_path, page_path):
    exe = _chromium()
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / page_path
    html = page.read_text(encoding="utf-8")
    # The page forbids all scripts; the copy under test lifts that to let axe run.
    html = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n', "", html, count=1)
    html = html.replace("</body>", AXE_RUNNER % AXE.read_text(encoding="utf-8") + "</body>")
    page.write_text(html, encoding="utf-8")
    dom = _run_chromium(exe, tmp_path / "profile", "--virtual-time-budget=20000", "--dump-dom",
                        page.as_uri()).stdout
    found = re.search(r'<pre id="axe-results">(.*?)</pre>', dom, re.S)
    assert found, "axe did not report"
    results = json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
    assert results == [], results


def test_screenshot(site, tmp_path):
    exe = _chromium()
    shot = tmp_path / "web-fi.png"
    _run_chromium(exe, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1280,2000",
                  (site / "fi" / "index.html").as_uri())
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)


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
    assert sorted(map(str, first)) == [
        "data/fields.json", "data/indicators.csv", "data/indicators.json", "data/projects.csv",
        "data/projects.json", "fi/index.html", "index.html", "sv/index.html"]
    assert first == second


def test_json_files_hold_one_record_per_line(report):
    """The open-data JSON has the head on its first line, then one record per line, and reads back
    to exactly the records of report.json."""
    import io

    from digireport.web import write_json_records

    data = open_data(report)
    lines = data["projects.json"].split("\n")
    assert lines[0] == ('{"as_of":"2025-12-02","source":{"name":"tiekartta_v2.xlsx","sha256":"'
                        + report["source"]["sha256"] + '"},"projects":[')
    assert lines[-2:] == ["]}", ""]
    records = lines[1:-2]
    assert len(records) == 80
    assert [json.loads(line.rstrip(",")) for line in records] == report["projects"]
    assert json.loads(records[0].rstrip(","))["name"]["sv"] == "Kundtjänstapp och -kort"
    assert json.loads(data["projects.json"]) == {
        "as_of": report["as_of"], "source": {"name": report["source"]["name"],
                                             "sha256": report["source"]["sha256"]},
        "projects": report["projects"]}
    tricky = [{"a": [], "b": {}, "c": [1, 2.5, True, False, None, "å\"\n\u2028"]}, {"3": float("inf")}]
    for head, records in (({"x": 1}, tricky), ({}, tricky), ({"x": 1}, []), ({}, [])):
        buf = io.StringIO()
        write_json_records(buf, head, "items", records)
        text = buf.getvalue()
        assert json.loads(text) == {**head, "items": records}
        assert text.endswith("]}\n") and text.count("\n") == len(records) + 1 + bool(records)
    # More records than one batch: the batches join with the same separator as the records inside one.
    buf = io.StringIO()
    write_json_records(buf, {}, "n", list(range(2500)))
    assert json.loads(buf.getvalue()) == {"n": list(range(2500))}


def test_each_record_line_is_the_standard_text(report):
    """Each record's line is the text of json.dumps(record, ensure_ascii=False, separators=(",", ":"))."""
    import io

    from digireport.web import write_json_records

    hostile = {"name": '<"å\\\u2028\x00>', "n": -0.0, "big": 10**30, "x": [1e-300, float("nan")]}
    records = [*report["projects"], *report["indicators"], hostile]
    buf = io.StringIO()
    write_json_records(buf, {}, "r", records)
    lines = buf.getvalue().split("\n")[1:-2]  # U+2028 inside a record is no line break here
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
    report = build_report(roadmap, stats)
    options = BuildOptions(as_of=dt.date(2025, 12, 2))
    for n in (1, 2):
        render_web(roadmap, stats, report, options, folder / f"build{n}", lambda *_a: None)
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
                        "uppföljningens indikatorarbetsbok.")
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
    with (site / "data" / "projects.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == LARGE_ROWS
    for row, record in ((rows[0], projects[0]), (rows[-1], projects[-1])):
        assert row["id"] == record["id"]
        assert row["name_fi"] == record["name"]["fi"] and row["name_sv"] == (record["name"]["sv"] or "")
        assert row["status"] == record["status"] and row["goal"] == (record["goal"] or "")
        assert row["years"] == ";".join(str(y) for y in record["years"])
        assert row["beneficiaries"] == ";".join(record["beneficiaries"])
        assert row["cost_eur"] == ("" if record["cost_eur"] is None else repr(record["cost_eur"]))
        assert int(row["row"]) == record["row"]
    assert rows[0]["row"] == "4" and rows[-1]["row"] == str(LARGE_ROWS + 3)
    text = (site / "data" / "projects.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert data["as_of"] == "2025-12-02" and data["source"]["name"] == "roadmap-large.xlsx"
    assert len(data["projects"]) == LARGE_ROWS
    assert data["projects"][0] == projects[0] and data["projects"][-1] == projects[-1]
    assert data["projects"] == projects
    assert text.count("\n") == LARGE_ROWS + 2  # head, one line per project, closing line


def test_large_builds_are_byte_identical(large):
    site, again, _report, _options = large
    first = {p.relative_to(site): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert len(first) == 8 and first == second


def test_sample_lists_every_project(page, report):
    _lang, p = page
    order = {g: n for n, g in enumerate("ABCK")}
    expected = sorted(report["projects"], key=lambda r: (order.get(r["goal"], 9), r["row"]))
    assert len(expected) == 80 and _listed(p) == [r["id"] for r in expected]
    assert "list-more" not in {a.get("id") for _t, a in p.elements}


@pytest.mark.parametrize(("max_rows", "shown"), [(30, 30), (79, 79), (80, 80), (500, 80)])
def test_list_limit_on_the_sample(report, max_rows, shown):
    for lang in ("fi", "sv"):
        loc = l10n(lang)
        html = report_page(report, loc, ("fi", "sv"), max_rows=max_rows)
        p = Page(html)
        assert len(_listed(p)) == shown
        if shown == 80:
            assert "list-more" not in html
            assert (3, loc(ALL_PROJECTS)) in p.headings
        else:
            assert loc(MORE_PROJECTS, shown=shown, total=80, n=80 - shown) in _note(html)
            assert (3, loc(FIRST_PROJECTS, shown=shown, total=80)) in p.headings


def test_capped_page_structure_is_accessible(report):
    for lang in ("fi", "sv"):
        p = Page(report_page(report, l10n(lang), ("fi", "sv"), max_rows=30))
        assert p.elements[0] == ("html", {"lang": lang})
        levels = [level for level, _t in p.headings]
        assert levels[0] == 1 and levels.count(1) == 1
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))
        for _attrs, cells in p.rows:
            assert any(tag == "th" and a.get("scope") in ("row", "col") for tag, a, _text in cells)


def test_axe_finds_no_violations_on_a_capped_list(site, report, tmp_path):
    copy = tmp_path / "capped"
    shutil.copytree(site, copy / "site")
    (copy / "site" / "fi" / "index.html").write_text(
        report_page(report, l10n("fi"), ("fi", "sv"), max_rows=30), encoding="utf-8")
    test_axe_finds_no_violations(copy / "site", tmp_path, "fi/index.html")


def test_csv_fast_path_equals_cell_by_cell(report):
    """projects.csv looks at all cells at once; its text is what checking each cell gives."""
    import io

    from digireport.web import PROJECT_FIELDS, _projects_csv, _write_csv, project_rows

    hostile = json.loads(json.dumps(report))
    hostile["projects"][5]["problem"]["sv"] = "-10 % kostnader"
    hostile["projects"][6]["name"]["fi"] = "\tsisennetty"
    hostile["projects"][7]["cost_eur"] = -5.5
    numbers = json.loads(json.dumps(report))
    numbers["projects"][0]["owner"]["fi"] = -3  # not text, as report.json never has it: written as _csv_cell does
    for rep in (report, hostile, numbers):
        fast, slow = io.StringIO(), io.StringIO()
        _projects_csv(fast, rep)
        _write_csv(slow, [k for k, _d in PROJECT_FIELDS], project_rows(rep))
        assert fast.getvalue() == slow.getvalue()
    assert "'-3" in fast.getvalue().split("\n")[1]
    fast = io.StringIO()
    _projects_csv(fast, hostile)
    rows = list(csv.reader(io.StringIO(fast.getvalue())))
    header = rows[0]
    assert rows[6][header.index("problem_sv")] == "'-10 % kostnader"
    assert rows[7][header.index("name_fi")] == "'\tsisennetty"
    assert rows[8][header.index("cost_eur")] == "-5.5"
