"""digireport: Porvoo's digital-programme roadmap as board decks, an indicator workbook and open data."""

from pathlib import Path

__version__ = "0.1.0"

SAMPLE_WORKBOOK = Path(__file__).parent / "data" / "tiekartta_v2.xlsx"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
