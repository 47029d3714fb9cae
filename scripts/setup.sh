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
  npm ci --no-audit --no-fund >&2
  echo "$want" >"$stamp"
fi

bash tools/build.sh >/dev/null
