#!/usr/bin/env bash
# Debian's Chromium for the report's browser test (tests/datasets/test_report_browser.py).
# Idempotent: does nothing when /usr/bin/chromium is there. Waits for another apt/dpkg to finish.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
for attempt in 1 2 3 4 5 6 7 8 9 10; do
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=120 chromium >&2 \
        || { $SUDO apt-get update -q >&2 && $SUDO env DEBIAN_FRONTEND=noninteractive \
             apt-get install -y -q -o DPkg::Lock::Timeout=120 chromium >&2; }; then
        exit 0
    fi
    echo "install-chromium: apt-get failed (attempt $attempt), retrying" >&2
    sleep 15
done
exit 1
