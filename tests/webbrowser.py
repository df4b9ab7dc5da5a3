"""Headless Chromium for the web report's tests and screenshots: a page measured and checked by axe-core
inside a frame of a given width, printed to PDF, or photographed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AXE = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CSP = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\n')

# Runs inside the page: axe-core's WCAG 2.0/2.1 A and AA rules and best practices, and the page's width
# against its viewport; the result goes to the frame around it.
PROBE = """<script>%s</script><script>
window.addEventListener("load", function () {
  var d = document.documentElement, wide = [];
  document.querySelectorAll("body *").forEach(function (e) {
    var r = e.getBoundingClientRect();
    if (r.right > d.clientWidth + 0.5 && wide.length < 10) wide.push(e.tagName + "." + e.className + "#" + e.id);
  });
  var size = {viewport: d.clientWidth, page: d.scrollWidth, wide: wide};
  axe.run(document, {runOnly: {type: "tag",
                               values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}})
   .then(function (r) { send({size: size, violations: r.violations.map(function (v) {
     return {id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) { return n.target.join(" "); })}; })}); })
   .catch(function (e) { send({size: size, error: String(e)}); });
});
function send(x) { parent.postMessage(JSON.stringify(x), "*"); }
</script>"""

# Headless Chromium's window is at least 500 px wide: a frame gives the page a viewport of any width.
FRAME = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>frame</title>
<style>body{margin:0}iframe{border:0;display:block}</style></head><body>
<iframe title="page" src="%s" width="%d" height="%d"></iframe>
<script>window.addEventListener("message", function (m) {
  var pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = m.data;
  document.body.appendChild(pre); });</script></body></html>"""


def chromium() -> str:
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("Chromium is not installed (make test installs it)")
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make test installs it)")
    return exe


def run_chromium(exe: str, profile: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=True,
    )


def probe_copy(site: Path, copy: Path) -> Path:
    """A copy of the site whose pages run the probe; the pages forbid scripts, the copy lifts that."""
    shutil.copytree(site, copy)
    script = PROBE % AXE.read_text(encoding="utf-8")
    for page in copy.rglob("*.html"):
        html = CSP.sub("", page.read_text(encoding="utf-8"), count=1)
        page.write_text(html.replace("</body>", script + "</body>"), encoding="utf-8")
    return copy


def frame(copy: Path, page: str, width: int, height: int = 900) -> Path:
    path = copy / f"_frame-{width}-{page.replace('/', '-')}"
    path.write_text(FRAME % (page, width, height), encoding="utf-8")
    return path


def probe(exe: str, copy: Path, page: str, width: int, profile: Path) -> dict:
    """The page's viewport and page width and axe-core's violations, with the page `width` px wide."""
    dom = run_chromium(exe, profile, "--window-size=1400,1000", "--virtual-time-budget=30000", "--dump-dom",
                       frame(copy, page, width).as_uri()).stdout
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found, f"{page} at {width} px: the probe did not report"
    return json.loads(found.group(1).replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
                      .replace("&amp;", "&"))


def screenshot(exe: str, site: Path, page: str, width: int, height: int, out: Path, profile: Path) -> Path:
    """A PNG of `page` as a browser `width` px wide shows it (through a frame below 500 px)."""
    if width >= 500:
        run_chromium(exe, profile, f"--screenshot={out}", f"--window-size={width},{height}",
                     (site / page).as_uri())
        return out
    holder = site.parent / f"_shot-{width}"
    holder.mkdir(exist_ok=True)
    target = (site / page).as_uri()
    (holder / "frame.html").write_text(FRAME % (target, width, height), encoding="utf-8")
    run_chromium(exe, profile, f"--screenshot={out}", f"--window-size=500,{height}",
                 (holder / "frame.html").as_uri())
    return out


def print_pdf(exe: str, page: Path, out: Path, profile: Path) -> Path:
    run_chromium(exe, profile, f"--print-to-pdf={out}", "--no-pdf-header-footer", page.as_uri())
    return out


def pdf_words(pdf: Path) -> tuple[float, list[tuple[int, float, float, str]]]:
    """The page width and every word as (page, xMin, xMax, text), by poppler's pdftotext."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = []
    for n, page in enumerate(html.split("<page ")[1:], start=1):
        for x0, x1, text in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>',
                                       page):
            words.append((n, float(x0), float(x1), text))
    return width, words
