"""Reading the master workbook: sample figures, header and vocabulary variants, findings."""

from __future__ import annotations

from collections import Counter

import pytest

from digireport.model import (
    Beneficiary,
    CostKind,
    Goal,
    Level,
    Severity,
    SizeClass,
    Status,
    TargetKind,
    Text,
)
from digireport.roadmap import PROJECT_FIELDS, classify_target, parse_cost, parse_measure, parse_roadmap
from digireport.translations import apply_translations
from tests.conftest import make_workbook

FI_HEAD = ["Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)", "2024", "2025", "Tila"]
SV_HEAD = ["Mål", "Åtgärd", "Åtgärdens namn", "Åtgärdens namn (fi)", "2024", "2025", "Status"]


def read(rows, sheet="Tiekartta", extra=None):
    sheets = {sheet: rows}
    if extra:
        sheets.update(extra)
    return parse_roadmap(make_workbook(sheets), "test.xlsx")


def codes(roadmap):
    return [(f.code, f.row, f.column) for f in roadmap.findings]


# ---- the sample -----------------------------------------------------------------------------


def test_sample_counts(sample_roadmap):
    assert len(sample_roadmap.projects) == 80
    assert len(sample_roadmap.indicators) == 17
    span = [p for p in sample_roadmap.projects if {2024, 2025} & set(p.years)]
    assert Counter(p.status for p in span) == {
        Status.STARTED: 21, Status.DONE: 18, Status.UNKNOWN: 6, Status.PLANNED: 5, Status.DROPPED: 2}
    goals_2024 = Counter(p.goal for p in sample_roadmap.projects if 2024 in p.years)
    assert goals_2024 == {Goal.A: 8, Goal.B: 2, Goal.C: 8, Goal.K: 8}
    assert sum(1 for p in sample_roadmap.projects if 2026 in p.years) == 28


def test_sample_sheets_and_header(sample_roadmap):
    roadmap_sheet = sample_roadmap.sheet("roadmap")
    assert (roadmap_sheet.name, roadmap_sheet.header_row, roadmap_sheet.language) == ("Tiekartta", 3, "fi")
    columns = {f: c for f, c, _ in roadmap_sheet.columns}
    assert columns["status"] == "J" and columns["snapshot.10/2024"] == "V" and columns["name.sv"] == "D"
    assert sample_roadmap.sheet("indicators").name == "Mittarit"


def test_sample_records(sample_roadmap):
    by_id = {p.id: p for p in sample_roadmap.projects}
    a2 = by_id["A2"]
    assert a2.status is Status.DONE and a2.goal is Goal.A and a2.years == (2024,)
    assert a2.name.sv == "Kundtjänstapp och -kort"
    assert a2.level is Level.SHARED and a2.beneficiaries == (Beneficiary.RESIDENTS,)
    assert (a2.cost_eur, a2.cost_kind) == (3000.0, CostKind.YEARLY)
    assert dict(a2.status_history) == {"10/2024": Status.DONE}
    assert by_id["C2"].status is Status.STARTED  # written 'aloitettu'
    assert by_id["A10"].status is Status.DONE  # written 'Tehty '
    assert by_id["K6"].cost_eur == 12400.0  # written '12 400 €'
    assert by_id["K1"].goal is Goal.K  # written 'Kyvykkyydet'
    assert by_id["A5"].years == (2024,)  # marked 'X'


def test_sample_indicators(sample_roadmap):
    ind = {i.name.fi: i for i in sample_roadmap.indicators}
    sat = ind["ePorvoon asiakastyytyväisyys asteikolla 1-4"]
    assert sat.value(2025).value == 2.37 and sat.target.value == 3 and sat.goal is Goal.A
    shop = ind["Verkkokaupan ostokset, euroa / vuosi"]
    assert shop.value(2024).value == 351463.68
    bi = ind["Kaupungin yhteisten raporttien käyttäjät"]
    assert bi.value(2024).raw == "Noin 50 käyttäjää" and bi.value(2024).value == 50 and bi.value(2024).approx
    assert bi.value(2025).value == 201
    growth = ind["ePorvoon asiointimäärä (Porvoon suomi.fi -tunnistautuneet)"]
    assert growth.target.kind is TargetKind.RELATIVE and growth.target.value == 10
    pcs = ind["Tietokoneiden määrä (työntekijä / oppilas / luottamushenkilö)"]
    assert pcs.value(2025).raw == "0,73 / 0,69 / 0,33" and pcs.value(2025).value is None


# ---- value parsing ------------------------------------------------------------------------


@pytest.mark.parametrize("raw, value, approx, percent", [
    ("2,37", 2.37, False, False),
    ("351463,68", 351463.68, False, False),
    ("351 463,68", 351463.68, False, False),
    ("Noin 50 käyttäjää", 50, True, False),
    ("ca 50 användare", 50, True, False),
    ("201 (marraskuu)", 201, False, False),
    ("0,73 / 0,69 / 0,33", None, False, False),
    ("8400 e säästö lisenssien optimoinnilla", 8400, False, False),
    ("Seurannan laadinta käynnissä", None, False, False),
    ("Ei toteutettu 2025", None, False, False),
    ("aloitettiin 2024", None, False, False),
    ("100 %", 100, False, True),
    (2528.0, 2528, False, False),
])
def test_parse_measure(raw, value, approx, percent):
    m = parse_measure(raw)
    assert (m.value, m.approx, m.percent) == (value, approx, percent)
    assert m.raw == (raw if isinstance(raw, str) else "2528")


@pytest.mark.parametrize("raw, raw_sv, kind, value", [
    (4000.0, None, TargetKind.ABSOLUTE, 4000),
    ("100 %", None, TargetKind.PERCENT, 100),
    ("Määrä lisääntyy 10 prosenttia vuosittain", "ökar med 10% per år", TargetKind.RELATIVE, 10),
    ("300 käyttäjää", None, TargetKind.ABSOLUTE, 300),
    ("Viisi kaupungin toiminnan kannalta merkittävää prosessia", None, TargetKind.ABSOLUTE, 5),
    ("Järjestelmät viikoittain käytössä", None, TargetKind.QUALITATIVE, None),
])
def test_classify_target(raw, raw_sv, kind, value):
    t = classify_target(raw, raw_sv)
    assert (t.kind, t.value) == (kind, value)


@pytest.mark.parametrize("raw, value, ok, kind", [
    (3000.0, 3000, True, None),
    ("12 400 €", 12400, True, None),
    ("3000 e", 3000, True, None),
    ("3 000 euroa", 3000, True, None),
    ("5000 €/v", 5000, True, CostKind.YEARLY),
    ("noin paljon", None, False, None),
    ("", None, True, None),
])
def test_parse_cost(raw, value, ok, kind):
    assert parse_cost(raw) == (value, ok, kind)


# ---- headers ----------------------------------------------------------------------------------


def test_header_under_titles_and_notes():
    rows = [["Porvoon digitiekartta"], [], ["Huom: päivitä ennen kokousta"], FI_HEAD,
            ["A", "A1", "Nimi", "Namn", "x", None, "Tehty"]]
    r = read(rows)
    assert r.sheet("roadmap").header_row == 4
    assert [p.id for p in r.projects] == ["A1"]


def test_header_found_by_content_not_position():
    r = read([["Ohje"]], sheet="Ohje", extra={"Data": [FI_HEAD, ["B", "B1", "N", "S", None, "x", "Aloitettu"]]})
    assert r.sheet("roadmap").name == "Data"
    assert r.projects[0].years == (2025,)


def test_swedish_headers_and_words():
    rows = [SV_HEAD + ["Nivå", "Grund", "Långsiktig nytta", "Vem gynnas", "Kostnad (S/M/L)", "Effekt (S/M/L)",
                       "Utvecklingsmodell", "Ansvarig", "Kostnad €", "Kostnadens karaktär", "Status 10/2024"],
            ["Kompetensområden", "K3", "Analysverktyg", "Analyysiväline", "X", "", "Påbörjat", "Analys & data",
             "Lag", "Hållbarhet", "personal, klimatet", "S", "L", "Nätverk", "Ekonomidirektör", "3000 €",
             "Årlig", "Planeras"],
            ["A", "A4", "Tjänst", "Palvelu", "", "✓", "Ingen information", "Digital grund", "Strategi",
             "Förnyelse", "företag", "M", "M", "självständigt", "", "", "", "avstår"]]
    r = read(rows)
    sheet = r.sheet("roadmap")
    assert sheet.language == "sv"
    k3, a4 = r.projects
    assert (k3.goal, k3.status, k3.years, k3.name.sv, k3.name.fi) == (
        Goal.K, Status.STARTED, (2024,), "Analysverktyg", "Analyysiväline")
    assert k3.beneficiaries == (Beneficiary.STAFF, Beneficiary.CLIMATE)
    assert (k3.cost_class, k3.impact_class, k3.cost_eur, k3.cost_kind) == (
        SizeClass.S, SizeClass.L, 3000, CostKind.YEARLY)
    assert dict(k3.status_history) == {"10/2024": Status.PLANNED}
    assert (a4.status, a4.years, dict(a4.status_history)) == (Status.UNKNOWN, (2025,), {"10/2024": Status.DROPPED})
    assert [f.code for f in r.findings if f.severity is not Severity.INFO] == ["no_indicator_sheet"]


def test_bilingual_header_cells_and_single_year_column():
    rows = [["Tavoite / Mål", "Tunnus / Åtgärd", "Toimenpiteen nimi", "Åtgärdens namn", "Vuosi", "Tila / Status"],
            ["C", "C1", "Nimi", "Namn", "2024, 2025", "Tehty"],
            ["C", "C2", "Nimi 2", "Namn 2", 2026, "Suunnitellaan"],
            ["C", "C3", "Nimi 3", "Namn 3", "2024–2026", "Aloitettu"]]
    r = read(rows)
    assert [p.years for p in r.projects] == [(2024, 2025), (2026,), (2024, 2025, 2026)]
    assert [p.name.sv for p in r.projects] == ["Namn", "Namn 2", "Namn 3"]


@pytest.mark.parametrize("mark", ["x", "X", "✓", "2024", 2024, 1, "kyllä", "ja", "Ja"])
def test_year_marks(mark):
    r = read([FI_HEAD, ["A", "A1", "N", "S", mark, None, "Tehty"]])
    assert r.projects[0].years == (2024,)


@pytest.mark.parametrize("goal_text, goal", [
    ("A", Goal.A), ("b", Goal.B), ("Kyvykkyydet", Goal.K), ("K", Goal.K), ("Kompetensområden", Goal.K),
    ("Ihmislähtöiset sähköiset palvelut (palvella asiakkaita kattavasti)", Goal.A),
    ("Digitaliseringen för dagliga klimatåtgärder", Goal.B), (" c ", Goal.C),
])
def test_goal_variants(goal_text, goal):
    r = read([FI_HEAD, [goal_text, f"{goal.value}1", "N", "S", "x", None, "Tehty"]])
    assert r.projects[0].goal is goal


@pytest.mark.parametrize("word, status", [
    ("Suunnitellaan", Status.PLANNED), ("Planeras", Status.PLANNED), ("ALOITETTU", Status.STARTED),
    ("Påbörjat", Status.STARTED), ("Tehty ", Status.DONE), ("Färdig", Status.DONE),
    ("Ei tietoa", Status.UNKNOWN), ("ingen info", Status.UNKNOWN), ("Ingen information", Status.UNKNOWN),
    ("Luovutaan", Status.DROPPED), ("Avstår", Status.DROPPED), ("Avstås", Status.DROPPED),
])
def test_status_variants(word, status):
    r = read([FI_HEAD, ["A", "A1", "N", "S", "x", None, word]])
    assert r.projects[0].status is status


# ---- findings ---------------------------------------------------------------------------------


def test_findings_never_drop_rows():
    rows = [FI_HEAD + ["Taso", "Kustannus €"],
            ["A", "A1", "Hyvä", "Bra", "x", None, "Tehty", "Digitaalinen perusta", 100],
            ["B", "A2", "Väärä kirjain", "Fel bokstav", "x", None, "Kesken", "Avaruus", "paljon"],
            ["C", "A1", "Tuplatunnus", "", "?", None, None, None, None],
            [None, None, "Ei tunnusta", "Ingen beteckning", "x", None, "Tehty", None, None],
            [],
            ["Yhteensä", None, None, None, None, None, None, None, 100],
            ["Huom: toimenpiteet päivitetään kuukausittain"]]
    r = read(rows)
    assert [p.name.fi for p in r.projects] == ["Hyvä", "Väärä kirjain", "Tuplatunnus", "Ei tunnusta"]
    found = codes(r)
    assert ("id_goal_mismatch", 3, "B") in found
    assert ("unknown_status", 3, "G") in found
    assert ("unknown_value", 3, "H") in found
    assert ("unparseable_number", 3, "I") in found
    assert ("duplicate_id", 4, "B") in found
    translated = codes(apply_translations(r))
    assert ("missing_translation", 4, "D") in translated
    assert ("missing_translation", 4, "D") not in found
    assert ("unknown_year_mark", 4, "E") in found
    assert ("missing_year", 4, "E") in found
    assert ("missing_status", 4, "G") in found
    assert ("missing_id", 5, "B") in found and ("missing_goal", 5, "A") in found
    assert ("sum_row", 7, "A") in found
    assert ("not_a_project", 8, "A") in found
    second = r.projects[1]
    assert second.status is Status.UNKNOWN and second.level is None and second.cost_eur is None
    assert second.goal is Goal.B  # the goal column wins; the id letter is a finding
    value = next(f for f in r.findings if f.code == "unknown_status")
    assert (value.sheet, value.value, value.severity) == ("Tiekartta", "Kesken", Severity.ERROR)


def test_missing_indicator_sheet_is_a_finding():
    r = read([FI_HEAD, ["A", "A1", "N", "S", "x", None, "Tehty"]])
    assert r.indicators == () and "no_indicator_sheet" in [f.code for f in r.findings]


def test_swedish_indicator_sheet():
    ind = [["Mål", "Mätare", "Mätare (fi)", "Målsättning", "Källa", "Enhet", "2024", "2025"],
           ["a", "Kundnöjdhet", "Asiakastyytyväisyys", "3", "Suomi.fi", "1-4", "2,22", 2.37]]
    r = read([FI_HEAD, ["A", "A1", "N", "S", "x", None, "Tehty"]], extra={"Indikatorer": ind})
    (i,) = r.indicators
    assert (i.name.sv, i.name.fi, i.goal, i.target.value) == ("Kundnöjdhet", "Asiakastyytyväisyys", Goal.A, 3)
    assert [(y, m.value) for y, m in i.values] == [(2024, 2.22), (2025, 2.37)]


# ---- Swedish sources: language twins and bilingual vocabularies ------------------------------


def test_twin_columns_for_every_free_text_field():
    rows = [FI_HEAD + ["Vaikutukset", "Vaikutukset (ruotsiksi)", "Vastuutaho", "Ansvarig",
                       "Minkä ongelman toimenpide ratkaisee", "Problem (sv)"],
            ["A", "A1", "Hyvä", "Bra", "x", None, "Tehty", "Jatkuva hyöty", "Kontinuerlig nytta",
             "Hallintojohtaja", "Förvaltningsdirektören", "Miksi?", "Varför?"]]
    r = read(rows)
    p = r.projects[0]
    assert p.impact == Text("Jatkuva hyöty", "Kontinuerlig nytta")
    assert p.owner == Text("Hallintojohtaja", "Förvaltningsdirektören")  # the workbook's own beats the vocabulary
    assert p.problem == Text("Miksi?", "Varför?")
    assert not [f for f in apply_translations(r).findings if f.code == "missing_translation"]


def test_owner_titles_from_the_vocabulary_in_both_directions():
    rows = [FI_HEAD + ["Vastuutaho"],
            ["A", "A1", "Hyvä", "Bra", "x", None, "Tehty", "Porvoon Veden toimitusjohtaja"],
            ["A", "A2", "Toinen", "Annan", "x", None, "Tehty", "kaupunkikehitysjohtaja "],
            ["A", "A3", "Kolmas", "Tredje", "x", None, "Tehty", "Satamajohtaja"]]
    r = read(rows)
    assert [p.owner for p in r.projects] == [
        Text("Porvoon Veden toimitusjohtaja", "VD för Borgå Vatten"),
        Text("kaupunkikehitysjohtaja", "Direktör för stadsutvecklingen"),
        Text("Satamajohtaja", None)]
    missing = [(f.code, f.row, f.column, f.value) for f in apply_translations(r).findings
               if f.code == "missing_translation"]
    assert missing == [("missing_translation", 4, "H", "Satamajohtaja")]
    sv = read([SV_HEAD + ["Ansvarig"], ["A", "A1", "Bra", "Hyvä", "x", None, "Färdig", "VD för Borgå vatten"]])
    assert sv.projects[0].owner == Text("Porvoon Veden toimitusjohtaja", "VD för Borgå vatten")


def test_a_list_sheet_with_a_swedish_column_names_owners():
    lists = {"Listat": [["Vastuutaho", "Vastuutaho (ruotsiksi)"], ["Satamajohtaja", "Hamndirektör"],
                        ["Kehitysjohtaja", "Direktör för utveckling"]]}
    rows = [FI_HEAD + ["Vastuutaho"],
            ["A", "A1", "Hyvä", "Bra", "x", None, "Tehty", "Satamajohtaja"],
            ["A", "A2", "Toinen", "Annan", "x", None, "Tehty", "Kehitysjohtaja"]]
    r = read(rows, extra=lists)
    assert [p.owner.sv for p in r.projects] == ["Hamndirektör", "Direktör för utveckling"]
    assert [s.role for s in r.source.sheets] == ["roadmap", "lists"]


def test_indicator_values_and_targets_with_swedish_twins():
    indicators = {"Mittarit": [
        ["Tavoite", "Mittari", "Mittari (ruotsiksi)", "Tavoitearvo", "Tavoitearvo (ruotsiksi)", "2024",
         "2024 (ruotsiksi)", "2025", "2025 (sv)"],
        ["A", "Käyttäjät", "Användare", "300 käyttäjää", "300 användare", "Noin 50 käyttäjää", "Cirka 50 användare",
         "Tehty", None]]}
    r = read([FI_HEAD, ["A", "A1", "Hyvä", "Bra", "x", None, "Tehty"]], extra=indicators)
    ind = r.indicators[0]
    assert ind.target.text == Text("300 käyttäjää", "300 användare")
    assert ind.value(2024).text == Text("Noin 50 käyttäjää", "Cirka 50 användare")
    assert ind.value(2024).value == 50 and ind.value(2024).approx
    assert ind.value(2025).text == Text("Tehty", None)
    columns = {f: c for f, c, _h in r.sheet("indicators").columns}
    assert columns["year.2024.sv"] == "G" and columns["year.2025"] == "H" and columns["year.2025.sv"] == "I"
    missing = [(f.row, f.column, f.value) for f in apply_translations(r).findings if f.code == "missing_translation"]
    assert missing == [(2, "I", "Tehty")]


def test_project_fields_are_one_table():
    keys = [spec.key for spec in PROJECT_FIELDS]
    assert len(keys) == len(set(keys))
    assert {s.key for s in PROJECT_FIELDS if s.twin} == {"name", "problem", "impact", "owner"}
    assert {s.key: s.severity for s in PROJECT_FIELDS}["status"] is Severity.ERROR


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_word_the_outputs_show_for_a_code_reads_back_as_that_code(lang):
    """A keeper who copies a word from a deck or a workbook into the master gets the same code back."""
    from digireport import labels
    from digireport import vocabulary as voc
    from digireport.i18n import l10n

    loc = l10n(lang)
    specs = {spec.key: spec for spec in PROJECT_FIELDS}
    assert set(labels.BY_FIELD) <= set(specs)
    for field, words in labels.BY_FIELD.items():
        vocabulary = specs[field].vocabulary
        for code, msgid in words.items():
            text = loc(msgid)
            read = vocabulary(text) if callable(vocabulary) else vocabulary.get(voc.norm(text))
            assert read == code, (field, text)
    assert voc.LEVELS[voc.norm("digital grund (inklusive digital säkerhet)")] is Level.FOUNDATION  # the board's 2024 deck
