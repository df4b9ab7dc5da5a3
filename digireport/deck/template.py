"""The deck template: layouts and placeholders looked up by name."""

from __future__ import annotations

import io
from pathlib import Path

from pptx import Presentation

from digireport import PROJECT_ROOT
from digireport.errors import TemplateError
from digireport.i18n import _

DEFAULT_TEMPLATE = PROJECT_ROOT / "templates" / "pptx" / "digireport.pptx"

FOOTER = ("date", "presenter", "city")
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
        present = {ph.name for ph in layout.placeholders}
        for ph in placeholders:
            if ph not in present:
                raise TemplateError(
                    _("{file}: layout '{layout}' lacks the placeholder '{placeholder}'"),
                    file=path.name,
                    layout=name,
                    placeholder=ph,
                )
    return prs


def layout(prs, name: str):
    return next(lay for lay in prs.slide_layouts if lay.name == name)


def placeholder(container, name: str):
    return next((ph for ph in container.placeholders if ph.name == name), None)
