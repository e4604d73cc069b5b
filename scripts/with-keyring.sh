#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (a real Secret Service for keytar),
# e.g. `bash scripts/with-keyring.sh npx vitest run tests/integration/vault`. The keyring lives in a temp dir.
set -euo pipefail
kr=$(mktemp -d); trap 'rm -rf "$kr"' EXIT
XDG_DATA_HOME="$kr" dbus-run-session -- bash -c '
  eval "$(printf %s "${KEYRING_PW:-ci-password}" | gnome-keyring-daemon --unlock --components=secrets)"
  export GNOME_KEYRING_CONTROL
  "$@"' _ "$@"
