#!/usr/bin/env bash
# Installs the office suite and PDF tools the tests use to open outputs as a person would.
set -euo pipefail
need=()
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-impress-nogui libreoffice-calc-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
fc-list 2>/dev/null | grep -qi dejavu || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "missing system packages (tests that need them will be skipped): ${need[*]}" >&2
  fi
fi
