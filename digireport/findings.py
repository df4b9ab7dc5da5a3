"""Findings in words: each finding code's message, translated through the catalogs."""

from __future__ import annotations

from digireport.i18n import L10n, _
from digireport.model import Finding, Severity

MESSAGES: dict[str, str] = {
    "missing_id": _("The project has no id."),
    "unusual_id": _("The id does not look like a goal letter and a number (e.g. A17)."),
    "duplicate_id": _("The same id is already used on row {other}."),
    "missing_goal": _("The goal is missing."),
    "unknown_goal": _("Unknown goal; expected A, B, C or K (Kyvykkyydet / Kompetensområden)."),
    "id_goal_mismatch": _("The id's letter does not match the goal {goal}."),
    "missing_name": _("The project has no name in either language."),
    "missing_finnish_name": _("The Finnish name is missing."),
    "no_swedish_name_column": _("The sheet has no Swedish name column; Swedish outputs use the Finnish names."),
    "no_finnish_name_column": _("The sheet has no Finnish name column; Finnish outputs use the Swedish names."),
    "unknown_year_mark": _("Unrecognized mark in the {year} column; expected x, ✓, 1 or the year."),
    "unknown_year": _("Unrecognized roadmap year."),
    "missing_year": _("The project is not marked for any roadmap year."),
    "missing_status": _("The status is missing; counted as unknown."),
    "unknown_status": _("Unknown status; counted as unknown."),
    "unknown_value": _("Unknown value for {field}; left empty."),
    "unparseable_number": _("Not a number; left empty."),
    "sum_row": _("Sum row; not a project."),
    "not_a_project": _("Not a project (note or incomplete row); ignored."),
    "not_an_indicator": _("Row without an indicator name; ignored."),
    "rows_below_projects": _("Rows {first}–{last}: cells below the last project, on rows with no id and no name; "
                             "not read as projects."),
    "no_indicator_sheet": _("No indicator sheet found; the outputs have no indicators."),
    "missing_translation": _("No Swedish text for the {field}; the Swedish outputs show the Finnish text, "
                             "marked as Finnish. Add it to translations-sv.xlsx."),
    "stale_translation": _("The Finnish text of the {field} has changed since it was translated; the earlier "
                           "Swedish text ({previous}) is no longer used."),
}

SEVERITY_WORDS = {
    Severity.ERROR: _("error"),
    Severity.WARNING: _("warning"),
    Severity.INFO: _("info"),
}

FIELD_WORDS = {
    "level": _("level"),
    "basis": _("basis"),
    "benefit": _("long-term benefit"),
    "beneficiaries": _("beneficiaries"),
    "cost_class": _("cost class"),
    "impact_class": _("impact class"),
    "model": _("development model"),
    "cost_kind": _("cost kind"),
    "name": _("name"),
    "problem": _("problem the project solves"),
    "impact": _("impact"),
    "owner": _("responsible owner"),
    "target": _("target"),
}
VALUE_WORD = _("value of {year}")


# Row numbers a message shows in the locale's digit grouping: "rivit 84–1 048 576".
ROW_NUMBER_ARGS = frozenset({"first", "last"})


def describe(finding: Finding, loc: L10n) -> str:
    """The finding's message in `loc`'s language."""
    args = dict(finding.args)
    for key in ROW_NUMBER_ARGS.intersection(args):
        args[key] = loc.integer(int(args[key]))
    field = args.get("field", "")
    if field in FIELD_WORDS:
        args["field"] = loc(FIELD_WORDS[field])
    elif field.startswith("value."):
        args["field"] = loc(VALUE_WORD, year=field.partition(".")[2])
    return loc(MESSAGES[finding.code], **args)


def describe_all(findings, loc: L10n) -> list[str]:
    """`describe` of each finding; findings with the same code and arguments share one message,
    so a roll-up's thousands of alike findings cost a few translations."""
    messages: dict[tuple, str] = {}
    out = []
    for f in findings:
        key = (f.code, f.args)
        text = messages.get(key)
        if text is None:
            text = messages[key] = describe(f, loc)
        out.append(text)
    return out


def severity_word(finding: Finding, loc: L10n) -> str:
    return loc(SEVERITY_WORDS[finding.severity])


def count_words(findings, loc: L10n) -> str:
    """'2 errors, 1 warning' in `loc`'s language, each with its plural form."""
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    warnings = sum(1 for f in findings if f.severity is Severity.WARNING)
    return count_phrase(errors, warnings, loc)


def count_phrase(errors: int, warnings: int, loc: L10n) -> str:
    return ", ".join((loc.ngettext("{n} error", "{n} errors", errors),
                      loc.ngettext("{n} warning", "{n} warnings", warnings)))


def missing_translations(findings, loc: L10n) -> str:
    """'3 Swedish texts missing' when any are, else ''."""
    n = sum(1 for f in findings if f.code in ("missing_translation", "stale_translation"))
    return loc.ngettext("{n} Swedish text missing", "{n} Swedish texts missing", n) if n else ""


def has_errors(findings) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)
