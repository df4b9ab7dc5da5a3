"""Shared fixtures: the bundled sample workbook and builders for small workbooks."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path

import pytest

from digireport import SAMPLE_WORKBOOK

SEED_DATE = dt.date(2025, 12, 2)


@pytest.fixture(scope="session")
def sample_bytes() -> bytes:
    return SAMPLE_WORKBOOK.read_bytes()


@pytest.fixture(scope="session")
def sample_roadmap(sample_bytes):
    from digireport.roadmap import parse_roadmap

    return parse_roadmap(sample_bytes, "tiekartta_v2.xlsx")


@pytest.fixture(scope="session")
def sample_stats(sample_roadmap):
    from digireport.stats import compute_stats

    return compute_stats(sample_roadmap, SEED_DATE)


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory):
    """One full build of the sample at the seed deck's date, shared by output tests."""
    from digireport.pipeline import BuildOptions, build

    out = tmp_path_factory.mktemp("sample-build")
    result = build(SAMPLE_WORKBOOK.read_bytes(), "tiekartta_v2.xlsx", out, BuildOptions(as_of=SEED_DATE))
    return out, result


def make_workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx with the given sheets and rows (openpyxl), as bytes."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(path: Path, outdir: Path) -> Path:
    """Open `path` in headless LibreOffice and export it as PDF; returns the PDF path."""
    import subprocess

    exe = soffice()
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    profile = outdir / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = outdir / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not produce {pdf}"
    return pdf


def pdf_pages(pdf: Path) -> int:
    import re
    import subprocess

    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def pytest_sessionfinish(session, exitstatus):
    """No test may skip: `make test` installs what the tests need or names what is missing."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(f"{len(skipped)} tests skipped: every test must run (see the skip reasons above)", red=True)
        session.exitstatus = 1
