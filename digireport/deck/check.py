"""Accessibility: language tags on every run and a check of titles and alt text."""

from __future__ import annotations

from pptx.oxml.ns import qn

from digireport.i18n import _

_TITLE_TYPES = ("title", "ctrTitle")
_PH = f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}"
_CHART_OR_TABLE = (
    "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "http://schemas.openxmlformats.org/drawingml/2006/table",
)


def tag_language(prs, tag: str) -> None:
    """Every run, field and paragraph end on slides and notes carries a language: the deck's
    where the run does not already name the language it is written in.

    Charts and tables are tagged as they are made (`tag_chart`, and the table cells' run
    properties), so graphic frames are passed over. The slides are walked as plain XML: a
    python-pptx proxy per run cost more than the rest of a long deck's tables.
    """
    rpr = qn("a:rPr")
    frame = qn("p:graphicFrame")
    for slide in prs.slides:
        parts = [sp for sp in slide.element.find(qn("p:cSld")).find(qn("p:spTree")) if sp.tag != frame]
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.element)
        for element in parts:
            for run in element.iter(qn("a:r"), qn("a:fld")):
                props = run.find(rpr)
                if props is None:
                    props = run.makeelement(rpr, {})
                    run.insert(0, props)
                if props.get("lang") is None or run.tag == qn("a:fld"):
                    props.set("lang", tag)
            for end in element.iter(qn("a:endParaRPr")):
                end.set("lang", tag)


def tag_chart(space, tag: str) -> None:
    """The chart's editing language and the language of its labels, legend and title text."""
    lang = space.find(qn("c:lang"))
    if lang is None:
        lang = space.makeelement(qn("c:lang"), {})
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(lang)
        else:
            space.insert(0, lang)
    lang.set("val", tag)
    for props in space.iter(qn("a:defRPr"), qn("a:rPr"), qn("a:endParaRPr")):
        props.set("lang", tag)


def _shapes(slide):
    return slide.element.find(qn("p:cSld")).find(qn("p:spTree"))


def slide_title(slide) -> str:
    # The placeholder python-pptx calls the title (index 0, or of a title type), not one found by
    # name: the check must also judge slides of a foreign template.
    for sp in _shapes(slide).iterchildren(qn("p:sp")):
        ph = sp.find(_PH)
        if ph is not None and (ph.get("idx", "0") == "0" or ph.get("type") in _TITLE_TYPES):
            paras = sp.iter(qn("a:p"))
            return "\n".join("".join(t.text or "" for t in p.iter(qn("a:t"))) for p in paras).strip()
    return ""


def _needs_alt_text(shape) -> bool:
    if shape.tag == qn("p:pic"):
        return True
    if shape.tag != qn("p:graphicFrame"):
        return False
    data = shape.find(f"{qn('a:graphic')}/{qn('a:graphicData')}")
    return data is not None and data.get("uri") in _CHART_OR_TABLE


def check_deck(prs) -> list[tuple[str, dict]]:
    """Problems as (message, args): a slide without a title, a duplicate title, missing alt text."""
    problems: list[tuple[str, dict]] = []
    seen: dict[str, int] = {}
    for n, slide in enumerate(prs.slides, start=1):
        title = slide_title(slide)
        if not title:
            problems.append((_("Slide {slide} has no title"), {"slide": n}))
        elif title in seen:
            problems.append(
                (
                    _("Slide {slide} repeats the title of slide {other}: {title}"),
                    {"slide": n, "other": seen[title], "title": title},
                )
            )
        else:
            seen[title] = n
        for shape in _shapes(slide):
            if _needs_alt_text(shape) and shape[0].find(qn("p:cNvPr")).get("descr") is None:
                problems.append((_("Slide {slide}: a chart or table has no alt text"), {"slide": n}))
    return problems
