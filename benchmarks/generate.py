"""A large synthetic roadmap workbook shaped like tiekartta_v2.xlsx, for scale runs and tests.

The layout (sheets, title rows, header texts, column order) is the sample's; the values are
drawn from the vocabulary the master workbook really uses, including its messy spellings, plus
a few deliberately bad cells. `generate()` returns a manifest of what it wrote so that callers
can check the parser's counts and findings against it. Same seed, same file.

A findings-heavy roll-up (`--prefixed 0.67`) writes that share of the ids with the municipality
in front (`Loviisa-A12`), as a regional roll-up stacks the members' roadmaps: each such id is a
finding of its own.

    python benchmarks/generate.py [--rows 30000] [--seed 7] [--prefixed 0.67] [--out FILE.xlsx]
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import zipfile
from collections import Counter
from pathlib import Path

import xlsxwriter
import xlsxwriter.utility

DATA_DIR = Path(__file__).resolve().parent / "data"

HEADERS = [
    "Tavoite", "Tunnus", "Toimenpiteen nimi", "Toimenpiteen nimi (ruotsiksi)",
    "Minkä ongelman toimenpide ratkaisee", "Ongelma (ruotsiksi)", "2024", "2025", "2026", "Tila", "Taso",
    "Peruste", "Pitkän aikavälin hyöty", "Kuka hyötyy", "Kustannus (S/M/L)", "Vaikuttavuus (S/M/L)",
    "Kehittämismalli", "Vastuutaho", "Kustannus €", "Kustannuksen luonne", "Vaikutukset", "Tila 10/2024",
]
YEARS = (2024, 2025, 2026)

# goal letter -> spellings seen in the column
GOALS = {
    "A": ("A", "A", "A", "a", "Ihmislähtöiset sähköiset palvelut"),
    "B": ("B", "B", "b", "Digitalisaatio ilmastotekojen toteuttamiseksi"),
    "C": ("C", "C", "C", "c"),
    "K": ("Kyvykkyydet", "Kyvykkyydet", "kyvykkyydet", "Kyvykkyydet ", "K"),
}
# status code -> spellings, the first one the common case
STATUSES = {
    "planned": ("Suunnitellaan", "Suunnitellaan", "Suunnitellaan", "suunnitellaan", "Suunnitteilla", "Planeras"),
    "started": ("Aloitettu", "Aloitettu", "Aloitettu", "aloitettu", "Käynnissä", "Påbörjat", "Aloitettu "),
    "done": ("Tehty", "Tehty", "Tehty", "Tehty ", "TEHTY", "Valmis", "Klart"),
    "unknown": ("Ei tietoa", "Ei tietoa", "ei tietoa"),
    "dropped": ("Luovutaan", "Luovutaan", "Avstås"),
}
STATUS_WEIGHTS = {"planned": 35, "started": 30, "done": 20, "unknown": 8, "dropped": 7}
LEVELS = ("Kaupungin yhteiset ratkaisut", "Toimialakohtaiset muutokset", "Analytiikka & data",
          "Digitaalinen perusta", "Digitaalinen perusta (sis. digiturvan)", "Analytiikka ja data", "TORI")
BASES = ("Strategia", "Strategia", "Lakisääteinen velvoite", "Järjestelmän tuki loppuu",
         "Poliittinen päätöksenteko", "strategia")
BENEFITS = ("Kestävyys", "Uudistuminen", "Ihmislähtöisyys", "kestävyys")
BENEFICIARIES = ("henkilöstö", "kuntalainen", "ilmasto", "yritys", "kuntalaiset, henkilöstö",
                 "yritykset ja matkailijat", "Henkilöstö / ilmasto")
SIZES = ("S", "S", "M", "M", "L", "s", "m")
MODELS = ("itsenäinen", "itsenäinen", "verkosto", "Verkosto", "verkostomainen")
OWNERS = ("Kehitysjohtaja", "Hallintojohtaja", "Kaupunkikehitysjohtaja", "Sivistysjohtaja", "Talousjohtaja",
          "Elinvoimajohtaja", "Tilajohtaja", "Viestintäjohtaja", "Porvoon Veden toimitusjohtaja",
          "Henkilöstöjohtaja", "Ruoka- ja puhtauspalvelujen toimitusjohtaja")
COST_KINDS = ("kertaluonteinen", "vuosittainen", "Kertaluonteinen", "jatkuva")
YEAR_MARKS = ("x", "x", "x", "x", "X", "✓", 1)

FI_VERBS = ("Uudistetaan", "Otetaan käyttöön", "Arvioidaan", "Automatisoidaan", "Kehitetään", "Yhtenäistetään",
            "Digitalisoidaan", "Kilpailutetaan", "Selvitetään", "Analysoidaan")
FI_OBJECTS = ("asiakaspalvelun chat", "verkkokauppa", "tilavarausjärjestelmä", "laskujen käsittely",
              "palveluverkkotieto", "sähköinen arkisto", "lupaprosessi", "kirjaston e-palvelut",
              "energiankulutuksen seuranta", "työasemien elinkaari", "raportointi", "käyttöoikeuksien hallinta",
              "ruokalistat", "koulukuljetukset", "avoin data", "kokousjärjestelmä")
SV_VERBS = ("Vi förnyar", "Vi inför", "Vi utvärderar", "Vi automatiserar", "Vi utvecklar", "Vi förenhetligar",
            "Vi digitaliserar", "Vi konkurrensutsätter", "Vi utreder", "Vi analyserar")
SV_OBJECTS = ("kundtjänstens chatt", "webbutiken", "lokalbokningssystemet", "fakturahanteringen",
              "servicenätsdata", "det elektroniska arkivet", "tillståndsprocessen", "bibliotekets e-tjänster",
              "uppföljningen av energiförbrukningen", "arbetsstationernas livscykel", "rapporteringen",
              "behörighetshanteringen", "matsedlarna", "skolskjutsarna", "öppna data", "mötessystemet")
FI_PROBLEMS = ("Miten varmistamme, että {o} toimii sujuvasti?", "Miten asiakas hoitaa asiansa ilman jonoja?",
               "Miten vähennämme käsityötä ja virheitä?", "")
SV_PROBLEMS = ("Hur säkerställer vi att {o} fungerar smidigt?", "Hur sköter kunden sina ärenden utan köer?",
               "Hur minskar vi manuellt arbete och fel?", "")

# Deliberately bad cells: (kind, share of rows). Each row carries at most one.
MESSES = (
    ("unknown_status", 0.004),  # 'valmis?' in Tila
    ("missing_status", 0.004),  # Tila left empty
    ("unknown_level", 0.004),  # a level nobody defined
    ("unknown_year_mark", 0.004),  # '?' in one year column beside a real mark
    ("unparseable_cost", 0.004),  # 'n. 5000' in Kustannus €
    ("duplicate_id", 0.002),  # an id already used above
)

INDICATORS = (
    ("a", "ePorvoon asiakastyytyväisyys asteikolla 1-4", "ePorvoo kundnöjdhet, skalan 1-4", 3, 3, "1-4",
     (2.08, 2.22, 2.37)),
    ("a", "ePorvoon sähköiset palvelupyynnöt", "ePorvoo elektroniska servicebegäran", 4000, 4000, "kpl",
     (2371, 2400, 2528)),
    ("a", "ePorvoon asiointimäärä", "ePorvoo användningsvolym", "Määrä lisääntyy 10 prosenttia vuosittain",
     "ökar med 10% per år", "kpl", (113000, 97495, 88269)),
    ("a", "Verkkokaupan ostokset, euroa / vuosi", "Webbutiken köp, euro/år", "500 000 euroa vuosittainen myynti",
     "500 000", "€", (252000, 351463.68, 418779.25)),
    ("a", "Asiakaspalveluapin käyttäjien määrä", "Användare av kundappen", 1500, 1500, "käyttäjää",
     ("aloitettiin 2024", 3232, 6124)),
    ("b", "Tietokoneiden määrä (työntekijä / oppilas)", "Antal datorer / anställd / elev",
     "Yksi kone työntekijää kohden", "1 dator / person", "", ("", "Seurannan laadinta käynnissä", "0,73 / 0,69")),
    ("b", "Prosessien määrä, joissa seurataan energiankulutusta", "Antal processer där energiförbrukningen följs",
     "Viisi merkittävää prosessia", "5 viktiga processer", "kpl", ("", 1, 3)),
    ("c", "Kaupungin yhteisten raporttien käyttäjät", "Antal användare av gemensamma BI-rapporter",
     "300 käyttäjää", "300 användare", "käyttäjää", ("", "Noin 50 käyttäjää", "201 (marraskuu)")),
    ("c", "Prosessien määrä, joita automatisoitu", "Antal processer som automatiserats", "100 %", "100 %", "%",
     ("", "40 %", "75 %")),
    ("k", "Henkilöstön digitaitokoulutukset", "Personalens digitala utbildningar", 20, 20, "kpl", (4, 9, 15)),
)


MUNICIPALITIES = ("Loviisa", "Sipoo", "Askola", "Myrskylä", "Pukkila", "Lapinjärvi", "Kerava", "Tuusula")


def _project_id(letter: str, number: int) -> str:
    """A1 … A9999, then AB0 … AB9999, AC0 …: ids stay unique and in the form 'goal letter + number'."""
    if number < 10_000:
        return f"{letter}{number}"
    return f"{letter}{chr(ord('A') + number // 10_000)}{number % 10_000}"


def _pick(rng: random.Random, options):
    return options[rng.randrange(len(options))]


LAST_ROW = 1_048_576  # the last row of an .xlsx sheet
STRAY_COLUMN = len(HEADERS)  # the first column right of the table, without a header


def generate(path: Path, rows: int = 30_000, seed: int = 7, indicators: int = 60, prefixed: float = 0.0,
             stray_to: int | None = None) -> dict:
    """Write the workbook to `path`; return a manifest of what went in (counts per status, messes).

    `prefixed` is the share of rows whose id carries its municipality in front (`Loviisa-A12`).
    `stray_to` is the accident of a column filled down by mistake: one character in every row of
    the column right of the table, from the first project row down to that row (at most 1,048,576)."""
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    book.set_properties({"title": "Synthetic roadmap", "created": dt.datetime(2025, 12, 2)})

    help_sheet = book.add_worksheet("Ohje")
    help_sheet.write_string(0, 0, "Digitiekartan ylläpito")
    help_sheet.write_string(2, 0, "Päivitä Tila-sarake ennen digijoryn kokousta. Älä muuta sarakkeiden järjestystä.")
    choices = book.add_worksheet("Valinnat")
    for i, (status, size) in enumerate(zip(("Suunnitellaan", "Aloitettu", "Tehty", "Ei tietoa", "Luovutaan"),
                                           ("S", "M", "L", "", ""), strict=True)):
        choices.write_string(i, 0, status)
        if size:
            choices.write_string(i, 1, size)

    sheet = book.add_worksheet("Tiekartta")
    sheet.write_string(0, 0, "Porvoon kaupungin digitiekartta 2024–2026")
    sheet.write_string(1, 0, "Päivitetty 2.12.2025")
    for col, text in enumerate(HEADERS):
        sheet.write_string(2, col, text)

    status_counts: Counter[str] = Counter()
    messes: Counter[str] = Counter()
    mess_rows: dict[str, list[int]] = {}
    goal_counts: Counter[str] = Counter()
    next_number = dict.fromkeys(GOALS, 1)
    used_ids: list[str] = []
    status_codes = list(STATUS_WEIGHTS)
    status_weights = list(STATUS_WEIGHTS.values())
    goal_letters = list(GOALS)
    mess_kinds = [k for k, _ in MESSES]
    mess_edges = []
    edge = 0.0
    for _kind, share in MESSES:
        edge += share
        mess_edges.append(edge)

    for i in range(rows):
        r = 3 + i
        draw = rng.random()
        mess = next((k for k, e in zip(mess_kinds, mess_edges, strict=True) if draw < e), None)
        if mess == "duplicate_id" and not used_ids:
            mess = None
        letter = _pick(rng, goal_letters)
        if mess == "duplicate_id":
            pid = _pick(rng, used_ids)
            letter = pid[0]
        else:
            pid = _project_id(letter, next_number[letter])
            next_number[letter] += 1
            used_ids.append(pid)
        sheet.write_string(r, 0, _pick(rng, GOALS[letter]))
        goal_counts[letter] += 1
        if mess is None and prefixed and rng.random() < prefixed:
            mess = "prefixed_id"
            used_ids.pop()  # a later duplicate repeats a plain id, so it is found as one
            sheet.write_string(r, 1, f"{_pick(rng, MUNICIPALITIES)}-{pid}")
        else:
            sheet.write_string(r, 1, pid)
        k = rng.randrange(len(FI_OBJECTS))
        verb = rng.randrange(len(FI_VERBS))
        sheet.write_string(r, 2, f"{FI_VERBS[verb]} {FI_OBJECTS[k]} ({i + 1})")
        sheet.write_string(r, 3, f"{SV_VERBS[verb]} {SV_OBJECTS[k]} ({i + 1})")
        p = rng.randrange(len(FI_PROBLEMS))
        if FI_PROBLEMS[p]:
            sheet.write_string(r, 4, FI_PROBLEMS[p].format(o=FI_OBJECTS[k]))
            sheet.write_string(r, 5, SV_PROBLEMS[p].format(o=SV_OBJECTS[k]))

        marked = [y for y in YEARS if rng.random() < 0.4] or [_pick(rng, YEARS)]
        for y in marked:
            mark = _pick(rng, YEAR_MARKS)
            if isinstance(mark, int):
                sheet.write_number(r, 6 + YEARS.index(y), mark)
            else:
                sheet.write_string(r, 6 + YEARS.index(y), mark)
        if mess == "unknown_year_mark":
            free = [y for y in YEARS if y not in marked]
            if free:
                sheet.write_string(r, 6 + YEARS.index(free[0]), "?")
            else:
                mess = None

        code = rng.choices(status_codes, status_weights)[0]
        if mess == "unknown_status":
            sheet.write_string(r, 9, "valmis?")
            code = "unknown"
        elif mess == "missing_status":
            code = "unknown"
        else:
            sheet.write_string(r, 9, _pick(rng, STATUSES[code]))
        status_counts[code] += 1

        sheet.write_string(r, 10, "Muu taso" if mess == "unknown_level" else _pick(rng, LEVELS))
        sheet.write_string(r, 11, _pick(rng, BASES))
        sheet.write_string(r, 12, _pick(rng, BENEFITS))
        sheet.write_string(r, 13, _pick(rng, BENEFICIARIES))
        sheet.write_string(r, 14, _pick(rng, SIZES))
        sheet.write_string(r, 15, _pick(rng, SIZES))
        sheet.write_string(r, 16, _pick(rng, MODELS))
        sheet.write_string(r, 17, _pick(rng, OWNERS))
        if mess == "unparseable_cost":
            sheet.write_string(r, 18, "n. 5000")
        elif rng.random() < 0.3:
            euros = rng.randrange(1, 200) * 100
            if rng.random() < 0.1:
                sheet.write_string(r, 18, f"{euros:,} €".replace(",", " "))
            else:
                sheet.write_number(r, 18, euros)
            sheet.write_string(r, 19, _pick(rng, COST_KINDS))
        if code == "done" and rng.random() < 0.5:
            sheet.write_string(r, 20, "Jatkuva hyöty kuntalaisille ja henkilöstölle.")
        if 2024 in marked and rng.random() < 0.6:
            sheet.write_string(r, 21, _pick(rng, ("Aloitettu", "Tehty", "Ei tietoa", "Luovutaan")))
        if stray_to:
            sheet.write_string(r, STRAY_COLUMN, ".")
        if mess:
            messes[mess] += 1
            mess_rows.setdefault(mess, []).append(r + 1)

    # a sum row and a note, as people leave them under the table
    last = 3 + rows
    sheet.write_string(last, 0, "Yhteensä")
    sheet.write_number(last, 18, 0)
    sheet.write_string(last + 2, 2, "Huom. vuoden 2026 toimenpiteet hyväksytään joulukuussa.")
    if stray_to:
        for r in range(last, min(last + 3, stray_to)):
            sheet.write_string(r, STRAY_COLUMN, ".")

    ind = book.add_worksheet("Mittarit")
    for col, text in enumerate(("Tavoite", "Mittari", "Mittari (ruotsiksi)", "Tavoitearvo",
                                "Tavoitearvo (ruotsiksi)", "Lähde", "Yksikkö", "2023", "2024", "2025", "Trendi")):
        ind.write_string(0, col, text)
    for n in range(indicators):
        goal, fi, sv, target, target_sv, unit, values = INDICATORS[n % len(INDICATORS)]
        suffix = f" ({n // len(INDICATORS) + 1})" if n >= len(INDICATORS) else ""
        row = [goal, fi + suffix, sv + suffix, target, target_sv, "Digijory", unit, *values, ""]
        for col, value in enumerate(row):
            if isinstance(value, (int, float)):
                ind.write_number(n + 1, col, value)
            elif value:
                ind.write_string(n + 1, col, value)
    book.close()
    if stray_to and stray_to > last + 3:
        _append_stray_rows(path, sheet_part=f"xl/worksheets/sheet{book.worksheets().index(sheet) + 1}.xml",
                           first=last + 4, last=stray_to)
    return {
        "rows": rows,
        "indicators": indicators,
        "status_counts": dict(status_counts),
        "goal_counts": dict(goal_counts),
        "messes": dict(messes),
        "mess_rows": mess_rows,  # 1-based sheet rows, as findings report them
        "sum_row": last + 1,
        "note_row": last + 3,
        "stray_rows": (last + 4, stray_to) if stray_to and stray_to >= last + 4 else None,
    }


def _append_stray_rows(path: Path, sheet_part: str, first: int, last: int) -> None:
    """Rows `first`..`last` (1-based) with one character in the stray column, written into the sheet's
    XML directly: a million rows through xlsxwriter would take a minute."""
    letter = xlsxwriter.utility.xl_col_to_name(STRAY_COLUMN)
    with zipfile.ZipFile(path) as package:
        parts = [(info, package.read(info)) for info in package.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as package:
        for info, data in parts:
            if info.filename == sheet_part:
                rows = "".join(f'<row r="{r}"><c r="{letter}{r}" t="inlineStr"><is><t>.</t></is></c></row>'
                               for r in range(first, last + 1))
                data = re.sub(rb'<dimension ref="A1:[A-Z]+[0-9]+"/>', f'<dimension ref="A1:{letter}{last}"/>'.encode(),
                              data, count=1)
                data = data.replace(b"</sheetData>", rows.encode() + b"</sheetData>", 1)
            package.writestr(info, data, zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def default_path(rows: int, prefixed: float = 0.0) -> Path:
    return DATA_DIR / (f"roadmap-{rows}-prefixed-{prefixed:g}.xlsx" if prefixed else f"roadmap-{rows}.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--prefixed", type=float, default=0.0, help="share of ids with a municipality in front")
    parser.add_argument("--stray-to", type=int, default=None,
                        help=f"fill the column right of the table with one character down to this row ({LAST_ROW:,})")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    path = args.out or default_path(args.rows, args.prefixed)
    manifest = generate(path, rows=args.rows, seed=args.seed, prefixed=args.prefixed, stray_to=args.stray_to)
    print(f"{path}: {manifest['rows']} rows, statuses {manifest['status_counts']}, messes {manifest['messes']}")


if __name__ == "__main__":
    main()
