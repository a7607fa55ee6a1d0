#!/usr/bin/env bash
# The test command: installs what is missing, starts the real Kafka broker and MongoDB-protocol
# server (tools/infra.sh), then type-checks, lints, and runs unit, integration and e2e tests.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

stamp="node_modules/.package-lock.sha"
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$want" ]]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi

bash tools/infra.sh up
set -a; # shellcheck disable=SC1091
. .cache/infra/env; set +a

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; NX_DAEMON=false npx nx show projects >/dev/null; npx eslint .
echo "== unit"; npx jest --selectProjects unit
echo "== integration + e2e (real Kafka, real MongoDB-protocol server)"; npx jest --selectProjects int e2e --runInBand
echo "== helm chart"; bash tools/helm-check.sh
