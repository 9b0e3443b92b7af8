#!/usr/bin/env bash
# The project's start command: the whole system on the embedded default (see scripts/dev.ts).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
eval "$(bash scripts/setup.sh)"
export BC_TEMPORAL_BIN BC_KINE_BIN BC_KUBE_APISERVER_BIN BC_KUBE_CONTROLLER_MANAGER_BIN
exec npx tsx scripts/dev.ts
