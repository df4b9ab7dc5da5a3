#!/usr/bin/env bash
# Installs the office suite and PDF tools the tests use to open outputs as a person would.
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-impress-nogui libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
# Carlito has Calibri's glyph widths: with it LibreOffice wraps deck table text as PowerPoint does.
fc-list 2>/dev/null | grep -qi carlito || need+=(fonts-crosextra-carlito)
# The web report's accessibility test opens the pages in headless Chromium with axe-core.
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v npm >/dev/null 2>&1 || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing system packages (tests that need them will be skipped): ${need[*]}" >&2
  fi
fi
# axe-core goes into a project-local, git-ignored folder; the web test skips without it.
if command -v npm >/dev/null 2>&1 && [ ! -f .cache/axe/node_modules/axe-core/axe.min.js ]; then
  npm install --silent --no-audit --no-fund --prefix .cache/axe axe-core@4 >/dev/null \
    || echo "could not install axe-core (the accessibility test will be skipped)" >&2
fi
