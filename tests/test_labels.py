"""The words every output shows for the indicator sheet's units and sources, in each language."""

import pytest

from digireport.i18n import l10n
from digireport.labels import source_shown, unit_shown, written
from digireport.model import Shown

FI, SV = l10n("fi"), l10n("sv")


@pytest.mark.parametrize("unit, fi, sv", [
    ("kpl", "kpl", "st."),
    ("käyttäjää", "käyttäjää", "användare"),
    ("St.", "kpl", "st."),
    ("%", "%", "%"),
    ("1-4", "1–4", "1–4"),
])
def test_a_known_unit_or_sign_is_in_each_language(unit, fi, sv):
    assert unit_shown(unit, "fi", FI) == Shown(fi, "fi", False)
    assert unit_shown(unit, "fi", SV) == Shown(sv, "sv", False)


def test_another_unit_in_words_is_as_written_in_the_sheets_language():
    assert unit_shown("tuntia", "fi", SV) == Shown("tuntia", "fi", True)
    assert unit_shown("tuntia", "fi", FI) == Shown("tuntia", "fi", False)
    # a Swedish indicator sheet's words stand in for Finnish ones, not the other way round
    assert unit_shown("timmar", "sv", SV) == Shown("timmar", "sv", False)
    assert unit_shown("timmar", "sv", FI) == Shown("timmar", "sv", True)


def test_a_source_in_words_is_as_written_and_a_name_is_the_same_in_each_language():
    assert source_shown("Suomi.fi laatutyökalu", "fi", SV) == Shown("Suomi.fi laatutyökalu", "fi", True)
    assert source_shown("Suomi.fi laatutyökalu", "fi", FI) == Shown("Suomi.fi laatutyökalu", "fi", False)
    assert source_shown("DVV", "fi", SV) == Shown("DVV", "sv", False)
    assert source_shown("Power BI", "sv", FI) == Shown("Power BI", "fi", False)
    assert source_shown(None, "fi", SV) == Shown("", "sv", False)


def test_a_sheet_of_unknown_language_is_taken_as_finnish():
    assert written("Noin 50", None, SV) == Shown("Noin 50", "fi", True)
