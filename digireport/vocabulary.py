"""How the master workbook spells things: header aliases and value vocabularies, Finnish and Swedish.

Keys are normalized with `norm()` (lower case, single spaces, no trailing punctuation).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from digireport.model import (
    Basis,
    Beneficiary,
    Benefit,
    CostKind,
    DevModel,
    Goal,
    Level,
    SizeClass,
    Status,
)

_SPACES = re.compile(r"[\s\u00a0\u202f]+")


@lru_cache(maxsize=65536)
def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).strip().lower()
    return text.rstrip(":*.").strip()


# ---- headers -----------------------------------------------------------------------------

# field -> {language: aliases}
ROADMAP_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "goal": {
        "fi": ("tavoite", "digiohjelman tavoite", "teema", "päätavoite", "tavoitealue"),
        "sv": ("mål", "målsättning", "tema", "digiprogrammets mål", "målområde"),
    },
    "id": {
        "fi": ("tunnus", "id", "nro", "numero", "tunniste", "koodi", "toimenpiteen tunnus"),
        "sv": ("åtgärd", "beteckning", "nr", "kod", "nummer", "åtgärdens beteckning", "åtgärdsnummer"),
    },
    "name": {
        "fi": ("toimenpiteen nimi", "toimenpide", "nimi", "projektin nimi", "projekti",
               "hanke", "käyttötapauksen/ projektin nimi", "käyttötapauksen/projektin nimi"),
        "sv": ("åtgärdens namn", "namn", "projektets namn", "projekt", "åtgärdens benämning"),
    },
    "problem": {
        "fi": ("minkä ongelman toimenpide ratkaisee", "ongelma", "mitä ongelmaa toimenpide ratkaisee",
               "mikä ongelma ratkaistaan", "minkä ongelman ratkaisee"),
        "sv": ("vilket problem löser åtgärden", "problem", "vilket problem löser projektet",
               "vilket problem löses"),
    },
    "impact": {
        "fi": ("vaikutukset", "vaikutus", "toteutuneet vaikutukset"),
        "sv": ("konsekvenser", "effekter", "verkningar"),
    },
    "year": {
        "fi": ("vuosi", "tiekarttavuosi", "toteutusvuosi", "vuodet"),
        "sv": ("år", "färdplansår", "genomförandeår"),
    },
    "status": {"fi": ("tila", "tilanne"), "sv": ("status", "läge")},
    "level": {"fi": ("taso",), "sv": ("nivå",)},
    "basis": {"fi": ("peruste", "perustelu"), "sv": ("grund", "motivering")},
    "benefit": {
        "fi": ("pitkän aikavälin hyöty", "hyöty", "pitkän aikavälin hyödyt"),
        "sv": ("långsiktig nytta", "nytta", "den långsiktiga nyttan"),
    },
    "beneficiaries": {
        "fi": ("kuka hyötyy", "hyötyjä", "hyötyjät", "kohderyhmä", "ketä hyödyttää"),
        "sv": ("vem gynnas", "vem har nytta", "nyttotagare", "målgrupp", "vem drar nytta"),
    },
    "cost_class": {
        "fi": ("kustannus (s/m/l)", "kustannusluokka", "kustannus s/m/l", "kustannukset (s/m/l)", "kustannus"),
        "sv": ("kostnad (s/m/l)", "kostnadsklass", "kostnad s/m/l", "kostnader (s/m/l)", "kostnad"),
    },
    "impact_class": {
        "fi": ("vaikuttavuus (s/m/l)", "vaikuttavuus", "vaikuttavuusluokka", "vaikuttavuus s/m/l"),
        "sv": ("effekt (s/m/l)", "verkningsfullhet", "effekt", "genomslag (s/m/l)", "effekt s/m/l",
               "verkningsfullhet (s/m/l)"),
    },
    "model": {
        "fi": ("kehittämismalli", "toteutusmalli"),
        "sv": ("utvecklingsmodell", "genomförandemodell"),
    },
    "owner": {
        "fi": ("vastuutaho", "vastuuhenkilö", "vastuujohtaja", "vastuullinen johtaja", "vastuussa", "omistaja"),
        "sv": ("ansvarig", "ansvarsperson", "ansvarig direktör", "ansvarig part", "ägare"),
    },
    "cost_eur": {
        "fi": ("kustannus €", "kustannus (€)", "kustannus euroa", "kustannukset €", "kustannus eur",
               "kustannukset (€)", "kustannus (eur)"),
        "sv": ("kostnad €", "kostnad (€)", "kostnad euro", "kostnader €", "kostnad eur", "kostnader (€)"),
    },
    "cost_kind": {
        "fi": ("kustannuksen luonne", "kustannustyyppi", "kustannuslaji"),
        "sv": ("kostnadens karaktär", "kostnadstyp", "kostnadens art"),
    },
}

INDICATOR_HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "goal": {
        "fi": ("tavoite", "teema", "tavoitealue"),
        "sv": ("mål", "tema", "målområde"),
    },
    "name": {
        "fi": ("mittari", "mittarin nimi", "mittarit"),
        "sv": ("mätare", "indikator", "mätarens namn", "indikatorns namn"),
    },
    "target": {
        "fi": ("tavoitearvo", "tavoitetaso", "tavoitearvot"),
        "sv": ("målvärde", "målsättning", "målnivå"),
    },
    "source": {"fi": ("lähde", "tietolähde"), "sv": ("källa", "datakälla")},
    "unit": {"fi": ("yksikkö",), "sv": ("enhet",)},
}

# Fields a sheet must have to be used at all.
ROADMAP_REQUIRED = ("goal", "id", "name", "status", "year")
INDICATOR_REQUIRED = ("name", "target")

# "(ruotsiksi)", "(sv)", "(på svenska)" ... mark a column as the other language's twin.
LANGUAGE_SUFFIX = re.compile(
    r"\s*[\(\[]\s*(?P<lang>ruotsiksi|ruotsi|ruots|sv|se|svenska|på svenska|swedish|suomeksi|suomi|fi|"
    r"finska|på finska|finnish)\s*[\)\]]$"
)
_SUFFIX_LANG = {
    "ruotsiksi": "sv", "ruotsi": "sv", "ruots": "sv", "sv": "sv", "se": "sv", "svenska": "sv",
    "på svenska": "sv", "swedish": "sv", "suomeksi": "fi", "suomi": "fi", "fi": "fi", "finska": "fi",
    "på finska": "fi", "finnish": "fi",
}

SNAPSHOT_HEADER = re.compile(
    r"^(?P<word>tila|status|tilanne)\s+(?P<label>\d{1,2}\s*[/.-]\s*\d{2,4}|\d{4}\s*[/-]\s*\d{1,2}|"
    r"q[1-4]\s*[/ ]\s*\d{4}|\d{1,2}\.\d{1,2}\.\d{4})$"
)
# the write-back's own remarks column ("Tarkistus" / "Kontroll"): recognized so its words are never read as data
REMARKS_HEADERS = frozenset({"tarkistus", "kontroll", "tarkistus / kontroll", "kontroll / tarkistus"})
YEAR_HEADER = re.compile(r"^(?:(?:tiekartta|färdplan|vuosi|år|toteuma|utfall|arvo|värde)\s+)?(?P<year>(?:19|20|21)\d{2})$")


def _alias_index(table: dict[str, dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, str]]:
    index: dict[str, tuple[str, str]] = {}
    for field_name, by_lang in table.items():
        for lang, aliases in by_lang.items():
            for alias in aliases:
                index.setdefault(norm(alias), (field_name, lang))
    return index


ROADMAP_ALIASES = _alias_index(ROADMAP_HEADERS)
INDICATOR_ALIASES = _alias_index(INDICATOR_HEADERS)


def split_language(header: str) -> tuple[str, str | None]:
    """('toimenpiteen nimi', 'sv') for 'Toimenpiteen nimi (ruotsiksi)'."""
    m = LANGUAGE_SUFFIX.search(header)
    if not m:
        return header, None
    return header[: m.start()].strip(), _SUFFIX_LANG[m.group("lang")]


# ---- values ------------------------------------------------------------------------------

GOAL_NAMES = {
    Goal.A: ("ihmislähtöiset sähköiset palvelut", "människoorienterade e-tjänster",
             "människonära elektroniska tjänster"),
    Goal.B: ("digitalisaatio ilmastotekojen toteuttamiseksi", "digitaliseringen för dagliga klimatåtgärder",
             "digitalisering för dagliga klimatåtgärder"),
    Goal.C: ("ketteröittää ja automatisoida toimintaa", "göra verksamheten smidigare och automatiserad",
             "ketteröitetään ja automatisoidaan toimintaa"),
    Goal.K: ("kyvykkyydet", "kompetensområden", "kompetens områden", "kyvykkyys", "kompetensområde",
             "kompetens"),
}

_GOALS: dict[str, Goal] = {}
for _goal, _names in GOAL_NAMES.items():
    _GOALS[_goal.value.lower()] = _goal
    for _n in _names:
        _GOALS[norm(_n)] = _goal

STATUSES: dict[str, Status] = {
    "suunnitellaan": Status.PLANNED, "suunniteltu": Status.PLANNED, "suunnitteilla": Status.PLANNED,
    "planeras": Status.PLANNED, "planerad": Status.PLANNED, "planerat": Status.PLANNED,
    "aloitettu": Status.STARTED, "käynnissä": Status.STARTED, "käynnistetty": Status.STARTED,
    "påbörjat": Status.STARTED, "påbörjad": Status.STARTED, "inlett": Status.STARTED, "pågår": Status.STARTED,
    "tehty": Status.DONE, "valmis": Status.DONE, "toteutettu": Status.DONE,
    "färdig": Status.DONE, "färdigt": Status.DONE, "klar": Status.DONE, "klart": Status.DONE,
    "genomfört": Status.DONE,
    "ei tietoa": Status.UNKNOWN, "ingen info": Status.UNKNOWN, "ingen information": Status.UNKNOWN,
    "tuntematon": Status.UNKNOWN, "okänd": Status.UNKNOWN, "okänt": Status.UNKNOWN,
    "luovutaan": Status.DROPPED, "luovuttu": Status.DROPPED, "keskeytetty": Status.DROPPED,
    "avstås": Status.DROPPED, "avstår": Status.DROPPED, "avstått": Status.DROPPED, "avbrutet": Status.DROPPED,
}

LEVELS: dict[str, Level] = {
    "digitaalinen perusta": Level.FOUNDATION, "digitaalinen perusta (sis. digiturvan)": Level.FOUNDATION,
    "digital grund": Level.FOUNDATION, "digital grund (inkl. digital säkerhet)": Level.FOUNDATION,
    "digital grund (inklusive digital säkerhet)": Level.FOUNDATION, "den digitala grunden": Level.FOUNDATION,
    "perusta": Level.FOUNDATION,
    "kaupungin yhteiset ratkaisut": Level.SHARED, "kaupungin yhteiset ratkaisut (tori)": Level.SHARED,
    "tori": Level.SHARED, "stadens gemensamma lösningar": Level.SHARED, "gemensamma lösningar": Level.SHARED,
    "toimialakohtaiset muutokset": Level.SECTOR, "toimialakohtaiset muutokset (tosi)": Level.SECTOR,
    "tosi": Level.SECTOR, "ändringar inom sektorer": Level.SECTOR, "sektorsvisa ändringar": Level.SECTOR,
    "analytiikka & data": Level.DATA, "analytiikka ja data": Level.DATA, "analys & data": Level.DATA,
    "analys och data": Level.DATA, "data": Level.DATA,
}

BASES: dict[str, Basis] = {
    "lakisääteinen velvoite": Basis.LAW, "laki": Basis.LAW, "lakisääteinen": Basis.LAW, "lag": Basis.LAW,
    "lagstadgad skyldighet": Basis.LAW, "lagstadgad": Basis.LAW,
    "strategia": Basis.STRATEGY, "strategi": Basis.STRATEGY,
    "järjestelmän tuki loppuu": Basis.END_OF_SUPPORT, "stödet för systemet upphör": Basis.END_OF_SUPPORT,
    "tuki loppuu": Basis.END_OF_SUPPORT, "systemstödet upphör": Basis.END_OF_SUPPORT,
    "poliittinen päätöksenteko": Basis.POLITICAL, "poliittinen päätös": Basis.POLITICAL,
    "politiskt beslut": Basis.POLITICAL, "politiskt beslutsfattande": Basis.POLITICAL,
}

BENEFITS: dict[str, Benefit] = {
    "uudistuminen": Benefit.RENEWAL, "förnyelse": Benefit.RENEWAL,
    "ihmislähtöisyys": Benefit.HUMAN, "människoorientering": Benefit.HUMAN,
    "människan i centrum": Benefit.HUMAN, "människonära": Benefit.HUMAN,
    "kestävyys": Benefit.SUSTAINABILITY, "hållbarhet": Benefit.SUSTAINABILITY,
}

BENEFICIARIES: dict[str, Beneficiary] = {
    "kuntalainen": Beneficiary.RESIDENTS, "kuntalaiset": Beneficiary.RESIDENTS, "asukas": Beneficiary.RESIDENTS,
    "asukkaat": Beneficiary.RESIDENTS, "kommuninvånare": Beneficiary.RESIDENTS,
    "kommuninvånarna": Beneficiary.RESIDENTS, "invånare": Beneficiary.RESIDENTS,
    "invånarna": Beneficiary.RESIDENTS,
    "yritys": Beneficiary.COMPANIES, "yritykset": Beneficiary.COMPANIES, "företag": Beneficiary.COMPANIES,
    "företagen": Beneficiary.COMPANIES,
    "matkailija": Beneficiary.TOURISTS, "matkailijat": Beneficiary.TOURISTS, "turister": Beneficiary.TOURISTS,
    "turist": Beneficiary.TOURISTS, "turisterna": Beneficiary.TOURISTS,
    "henkilöstö": Beneficiary.STAFF, "personal": Beneficiary.STAFF, "personalen": Beneficiary.STAFF,
    "ilmasto": Beneficiary.CLIMATE, "klimatet": Beneficiary.CLIMATE, "klimat": Beneficiary.CLIMATE,
}

SIZES: dict[str, SizeClass] = {
    "s": SizeClass.S, "m": SizeClass.M, "l": SizeClass.L,
    "pieni": SizeClass.S, "keskikokoinen": SizeClass.M, "keskisuuri": SizeClass.M, "suuri": SizeClass.L,
    "liten": SizeClass.S, "medel": SizeClass.M, "medelstor": SizeClass.M, "stor": SizeClass.L,
    "small": SizeClass.S, "medium": SizeClass.M, "large": SizeClass.L,
}
# as the outputs write them: "pieni (S)", "medelstor (M)"
SIZES.update({f"{word} ({size.value.lower()})": size for word, size in list(SIZES.items()) if len(word) > 1})

MODELS: dict[str, DevModel] = {
    "verkosto": DevModel.NETWORK, "verkostomainen": DevModel.NETWORK, "nätverk": DevModel.NETWORK,
    "nätverket": DevModel.NETWORK,
    "itsenäinen": DevModel.INDEPENDENT, "självständigt": DevModel.INDEPENDENT,
    "självständig": DevModel.INDEPENDENT, "oma": DevModel.INDEPENDENT, "egen": DevModel.INDEPENDENT,
}

COST_KINDS: dict[str, CostKind] = {
    "kertaluonteinen": CostKind.ONE_OFF, "kertakustannus": CostKind.ONE_OFF, "kerta": CostKind.ONE_OFF,
    "engångs": CostKind.ONE_OFF, "engångskostnad": CostKind.ONE_OFF, "engångsartad": CostKind.ONE_OFF,
    "engångsartade": CostKind.ONE_OFF,
    "vuosittainen": CostKind.YEARLY, "vuosittain": CostKind.YEARLY, "jatkuva": CostKind.YEARLY,
    "vuotuinen": CostKind.YEARLY, "årlig": CostKind.YEARLY, "årligen": CostKind.YEARLY,
    "årliga": CostKind.YEARLY, "per år": CostKind.YEARLY, "löpande": CostKind.YEARLY,
}

# Owner titles (vastuutaho / ansvarig) in Finnish and as the Swedish decks write them. A list sheet of
# the master workbook with a Swedish column adds to these and overrides them.
OWNER_TITLES: dict[str, str] = {
    "Hallintojohtaja": "Förvaltningsdirektör",
    "Kehitysjohtaja": "Utvecklingsdirektör",
    "Elinvoimajohtaja": "Livskraftsdirektör",
    "Talousjohtaja": "Finansdirektör",
    "Tilajohtaja": "Lokalitetsdirektör",
    "Sivistysjohtaja": "Bildningsdirektör",
    "Kaupunkikehitysjohtaja": "Direktör för stadsutvecklingen",
    "Henkilöstöjohtaja": "Personaldirektör",
    "Viestintäjohtaja": "Kommunikationsdirektör",
    "Kaupunginjohtaja": "Stadsdirektör",
    "Tietohallintojohtaja": "IT-direktör",
    "Porvoon Veden toimitusjohtaja": "VD för Borgå Vatten",
    "Ruoka- ja puhtauspalvelujen toimitusjohtaja": "VD för Kost- och städtjänster",
}


class Bilingual:
    """A bilingual vocabulary of free-text values: each language's text for the other's, by `norm()`."""

    def __init__(self, pairs: dict[str, str]):
        self.sv = {norm(fi): sv for fi, sv in pairs.items()}
        self.fi = {norm(sv): fi for fi, sv in pairs.items()}

    def with_pairs(self, pairs: dict[str, str]) -> Bilingual:
        merged = Bilingual({})
        merged.sv = self.sv | {norm(fi): sv for fi, sv in pairs.items()}
        merged.fi = self.fi | {norm(sv): fi for fi, sv in pairs.items()}
        return merged

    def translate(self, text: str, lang: str) -> str | None:
        """`text` in `lang`, when the vocabulary knows it."""
        return (self.sv if lang == "sv" else self.fi).get(norm(text))


OWNERS = Bilingual(OWNER_TITLES)

YEAR_MARKS_TRUE = {"x", "✓", "✔", "☑", "1", "kyllä", "k", "ja", "j", "yes", "y", "true", "tosi", "sant"}
YEAR_MARKS_FALSE = {"", "0", "-", "–", "ei", "nej", "no", "false", "epätosi", "falskt"}

SUM_ROW = re.compile(r"^(summa|yhteensä|kaikki yhteensä|total|totalt|sum|sammanlagt|summa yhteensä)\b")

NUMBER_WORDS = {
    "yksi": 1, "kaksi": 2, "kolme": 3, "neljä": 4, "viisi": 5, "kuusi": 6, "seitsemän": 7,
    "kahdeksan": 8, "yhdeksän": 9, "kymmenen": 10,
    "en": 1, "ett": 1, "två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8,
    "nio": 9, "tio": 10,
}


def lookup_goal(text: str) -> Goal | None:
    key = norm(text)
    if key in _GOALS:
        return _GOALS[key]
    m = re.fullmatch(r"([abck])\)?", key) or re.search(r"\(([abck])\)$", key)
    if m:
        return Goal(m.group(1).upper())
    for name, goal in _GOALS.items():
        if len(name) >= 8 and key.startswith(name):
            return goal
    return None
