"""The indicator workbooks, one per language: reopened with openpyxl, read part by part inside the zip,
and opened in LibreOffice."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
import zipfile

import openpyxl
import pytest

from digireport.pipeline import BuildOptions
from digireport.workbook import filename, render_workbook
from tests.conftest import SEED_DATE, convert_to_pdf, make_workbook, pdf_pages

OVERVIEW = "Mittarit – Indikatorer"
PROJECTS = "Toimenpiteet – Åtgärder"
FINDINGS = "Havainnot – Iakttagelser"
ABOUT = "Tietoja – Om"
GENERATED = dt.datetime(2025, 12, 2, 8, 15)
OPTIONS = BuildOptions(as_of=SEED_DATE, generated=GENERATED)
EVIL = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3"]
SHEETS = {
    "fi": ["Mittarit", "Tavoite A", "Tavoite B", "Tavoite C", "Toimenpiteet", "Tilat vuosittain", "Havainnot",
           "Lukuohje", "Toisella kielellä", "Tietoja"],
    "sv": ["Mätare", "Mål A", "Mål B", "Mål C", "Åtgärder", "Status per år", "Iakttagelser", "Läsanvisning",
           "På annat språk", "Om"],
}
DEVICES = "Viimeisen kolmen kuukauden aikana käytössä olleet laitteet"  # sample row 13
LICENCES = "Lisenssikustannusten seuranta"  # sample row 17
# What Excel flags as "number stored as text": a text that is nothing but a number.
DIGITS = re.compile(r"\s*[+-]?(\d[\d \u00a0]*)([.,]\d+)?\s*%?\s*")


@pytest.fixture(scope="module")
def xlsx(sample_roadmap, sample_stats) -> dict[str, bytes]:
    return {lang: render_workbook(sample_roadmap, sample_stats, lang, OPTIONS) for lang in ("fi", "sv")}


@pytest.fixture(scope="module")
def books(xlsx):
    return {lang: openpyxl.load_workbook(io.BytesIO(data)) for lang, data in xlsx.items()}


@pytest.fixture(scope="module")
def fi(books):
    return books["fi"]


@pytest.fixture(scope="module")
def sv(books):
    return books["sv"]


pytestmark = pytest.mark.filterwarnings("ignore:Sparkline Group extension:UserWarning")


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


def sheet_part(book, name: str) -> str:
    return f"xl/worksheets/sheet{book.sheetnames.index(name) + 1}.xml"


def charts(xlsx: bytes) -> list[str]:
    return [zip_text(xlsx, n) for n in sorted(zip_names(xlsx), key=lambda n: int(re.sub(r"\D", "", n) or 0))
            if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]


def overview_row(book, name: str) -> dict[str, object]:
    ws = book.worksheets[0]
    h = header_index(ws)
    r = row_of(ws, 1, name)
    return {header: ws.cell(r, col) for header, col in h.items()}


def test_sheets_in_order(fi, sv):
    assert fi.sheetnames == SHEETS["fi"]
    assert sv.sheetnames == SHEETS["sv"]


def test_swedish_workbook_has_no_finnish_sheet_name_or_header(fi, sv):
    def words(book) -> set[str]:
        found = set(book.sheetnames)
        for ws in book:
            found |= {str(c.value) for c in ws[1] if c.value}
            for table in ws.tables.values():
                found.add(table.displayName)
        for ws in book.worksheets[1:4]:  # the goal sheets' small tables
            found |= {str(c.value) for row in ws.iter_rows() for c in row if c.font.bold and c.fill.fgColor.rgb
                      not in (None, "00000000") and isinstance(c.value, str)}
        return found

    finnish, swedish = words(fi), words(sv)
    assert not finnish & swedish, finnish & swedish
    assert {"Mätare", "Målsättning", "Målnivå", "Värde 2025", "Framsteg", "Trafikljus", "Anmärkning"} <= swedish
    assert not any(w in " ".join(swedish) for w in ("Tavoite", "Mittari", "Arvo", "Edistyminen"))


def test_overview_scale_indicator(fi):
    row = overview_row(fi, "ePorvoon asiakastyytyväisyys asteikolla 1-4")
    assert row["Tavoite"].value == "A"
    assert row["Lähde"].value == "Suomi.fi laatutyökalu"
    assert (row["Tavoitetaso"].value, row["Tavoitetaso"].number_format) == (3, '#,##0 "(1–4)"')
    assert [(row[f"Arvo {y}"].value, row[f"Arvo {y}"].number_format) for y in (2023, 2024, 2025)] == [
        (2.08, "#,##0.00"), (2.22, "#,##0.00"), (2.37, "#,##0.00")]
    assert row["Muutos: verratut vuodet"].value == "2024–2025"
    assert row["Muutos"].value == pytest.approx(0.15) and row["Muutos"].number_format.startswith("+#,##0.00")
    assert row["Edistyminen"].value == pytest.approx(0.685) and row["Edistyminen"].number_format == "0.0 %"
    assert row["Edistymisen vuosi"].value == 2025
    assert row["Edistymisen laskutapa"].value.startswith("asteikon alarajasta")
    assert row["Liikennevalo"].value == "keltainen: osittain saavutettu"


def test_devices_and_licence_costs_are_shown_as_written_not_compared(fi, sv, xlsx):
    devices = overview_row(fi, DEVICES)
    assert devices["Arvo 2025"].value == "6264 (työasemat)"
    assert devices["Edistyminen"].value is None and devices["Edistymisen vuosi"].value is None
    assert devices["Liikennevalo"].value == "ei arvioitavissa"
    assert "ei ole tavoitearvon yksikössä" in devices["Huomautus"].value
    assert (devices["Tavoitetaso"].value, devices["Tavoitetaso"].number_format) == (1, "0 %")
    licences = overview_row(fi, LICENCES)
    assert licences["Arvo 2025"].value == "8400 e säästö lisenssien optimoinnilla"
    assert licences["Edistyminen"].value is None and licences["Tavoitetaso"].value is None
    assert licences["Huomautus"].value.startswith("Tavoitearvo on sanallinen")
    # neither is plotted: no chart is titled with them, no trend is drawn for them
    for lang, book in (("fi", fi), ("sv", sv)):
        titles = set()
        for chart in charts(xlsx[lang]):
            ref = re.search(r"<c:title>.*?<c:f>(.*?)</c:f>", chart, re.S).group(1)
            sheet, cell = ref.rsplit("!", 1)
            titles.add(book[sheet.strip("'")][cell.replace("$", "")].value)
        assert DEVICES not in titles and LICENCES not in titles
        assert len(titles) == 12
    overview = zip_text(xlsx["fi"], "xl/worksheets/sheet1.xml")
    trend_col = openpyxl.utils.get_column_letter(header_index(fi["Mittarit"])["Kehitys"])
    cells = set(re.findall(r"<xm:sqref>([^<]+)</xm:sqref>", overview))
    assert f"{trend_col}{row_of(fi['Mittarit'], 1, DEVICES)}" not in cells
    assert f"{trend_col}{row_of(fi['Mittarit'], 1, LICENCES)}" not in cells
    assert f"{trend_col}2" in cells
    # the goal sheet lists them with their written values and the note
    goal_b = [c.value for row in fi["Tavoite B"].iter_rows() for c in row if c.value is not None]
    assert DEVICES in goal_b and "6264 (työasemat)" in goal_b
    assert any(isinstance(v, str) and "ei ole tavoitearvon yksikössä" in v for v in goal_b)


def test_targets_in_their_kind(fi, sv):
    def level(book, name):
        cell = overview_row(book, name)[book.worksheets[0].cell(1, 6).value]
        return cell.value, cell.number_format

    assert level(fi, "ePorvoon sähköiset palvelupyynnöt") == (4000, '#,##0 "kpl"')
    assert level(sv, "ePorvoo elektroniska servicebegäran") == (4000, '#,##0 "st."')
    assert level(fi, "ePorvoon asiointimäärä (Porvoon suomi.fi -tunnistautuneet)") == (0.1, '+0 %" / v"')
    assert level(sv, "ePorvoo användningsvolym (Suomi.fi -identifikationer)") == (0.1, '+0 %" / år"')
    assert level(fi, "Asiakaspalveluun liittyneistä digiohjelman toimenpiteistä käynnistetty") == (1, "0 %")
    row = overview_row(fi, "ePorvoon asiointimäärä (Porvoon suomi.fi -tunnistautuneet)")
    assert row["Tavoitearvo"].value == "Määrä lisääntyy 10 prosenttia vuosittain"
    assert "ei taso" in row["Huomautus"].value


def test_percent_change_in_points_and_approximate_values(fi, xlsx):
    percent = overview_row(fi, "Asiakaspalveluun liittyneistä digiohjelman toimenpiteistä käynnistetty")
    assert percent["Muutos"].value == 0 and '" %-yks."' in percent["Muutos"].number_format
    assert percent["Arvo 2024"].value == 1 and percent["Arvo 2024"].number_format == "0 %"
    users = overview_row(fi, "Kaupungin yhteisten raporttien käyttäjät")
    assert users["Arvo 2024"].value == "Noin 50 käyttäjää"  # as written
    assert users["Muutos"].number_format.startswith('"≈ "+')
    assert "Likimääräinen arvo (≈): 2024" in users["Huomautus"].value
    ws = fi["Tavoite C"]
    cells = {(c.value, c.number_format) for row in ws.iter_rows() for c in row}
    assert (50, '"≈ "#,##0') in cells
    assert any("<c:v>≈ 50</c:v>" in c or ">≈ 50<" in c for c in charts(xlsx["fi"]))


def test_no_digits_stored_as_text(books):
    for lang, book in books.items():
        for ws in book:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "s" and c.value:
                        assert not DIGITS.fullmatch(c.value), (lang, ws.title, c.coordinate, c.value)
    ws = books["fi"]["Toimenpiteet"]
    h = header_index(ws)
    assert ws.cell(2, h["Rivi"]).data_type == "n"
    assert {ws.cell(r, h["Tiekartta 2024"]).value for r in range(2, ws.max_row + 1)} <= {"kyllä", None}


def test_every_sheet_prints_with_header_footer_and_page_numbers(books):
    for book in books.values():
        for ws in book:
            assert "&P" in ws.oddFooter.center.text and "&N" in ws.oddFooter.center.text, ws.title
            assert ws.oddHeader.left.text and "2.12.2025" in ws.oddHeader.right.text
            assert int(ws.page_setup.paperSize) == 9 and ws.page_setup.orientation == "landscape"
            scale = ws.page_setup.scale
            assert ws.sheet_properties.pageSetUpPr.fitToPage or (scale and int(scale) >= 70), ws.title
            assert ws.print_title_rows, ws.title
    overview = books["fi"]["Mittarit"]
    assert overview.print_title_cols == "$A:$A" and int(overview.page_setup.scale) >= 70


def test_screen_layout(fi, sv):
    assert fi["Mittarit"].freeze_panes == "B2" and fi["Toimenpiteet"].freeze_panes == "C2"
    table = fi["Mittarit"].tables["Mittarit"]
    assert table.tableStyleInfo.showRowStripes and table.ref == "A1:Q18"
    assert list(sv["Mätare"].tables) == ["Mätare"]
    for book in (fi, sv):
        for ws in book:
            assert not ws.merged_cells.ranges, ws.title
    ws = fi["Mittarit"]
    name = row_of(ws, 1, "ePorvoon asiointimäärä (Porvoon suomi.fi -tunnistautuneet)")
    assert ws.cell(name, 1).alignment.wrap_text and ws.row_dimensions[name].height >= 30
    assert ws.cell(name, 17).alignment.wrap_text


def test_goal_sheet_blocks(fi, xlsx):
    ws = fi["Tavoite A"]
    assert ws["A1"].value == "Tavoite A: Ihmislähtöiset sähköiset palvelut"
    assert ws["A4"].value == "ePorvoon asiakastyytyväisyys asteikolla 1-4"
    assert [c.value for c in ws[5]][:4] == ["Vuosi", "Arvo (1–4)", "Tavoitearvo (1–4)", "Kirjattu arvo"]
    assert [ws.cell(r, 1).value for r in (6, 7, 8)] == [2023, 2024, 2025]
    assert [ws.cell(r, 2).value for r in (6, 7, 8)] == [2.08, 2.22, 2.37]
    rows = {ws.cell(r, 1).value: r for r in range(9, 14)}
    assert ws.cell(rows["Edistyminen"], 3).value == "keltainen: osittain saavutettu"
    assert ws.cell(rows["Edistyminen"], 4).value.startswith("2025: asteikon alarajasta")
    assert ws.cell(rows["Lähde"], 4).value == "Suomi.fi laatutyökalu"
    # a year without a comparable value is marked in the year's own cell, still a number
    users = row_of(ws, 1, "Asiakaspalveluapin/-kortin käyttäjien määrä")
    assert ws.cell(users + 2, 1).value == 2023 and ws.cell(users + 2, 1).number_format == '0" (ei verrata)"'
    assert ws.row_breaks.count >= 1
    drawing = zip_text(xlsx["fi"], "xl/drawings/drawing1.xml")
    # beside the table (from column E), below the indicator's title row
    anchor = re.search(r"<xdr:from><xdr:col>(\d+)</xdr:col>.*?<xdr:row>(\d+)</xdr:row>", drawing, re.S)
    assert anchor.groups() == ("4", "4")
    chart = charts(xlsx["fi"])[0]
    assert "<c:barChart>" in chart and "<c:lineChart>" in chart
    assert "Arvo (1–4)" in chart and "Vuosi" in chart  # axis titles with the unit
    assert '<c:lang val="fi-FI"/>' in chart and "en-US" not in chart
    assert '<c:min val="1"/>' in chart and '<c:max val="4"/>' in chart


def test_alt_text_on_every_chart(xlsx):
    for lang, data in xlsx.items():
        drawings = "".join(zip_text(data, n) for n in zip_names(data) if n.startswith("xl/drawings/drawing"))
        descriptions = re.findall(r'descr="([^"]*)"', drawings)
        assert len(descriptions) == len(charts(data)) == 12
        for d in descriptions:
            assert ("Tavoitearvo:" if lang == "fi" else "Målsättning:") in d
    fi_text = "".join(zip_text(xlsx["fi"], n) for n in zip_names(xlsx["fi"]) if n.startswith("xl/drawings/drawing"))
    assert ("Pylväskaavio ”ePorvoon sähköiset palvelupyynnöt”, arvot (kpl) vuosittain: 2023: 2\xa0371, "
            "2024: 2\xa0400, 2025: 2\xa0528. Tavoitearvo: 4\xa0000 kpl.") in fi_text
    assert "2023: 2,08, 2024: 2,22, 2025: 2,37. Tavoitearvo: 3 (1–4)." in fi_text
    assert "+10 % / v (ei tavoiteviivaa)" in fi_text
    sv_chart = charts(xlsx["sv"])[0]
    assert '<c:lang val="sv-FI"/>' in sv_chart


def test_context_sheets(fi, sv, sample_stats):
    status = fi["Tilat vuosittain"]
    assert [c.value for c in status[1]] == ["Tila", "Tiekartta 2024", "Tiekartta 2025", "Tiekartta 2026"]
    done = row_of(status, 1, "Tehty")
    assert status.cell(done, 2).value == sample_stats.status_by_year[2024]["done"]
    assert status.cell(status.max_row, 1).value == "Yhteensä"
    assert status.cell(status.max_row, 2).value == sample_stats.year_counts[2024]
    assert fi["Havainnot"]["A2"].value == "Ei havaintoja"
    assert sv["Iakttagelser"]["A2"].value == "Inga iakttagelser"
    guide = [c.value for c in fi["Lukuohje"]["A"]]
    assert {"Yksikkösääntö", "Edistymisen laskutapa", "Liikennevalo", "Tavoitteet"} <= set(guide)
    goals = fi["Lukuohje"].cell(guide.index("Tavoitteet") + 1, 2).value
    assert "K: Kyvykkyydet" in goals
    projects = fi["Toimenpiteet"]
    h = header_index(projects)
    r = row_of(projects, h["Tunnus"], "A2")
    assert projects.cell(r, h["Nimi"]).value == "Asiakaspalveluappi ja -kortti"
    assert projects.cell(r, h["Minkä ongelman ratkaisee"]).value
    assert projects.cell(r, h["Vaikutukset"]).value
    assert projects.cell(r, h["Tila"]).value == "Tehty"
    assert projects.cell(r, h["Tila 10/2024"]).value == "Tehty"
    assert projects.cell(r, h["Rivi"]).value == 4
    cost = projects.cell(r, h["Kustannus (€)"])
    assert cost.value == 3000 and cost.number_format == '#,##0.00 "€"'
    assert projects.row_dimensions[r].height >= 15
    swedish = sv["Åtgärder"]
    h = header_index(swedish)
    r = row_of(swedish, h["Beteckning"], "A2")
    assert swedish.cell(r, h["Namn"]).value == "Kundtjänstapp och -kort"
    assert swedish.cell(r, h["Status"]).value == "Färdig"
    assert swedish.cell(r, h["Konsekvenser"]).value.endswith("(på finska)")


def test_texts_in_the_other_language_are_marked_and_listed(fi, sv, sample_roadmap):
    devices = overview_row(sv, "Datorer som varit i aktiv användningen under de senaste 3 månaderna")
    assert devices["Värde 2025"].value == "6264 (työasemat) (på finska)"
    assert devices["Värde 2024"].value == "Seurannan laadinta käynnissä (på finska)"
    listed = [tuple(c.value for c in row) for row in sv["På annat språk"].iter_rows(min_row=2)]
    assert ("Mätare", "Datorer som varit i aktiv användningen under de senaste 3 månaderna",
            "6264 (työasemat) (på finska)") in listed
    impacts = sum(1 for p in sample_roadmap.projects if p.impact.fi and not p.impact.sv)
    assert impacts and ("Åtgärder", "Konsekvenser",
                        f"texter på det andra språket: {impacts}, var och en märkt i sin cell") in listed
    assert not any(text in ("AD (på finska)", "DVV (på finska)") for _s, _w, text in listed)
    # names of systems and bodies are the same in every language
    assert overview_row(sv, "ePorvoo elektroniska servicebegäran")["Källa"].value == "ePorvoo"
    assert fi["Toisella kielellä"]["A2"].value == "Kaikki tekstit ovat tämän työkirjan kielellä."


def test_about_sheet_and_properties(fi, sv, sample_roadmap):
    rows = {fi["Tietoja"].cell(r, 1).value: fi["Tietoja"].cell(r, 2) for r in range(2, fi["Tietoja"].max_row + 1)}
    assert rows["Lähdetiedosto"].value == "tiekartta_v2.xlsx"
    assert rows["Lähdetiedoston SHA-256"].value == sample_roadmap.source.sha256
    assert rows["Lähdetiedosto tallennettu viimeksi (UTC)"].value == dt.datetime(2023, 11, 20, 9, 0)
    assert rows["Tietojen päivämäärä"].value.date() == SEED_DATE
    assert rows["Tietojen päivämäärä"].number_format == "d.m.yyyy"
    assert rows["Työkirja luotu"].value == GENERATED
    assert rows["digireport-versio"].value == "0.1.0"
    assert fi.properties.title == "Digiohjelman mittarit"
    assert sv.properties.title == "Digiprogrammets mätare"
    assert fi.properties.created.date() == SEED_DATE


def test_findings_rows_and_injection():
    from digireport.roadmap import parse_roadmap
    from digireport.stats import compute_stats

    roadmap_rows = [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)", "2024",
                     "Tila", "Vastuutaho"]]
    for k, evil in enumerate(EVIL, start=1):
        roadmap_rows.append(["A", f"A{k}", evil, evil, "x", "Aloitettu", evil])
    roadmap_rows.append(["A", "A9", "Hanke", "Projekt", "x", "=cmd|x", None])
    roadmap_rows.append(["A", "A10", "Hanke", "Projekt", "x", "2024", None])
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
    out = render_workbook(roadmap, compute_stats(roadmap, SEED_DATE), "fi", OPTIONS)

    for name in zip_names(out):
        if name.startswith("xl/worksheets/sheet"):
            part = zip_text(out, name)
            assert "<f>" not in part and "<hyperlink" not in part, name
    assert not any("hyperlink" in n for n in zip_names(out))
    result = openpyxl.load_workbook(io.BytesIO(out))
    projects = result["Toimenpiteet"]
    h = header_index(projects)
    names = [projects.cell(r, h["Nimi"]) for r in range(2, 6)]
    assert [c.value for c in names] == EVIL
    assert all(c.data_type == "s" for c in names)
    assert [projects.cell(r, h["Vastuutaho"]).value for r in range(2, 6)] == EVIL
    overview = result["Mittarit"]
    assert overview.cell(2, 1).value == EVIL[0]
    assert overview.cell(2, 7).value == "-2+3" and overview.cell(2, 7).data_type == "s"
    goal = result["Tavoite A"]
    assert goal["A4"].value == EVIL[0] and goal["A4"].data_type == "s"
    # the text-valued indicator has no chart; the other's chart title refers to its name's cell
    chart = charts(out)[0]
    title = re.search(r"<c:title>.*?</c:title>", chart, re.S).group(0)
    ref = re.findall(r"<c:f>(.*?)</c:f>", title)
    assert len(ref) == 1 and goal[ref[0].split("!")[1].replace("$", "")].value == "Mittarit!A1"
    findings = result["Havainnot"]
    values = [findings.cell(r, 5).value for r in range(2, findings.max_row + 1)]
    assert "=cmd|x" in values
    r = 2 + values.index("=cmd|x")
    assert [findings.cell(r, c).value for c in range(1, 7)] == [
        "virhe", "Tiekartta", 6, "F", "=cmd|x", "Tuntematon tila; lasketaan tilaan Ei tietoa."]
    assert findings.cell(r, 5).data_type == "s"
    # a finding's value that is a number is stored as one
    assert 2024 in values


def test_deterministic(xlsx, sample_roadmap, sample_stats, sample_build):
    from digireport.translations import apply_translations

    assert render_workbook(sample_roadmap, sample_stats, "fi", OPTIONS) == xlsx["fi"]
    out, _result = sample_build
    # a build lists the Swedish texts the sample lacks among its findings
    assert (out / filename("sv")).read_bytes() == render_workbook(
        apply_translations(sample_roadmap), sample_stats, "sv", BuildOptions(as_of=SEED_DATE))
    with zipfile.ZipFile(io.BytesIO(xlsx["fi"])) as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_libreoffice_opens_both_and_prints_page_numbers(sample_build, tmp_path):
    out, result = sample_build
    for lang, page_word in (("fi", "Sivu"), ("sv", "Sida")):
        path = out / filename(lang)
        assert path in result.outputs
        pdf = convert_to_pdf(path, tmp_path)
        pages = pdf_pages(pdf)
        assert pages >= 10
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        assert f"{page_word} 1 / {pages}" in text and f"{page_word} {pages} / {pages}" in text
        # each page's footer names its sheet: every sheet was printed
        for sheet in SHEETS[lang]:
            assert re.search(rf"^\s*{re.escape(sheet)}\s+{page_word} \d+ / {pages}", text, re.M), sheet


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
    xlsx = render_workbook(roadmap, stats, "fi", OPTIONS)
    path = tmp / filename("fi")
    path.write_bytes(xlsx)
    return roadmap, stats, path


@pytest.fixture(scope="module")
def large_sheets(large, tmp_path_factory):
    _roadmap, _stats, path = large
    return libreoffice_csv(path, tmp_path_factory.mktemp("large-csv"))


def expected_project_row(p, years) -> list[str]:
    """A project's row as LibreOffice shows it in en-US, from the project itself."""
    from digireport.i18n import l10n
    from digireport.workbook import WORKBOOK_LABELS

    fi = l10n("fi")

    def word(code) -> str:
        return "" if code is None else fi(WORKBOOK_LABELS[code])

    history = dict(p.status_history)
    return [
        p.id or "", p.name.fi or "", p.goal.value if p.goal else "",
        *("kyllä" if y in p.years else "" for y in years), word(p.status), word(history.get("10/2024")),
        p.problem.get("fi"), p.impact.get("fi"), word(p.level), word(p.basis), word(p.benefit),
        ", ".join(word(c) for c in p.beneficiaries),
        p.cost_class.value if p.cost_class else "", p.impact_class.value if p.impact_class else "",
        word(p.model), p.owner.fi or "",
        f"{p.cost_eur:,.2f} €" if p.cost_eur is not None else "", word(p.cost_kind), str(p.row),
    ]


def test_libreoffice_reads_every_project_of_a_large_roadmap(large, large_sheets):
    roadmap, _stats, _path = large
    rows = large_sheets["Toimenpiteet"]
    assert len(rows) == 1 + LARGE_ROWS
    assert rows[0][:4] == ["Tunnus", "Nimi", "Tavoite", "Tiekartta 2024"]
    projects = roadmap.projects
    years = list(roadmap.years)
    for k in (0, 1, LARGE_ROWS // 2, LARGE_ROWS - 1):
        assert rows[1 + k] == expected_project_row(projects[k], years), k
    # every row is there, in order, with its money formatted as euros
    assert [r[-1] for r in rows[1:]] == [str(p.row) for p in projects]
    cost = rows[0].index("Kustannus (€)")
    costs = [(r[cost], p.cost_eur) for r, p in zip(rows[1:], projects, strict=True)]
    assert sum(1 for _shown, value in costs if value is not None) > LARGE_ROWS // 5
    assert all(shown == (f"{value:,.2f} €" if value is not None else "") for shown, value in costs)
    assert large_sheets["Tietoja"][4] == ["Tietojen päivämäärä", "2.12.2025"]


def test_text_comes_back_exactly_as_written(large, large_sheets):
    rows = large_sheets["Toimenpiteet"]
    owner = rows[0].index("Vastuutaho")
    for k, text in enumerate(NASTY, start=NASTY_AT):
        row = rows[1 + k]
        assert (row[0], row[1], row[owner]) == (text, text, text), text


def test_large_projects_sheet_is_consistent(large):
    roadmap, _stats, path = large
    xlsx = path.read_bytes()
    book = openpyxl.load_workbook(path, read_only=True)
    width = book["Toimenpiteet"].max_column
    last = f"{openpyxl.utils.get_column_letter(width)}{LARGE_ROWS + 1}"
    sheet = zip_text(xlsx, sheet_part(book, "Toimenpiteet"))
    assert f'<dimension ref="A1:{last}"/>' in sheet
    table = next(zip_text(xlsx, n) for n in zip_names(xlsx)
                 if n.startswith("xl/tables/") and 'displayName="Toimenpiteet"' in zip_text(xlsx, n))
    assert re.findall(r'ref="([^"]+)"', table) == [f"A1:{last}", f"A1:{last}"]
    assert len(re.findall(r'<row r="\d+"', sheet)) == 1 + LARGE_ROWS
    # every row has the height its wrapped text needs
    assert len(re.findall(r'<row r="\d+"[^>]* ht="\d+(\.\d+)?" customHeight="1"', sheet)) >= LARGE_ROWS
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
    assert render_workbook(roadmap, stats, "fi", OPTIONS) == path.read_bytes()


def test_roadmap_without_projects(sample_roadmap, sample_stats):
    import dataclasses

    empty = dataclasses.replace(sample_roadmap, projects=())
    out = render_workbook(empty, sample_stats, "fi", OPTIONS)
    ws = openpyxl.load_workbook(io.BytesIO(out))["Toimenpiteet"]
    # no projects, no roadmap years, no follow-up snapshots; the table keeps one empty row
    assert ws.tables["Toimenpiteet"].ref == "A1:Q2"
    assert ws.max_row == 1 and ws["B1"].value == "Nimi"


def test_generation_time_in_porvoo_time(sample_roadmap, sample_stats):
    utc = dt.datetime(2025, 12, 2, 6, 15, 30, 123, tzinfo=dt.UTC)
    out = render_workbook(sample_roadmap, sample_stats, "sv", BuildOptions(as_of=SEED_DATE, generated=utc))
    ws = openpyxl.load_workbook(io.BytesIO(out))["Om"]
    rows = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}
    assert rows["Arbetsboken skapad"] == dt.datetime(2025, 12, 2, 8, 15, 30)
    without = render_workbook(sample_roadmap, sample_stats, "sv", BuildOptions(as_of=SEED_DATE))
    ws = openpyxl.load_workbook(io.BytesIO(without))["Om"]
    assert {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(2, ws.max_row + 1)}[
        "Arbetsboken skapad"] == "inte angivet i filen"
