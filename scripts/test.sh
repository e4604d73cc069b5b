#!/usr/bin/env bash
# The whole test suite, as CI runs it: vitest (unit + integration) inside a D-Bus session with an unlocked
# gnome-keyring (so keychain tests use the real Secret Service), then Playwright against the headless console in
# Debian Chromium. Ends with one line "N passed, N failed" (CI reads only that).
set -uo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
node scripts/native-abi.mjs node
npx electron-vite build >/dev/null || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
rm -f .ci-vitest.json .ci-pw.json
rc=0
kr=$(mktemp -d); trap 'rm -rf "$kr"' EXIT
XDG_DATA_HOME="$kr" dbus-run-session -- bash -c '
  eval "$(printf %s ci-password | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  exec npx vitest run --reporter=default --reporter=json --outputFile=.ci-vitest.json "$@"' _ "$@" || rc=$?
PLAYWRIGHT_JSON_OUTPUT_NAME=.ci-pw.json npx playwright test --reporter=list,json || rc=$?
node scripts/test-summary.mjs || rc=$?
exit $rc
