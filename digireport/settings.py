"""Settings: the only reader of configuration files and the environment."""

from __future__ import annotations

import os


def ui_language() -> str:
    """Language of command-line messages: DIGIREPORT_UI_LANG (fi or sv), else Finnish."""
    lang = os.environ.get("DIGIREPORT_UI_LANG", "fi").strip().lower()[:2]
    return lang if lang in ("fi", "sv") else "fi"
