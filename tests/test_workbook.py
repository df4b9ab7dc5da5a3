"""The indicator workbook: reopened with openpyxl and read part by part inside the zip."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest

from digireport.pipeline import BuildOptions
from digireport.workbook import FILENAME, render_workbook
from tests.conftest import SEED_DATE, convert_to_pdf, make_workbook, pdf_pages

OVERVIEW = "Mittarit – Indikatorer"
PROJECTS = "Toimenpiteet – Åtgärder"
FINDINGS = "Havainnot – Iakttagelser"
ABOUT = "Tietoja – Om"
EVIL = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]


@pytest.fixture(scope="module")
def xlsx(sample_roadmap, sample_stats) -> bytes:
    return render_workbook(sample_roadmap, sample_stats, BuildOptions(as_of=SEED_DATE))


@pytest.fixture(scope="module")
def book(xlsx):
    return openpyxl.load_workbook(io.BytesIO(xlsx))


def header_index(ws) -> dict[str, int]:
    return {c.value: c.column for c in ws[1] if c.value}


def row_of(ws, column: int, value: str) -> int:
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, column).value == value)


def zip_text(xlsx: bytes, name: str) -> str:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.read(name).decode("utf-8")


def zip_names(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        return z.namelist()


def test_sheets_in_order(book):
    assert book.sheetnames == [OVERVIEW, "Tavoite A – Mål A", "Tavoite B – Mål B", "Tavoite C – Mål C",
                               PROJECTS, FINDINGS, ABOUT]


def test_overview_indicator_rows(book):
    ws = book[OVERVIEW]
    h = header_index(ws)
    assert ws.max_row == 1 + 17
    r = row_of(ws, h["Mittari suomeksi / Indikator på finska"], "ePorvoon asiakastyytyväisyys asteikolla 1-4")
    assert ws.cell(r, h["Tavoite / Mål"]).value == "A"
    assert ws.cell(r, h["Mittari ruotsiksi / Indikator på svenska"]).value.startswith("ePorvoo kundnöjdhet")
    assert ws.cell(r, h["Tavoitearvo lukuna / Målvärde som tal"]).value == 3
    assert ws.cell(r, h["2024 kirjattuna / 2024 som angivet"]).value == "2.22"
    assert ws.cell(r, h["2024 lukuna / 2024 som tal"]).value == 2.22
    assert ws.cell(r, h["2025 lukuna / 2025 som tal"]).value == 2.37
    assert ws.cell(r, h["2025 lukuna / 2025 som tal"]).number_format == "#,##0.00"
    assert ws.cell(r, h["Muutos / Förändring"]).value == pytest.approx(0.15)
    progress = ws.cell(r, h["Edistyminen / Framsteg"])
    assert progress.value == pytest.approx(0.685) and progress.number_format == "0.00 %"
    light = ws.cell(r, h["Liikennevalo / Trafikljus"]).value
    assert light == "keltainen: osittain saavutettu / gul: delvis nått"


def test_raw_text_kept_and_number_parsed(book):
    ws = book[OVERVIEW]
    h = header_index(ws)
    r = row_of(ws, h["Mittari suomeksi / Indikator på finska"], "Kaupungin yhteisten raporttien käyttäjät")
    assert ws.cell(r, h["2024 kirjattuna / 2024 som angivet"]).value == "Noin 50 käyttäjää"
    assert ws.cell(r, h["2024 lukuna / 2024 som tal"]).value == 50
    assert ws.cell(r, h["2024 lukuna / 2024 som tal"]).number_format == "#,##0"
    assert ws.cell(r, h["2025 kirjattuna / 2025 som angivet"]).value == "201 (marraskuu)"
    percent = row_of(ws, h["Mittari suomeksi / Indikator på finska"],
                     "Asiakaspalveluun liittyneistä digiohjelman toimenpiteistä käynnistetty")
    assert ws.cell(percent, h["2024 kirjattuna / 2024 som angivet"]).value == "100 %"
    as_number = ws.cell(percent, h["2024 lukuna / 2024 som tal"])
    assert as_number.value == 1 and as_number.number_format == "0.00 %"
    assert ws.cell(percent, h["Tavoitearvo lukuna / Målvärde som tal"]).value == 1
    qualitative = row_of(ws, h["Mittari suomeksi / Indikator på finska"], "AD-seuranta")
    assert ws.cell(qualitative, h["2025 kirjattuna / 2025 som angivet"]).value == "Tehty"
    assert ws.cell(qualitative, h["2025 lukuna / 2025 som tal"]).value is None
    assert ws.cell(qualitative, h["Edistyminen / Framsteg"]).value is None
    assert ws.cell(qualitative, h["Liikennevalo / Trafikljus"]).value == "ei arvioitavissa / kan inte bedömas"


def test_traffic_lights_and_data_bars(book):
    ws = book[OVERVIEW]
    h = header_index(ws)
    light_col = openpyxl.utils.get_column_letter(h["Liikennevalo / Trafikljus"])
    progress_col = openpyxl.utils.get_column_letter(h["Edistyminen / Framsteg"])
    rules = {str(rng.sqref): [r for r in rng.rules] for rng in ws.conditional_formatting}
    texts = rules[f"{light_col}2:{light_col}18"]
    assert [(r.type, r.operator, r.text) for r in texts] == [
        ("beginsWith", "beginsWith", "vihreä: tavoite saavutettu / grön: målet nått"),
        ("beginsWith", "beginsWith", "keltainen: osittain saavutettu / gul: delvis nått"),
        ("beginsWith", "beginsWith", "punainen: jäljessä tavoitteesta / röd: efter målet"),
    ]
    assert [r.type for r in rules[f"{progress_col}2:{progress_col}18"]] == ["dataBar"]
    words = [ws.cell(r, h["Liikennevalo / Trafikljus"]).value.split(":")[0] for r in range(2, 19)]
    assert words.count("vihreä") == 3 and words.count("punainen") == 1 and words.count("keltainen") == 7


def test_overview_frozen_filtered_and_sparklines(book, xlsx):
    ws = book[OVERVIEW]
    assert ws.freeze_panes == "D2"
    assert ws.auto_filter.ref.startswith("A1:")
    sheet = zip_text(xlsx, "xl/worksheets/sheet1.xml")
    sparklines = re.findall(r"<xm:f>([^<]+)</xm:f><xm:sqref>([^<]+)</xm:sqref>", sheet)
    # one per indicator with at least one number: three indicators are text only
    assert len(sparklines) == 14
    assert ("'Mittarit – Indikatorer'!K2:M2", "N2") in sparklines
    assert f"N{row_of(ws, 2, 'Lisenssikustannusten seuranta')}" in {cell for _range, cell in sparklines}
    assert f"N{row_of(ws, 2, 'AD-seuranta')}" not in {cell for _range, cell in sparklines}


def test_goal_sheets_have_charts_with_alt_text(xlsx, book):
    charts = [n for n in zip_names(xlsx) if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    assert len(charts) == 14
    drawing = zip_text(xlsx, "xl/drawings/drawing1.xml")
    alt = ('descr="Pylväskaavio: ePorvoon asiakastyytyväisyys asteikolla 1-4 vuosittain: '
           "2023: 2,08, 2024: 2,22, 2025: 2,37.")
    assert alt in drawing
    assert "Stapeldiagram: ePorvoo kundnöjdhet" in drawing
    chart = zip_text(xlsx, "xl/charts/chart1.xml")
    assert '<c:min val="0"/>' in chart
    assert "<c:lineChart>" in chart and "'Tavoite A – Mål A'!$C$6:$C$8" in chart  # the target line
    assert "<c:barChart>" in chart and "'Tavoite A – Mål A'!$B$6:$B$8" in chart
    ws = book["Tavoite A – Mål A"]
    assert ws["A3"].value.startswith("ePorvoon asiakastyytyväisyys asteikolla 1-4 / ePorvoo kundnöjdhet")
    assert ws["A4"].value == "Tavoitearvo / Målsättning: 3"
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == [2023, 2024, 2025]
    titles = [str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1)]
    growth = 1 + next(i for i, t in enumerate(titles) if t.startswith("ePorvoon asiointi"))
    assert ws.cell(growth + 1, 1).value == ("Tavoitearvo / Målsättning: Määrä lisääntyy 10 prosenttia vuosittain / "
                                            "ökar med 10% per år")
    assert ws.cell(growth + 3, 2).value == 113000 and ws.cell(growth + 3, 3).value is None
    assert [ws.cell(r, 2).value for r in (6, 7, 8)] == [2.08, 2.22, 2.37]


def test_projects_table(book, sample_roadmap):
    ws = book[PROJECTS]
    assert list(ws.tables) == ["Projects"]
    table = ws.tables["Projects"]
    assert table.ref == "A1:S81"
    assert table.autoFilter is not None
    assert ws.freeze_panes == "C2"
    h = header_index(ws)
    assert len(h) == 19
    r = row_of(ws, h["Tunnus / Beteckning"], "A2")
    assert ws.cell(r, h["Rivi / Rad"]).value == 4
    assert ws.cell(r, h["Nimi suomeksi / Namn på finska"]).value == "Asiakaspalveluappi ja -kortti"
    assert ws.cell(r, h["Nimi ruotsiksi / Namn på svenska"]).value == "Kundtjänstapp och -kort"
    assert ws.cell(r, h["Tila suomeksi / Status på finska"]).value == "Tehty"
    assert ws.cell(r, h["Tila ruotsiksi / Status på svenska"]).value == "Färdig"
    assert ws.cell(r, h["Tila 10/2024 / Status 10/2024"]).value == "Tehty / Färdig"
    assert ws.cell(r, h["Peruste / Grund"]).value == "Strategia / Strategi"
    assert ws.cell(r, h["Kuka hyötyy / Vem har nytta"]).value == "kuntalainen / kommuninvånare"
    cost = ws.cell(r, h["Kustannus (€) / Kostnad (€)"])
    assert cost.value == 3000 and cost.number_format == "#,##0.00 €"
    assert ws.cell(r, h["Kustannuksen luonne / Kostnadens karaktär"]).value == "vuosittain / per år"
    statuses = [ws.cell(r, h["Tila suomeksi / Status på finska"]).value for r in range(2, 82)]
    assert len(statuses) == len(sample_roadmap.projects) == 80


def test_findings_sheet(book):
    ws = book[FINDINGS]
    assert list(ws.tables) == ["Findings"]
    assert [c.value for c in ws[1]] == [
        "Vakavuus / Allvarlighet", "Välilehti / Blad", "Rivi / Rad", "Sarake / Kolumn", "Arvo / Värde",
        "Viesti suomeksi / Meddelande på finska", "Viesti ruotsiksi / Meddelande på svenska",
    ]


def test_findings_rows_and_injection(tmp_path):
    from digireport.roadmap import parse_roadmap
    from digireport.stats import compute_stats

    roadmap_rows = [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)", "2024",
                     "Tila", "Vastuutaho"]]
    for k, evil in enumerate(EVIL, start=1):
        roadmap_rows.append(["A", f"A{k}", evil, evil, "x", "Aloitettu", evil])
    roadmap_rows.append(["A", "A9", "Hanke", "Projekt", "x", "=cmd|x", None])
    data = make_workbook({
        "Tiekartta": roadmap_rows,
        "Mittarit": [["Tavoite", "Mittari", "Mittari (ruotsiksi)", "Tavoitearvo", "2024"],
                     ["A", EVIL[0], EVIL[2], "4000", EVIL[3]],
                     ["A", "Mittarit!A1", "=Mittarit!$A$1", "10", "5"]],
    })
    # openpyxl stores a leading '=' as a formula; the master workbook has them as typed text
    book = openpyxl.load_workbook(io.BytesIO(data))
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    buf = io.BytesIO()
    book.save(buf)
    roadmap = parse_roadmap(buf.getvalue(), "evil.xlsx")
    as_of = SEED_DATE
    out = render_workbook(roadmap, compute_stats(roadmap, as_of), BuildOptions(as_of=as_of))

    for name in zip_names(out):
        if name.startswith("xl/worksheets/sheet"):
            part = zip_text(out, name)
            assert "<f>" not in part and "<hyperlink" not in part, name
    assert not any("hyperlink" in n for n in zip_names(out))
    result = openpyxl.load_workbook(io.BytesIO(out))
    projects = result[PROJECTS]
    h = header_index(projects)
    names = [projects.cell(r, h["Nimi suomeksi / Namn på finska"]) for r in range(2, 6)]
    assert [c.value for c in names] == EVIL
    assert all(c.data_type == "s" for c in names)
    owners = [projects.cell(r, h["Vastuutaho / Ansvarig"]).value for r in range(2, 6)]
    assert owners == EVIL
    overview = result[OVERVIEW]
    h = header_index(overview)
    assert overview.cell(2, h["Mittari suomeksi / Indikator på finska"]).value == EVIL[0]
    assert overview.cell(2, h["Mittari ruotsiksi / Indikator på svenska"]).value == EVIL[2]
    assert overview.cell(2, h["2024 kirjattuna / 2024 som angivet"]).value == "-2+3"
    assert overview.cell(2, h["2024 kirjattuna / 2024 som angivet"]).data_type == "s"
    goal = result["Tavoite A – Mål A"]
    assert goal["A3"].value == "Mittarit!A1 / =Mittarit!$A$1" and goal["A3"].data_type == "s"
    chart = zip_text(out, "xl/charts/chart1.xml")
    title = re.search(r"<c:title>.*?</c:title>", chart, re.S).group(0)
    assert re.findall(r"<c:f>(.*?)</c:f>", title) == ["'Tavoite A – Mål A'!$A$3"]
    findings = result[FINDINGS]
    values = [findings.cell(r, 5).value for r in range(2, findings.max_row + 1)]
    assert "=cmd|x" in values
    r = 2 + values.index("=cmd|x")
    assert findings.cell(r, 1).value == "virhe / fel"
    assert findings.cell(r, 2).value == "Tiekartta"
    assert findings.cell(r, 3).value == 6
    assert findings.cell(r, 4).value == "F"
    assert findings.cell(r, 6).value == "Tuntematon tila; lasketaan tilaan Ei tietoa."
    assert findings.cell(r, 7).value == "Okänd status; räknas som Ingen info."
    assert findings.cell(r, 5).data_type == "s"


def test_about_sheet_and_properties(book, sample_roadmap):
    ws = book[ABOUT]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(2, ws.max_row + 1)}
    assert rows["Lähdetiedosto / Källfil"].value == "tiekartta_v2.xlsx"
    assert rows["Lähdetiedoston SHA-256 / Källfilens SHA-256"].value == sample_roadmap.source.sha256
    as_of = rows["Tietojen päivämäärä / Datum för uppgifterna"]
    assert as_of.value.date() == SEED_DATE and as_of.number_format == "d.m.yyyy"
    assert rows["digireport-versio / digireport-version"].value == "0.1.0"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$1"
    props = book.properties
    assert props.title == "Digiohjelman mittarit / Digiprogrammets indikatorer"
    assert props.created.date() == SEED_DATE and props.modified.date() == SEED_DATE


def test_deterministic(xlsx, sample_roadmap, sample_stats, sample_build):
    from digireport.translations import apply_translations

    again = render_workbook(sample_roadmap, sample_stats, BuildOptions(as_of=SEED_DATE))
    assert again == xlsx
    out, _result = sample_build
    # a build lists the Swedish texts the sample lacks among its findings
    built = render_workbook(apply_translations(sample_roadmap), sample_stats, BuildOptions(as_of=SEED_DATE))
    assert (out / FILENAME).read_bytes() == built
    with zipfile.ZipFile(io.BytesIO(xlsx)) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_libreoffice_opens_it(sample_build, tmp_path):
    out, result = sample_build
    assert out / FILENAME in result.outputs
    pdf = convert_to_pdf(out / FILENAME, tmp_path)
    assert pdf_pages(pdf) >= 7


# A roadmap large enough that the projects sheet is written the bulk way, with a few names that
# test the escaping: XML's special characters, Excel's _xHHHH_ escapes, control characters,
# whitespace at either end, text that looks like rich-text markup.
LARGE_ROWS = 3000
NASTY = ['A & B <c> "q" \'a\'', " leading", "trailing ", "_x0041_", "<r>rich</r>", "tab\tin",
         "line\nbreak", "ctl\x01char", "nul\x00x", "\ufffe", "ü€–😀", "]]>", "&amp;"]
NASTY_AT = 1000  # the first project given a nasty name


def libreoffice_csv(path, outdir) -> dict[str, list[list[str]]]:
    """Every sheet of `path` as LibreOffice shows it (en-US formats), by sheet name."""
    import csv
    import os
    import subprocess

    from tests.conftest import soffice

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    # separator, quote, UTF-8, first line, -, -, -, -, cells as shown, -, -, every sheet
    options = "44,34,76,1,,0,false,true,true,false,false,-1"
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{outdir / 'lo-profile'}", "--headless", "--convert-to",
         f"csv:Text - txt - csv (StarCalc):{options}", "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180, env=env,
    )
    sheets = {}
    for csv_path in outdir.glob(f"{path.stem}-*.csv"):
        with csv_path.open(encoding="utf-8", newline="") as fh:
            sheets[csv_path.stem[len(path.stem) + 1:]] = list(csv.reader(fh))
    return sheets


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    import dataclasses

    from benchmarks.generate import generate
    from digireport.model import Text
    from digireport.roadmap import parse_roadmap
    from digireport.stats import compute_stats

    tmp = tmp_path_factory.mktemp("large-workbook")
    generate(tmp / "roadmap.xlsx", rows=LARGE_ROWS, seed=11, indicators=25)
    roadmap = parse_roadmap((tmp / "roadmap.xlsx").read_bytes(), "roadmap.xlsx")
    projects = list(roadmap.projects)
    for k, text in enumerate(NASTY, start=NASTY_AT):
        projects[k] = dataclasses.replace(projects[k], id=text, name=Text(text, text), owner=Text(text, None))
    roadmap = dataclasses.replace(roadmap, projects=tuple(projects))
    stats = compute_stats(roadmap, SEED_DATE)
    xlsx = render_workbook(roadmap, stats, BuildOptions(as_of=SEED_DATE))
    path = tmp / FILENAME
    path.write_bytes(xlsx)
    return roadmap, stats, path


@pytest.fixture(scope="module")
def large_sheets(large, tmp_path_factory):
    _roadmap, _stats, path = large
    return libreoffice_csv(path, tmp_path_factory.mktemp("large-csv"))


def expected_project_row(p) -> list[str]:
    """A project's row as LibreOffice shows it in en-US, from the project itself."""
    from digireport.i18n import l10n
    from digireport.workbook import WORKBOOK_LABELS

    fi, sv = l10n("fi"), l10n("sv")

    def both(code) -> str:
        if code is None:
            return ""
        a, b = fi(WORKBOOK_LABELS[code]), sv(WORKBOOK_LABELS[code])
        return a if a == b else f"{a} / {b}"

    history = dict(p.status_history)
    beneficiaries = (", ".join(fi(WORKBOOK_LABELS[c]) for c in p.beneficiaries) + " / "
                     + ", ".join(sv(WORKBOOK_LABELS[c]) for c in p.beneficiaries)) if p.beneficiaries else ""
    return [
        f"{p.row:,}", p.id or "", p.goal.value if p.goal else "", p.name.fi or "", p.name.sv or "",
        ", ".join(str(y) for y in p.years), fi(WORKBOOK_LABELS[p.status]), sv(WORKBOOK_LABELS[p.status]),
        both(history.get("10/2024")), both(p.level), both(p.basis), both(p.benefit), beneficiaries,
        p.cost_class.value if p.cost_class else "", p.impact_class.value if p.impact_class else "",
        both(p.model), p.owner.fi or "", f"{p.cost_eur:,.2f} €" if p.cost_eur is not None else "",
        both(p.cost_kind),
    ]


def test_libreoffice_reads_every_project_of_a_large_roadmap(large, large_sheets):
    roadmap, _stats, _path = large
    rows = large_sheets[PROJECTS]
    assert len(rows) == 1 + LARGE_ROWS
    assert rows[0][:4] == ["Rivi / Rad", "Tunnus / Beteckning", "Tavoite / Mål", "Nimi suomeksi / Namn på finska"]
    assert rows[0][8] == "Tila 10/2024 / Status 10/2024"
    projects = roadmap.projects
    for k in (0, 1, LARGE_ROWS // 2, LARGE_ROWS - 1):
        assert rows[1 + k] == expected_project_row(projects[k]), k
    assert rows[1][0] == "4" and rows[-1][0] == f"{LARGE_ROWS + 3:,}"
    # every row is there, in order, with its money formatted as euros
    assert [r[0] for r in rows[1:]] == [f"{p.row:,}" for p in projects]
    costs = [(r[17], p.cost_eur) for r, p in zip(rows[1:], projects, strict=True)]
    assert sum(1 for _shown, value in costs if value is not None) > LARGE_ROWS // 5
    assert all(shown == (f"{value:,.2f} €" if value is not None else "") for shown, value in costs)
    assert large_sheets[ABOUT][3] == ["Tietojen päivämäärä / Datum för uppgifterna", "2.12.2025"]


def test_text_comes_back_exactly_as_written(large, large_sheets):
    rows = large_sheets[PROJECTS]
    for k, text in enumerate(NASTY, start=NASTY_AT):
        row = rows[1 + k]
        assert (row[1], row[3], row[4], row[16]) == (text, text, text, text), text


def test_large_projects_sheet_is_consistent(large):
    roadmap, _stats, path = large
    xlsx = path.read_bytes()
    last = f"S{LARGE_ROWS + 1}"
    book = openpyxl.load_workbook(path, read_only=True)
    sheet_part = f"xl/worksheets/sheet{book.sheetnames.index(PROJECTS) + 1}.xml"
    sheet = zip_text(xlsx, sheet_part)
    assert f'<dimension ref="A1:{last}"/>' in sheet
    table = next(zip_text(xlsx, n) for n in zip_names(xlsx)
                 if n.startswith("xl/tables/") and 'displayName="Projects"' in zip_text(xlsx, n))
    assert re.findall(r'ref="([^"]+)"', table) == [f"A1:{last}", f"A1:{last}"]
    assert len(re.findall(r'<row r="\d+"', sheet)) == 1 + LARGE_ROWS
    # Excel's own escapes, which Excel undoes when it reads the text back
    assert "<t>_x005F_x0041_</t>" in sheet and "<t>ctl_x0001_char</t>" in sheet and "<t>nul_x0000_x</t>" in sheet
    assert '<t xml:space="preserve"> leading</t>' in sheet and "<t>&lt;r&gt;rich&lt;/r&gt;</t>" in sheet
    # the shared-string table counts what the sheets use, each text once
    sst = zip_text(xlsx, "xl/sharedStrings.xml")
    entries = re.findall(r"<si>(.*?)</si>", sst, re.S)
    assert f'uniqueCount="{len(entries)}"' in sst and len(set(entries)) == len(entries)
    used = sum(len(re.findall(r'<c r="[A-Z]+\d+"[^>]* t="s">', zip_text(xlsx, n)))
               for n in zip_names(xlsx) if n.startswith("xl/worksheets/sheet"))
    assert f'count="{used}"' in sst


def test_large_workbook_is_the_same_bytes_twice(large):
    roadmap, stats, path = large
    assert render_workbook(roadmap, stats, BuildOptions(as_of=SEED_DATE)) == path.read_bytes()


def test_roadmap_without_projects(sample_roadmap, sample_stats):
    import dataclasses

    empty = dataclasses.replace(sample_roadmap, projects=())
    out = render_workbook(empty, sample_stats, BuildOptions(as_of=SEED_DATE))
    ws = openpyxl.load_workbook(io.BytesIO(out))[PROJECTS]
    # no projects, no follow-up snapshots: one column fewer; the table keeps one empty row
    assert ws.tables["Projects"].ref == "A1:R2"
    assert ws.max_row == 1 and ws["D1"].value == "Nimi suomeksi / Namn på finska"
