"""Catalog message ids for the vocabulary codes, shared by every output that shows them."""

from __future__ import annotations

import re

from digireport.i18n import _
from digireport.model import Basis, Beneficiary, Benefit, CostKind, DevModel, Goal, Level, Shown, SizeClass, Status, Text

UNKNOWN_LABEL = _("Not given")

# Shown after a text that stands in for a missing one in the output's language, in the output's
# language: keyed by the language the text is written in ("Jatkuva hyöty … (på finska)").
FALLBACK_NOTE = {"fi": _("(in Finnish)"), "sv": _("(in Swedish)")}

STATUS_LABELS = {
    Status.STARTED: _("Started"),
    Status.DONE: _("Done"),
    Status.UNKNOWN: _("No information"),
    Status.PLANNED: _("Being planned"),
    Status.DROPPED: _("Dropped"),
}

GOAL_SHORT = {
    Goal.A: _("Human-centred e-services"),
    Goal.B: _("Digitalisation for climate action"),
    Goal.C: _("Agile and automated operations"),
    Goal.K: _("Capabilities"),
}

GOAL_LONG = {
    Goal.A: _("serve customers comprehensively with human-centred electronic services"),
    Goal.B: _("use digitalisation to carry out everyday climate actions"),
    Goal.C: _("make operations more agile and automated for more useful use of time"),
    Goal.K: _("the capabilities needed to carry the programme through"),
}

LEVEL_LABELS = {
    Level.FOUNDATION: _("Digital foundation (incl. digital security)"),
    Level.SHARED: _("The city's shared solutions"),
    Level.SECTOR: _("Sector-specific changes"),
    Level.DATA: _("Analytics & data"),
}

BASIS_LABELS = {
    Basis.LAW: _("Law"),
    Basis.STRATEGY: _("Strategy"),
    Basis.END_OF_SUPPORT: _("System support ends"),
    Basis.POLITICAL: _("Political decision"),
}

BENEFIT_LABELS = {
    Benefit.RENEWAL: _("Renewal"),
    Benefit.HUMAN: _("Human-centredness"),
    Benefit.SUSTAINABILITY: _("Sustainability"),
}

BENEFICIARY_LABELS = {
    Beneficiary.RESIDENTS: _("residents"),
    Beneficiary.COMPANIES: _("companies"),
    Beneficiary.TOURISTS: _("tourists"),
    Beneficiary.STAFF: _("staff"),
    Beneficiary.CLIMATE: _("climate"),
}

MODEL_LABELS = {
    DevModel.NETWORK: _("network"),
    DevModel.INDEPENDENT: _("independent"),
}

COST_KIND_LABELS = {
    CostKind.ONE_OFF: _("one-off"),
    CostKind.YEARLY: _("per year"),
}

SIZE_LABELS = {
    SizeClass.S: _("small (S)"),
    SizeClass.M: _("medium (M)"),
    SizeClass.L: _("large (L)"),
}

# Owner titles are written in Finnish in the master workbook; known director titles have an
# official Swedish title, any other owner is shown as written.
OWNER_TITLES = {
    "Hallintojohtaja": _("Director of Administration"),
    "Kehitysjohtaja": _("Director of Development"),
    "Elinvoimajohtaja": _("Director of Vitality"),
    "Talousjohtaja": _("Director of Finance"),
    "Tilajohtaja": _("Director of Premises"),
    "Sivistysjohtaja": _("Director of Education and Culture"),
    "Kaupunkikehitysjohtaja": _("Director of Urban Development"),
    "Henkilöstöjohtaja": _("Director of Human Resources"),
    "Viestintäjohtaja": _("Director of Communications"),
}

BY_FIELD = {
    "status": STATUS_LABELS,
    "goal": GOAL_SHORT,
    "level": LEVEL_LABELS,
    "basis": BASIS_LABELS,
    "benefit": BENEFIT_LABELS,
    "beneficiaries": BENEFICIARY_LABELS,
    "model": MODEL_LABELS,
    "cost_kind": COST_KIND_LABELS,
    "cost_class": SIZE_LABELS,
    "impact_class": SIZE_LABELS,
}


def label(loc, field: str, code: str | None) -> str:
    """The word for a vocabulary code in `loc`'s language; owners translate when known."""
    if field == "owner" and code not in (None, "unknown"):
        key = code.strip()
        msgid = OWNER_TITLES.get(key[:1].upper() + key[1:].lower())
        return loc(msgid) if msgid else code
    # 'unknown' is a status of its own ("Ei tietoa"); elsewhere it means the cell was empty.
    for key, msgid in BY_FIELD.get(field, {}).items():
        if key.value == code:
            return loc(msgid)
    if code is None or code == "unknown":
        return loc(UNKNOWN_LABEL)
    return code


# Units the indicator sheet writes in words, and their word in each language.
UNITS = {"kpl": _("pcs"), "st": _("pcs"), "st.": _("pcs"), "käyttäjää": _("users"), "användare": _("users")}


def written(text: str | None, written_in: str | None, loc) -> Shown:
    """A text as the indicator sheet writes it, in the sheet's language (Finnish when unknown), as
    shown in `loc`'s output: `fallback` when that is the other language."""
    return Text(**{written_in or "fi": text or None}).pick(loc.lang)


def unit_shown(unit: str | None, written_in: str | None, loc) -> Shown:
    """An indicator's unit in `loc`'s language: known units translated, signs and scales as they are
    ("%", "€", "1-4" as "1–4"), other words as written."""
    unit = (unit or "").strip()
    msgid = UNITS.get(unit.lower())
    if msgid:
        return Shown(loc(msgid), loc.lang, False)
    if re.search(r"[^\W\d_]{2,}", unit):
        return written(unit, written_in, loc)
    return Shown(unit.replace("-", "–"), loc.lang, False)


def source_shown(source: str | None, written_in: str | None, loc) -> Shown:
    """An indicator's source: names of systems and bodies ("DVV", "Power BI") are the same in every
    language; a description in words ("Toimittajan raportointi") is as written."""
    if source and re.search(r"\s[^\W\d_A-Z]{4,}", source):
        return written(source, written_in, loc)
    return Shown(source or "", loc.lang, False)
