"""Every message in the code has a Finnish and a Swedish translation with the same placeholders."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from digireport.i18n import l10n, translations

ROOT = Path(__file__).resolve().parent.parent


def _messages():
    found = set()
    for folder in ("digireport", "jobs"):
        for _f, _l, message, _c, _x in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords={"_": None, "ngettext": (1, 2), "Plural": (1, 2)}
        ):
            if isinstance(message, str) or all(message):
                found.add(message)
    return found


ALL_MESSAGES = _messages()
MESSAGES = sorted(m for m in ALL_MESSAGES if isinstance(m, str))
PLURALS = sorted(m for m in ALL_MESSAGES if isinstance(m, tuple))


def test_plural_messages_found():
    assert ("{n} warning", "{n} warnings") in PLURALS
    assert ("{n} finding", "{n} findings") in PLURALS


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_plural_message_translated_in_both_forms(lang):
    cat = translations(lang)
    for one, many in PLURALS:
        forms = [cat.ngettext(one, many, n) for n in (1, 2)]
        assert forms != [one, many], (lang, one)  # translated ("1 cell", "2 celler" in Swedish)
        for text in forms:
            assert set(re.findall(r"\{(\w*)\}", text)) == set(re.findall(r"\{(\w*)\}", one)), (lang, one)


def test_singular_and_plural_in_each_language():
    from digireport.findings import count_phrase

    fi, sv = l10n("fi"), l10n("sv")
    assert count_phrase(1, 1, fi) == "1 virhe, 1 varoitus"
    assert count_phrase(0, 2, fi) == "0 virhettä, 2 varoitusta"
    assert count_phrase(1, 1, sv) == "1 fel, 1 varning"
    assert count_phrase(2, 2, sv) == "2 fel, 2 varningar"
    assert sv.ngettext("{n} finding", "{n} findings", 1) == "1 iakttagelse"
    assert sv.ngettext("{n} finding", "{n} findings", 3) == "3 iakttagelser"
    assert fi.ngettext("{n} finding", "{n} findings", 1) == "1 havainto"


def test_messages_found():
    assert "Reading {name}" in MESSAGES
    assert len(MESSAGES) > 40


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_every_message_translated(lang):
    cat = translations(lang)
    missing = [m for m in MESSAGES if cat.gettext(m) == m and not _same_in_both(m)]
    assert not missing, f"untranslated in {lang}: {missing[:10]}"


def _same_in_both(message: str) -> bool:
    # placeholders-only strings and proper names read the same in every language
    return not re.sub(r"\{[^}]*\}|[\W\d_]", "", message)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_placeholders_match(lang):
    cat = translations(lang)
    for m in MESSAGES:
        assert set(re.findall(r"\{(\w*)\}", m)) == set(re.findall(r"\{(\w*)\}", cat.gettext(m))), m
        # argparse's own messages use %-placeholders
        assert sorted(re.findall(r"%(?:\(\w+\))?[sr]", m)) == sorted(re.findall(r"%(?:\(\w+\))?[sr]", cat.gettext(m))), m


def test_locale_formats():
    fi, sv = l10n("fi"), l10n("sv")
    nbsp = lambda s: s.replace("\u00a0", " ").replace("\u202f", " ")  # noqa: E731
    assert nbsp(fi.money(351463.68)) == "351 463,68 €"
    assert nbsp(sv.money(351463.68)) == "351 463,68 €"
    assert nbsp(fi.money(12400)) == "12 400 €"
    assert nbsp(fi.percent(0.4038)) == "40,38 %"
    assert fi.number(2.37) == "2,37"
    assert fi.date(dt.date(2025, 12, 2)) == "2.12.2025" == sv.date(dt.date(2025, 12, 2))
    assert fi("Reading {name}", name="x.xlsx") == "Luetaan x.xlsx"
    assert sv("Reading {name}", name="x.xlsx") == "Läser x.xlsx"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_a_message_in_several_catalogs_reads_the_same(lang):
    from babel.messages.pofile import read_po

    from digireport.i18n import catalog_files

    seen: dict[str, tuple[str, str]] = {}
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            for message in read_po(fh):
                if message.id and message.id in seen:
                    where, text = seen[message.id]
                    assert message.string == text, f"{message.id!r}: {where} and {path.name} disagree"
                elif message.id:
                    seen[message.id] = (path.name, message.string)


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_compiled_catalog_matches_the_po_files(lang):
    """The program reads digireport.mo; scripts/update_catalogs.py writes it from the .po files."""
    from babel.messages.mofile import read_mo

    from digireport.i18n import compile_catalogs, compiled_path

    def messages(data: bytes) -> dict:
        # by content, header aside: the header names the Babel version that wrote the file
        return {_key(m.id): _key(m.string) for m in read_mo(io.BytesIO(data)) if m.id}

    committed, fresh = messages(compiled_path(lang).read_bytes()), messages(compile_catalogs(lang))
    assert len(fresh) > 100
    assert committed == fresh, "run .venv/bin/python scripts/update_catalogs.py to compile the catalogs"


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_catalogs_hold_only_messages_the_code_shows(lang):
    """A message the code no longer has is dropped by scripts/update_catalogs.py."""
    from babel.messages.pofile import read_po

    from digireport.i18n import catalog_files

    unused = []
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            unused += [f"{path.name}: {m.id}" for m in read_po(fh) if m.id and _key(m.id) not in ALL_MESSAGES]
    assert not unused, unused


def _key(value):
    return tuple(value) if isinstance(value, list) else value


# Words the programme does not use for a concept the glossary (docs/glossary.md) names otherwise:
# an indicator is a "mittari" / "mätare".
NOT_THE_GLOSSARY_TERM = {"fi": re.compile(r"indikaattor", re.I), "sv": re.compile(r"indikator", re.I)}


@pytest.mark.parametrize("lang", ["fi", "sv"])
def test_outputs_use_the_glossary_term_for_an_indicator(lang):
    cat = translations(lang)
    shown = [cat.gettext(m) for m in MESSAGES] + [cat.ngettext(*m, n) for m in PLURALS for n in (1, 2)]
    wrong = [text for text in shown if NOT_THE_GLOSSARY_TERM[lang].search(text)]
    assert not wrong, wrong
