#!/usr/bin/env bash
# Shared set-up of the start and test commands: node modules (npm ci when the lock file changed)
# and the real servers (built once into a cache outside the repository). Prints exports to eval.
# `--test` adds the tools only the tests need (the time-skipping test server).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v node >/dev/null 2>&1; then
  echo "[setup] Node.js is not installed: install Node.js 20.19 or later and run again." >&2
  exit 1
fi
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.bc-lock-hash ] || [ "$(cat node_modules/.bc-lock-hash)" != "$lock_hash" ]; then
  echo "[setup] npm ci" >&2
  npm ci --no-audit --no-fund >&2
  echo "$lock_hash" > node_modules/.bc-lock-hash
fi
bash scripts/tools.sh --env "$@"
