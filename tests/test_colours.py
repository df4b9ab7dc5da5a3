"""The colour system: every mark readable against its backgrounds, done never red, no colour reused."""

from digireport.colours import (
    BACKGROUND,
    GOAL_COLOURS,
    LIGHT_COLOURS,
    LIGHT_FILLS,
    LIGHT_TEXT,
    STATUS_COLOURS,
    SURFACE,
    THEME,
    contrast,
)
from digireport.model import Goal, Status


def test_every_status_and_goal_has_its_own_colour():
    assert set(STATUS_COLOURS) == set(Status)
    assert set(GOAL_COLOURS) == set(Goal)
    colours = list(STATUS_COLOURS.values()) + list(GOAL_COLOURS.values())
    assert len(set(colours)) == len(colours)


def test_marks_have_three_to_one_contrast():
    for colour in [*STATUS_COLOURS.values(), *GOAL_COLOURS.values(), *LIGHT_COLOURS.values()]:
        assert contrast(colour, BACKGROUND) >= 3, colour
        assert contrast(colour, SURFACE) >= 3, colour


def test_light_text_is_readable_on_its_fill():
    for light, fill in LIGHT_FILLS.items():
        assert contrast(LIGHT_TEXT[light], fill) >= 4.5, light


def test_done_is_green_not_red():
    r, g, b = (int(STATUS_COLOURS[Status.DONE][i:i + 2], 16) for i in (1, 3, 5))
    assert g > r and g > b


def test_theme_names_every_slot():
    assert set(THEME) == {"dk1", "lt1", "dk2", "lt2", *(f"accent{i}" for i in range(1, 7)), "hlink", "folHlink"}
    assert abs(contrast("#FFFFFF", "#000000") - 21) < 0.01
