"""The one colour system of every output: a fixed colour per status, goal and traffic light.

The deck (charts, table markers, template theme), the indicator workbook and the web report take
their colours from here, so a status or a goal has the same colour on every slide, sheet and page.
Every mark colour has at least 3:1 contrast against white and against `SURFACE` (WCAG 1.4.11);
done is never red; status and goal hues stay apart for the common colour-vision deficiencies, and
every colour is shown together with its word, so colour is never the only carrier of meaning.
Colours are `#RRGGBB` strings; `rgb()` gives the six hex digits that OOXML wants.
"""

from __future__ import annotations

from digireport.model import Goal, Status

INK = "#1A1A1A"  # body text
MUTED = "#4B5563"  # secondary text, axes
LINE = "#767676"  # rules and table borders (4.5:1 against white)
SURFACE = "#F3F5F7"  # panels and table header fill
BACKGROUND = "#FFFFFF"
ACCENT = "#003F7D"  # the city blue: headings, links, title bars

STATUS_COLOURS: dict[Status, str] = {
    Status.DONE: "#1B7A3E",  # green
    Status.STARTED: "#0B5FA5",  # blue
    Status.PLANNED: "#6B7280",  # neutral grey
    Status.UNKNOWN: "#B45309",  # amber
    Status.DROPPED: "#374151",  # dark grey
}

GOAL_COLOURS: dict[Goal, str] = {
    Goal.A: "#7B3294",  # purple
    Goal.B: "#00838F",  # teal
    Goal.C: "#C2410C",  # vermillion
    Goal.K: "#7C6A0A",  # olive
}

# Traffic lights of indicator progress: a strong mark colour, and a light fill for cells with
# dark text on it (`LIGHT_TEXT`); the word beside it always says the same.
LIGHT_COLOURS: dict[str, str] = {"green": "#1B7A3E", "amber": "#B45309", "red": "#B91C1C", "none": "#6B7280"}
LIGHT_FILLS: dict[str, str] = {"green": "#DCEFE0", "amber": "#FFF0C7", "red": "#FADCDC", "none": "#F0F0F0"}
LIGHT_TEXT: dict[str, str] = {"green": "#0B3D17", "amber": "#4D3300", "red": "#6B0F14", "none": "#3D3D3D"}

# A neutral series colour for charts whose categories are neither statuses nor goals (levels,
# bases, beneficiaries, years), and the dashed target line of indicator charts.
SERIES = ACCENT
TARGET_LINE = "#B91C1C"

# The deck template's theme colours (dk1, lt1, dk2, lt2, accent1-6, hlink, folHlink), so a
# shape or chart that takes a theme colour still follows the same system.
THEME = {
    "dk1": INK, "lt1": BACKGROUND, "dk2": ACCENT, "lt2": SURFACE,
    "accent1": STATUS_COLOURS[Status.STARTED], "accent2": STATUS_COLOURS[Status.DONE],
    "accent3": STATUS_COLOURS[Status.UNKNOWN], "accent4": GOAL_COLOURS[Goal.A],
    "accent5": GOAL_COLOURS[Goal.B], "accent6": GOAL_COLOURS[Goal.C],
    "hlink": ACCENT, "folHlink": GOAL_COLOURS[Goal.A],
}


def rgb(colour: str) -> str:
    """`#1B7A3E` → `1B7A3E`, the form OOXML and python-pptx's RGBColor.from_string take."""
    return colour.lstrip("#").upper()


def contrast(a: str, b: str = BACKGROUND) -> float:
    """The WCAG 2.1 contrast ratio of two colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b_ = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b_

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)
