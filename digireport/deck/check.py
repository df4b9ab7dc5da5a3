"""Accessibility: language tags on every run and a check of titles and alt text."""

from __future__ import annotations

from pptx.oxml.ns import qn

from digireport.i18n import _


def tag_language(prs, tag: str) -> None:
    """Every run, field and paragraph end on slides and notes carries the deck's language."""
    parts = []
    for slide in prs.slides:
        parts.append(slide.element)
        if slide.has_notes_slide:
            parts.append(slide.notes_slide.element)
    for element in parts:
        for run in element.iter(qn("a:r"), qn("a:fld")):
            run.get_or_add_rPr().set("lang", tag)
        for end in element.iter(qn("a:endParaRPr")):
            end.set("lang", tag)
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                tag_chart(shape.chart._chartSpace, tag)


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


def slide_title(slide) -> str:
    # By placeholder type, not name: the check must also judge slides of a foreign template.
    ph = slide.shapes.title
    return ph.text_frame.text.strip() if ph is not None else ""


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
        for shape in slide.shapes:
            if shape.has_chart or shape.has_table or shape.shape_type == 13:
                if not shape._element.xpath("./*[1]/p:cNvPr/@descr"):
                    problems.append((_("Slide {slide}: a chart or table has no alt text"), {"slide": n}))
    return problems
