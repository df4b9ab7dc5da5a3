"""Message catalogs (fi, sv) and locale formatting of numbers, money, percentages and dates.

Catalogs are gettext .po files under `locale/<lang>/LC_MESSAGES/`, one per area of the
program (core, deck, workbook, web, ...). `scripts/update_catalogs.py` compiles all areas of a
language into one `digireport.mo`, which is what runs: the standard library reads it in a
millisecond. A test fails when a .mo no longer matches its .po files.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from digireport.errors import DigireportError

LANGUAGES = ("fi", "sv")
LOCALES = {"fi": "fi_FI", "sv": "sv_FI"}
LANGUAGE_TAGS = {"fi": "fi-FI", "sv": "sv-FI"}
LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "digireport"


def catalog_files(lang: str) -> tuple[Path, ...]:
    return tuple(sorted((LOCALE_DIR / lang / "LC_MESSAGES").glob("*.po")))


def compiled_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"


def compile_catalogs(lang: str) -> bytes:
    """The .mo of every area's .po file of `lang`, merged (Babel; for the scripts and tests)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    merged = None
    for path in catalog_files(lang):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=LOCALES[lang])
        if merged is None:
            merged = cat
        else:
            for message in cat:
                if message.id:
                    merged[message.id] = message
    buf = io.BytesIO()
    write_mo(buf, merged)
    return buf.getvalue()


@cache
def translations(lang: str) -> gettext.GNUTranslations:
    if lang not in LANGUAGES:
        raise DigireportError(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}")
    with compiled_path(lang).open("rb") as fh:
        return gettext.GNUTranslations(fh)


def _(message: str) -> str:
    """Mark a message for extraction; translation happens through an `L10n`."""
    return message


class Plural(int):
    """A count with its words in singular and plural, for a message whose language is chosen later:
    `progress(_("Read {projects}"), {"projects": Plural("{n} project", "{n} projects", 80)})` reads
    "Luettiin 80 toimenpidettä" or "Läste 1 åtgärd". Anywhere else (a log line, JSON) it is the number."""

    singular: str
    plural: str

    def __new__(cls, singular: str, plural: str, n: int) -> Plural:
        self = super().__new__(cls, n)
        self.singular, self.plural = singular, plural
        return self

    @property
    def n(self) -> int:
        return int(self)


@dataclass(frozen=True)
class L10n:
    """Translation and formatting in one language."""

    lang: str

    @property
    def locale(self) -> str:
        return LOCALES[self.lang]

    @property
    def tag(self) -> str:
        return LANGUAGE_TAGS[self.lang]

    def gettext(self, message: str, **kwargs: object) -> str:
        text = translations(self.lang).gettext(message)
        if not kwargs:
            return text
        return text.format(**{k: self.ngettext(v.singular, v.plural, v.n) if isinstance(v, Plural) else v
                              for k, v in kwargs.items()})

    def ngettext(self, singular: str, plural: str, n: int, **kwargs: object) -> str:
        text = translations(self.lang).ngettext(singular, plural, n)
        return text.format(n=self.integer(n), **kwargs)

    __call__ = gettext

    def integer(self, value: int) -> str:
        from babel.numbers import format_decimal

        return format_decimal(value, format="#,##0", locale=self.locale)

    def number(self, value: float, decimals: int | None = None) -> str:
        """`2,37`, `351 463,68`: up to two decimals unless `decimals` fixes them."""
        from babel.numbers import format_decimal

        if decimals is None:
            fmt = "#,##0.##"
        else:
            fmt = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=fmt, locale=self.locale)

    def money(self, value: float) -> str:
        """`351 463,68 €`; whole euros without decimals (`12 400 €`)."""
        from babel.numbers import format_currency

        fmt = "#,##0 ¤" if float(value).is_integer() else "#,##0.00 ¤"
        return format_currency(value, "EUR", format=fmt, locale=self.locale, currency_digits=False)

    def percent(self, ratio: float, decimals: int = 2) -> str:
        """`40,38 %` for 0.4038."""
        from babel.numbers import format_percent

        fmt = "#,##0" + ("." + "0" * decimals if decimals else "") + " %"
        return format_percent(ratio, format=fmt, locale=self.locale)

    def date(self, value: dt.date) -> str:
        """`2.12.2025` in both languages, as Finnish usage has it."""
        from babel.dates import format_date

        return format_date(value, "d.M.yyyy", locale=self.locale)


def l10n(lang: str) -> L10n:
    translations(lang)
    return L10n(lang)
