#!/usr/bin/env bash
# The whole test suite, as CI runs it: vitest (unit + integration) and then Playwright (e2e against the headless
# console in Debian Chromium), both inside a private D-Bus session with an unlocked gnome-keyring so keytar uses the
# real Secret Service. Ends with one line "N passed, N failed, N skipped" (CI reads only that line).
set -uo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1 PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
node scripts/native-abi.mjs node
rm -f .ci-vitest.json .ci-pw.json
if ! npx electron-vite build >/dev/null; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
rc=0
bash scripts/with-keyring.sh bash -c '
  rc=0
  npx vitest run --reporter=default --reporter=json --outputFile=.ci-vitest.json || rc=$?
  PLAYWRIGHT_JSON_OUTPUT_NAME=.ci-pw.json npx playwright test --reporter=list,json || rc=$?
  exit $rc' || rc=$?
node scripts/test-summary.mjs || rc=1
exit $rc
