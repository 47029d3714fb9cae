#!/usr/bin/env bash
# Everything `npm test` and `npm start` need on a fresh machine: the npm dependencies (Node 24
# included, as the `node` package) when package-lock.json changed, and the Go-built test binaries.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

for cmd in go openssl flock; do
  command -v "$cmd" >/dev/null || { echo "setup: '$cmd' is required on PATH" >&2; exit 1; }
done

stamp=node_modules/.lifeboat-lock.sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -x node_modules/.bin/node ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing npm dependencies" >&2
  # The machine's npm runs under its own Node (20 here), so every package that declares Node >= 22
  # warns EBADENGINE, though lifeboat only ever runs them on the pinned Node 24 this very install
  # brings. Exactly those lines are dropped; every other warning and every error still shows, and
  # pipefail keeps npm's exit status.
  npm ci --no-audit --no-fund 2>&1 | { grep -v '^npm warn EBADENGINE' || true; } >&2
  echo "$want" >"$stamp"
fi

bash tools/build.sh >/dev/null
