"""Swedish texts the master workbook lacks: findings, the worklist, and the worklist filled in and used."""

from __future__ import annotations

import io
import json
from pathlib import Path

import openpyxl
import pytest
from pptx import Presentation

from digireport import SAMPLE_WORKBOOK
from digireport.cli import main
from digireport.errors import SourceError
from digireport.i18n import l10n
from digireport.model import Text
from digireport.roadmap import parse_roadmap, read_sheets
from digireport.translations import (
    TranslationTable,
    apply_translations,
    parse_translations,
)
from tests.conftest import make_workbook

SV_HEADER = "Ruotsiksi / På svenska"


def build(source: Path, out: Path, *extra: str) -> None:
    argv = ["build", "--source", str(source), "--out", str(out), "--as-of", "2025-12-02", "--quiet",
            "--workers", "1", *extra]
    assert main(argv) == 0


def worklist_rows(path: Path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    return rows[0], rows[1:]


def deck_texts(path: Path) -> list[tuple[str, str | None]]:
    """Every text run of a deck's tables with its language tag."""
    found = []
    for slide in Presentation(str(path)).slides:
        for shape in slide.shapes:
            if not shape.has_table:
                continue
            for row in shape.table.rows:
                for cell in row.cells:
                    for p in cell.text_frame.paragraphs:
                        for run in p.runs:
                            rpr = run._r.find("{http://schemas.openxmlformats.org/drawingml/2006/main}rPr")
                            found.append((run.text, None if rpr is None else rpr.get("lang")))
    return found


def missing(report: dict, code: str = "missing_translation") -> list[tuple]:
    return [(f["sheet"], f["row"], f["column"], f["value"]) for f in report["findings"] if f["code"] == code]


@pytest.fixture(scope="module")
def first(tmp_path_factory):
    out = tmp_path_factory.mktemp("first")
    build(SAMPLE_WORKBOOK, out)
    return out


@pytest.fixture(scope="module")
def filled(first, tmp_path_factory):
    """The first build's worklist with every Swedish cell filled in, built again with it."""
    folder = tmp_path_factory.mktemp("filled")
    book = openpyxl.load_workbook(first / "translations-sv.xlsx")
    ws = book.active
    header = [c.value for c in ws[1]]
    fi_col, sv_col = header.index("Suomeksi / På finska") + 1, header.index(SV_HEADER) + 1
    for r in range(2, ws.max_row + 1):
        ws.cell(r, sv_col).value = f"SV {ws.cell(r, fi_col).value}"
    translations = folder / "käännökset.xlsx"
    book.save(translations)
    out = folder / "out"
    build(SAMPLE_WORKBOOK, out, "--translations", str(translations))
    return translations, out


def test_every_finnish_only_text_is_a_finding_and_a_worklist_row(first):
    report = json.loads((first / "report.json").read_text(encoding="utf-8"))
    found = missing(report)
    impacts = [f for f in found if f[0] == "Tiekartta"]
    values = [f for f in found if f[0] == "Mittarit"]
    # every completed project's impact (column U has no Swedish twin) and every indicator value in words
    assert len(impacts) == 18 and {f[2] for f in impacts} == {"U"}
    assert ("Tiekartta", 4, "U", "Jatkuva hyöty kuntalaisille ja henkilöstölle. Lippujen osto, kävijämäärien "
            "seuranta ja raportointi on digitalisoitu ja verkkomaksaminen otettu käyttöön.") in impacts
    assert {f[3] for f in values} >= {"Noin 50 käyttäjää", "Ei toteutettu 2025", "Seurannan laadinta käynnissä",
                                       "Tehty", "6264 (työasemat)"}
    assert len(values) == 14
    # owner titles come from the vocabulary; numbers need no translation
    assert not [f for f in found if f[3] in ("Porvoon Veden toimitusjohtaja", "100 %", "0,73 / 0,69 / 0,33")]
    assert all(f["severity"] == "warning" for f in report["findings"] if f["code"] == "missing_translation")
    owners = {p["owner"]["fi"]: p["owner"]["sv"] for p in report["projects"]}
    assert owners["Porvoon Veden toimitusjohtaja"] == "VD för Borgå Vatten"

    header, rows = worklist_rows(first / "translations-sv.xlsx")
    assert header[:7] == ["Välilehti / Blad", "Rivi / Rad", "Toimenpide / Åtgärd", "Kenttä / Fält",
                          "Sarake / Kolumn", "Suomeksi / På finska", SV_HEADER]
    assert [(r[0], r[1], r[4].split(":")[0], r[5]) for r in rows] == found
    assert rows[0][4] == "U: Vaikutukset" and rows[-1][4] == "J: 2025"
    assert all(r[6] is None for r in rows)
    assert rows[0][2:4] == ["A2", "impact"]
    assert [r[3] for r in rows if r[0] == "Mittarit"][:2] == ["value.2023", "value.2023"]


def test_a_filled_in_worklist_is_the_translations_workbook(filled):
    translations, out = filled
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert missing(report) == [] and missing(report, "stale_translation") == []
    a2 = next(p for p in report["projects"] if p["id"] == "A2")
    assert a2["impact"]["sv"] == "SV " + a2["impact"]["fi"]
    noin = next(i for i in report["indicators"] if i["row"] == 15)
    assert noin["values"]["2024"]["raw_sv"] == "SV Noin 50 käyttäjää"
    assert noin["values"]["2024"]["value"] == 50  # the number still comes from the Finnish text

    texts = dict(deck_texts(out / "deck-sv.pptx"))
    assert texts.get("SV " + a2["impact"]["fi"]) == "sv-FI"
    # the deck shows each indicator's latest value: row 10's 2025 value in Swedish
    assert texts.get("SV Ei toteutettu 2025") == "sv-FI"
    assert not any(t.startswith("Jatkuva hyöty") for t in texts)

    page = (out / "site" / "sv" / "index.html").read_text(encoding="utf-8")
    assert "SV Noin 50 käyttäjää" in page and ">Noin 50 käyttäjää<" not in page
    assert "SV Tehty" in page

    # nothing left to translate: every row is now among the translated ones, with its Swedish text
    header, rows = worklist_rows(out / "translations-sv.xlsx")
    assert len(rows) == 32 and all(r[6] and r[6] == f"SV {r[5]}" for r in rows)


def test_a_changed_finnish_text_makes_exactly_that_translation_stale(filled, tmp_path):
    translations, _out = filled
    book = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    ws = book["Tiekartta"]
    assert ws["U10"].value.startswith("Kartalla-palvelu")
    ws["U10"] = "Kartalla-palvelu on nyt kaikkien käytössä."
    master = tmp_path / "tiekartta_v2.xlsx"
    book.save(master)
    out = tmp_path / "out"
    build(master, out, "--translations", str(translations))
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert missing(report) == []
    stale = [f for f in report["findings"] if f["code"] == "stale_translation"]
    assert [(f["sheet"], f["row"], f["column"], f["value"]) for f in stale] == [
        ("Tiekartta", 10, "U", "Kartalla-palvelu on nyt kaikkien käytössä.")]
    assert "SV Kartalla-palvelu mahdollistaa" in stale[0]["message_sv"]
    a5 = next(p for p in report["projects"] if p["id"] == "A5")
    assert a5["impact"]["sv"] is None
    header, rows = worklist_rows(out / "translations-sv.xlsx")
    assert rows[0][:7] == ["Tiekartta", 10, "A5", "impact", "U: Vaikutukset", "Kartalla-palvelu on nyt kaikkien käytössä.",
                           None]
    assert "SV Kartalla-palvelu mahdollistaa" in rows[0][7]
    assert len(rows) == 32 and all(r[6] for r in rows[1:])


def test_a_twin_column_in_the_master_needs_no_translations_file(tmp_path):
    book = openpyxl.load_workbook(SAMPLE_WORKBOOK)
    ws = book["Tiekartta"]
    col = ws.max_column + 1
    ws.cell(3, col).value = "Vaikutukset (ruotsiksi)"
    ws.cell(4, col).value = "Kontinuerlig nytta för kommuninvånare och personal."
    master = tmp_path / "tiekartta_v2.xlsx"
    book.save(master)
    out = tmp_path / "out"
    build(master, out)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    a2 = next(p for p in report["projects"] if p["id"] == "A2")
    assert a2["impact"]["sv"] == "Kontinuerlig nytta för kommuninvånare och personal."
    found = missing(report)
    assert len([f for f in found if f[0] == "Tiekartta"]) == 17
    assert {f[2] for f in found if f[0] == "Tiekartta"} == {ws.cell(3, col).column_letter}
    texts = dict(deck_texts(out / "deck-sv.pptx"))
    assert texts.get("Kontinuerlig nytta för kommuninvånare och personal.") == "sv-FI"


# ---- the library functions ---------------------------------------------------------------------


def _words():
    return [l10n("fi"), l10n("sv")]


def test_headers_are_recognized_in_either_language_and_any_order():
    sheets = [("Blad1", [["Not a header"],
                         ["Svenska", "Finska", "Fält", "Rad", "Blad", "Åtgärd"],
                         ["Kundtjänstappen", "Asiakaspalveluappi", "impact", 4, "Tiekartta", "A2"],
                         ["", "Tyhjä", "impact", 5, "Tiekartta", "A3"]])]
    sheets[0][1][1][0], sheets[0][1][1][1] = "På svenska", "På finska"
    table = parse_translations(sheets, "x.xlsx", _words())
    assert [(e.sheet, e.row, e.key, e.field, e.fi, e.sv) for e in table.entries] == [
        ("Tiekartta", 4, "A2", "impact", "Asiakaspalveluappi", "Kundtjänstappen")]


def test_a_workbook_without_the_columns_is_refused():
    data = make_workbook({"Taul1": [["Jotain", "Muuta"], ["a", "b"]]})
    with pytest.raises(SourceError) as caught:
        parse_translations(read_sheets(data, "väärä.xlsx"), "väärä.xlsx", _words())
    assert "Ruotsiksi / På svenska" in caught.value.localized(l10n("fi"))


def test_apply_is_pure_and_the_master_wins(sample_roadmap):
    from digireport.translations import Entry

    a2 = next(p for p in sample_roadmap.projects if p.id == "A2")
    table = TranslationTable("t.xlsx", (
        Entry("Tiekartta", 4, "A2", "impact", a2.impact.fi, "Kontinuerlig nytta"),
        Entry("Tiekartta", 4, "A2", "name", a2.name.fi, "Ska inte användas"),
        Entry("Tiekartta", 0, "", "owner", "Satamajohtaja", "Hamndirektör"),
    ))
    translated = apply_translations(sample_roadmap, table)
    new_a2 = next(p for p in translated.projects if p.id == "A2")
    assert new_a2.impact == Text(a2.impact.fi, "Kontinuerlig nytta")
    assert new_a2.name == a2.name  # the master workbook's own Swedish name
    assert a2.impact.sv is None  # the input is left as it was
    assert [(t.key, t.field, t.sv) for t in translated.translated] == [("A2", "impact", "Kontinuerlig nytta")]
    codes = [f.code for f in translated.findings]
    assert codes.count("missing_translation") == 31


def test_owner_translations_apply_to_every_project_with_that_title():
    rows = [["Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)", "2025", "Tila", "Vastuutaho"],
            ["A", "A1", "Yksi", "Ett", "x", "Tehty", "Satamajohtaja"],
            ["A", "A2", "Kaksi", "Två", "x", "Tehty", "Satamajohtaja"]]
    roadmap = parse_roadmap(make_workbook({"Tiekartta": rows}), "t.xlsx")
    untranslated = apply_translations(roadmap)
    added = untranslated.findings[len(roadmap.findings):]
    assert [(f.code, f.row, f.column, f.value) for f in added] == [("missing_translation", 2, "G", "Satamajohtaja")]
    from digireport.translations import Entry

    table = TranslationTable("t.xlsx", (Entry("Tiekartta", 2, "", "owner", "satamajohtaja ", "Hamndirektör"),))
    translated = apply_translations(roadmap, table)
    assert [p.owner.sv for p in translated.projects] == ["Hamndirektör", "Hamndirektör"]
    assert translated.findings == roadmap.findings


def test_the_worklist_is_deterministic(first, tmp_path):
    out = tmp_path / "again"
    build(SAMPLE_WORKBOOK, out)
    assert (out / "translations-sv.xlsx").read_bytes() == (first / "translations-sv.xlsx").read_bytes()
    assert io.BytesIO((first / "translations-sv.xlsx").read_bytes()).getbuffer().nbytes > 0
