#!/usr/bin/env bash
# Installs what the browser test needs, if missing: Debian's chromium + chromedriver (same
# version, via apt; needs root), poppler-utils (pdftotext reads back the printed report) and
# axe-core from the npm registry into .cache/node.
set -euo pipefail
cd "$(dirname "$0")/.."
AXE_VERSION=4.14.1
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1 || \
   ! command -v pdftotext >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils >/dev/null
  else
    echo "chromium, chromium-driver or poppler-utils is missing: install them (Debian: apt-get install chromium chromium-driver poppler-utils)" >&2
    exit 1
  fi
fi
if [ ! -f .cache/node/node_modules/axe-core/axe.min.js ] || \
   ! grep -q "\"version\": \"$AXE_VERSION\"" .cache/node/node_modules/axe-core/package.json; then
  mkdir -p .cache/node
  npm install --silent --no-audit --no-fund --prefix .cache/node "axe-core@$AXE_VERSION" >/dev/null
fi
