#!/usr/bin/env python3
"""Screenshots of the web report for docs/web.md: desktop (1366 px), phone (320 px) and a printed A4 page.

Builds the bundled sample at the seed deck's date and photographs it in headless Chromium.
Run: .venv/bin/python scripts/web_screenshots.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digireport import SAMPLE_WORKBOOK  # noqa: E402
from digireport.pipeline import BuildOptions, build  # noqa: E402
from tests.webbrowser import chromium, print_pdf, screenshot  # noqa: E402

IMG = ROOT / "docs" / "img"


def main() -> int:
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        build(SAMPLE_WORKBOOK.read_bytes(), "tiekartta_v2.xlsx", tmp / "out", BuildOptions(as_of=dt.date(2025, 12, 2)))
        site = tmp / "out" / "site"
        screenshot(exe, site, "fi/index.html", 1366, 1600, IMG / "web-desktop.png", tmp / "profile")
        phone = screenshot(exe, site, "sv/index.html", 320, 3600, tmp / "phone.png", tmp / "profile")
        _columns(phone, IMG / "web-phone.png", 320, 1800)
        pdf = print_pdf(exe, site / "fi" / "index.html", tmp / "print.pdf", tmp / "profile")
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "2", "-l", "2", "-singlefile", str(pdf),
                        str(tmp / "print")], check=True)
        (IMG / "web-print.png").write_bytes((tmp / "print.png").read_bytes())
    for name in ("web-desktop.png", "web-phone.png", "web-print.png"):
        print(IMG / name)
    return 0


def _columns(src: Path, dst: Path, width: int, height: int) -> None:
    """The frame's page only (the left `width` pixels), cut into columns `height` high, side by side."""
    from PIL import Image

    with Image.open(src) as image:
        parts = [image.crop((0, top, width, top + height)) for top in range(0, image.height, height)]
        sheet = Image.new("RGB", (len(parts) * (width + 24) - 24, height), "#767676")
        for n, part in enumerate(parts):
            sheet.paste(part, (n * (width + 24), 0))
        sheet.save(dst, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
