#!/usr/bin/env bash
# The project's one test command: typecheck, lint, unit, integration (real Temporal dev server and
# two real Kubernetes control planes, started by the tests) and replay of recorded histories.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash scripts/setup.sh --test)"

step() { printf '\n== %s\n' "$*"; }
step "typecheck"; npx tsc --noEmit
step "lint"; npx eslint .
step "format"; npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
step "tests: unit, integration, replay"; npx vitest run "$@"
