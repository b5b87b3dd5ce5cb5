#!/usr/bin/env bash
# Installs Debian's Tesseract with the language packs stancemap's OCR uses (English, Russian,
# Kazakh, Uzbek Latin and Cyrillic, Kyrgyz, Tajik, simplified Chinese). Idempotent: does nothing
# when every pack is already there. Called by `make setup` and .ci/run.
set -euo pipefail
langs="eng rus kaz uzb uzb-cyrl kir tgk chi-sim"
missing=""
# the DejaVu typeface the OCR tests typeset their Cyrillic page with
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || missing="fonts-dejavu-core"
for lang in $langs; do
  if ! dpkg -s "tesseract-ocr-$lang" >/dev/null 2>&1; then
    missing="$missing tesseract-ocr-$lang"
  fi
done
if command -v tesseract >/dev/null 2>&1 && [ -z "$missing" ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-ocr: not root; install tesseract-ocr$missing with apt-get yourself" >&2
  exit 0
fi
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends tesseract-ocr $missing >&2
tesseract --list-langs >&2
