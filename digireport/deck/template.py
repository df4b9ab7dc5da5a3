"""The deck template: layouts and placeholders looked up by name."""

from __future__ import annotations

import io
from importlib.resources import files
from pathlib import Path

from pptx import Presentation
from pptx.oxml.ns import qn

from digireport.errors import TemplateError
from digireport.i18n import _

# The bundled template, inside the package so that an installed wheel carries it; made by
# scripts/make_template.py.
DEFAULT_TEMPLATE = files("digireport") / "templates" / "deck.pptx"

FOOTER = ("date", "presenter", "city")
PH_PATH = f"{qn('p:nvSpPr')}/{qn('p:nvPr')}/{qn('p:ph')}"
NAME_PATH = f"{qn('p:nvSpPr')}/{qn('p:cNvPr')}"
REQUIRED: dict[str, tuple[str, ...]] = {
    "title": ("title", "subtitle", *FOOTER),
    "section": ("title", *FOOTER),
    "content": ("title", "body", *FOOTER),
    "chart": ("title", *FOOTER),
    "table": ("title", *FOOTER),
    "two charts": ("title", *FOOTER),
}


def open_template(path: Path | None):
    """The template as a Presentation with no slides, refused when it lacks a named part."""
    path = Path(path) if path else DEFAULT_TEMPLATE
    try:
        data = path.read_bytes()
    except OSError:
        raise TemplateError(_("{file}: deck template not found"), file=str(path)) from None
    prs = Presentation(io.BytesIO(data))
    layouts = {layout.name: layout for layout in prs.slide_layouts}
    for name, placeholders in REQUIRED.items():
        layout = layouts.get(name)
        if layout is None:
            raise TemplateError(
                _("{file}: template lacks the layout '{layout}'"), file=path.name, layout=name
            )
        present = placeholder_names(layout)
        for ph in placeholders:
            if ph not in present:
                raise TemplateError(
                    _("{file}: layout '{layout}' lacks the placeholder '{placeholder}'"),
                    file=path.name,
                    layout=name,
                    placeholder=ph,
                )
    return prs


def placeholder_names(layout) -> set[str]:
    """Names of the layout's placeholders, read from its XML (python-pptx's shape proxies ask an
    XPath question per shape, which the check would pay on every build)."""
    tree = layout.element.find(qn("p:cSld")).find(qn("p:spTree"))
    return {
        sp.find(NAME_PATH).get("name")
        for sp in tree.iterchildren(qn("p:sp"))
        if sp.find(PH_PATH) is not None
    }


def placeholder(container, name: str):
    return next((ph for ph in container.placeholders if ph.name == name), None)
