#!/usr/bin/env bash
# The system packages the tests use to open outputs as a person would: LibreOffice, poppler,
# Chromium, the fonts, and npm for axe-core. As root on Debian it installs what is missing; with
# --check (run by `make test`) it installs nothing and names what is missing in one line, exit 2.
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
if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
if [ "${1:-}" = "--check" ]; then
  echo "make test: missing system packages: ${need[*]} (install them with: sudo bash scripts/install-system-deps.sh)" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: run as root to install: ${need[*]}" >&2
  exit 2
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
